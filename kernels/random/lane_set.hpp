// Which vector code the CPU backends' kernels run (none, AVX2 or AVX-512), as this processor
// allows; every choice gives the same bits, so tests and benchmarks may narrow it to check or time
// each copy on one machine. The code itself is in philox_x8.hpp and the kernels that use it.
#pragma once

namespace sc::kernels {

// The vector code the CPU backends run: none (scalar), AVX2 or AVX-512. Each gives the same bits.
enum class LaneSet { scalar = 0, avx2 = 1, avx512 = 2 };

// The widest lane set this processor runs (x86-64 with AVX-512 F, DQ and VL; or with AVX2).
inline LaneSet best_lane_set() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
  static const LaneSet best = [] {
    __builtin_cpu_init();  // may run before libgcc's own initialisation of the CPU model
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
      return LaneSet::avx512;
    return __builtin_cpu_supports("avx2") ? LaneSet::avx2 : LaneSet::scalar;
  }();
  return best;
#else
  return LaneSet::scalar;
#endif
}

namespace detail {
inline LaneSet& chosen_lane_set() {
  static LaneSet chosen = best_lane_set();
  return chosen;
}
}  // namespace detail

// The lane set the CPU backends use now: best_lane_set() unless a test or benchmark chose a
// narrower one with use_lane_set (to check every copy against the scalar bits on one machine).
inline LaneSet philox_lanes() { return detail::chosen_lane_set(); }
// Chooses `lanes`, or the best this processor runs where it runs fewer; returns what it chose.
// Not for use while kernels run.
inline LaneSet use_lane_set(LaneSet lanes) {
  const LaneSet best = best_lane_set();
  detail::chosen_lane_set() = static_cast<int>(lanes) <= static_cast<int>(best) ? lanes : best;
  return detail::chosen_lane_set();
}

inline const char* lane_set_name(LaneSet lanes) {
  return lanes == LaneSet::avx512 ? "AVX-512" : lanes == LaneSet::avx2 ? "AVX2" : "scalar";
}

}  // namespace sc::kernels
