// AVX-512 segment batches for the CPU backend. Per segment the scalar draw spends most of its time
// in two logarithms (a division and eleven multiplications and additions each), one more division
// and ten Philox rounds, all dependent chains; here sixteen segments are the lanes of two
// registers of eight, whose two chains the processor overlaps. Every lane runs the very operations
// of mosaic_log and segment_age_length in the same order (IEEE additions, multiplications and
// divisions are correctly rounded in vector registers as in scalar ones, and -ffp-contract=off
// keeps them unfused), so each lane's bits equal the scalar reference's; mosaic_kernel_test
// compares them on chosen and random words and compares whole segment lists. Two shortcuts that
// change no bit: mosaic_log's subnormal branch is left out (its arguments here are at least
// 2^-64), and its fold into [sqrt(1/2), sqrt(2)) is a select instead of a branch.
// Philox4x32-10 runs on the sixteen counters at once (kernels/random/philox_x8.hpp); its words
// must equal draw_words'.
#if defined(__GNUC__)
// log_of_parts<f64x8> (mosaic_math.hpp, hence before the includes) has no target attribute of its
// own; it is inlined into the AVX-512 functions below, so the ABI of an out-of-line 512-bit return
// that GCC warns about is never used.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#include "kernels/mosaic/mosaic_cpu_simd.hpp"

#include <cstring>

#include "kernels/random/philox_x8.hpp"

#if defined(SC_HAVE_PHILOX_X8)
#define SC_MOSAIC_HAVE_AVX512 1
#endif

namespace sc::kernels {

#if defined(SC_MOSAIC_HAVE_AVX512)
#define SC_MOSAIC_AVX512 SC_AVX512

namespace {

using simd::philox_x8;
using simd::u32x8;
using simd::u64x8;
typedef double f64x8 __attribute__((vector_size(64)));
typedef int64_t i64x8 __attribute__((vector_size(64)));

SC_MOSAIC_AVX512 inline f64x8 as_double(u64x8 bits) {
  f64x8 x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}
SC_MOSAIC_AVX512 inline u64x8 as_bits(f64x8 x) {
  u64x8 bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

// mosaic_log of eight normal, positive doubles.
SC_MOSAIC_AVX512 inline f64x8 log_x8(f64x8 x) {
  const u64x8 bits = as_bits(x);
  i64x8 exponent = (i64x8)((bits >> 52) & 0x7FF) - 1023;
  f64x8 m = as_double((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
  const i64x8 fold = m > 1.4142135623730951;
  m = fold ? m * 0.5 : m;
  exponent = fold ? exponent + 1 : exponent;
  return log_of_parts(m, __builtin_convertvector(exponent, f64x8));
}

// unit_open_closed of eight words held in 64-bit lanes.
SC_MOSAIC_AVX512 inline f64x8 unit_open_closed_x8(u64x8 words) {
  return (__builtin_convertvector(words, f64x8) + 1.0) * (1.0 / 4294967296.0);
}

SC_MOSAIC_AVX512 inline void age_length_x8(u64x8 w0, u64x8 w1, u64x8 w2, double theta, double two_rho, f64x8& age,
                                          f64x8& length) {
  age = theta * -log_x8(unit_open_closed_x8(w0) * unit_open_closed_x8(w1));
  length = -log_x8(unit_open_closed_x8(w2)) / (two_rho * age);
}

SC_MOSAIC_AVX512 void draw_x16(const DrawKey& key, uint64_t haplotype, uint32_t first, double theta, double two_rho,
                               VectorSegmentBatch::Batch& out) {
  // The counters of draw_words: (entity low, entity high, slot, purpose << 24 | stream).
  const uint64_t tag = simd::counter_tag(key);
  const uint32_t k0 = static_cast<uint32_t>(key.seed), k1 = static_cast<uint32_t>(key.seed >> 32);
  u64x8 a[4], b[4];
  for (u64x8* c : {a, b}) {
    c[0] = u64x8{} + static_cast<uint32_t>(haplotype);
    c[1] = u64x8{} + static_cast<uint32_t>(haplotype >> 32);
    c[3] = u64x8{} + tag;
  }
  // Slots wrap at 2^32 as draw_words' uint32_t slot does.
  a[2] = (u64x8{0, 1, 2, 3, 4, 5, 6, 7} + first) & 0xFFFFFFFFull;
  b[2] = (u64x8{8, 9, 10, 11, 12, 13, 14, 15} + first) & 0xFFFFFFFFull;
  philox_x8(a, k0, k1);
  philox_x8(b, k0, k1);
  f64x8 age[2], length[2];
  age_length_x8(a[0], a[1], a[2], theta, two_rho, age[0], length[0]);
  age_length_x8(b[0], b[1], b[2], theta, two_rho, age[1], length[1]);
  std::memcpy(out.age, age, sizeof out.age);
  std::memcpy(out.length, length, sizeof out.length);
  const u32x8 donor_a = __builtin_convertvector(a[3], u32x8), donor_b = __builtin_convertvector(b[3], u32x8);
  std::memcpy(out.donor_word, &donor_a, sizeof donor_a);
  std::memcpy(out.donor_word + 8, &donor_b, sizeof donor_b);
}

SC_MOSAIC_AVX512 void age_length_words_x8(const uint32_t* w0, const uint32_t* w1, const uint32_t* w2, double theta,
                                          double two_rho, double* age, double* length) {
  u32x8 words[3];
  std::memcpy(&words[0], w0, sizeof words[0]);
  std::memcpy(&words[1], w1, sizeof words[1]);
  std::memcpy(&words[2], w2, sizeof words[2]);
  f64x8 x, y;
  age_length_x8(__builtin_convertvector(words[0], u64x8), __builtin_convertvector(words[1], u64x8),
                __builtin_convertvector(words[2], u64x8), theta, two_rho, x, y);
  std::memcpy(age, &x, sizeof x);
  std::memcpy(length, &y, sizeof y);
}

const bool kVectorised = philox_vectorised();

}  // namespace
#else
namespace {
const bool kVectorised = false;
}  // namespace
#endif

bool segment_batch_vectorised() { return kVectorised; }

void segment_age_length_x8(const uint32_t* w0, const uint32_t* w1, const uint32_t* w2, double theta, double two_rho,
                           double* age, double* length) {
#if defined(SC_MOSAIC_HAVE_AVX512)
  if (kVectorised) return age_length_words_x8(w0, w1, w2, theta, two_rho, age, length);
#endif
  for (uint32_t i = 0; i < 8; ++i) segment_age_length(w0[i], w1[i], w2[i], theta, two_rho, age[i], length[i]);
}

void VectorSegmentBatch::draw(const DrawKey& key, uint64_t haplotype, uint32_t first, double theta, double two_rho,
                              Batch& out) {
#if defined(SC_MOSAIC_HAVE_AVX512)
  if (kVectorised) return draw_x16(key, haplotype, first, theta, two_rho, out);
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
