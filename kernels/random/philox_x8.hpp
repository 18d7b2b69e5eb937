// Philox4x32-10 on a register of blocks at once, for the CPU backends' vector paths (the genome
// mosaic's segment batches, the table kernel's words of a block of rows), in two copies: AVX-512
// (eight 64-bit lanes) and AVX2 (four, for processors without AVX-512 such as AMD's Zen 2 and
// Zen 3). Host only, and only in translation units that call them after checking philox_lanes():
// the functions carry their target attribute themselves, so a caller without it cannot inline
// them. Salmon et al. 2011, "Parallel random numbers: as easy
// as 1, 2, 3": per round two 32 x 32 -> 64-bit products, then xors with the key, which is bumped
// by the Weyl constants between rounds; every lane's words equal draw_words' (philox_stream.hpp)
// for the same counter and key, in both copies.
#pragma once

#include <cstdint>

#include "kernels/random/lane_set.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__CUDACC__)
#define SC_HAVE_PHILOX_X8 1
#include <immintrin.h>

#include "kernels/random/philox_stream.hpp"

#define SC_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))
#define SC_AVX2 __attribute__((target("avx2")))

// Functions of 512-bit vectors (and their callers) warn that their passing differs without
// AVX-512; each is inlined into callers of its own target, so no such call is made.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace sc::kernels::simd {

// Per instruction set: Lanes (kLanes 64-bit lanes of one register, one 32-bit word in each),
// Words (the same lanes narrowed to 32 bits), times (the 64-bit products of the lanes' 32-bit
// words with a constant) and philox_rounds. GCC's generic vectors map one to one onto registers
// of that width; wider ones split badly (comparisons went lane by lane).
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef uint64_t u64x4 __attribute__((vector_size(32)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));

// Philox4x32-10 on counters c[0..3] (kLanes blocks, one 32-bit word per 64-bit lane), in place;
// stamped out once per instruction set with its own times and target attribute.
#define SC_DEFINE_PHILOX_ROUNDS(TARGET)                                      \
  TARGET inline void philox_rounds(Lanes c[4], uint32_t k0, uint32_t k1) {   \
    const uint64_t low = 0xFFFFFFFFull;                                      \
    for (int round = 0; round < 10; ++round) {                              \
      if (round > 0) {                                                       \
        k0 += 0x9E3779B9u;                                                   \
        k1 += 0xBB67AE85u;                                                   \
      }                                                                      \
      const Lanes p0 = times(c[0], 0xD2511F53u), p1 = times(c[2], 0xCD9E8D57u); \
      const Lanes n0 = (p1 >> 32) ^ c[1] ^ k0, n2 = (p0 >> 32) ^ c[3] ^ k1;  \
      c[0] = n0;                                                             \
      c[1] = p1 & low;                                                       \
      c[2] = n2;                                                             \
      c[3] = p0 & low;                                                       \
    }                                                                        \
  }

namespace avx512 {
typedef u64x8 Lanes;
typedef u32x8 Words;
constexpr int kLanes = 8;
// One vpmuludq.
SC_AVX512 inline Lanes times(Lanes lanes, uint32_t factor) {
  return (Lanes)_mm512_mul_epu32((__m512i)lanes, _mm512_set1_epi64(factor));
}
SC_DEFINE_PHILOX_ROUNDS(SC_AVX512)
}  // namespace avx512

namespace avx2 {
typedef u64x4 Lanes;
typedef u32x4 Words;
constexpr int kLanes = 4;
// One vpmuludq (GCC's own code for a 64-bit vector product is a full 64 x 64 one).
SC_AVX2 inline Lanes times(Lanes lanes, uint32_t factor) {
  return (Lanes)_mm256_mul_epu32((__m256i)lanes, _mm256_set1_epi64x(factor));
}
SC_DEFINE_PHILOX_ROUNDS(SC_AVX2)
}  // namespace avx2

#undef SC_DEFINE_PHILOX_ROUNDS

// The fourth counter word of draw_words: 8 bits of purpose, 24 of stream.
inline uint32_t counter_tag(const DrawKey& key) {
  return (static_cast<uint32_t>(key.purpose) << 24) | (key.stream & 0xFFFFFFu);
}

}  // namespace sc::kernels::simd

#pragma GCC diagnostic pop
#endif
