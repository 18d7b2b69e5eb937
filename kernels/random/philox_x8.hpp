// Philox4x32-10 on eight blocks at once with AVX-512, for the CPU backends' vector paths (the
// genome mosaic's segment batches, the table kernel's words of a block of rows). Host only, and
// only in translation units that compile these functions for AVX-512 (the target attribute
// below) and call them after checking philox_vectorised(): the functions carry the attribute
// themselves, so a caller without it cannot inline them. Salmon et al. 2011, "Parallel random
// numbers: as easy as 1, 2, 3": per round two 32 x 32 -> 64-bit products, then xors with the key,
// which is bumped by the Weyl constants between rounds; every lane's words equal draw_words'
// (philox_stream.hpp) for the same counter and key.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define SC_HAVE_PHILOX_X8 1
#include <immintrin.h>

#include <cstdint>

#include "kernels/random/philox_stream.hpp"

#define SC_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

namespace sc::kernels::simd {

typedef uint64_t u64x8 __attribute__((vector_size(64)));  // here: one 32-bit word per 64-bit lane
typedef uint32_t u32x8 __attribute__((vector_size(32)));

// The 64-bit products of eight 32-bit lanes with a constant (one vpmuludq).
SC_AVX512 inline u64x8 times(u64x8 lanes, uint32_t factor) {
  return (u64x8)_mm512_mul_epu32((__m512i)lanes, _mm512_set1_epi64(factor));
}

// Philox4x32-10 on counters c[0..3] (eight blocks, one 32-bit word per 64-bit lane), in place.
SC_AVX512 inline void philox_x8(u64x8 c[4], uint32_t k0, uint32_t k1) {
  const uint64_t low = 0xFFFFFFFFull;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const u64x8 p0 = times(c[0], 0xD2511F53u), p1 = times(c[2], 0xCD9E8D57u);
    const u64x8 n0 = (p1 >> 32) ^ c[1] ^ k0, n2 = (p0 >> 32) ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = p1 & low;
    c[2] = n2;
    c[3] = p0 & low;
  }
}

// The fourth counter word of draw_words: 8 bits of purpose, 24 of stream.
inline uint32_t counter_tag(const DrawKey& key) {
  return (static_cast<uint32_t>(key.purpose) << 24) | (key.stream & 0xFFFFFFu);
}

}  // namespace sc::kernels::simd
#endif

namespace sc::kernels {

// Whether this processor runs the AVX-512 paths (x86-64 with AVX-512 F, DQ and VL).
inline bool philox_vectorised() {
#if defined(SC_HAVE_PHILOX_X8)
  static const bool vectorised = [] {
    __builtin_cpu_init();  // may run before libgcc's own initialisation of the CPU model
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }();
  return vectorised;
#else
  return false;
#endif
}

}  // namespace sc::kernels
