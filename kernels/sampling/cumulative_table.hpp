// Inverse-CDF draws on integer thresholds. A discrete distribution over n states is stored as n
// cumulative thresholds on the 2^32 scale (threshold[i] = floor(2^32 * P(state <= i)), the last
// one exactly 2^32); a raw 32-bit Philox word w selects the first state with w < threshold[i]. No
// floating point is involved, so the CPU and the GPU pick the same state for the same word, and a
// state with zero probability (a suppressed cell) can never be drawn.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/random/philox_stream.hpp"

namespace sc::kernels {

constexpr uint64_t kThresholdScale = uint64_t{1} << 32;
// Products of counts and the 2^32 scale overflow 64 bits; GCC, Clang and nvcc's host side have this.
__extension__ typedef unsigned __int128 WideCount;

// The state of `n` with cumulative thresholds `threshold` that the word selects (binary search).
SC_HOST_DEVICE inline int32_t draw_state(const uint64_t* threshold, int32_t n, uint32_t word) {
  int32_t lo = 0, hi = n - 1;
  while (lo < hi) {
    int32_t mid = (lo + hi) / 2;
    if (static_cast<uint64_t>(word) < threshold[mid]) hi = mid; else lo = mid + 1;
  }
  return lo;
}

// Thresholds from integer weights (counts, possibly smoothed). All-zero weights give a uniform
// distribution: a context never seen in the data falls back to every state being possible.
inline std::vector<uint64_t> thresholds_from_weights(const std::vector<uint64_t>& weights) {
  std::vector<uint64_t> out(weights.size());
  WideCount total = 0;
  for (uint64_t w : weights) total += w;
  if (total == 0) {
    for (size_t i = 0; i < weights.size(); ++i)
      out[i] = static_cast<uint64_t>((static_cast<WideCount>(i + 1) * kThresholdScale) / weights.size());
    return out;
  }
  WideCount running = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    running += weights[i];
    out[i] = static_cast<uint64_t>((running * kThresholdScale) / total);
  }
  return out;
}

}  // namespace sc::kernels
