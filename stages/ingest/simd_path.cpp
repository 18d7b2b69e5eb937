#include "stages/ingest/simd_path.hpp"

namespace sc {

SimdPath best_simd_path() {
  static const SimdPath best = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return SimdPath::avx512;
    if (__builtin_cpu_supports("avx2")) return SimdPath::avx2;
    return SimdPath::portable;
  }();
  return best;
}

std::vector<SimdPath> available_simd_paths() {
  std::vector<SimdPath> paths = {SimdPath::portable};
  if (best_simd_path() >= SimdPath::avx2) paths.push_back(SimdPath::avx2);
  if (best_simd_path() >= SimdPath::avx512) paths.push_back(SimdPath::avx512);
  return paths;
}

const char* to_string(SimdPath path) {
  switch (path) {
    case SimdPath::portable: return "portable";
    case SimdPath::avx2: return "avx2";
    case SimdPath::avx512: return "avx512";
  }
  return "";
}

}  // namespace sc
