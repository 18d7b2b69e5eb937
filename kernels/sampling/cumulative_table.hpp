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

// Guide tables (Chen and Asau, 1974, "On generating random variates from an empirical
// distribution", AIIE Transactions 6(2)): the top `bits` bits of the word name one of 2^bits
// equal buckets of [0, 2^32), and the guide holds, for each bucket, the state that the bucket's
// lowest word selects (2^bits + 1 entries, the last n - 1). The state of a word then lies between
// the guide entries of its bucket and of the next one; a scan from the first finds the first
// state with word < threshold, exactly as the binary search does, so the output is the same
// inverse-CDF mapping. An entry's top bit says whether its bucket holds a threshold at all; with
// four buckets per state most do not, and their draws need no load of the threshold table: one
// load from the guide instead of log2(n) dependent loads, each behind a branch that a random word
// mispredicts half of the time.
constexpr int32_t kMaxGuideBits = 12;
constexpr int32_t kMaxGuidedStates = 0x7FFF;  // 15 bits of state in a guide entry
constexpr uint16_t kGuideScan = 0x8000;       // the bucket holds a threshold: scan

// Bits of the guide for n states: four buckets per state or more, 0 (no guide) above the limits.
inline int32_t guide_bits(int32_t n) {
  if (n < 1 || n > kMaxGuidedStates) return 0;
  int32_t bits = 1;
  while ((int64_t{1} << bits) < 4 * static_cast<int64_t>(n) && bits < kMaxGuideBits) ++bits;
  return bits;
}

// Appends the guide of one distribution (n thresholds) with 2^bits buckets to `guide`.
inline void append_guide(const uint64_t* threshold, int32_t n, int32_t bits, std::vector<uint16_t>& guide) {
  const int64_t buckets = int64_t{1} << bits;
  const size_t first = guide.size();
  int32_t state = 0;
  for (int64_t g = 0; g < buckets; ++g) {
    const uint64_t lowest_word = static_cast<uint64_t>(g) << (32 - bits);
    while (state < n - 1 && threshold[state] <= lowest_word) ++state;
    guide.push_back(static_cast<uint16_t>(state));
  }
  guide.push_back(static_cast<uint16_t>(n - 1));
  for (int64_t g = 0; g < buckets; ++g)
    if (guide[first + static_cast<size_t>(g)] != guide[first + static_cast<size_t>(g) + 1])
      guide[first + static_cast<size_t>(g)] |= kGuideScan;
}

// draw_state through the guide of the same thresholds: the same state for every word.
SC_HOST_DEVICE inline int32_t draw_state_guided(const uint64_t* threshold, const uint16_t* guide, int32_t bits,
                                                uint32_t word) {
  const uint32_t bucket = word >> (32 - bits);
  const uint16_t entry = guide[bucket];
  int32_t state = entry & kMaxGuidedStates;
  if (entry & kGuideScan) {
    const int32_t last = guide[bucket + 1] & kMaxGuidedStates;
    while (state < last && static_cast<uint64_t>(word) >= threshold[state]) ++state;
  }
  return state;
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
