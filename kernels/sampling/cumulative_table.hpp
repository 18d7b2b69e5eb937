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
//
// The draws are bound by reading these tables at random, so they are kept small: a guide entry
// is one byte for up to 127 states (two bytes up to 32,767), and the scan reads 32-bit "last
// words" (threshold - 1: the largest word that selects the state or an earlier one) instead of
// the 64-bit thresholds, whose last one, exactly 2^32, does not fit 32 bits. word >= threshold is
// word > threshold - 1, so the scan stops where the binary search does. A zero threshold (a
// leading zero-weight state) has no last word; it is stored as 0 and never read: a scan starts at
// a guide entry, whose threshold exceeds the bucket's lowest word, and moves up from there.
constexpr int32_t kMaxGuideBits = 12;

// The top bit of a guide entry of type Entry (uint8_t or uint16_t): the bucket holds a threshold.
template <class Entry>
SC_HOST_DEVICE constexpr Entry guide_scan_flag() {
  return static_cast<Entry>(Entry{1} << (8 * sizeof(Entry) - 1));
}
// The most states an entry of type Entry can name beside its flag: 127 or 32,767.
template <class Entry>
SC_HOST_DEVICE constexpr int32_t max_guided_states() {
  return static_cast<int32_t>(guide_scan_flag<Entry>()) - 1;
}
constexpr int32_t kMaxGuidedStates = max_guided_states<uint16_t>();
// Whether a distribution of n states has one-byte guide entries (else two bytes).
SC_HOST_DEVICE constexpr bool byte_guide(int32_t n) { return n <= max_guided_states<uint8_t>(); }

// Bits of the guide for n states: four buckets per state or more, 0 (no guide) above the limits.
inline int32_t guide_bits(int32_t n) {
  if (n < 1 || n > kMaxGuidedStates) return 0;
  int32_t bits = 1;
  while ((int64_t{1} << bits) < 4 * static_cast<int64_t>(n) && bits < kMaxGuideBits) ++bits;
  return bits;
}

// Appends the guide of one distribution (n thresholds, n <= max_guided_states<Entry>()) with
// 2^bits buckets to `guide`.
template <class Entry>
void append_guide(const uint64_t* threshold, int32_t n, int32_t bits, std::vector<Entry>& guide) {
  const int64_t buckets = int64_t{1} << bits;
  const size_t first = guide.size();
  int32_t state = 0;
  for (int64_t g = 0; g < buckets; ++g) {
    const uint64_t lowest_word = static_cast<uint64_t>(g) << (32 - bits);
    while (state < n - 1 && threshold[state] <= lowest_word) ++state;
    guide.push_back(static_cast<Entry>(state));
  }
  guide.push_back(static_cast<Entry>(n - 1));
  for (int64_t g = 0; g < buckets; ++g)
    if (guide[first + static_cast<size_t>(g)] != guide[first + static_cast<size_t>(g) + 1])
      guide[first + static_cast<size_t>(g)] |= guide_scan_flag<Entry>();
}

// The last words of thresholds (threshold - 1, 0 for a zero threshold), appended to `last_words`.
inline void append_last_words(const uint64_t* threshold, int64_t n, std::vector<uint32_t>& last_words) {
  for (int64_t i = 0; i < n; ++i) last_words.push_back(threshold[i] == 0 ? 0u : static_cast<uint32_t>(threshold[i] - 1));
}

// The state a guide entry names (without its scan flag).
template <class Entry>
SC_HOST_DEVICE constexpr int32_t guide_state(Entry entry) {
  return entry & static_cast<Entry>(~guide_scan_flag<Entry>());
}

// draw_state through the guide and the last words of the same thresholds: the same state for
// every word.
template <class Entry>
SC_HOST_DEVICE inline int32_t draw_state_guided(const uint32_t* last_word, const Entry* guide, int32_t bits, uint32_t word) {
  const uint32_t bucket = word >> (32 - bits);
  const Entry entry = guide[bucket];
  int32_t state = guide_state(entry);
  if (entry & guide_scan_flag<Entry>()) {
    const int32_t last = guide_state(guide[bucket + 1]);
    while (state < last && word > last_word[state]) ++state;
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
