// Popcount on AVX2 registers, for the genome metrics' popcount loops on CPUs without AVX-512
// VPOPCNTQ (genome_bits.hpp, SC_POPCOUNT_DISPATCH). AVX2 has no popcount instruction; the
// nibble-table method of Mula, Kurz and Lemire ("Faster population counts using AVX2
// instructions", The Computer Journal 61(1), 2018) looks up the counts of each byte's two nibbles
// with VPSHUFB and adds them, giving per-byte counts (0 to 8) of 32 bytes at once. Kernels add
// byte counts in byte lanes for at most kTallyVectors vectors and then widen them to 64-bit lanes
// with VPSADBW (each group of 8 bytes summed), before any byte lane can pass 255.
// The functions carry SC_POPCOUNT_AVX2; callers must carry it too to inline them.
#pragma once

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

#include "stages/evaluate/metrics/genome_bits.hpp"

namespace sc::metrics::avx2 {

// Vectors of 8 words (two 4-word halves, each adding at most 8 to a byte lane) that a byte tally
// can take before it must be widened: 15 x 2 x 8 = 240 < 256.
constexpr std::int64_t kTallyVectors = 15;

// Four words from a 32-byte aligned address.
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline __m256i load(const std::uint64_t* p) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(p));
}

// Per-byte popcounts of x.
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline __m256i byte_counts(__m256i x) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
  const __m256i low = _mm256_and_si256(x, low_nibbles);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(x, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(table, high));
}

// The four 64-bit lanes' sum of the bytes of x (VPSADBW against zero, then the lanes).
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline __m256i widen(__m256i bytes) {
  return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline std::int64_t lane_sum(__m256i v) {
  alignas(32) std::int64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

}  // namespace sc::metrics::avx2
#endif
