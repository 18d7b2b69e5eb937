// Vector segment batches for the CPU backend, AVX-512 or AVX2 (the same code, mosaic_simd_lanes.inc,
// compiled for each; philox_lanes() picks). Per segment the scalar draw spends most of its time
// in two logarithms (a division and eleven multiplications and additions each), one more division
// and ten Philox rounds, all dependent chains; here sixteen segments are the lanes of two
// registers of eight (AVX-512) or four of four (AVX2), whose chains the processor overlaps. Every lane runs the very operations
// of mosaic_log and segment_age_length in the same order (IEEE additions, multiplications and
// divisions are correctly rounded in vector registers as in scalar ones, and -ffp-contract=off
// keeps them unfused), so each lane's bits equal the scalar reference's; mosaic_kernel_test
// compares them on chosen and random words and compares whole segment lists. Two shortcuts that
// change no bit: mosaic_log's subnormal branch is left out (its arguments here are at least
// 2^-64), and its fold into [sqrt(1/2), sqrt(2)) is a select instead of a branch.
// Philox4x32-10 runs on the sixteen counters at once (kernels/random/philox_x8.hpp); its words
// must equal draw_words'.
#if defined(__GNUC__)
// log_of_parts of 512-bit vectors (mosaic_math.hpp, hence before the includes) has no target
// attribute of its own; it is inlined into the vector functions below, so the ABI of an out-of-line 512-bit return
// that GCC warns about is never used.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#include "kernels/mosaic/mosaic_cpu_simd.hpp"

#include <cstring>

#include "kernels/random/philox_x8.hpp"

#if defined(SC_HAVE_PHILOX_X8)
#define SC_MOSAIC_HAVE_LANES 1
#endif

namespace sc::kernels {

#if defined(SC_MOSAIC_HAVE_LANES)
namespace {

namespace avx512 {
#define SC_LANES_TARGET SC_AVX512
using simd::avx512::kLanes;
using simd::avx512::Lanes;
using simd::avx512::philox_rounds;
using simd::avx512::Words;
typedef double Reals __attribute__((vector_size(64)));
typedef int64_t Ints __attribute__((vector_size(64)));
// vcvtuqq2pd and vcvtqq2pd: exact for these small integers.
SC_AVX512 inline Reals to_double_word(Lanes words) { return __builtin_convertvector(words, Reals); }
SC_AVX512 inline Reals to_double_exponent(Ints exponent) { return __builtin_convertvector(exponent, Reals); }
#include "kernels/mosaic/mosaic_simd_lanes.inc"
#undef SC_LANES_TARGET
}  // namespace avx512

namespace avx2 {
#define SC_LANES_TARGET SC_AVX2
using simd::avx2::kLanes;
using simd::avx2::Lanes;
using simd::avx2::philox_rounds;
using simd::avx2::Words;
typedef double Reals __attribute__((vector_size(32)));
typedef int64_t Ints __attribute__((vector_size(32)));
// AVX2 converts no 64-bit integers to double (GCC would go lane by lane): an integer n below 2^52
// set into the mantissa of 2^52 gives the double 2^52 + n exactly, and subtracting 2^52 leaves n
// exactly, the value the conversion gives.
SC_AVX2 inline Reals to_double_word(Lanes words) {
  Reals x;
  const Lanes bits = words | 0x4330000000000000ull;
  std::memcpy(&x, &bits, sizeof x);
  return x - 4503599627370496.0;
}
SC_AVX2 inline Reals to_double_exponent(Ints exponent) {
  Reals x;
  const Lanes bits = (Lanes)(exponent + 1024) | 0x4330000000000000ull;
  std::memcpy(&x, &bits, sizeof x);
  return x - (4503599627370496.0 + 1024.0);
}
#include "kernels/mosaic/mosaic_simd_lanes.inc"
#undef SC_LANES_TARGET
}  // namespace avx2

}  // namespace
#endif

void segment_age_length_x8(const uint32_t* w0, const uint32_t* w1, const uint32_t* w2, double theta, double two_rho,
                           double* age, double* length) {
#if defined(SC_MOSAIC_HAVE_LANES)
  if (philox_lanes() == LaneSet::avx512) return avx512::age_length_words_x8(w0, w1, w2, theta, two_rho, age, length);
  if (philox_lanes() == LaneSet::avx2) return avx2::age_length_words_x8(w0, w1, w2, theta, two_rho, age, length);
#endif
  for (uint32_t i = 0; i < 8; ++i) segment_age_length(w0[i], w1[i], w2[i], theta, two_rho, age[i], length[i]);
}

void VectorSegmentBatch::draw(const DrawKey& key, uint64_t haplotype, uint32_t first, double theta, double two_rho,
                              Batch& out) {
#if defined(SC_MOSAIC_HAVE_LANES)
  if (philox_lanes() == LaneSet::avx512) return avx512::draw_x16(key, haplotype, first, theta, two_rho, out);
  if (philox_lanes() == LaneSet::avx2) return avx2::draw_x16(key, haplotype, first, theta, two_rho, out);
#endif
  // Two scalar batches of eight into the halves.
  ScalarSegmentBatch::Batch half;
  for (uint32_t h = 0; h < 2; ++h) {
    ScalarSegmentBatch::draw(key, haplotype, first + 8 * h, theta, two_rho, half);
    for (uint32_t i = 0; i < 8; ++i) {
      out.age[8 * h + i] = half.age[i];
      out.length[8 * h + i] = half.length[i];
      out.donor_word[8 * h + i] = half.donor_word[i];
    }
  }
}

}  // namespace sc::kernels
