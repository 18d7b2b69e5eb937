// Logarithms and exponential draws that give the same bits on the host and on the GPU. glibc's
// and CUDA's log differ in the last bits (DESIGN.md, decision 2), so the mosaic kernels use this
// one, built only from IEEE additions, multiplications and divisions (correctly rounded on both)
// with the exponent taken apart by integer operations. It needs -ffp-contract=off on the host and
// --fmad=false under nvcc (synthcohort_fp_strict), so that no multiply-add is fused.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/random/philox_stream.hpp"

namespace sc::kernels {

// log(m) + e log(2) for m in [sqrt(1/2), sqrt(2)) and an integer e: the core of mosaic_log, a
// template so that the CPU's vector version (mosaic_cpu_simd.cpp) runs these very operations on
// eight lanes at once (T = double or a vector of doubles).
template <class T>
SC_HOST_DEVICE inline T log_of_parts(T m, T e) {
  // log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1), |s| < 0.172.
  const T s = (m - 1.0) / (m + 1.0);
  const T s2 = s * s;
  // Terms to s^20 (truncation below 1e-16 relative), coefficients 1/(2k+1) written out so that
  // no division is left at run time; Horner order fixes the rounding on both sides.
  const T series =
      1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 + s2 * (1.0 / 13 + s2 * (1.0 / 15 +
      s2 * (1.0 / 17 + s2 * (1.0 / 19 + s2 * (1.0 / 21))))))))));
  const T log_m = 2.0 * s * series;
  // ln 2 split in a high part with trailing zero bits and a low correction: e * high is exact.
  const double ln2_high = 6.93147180369123816490e-01, ln2_low = 1.90821492927058770002e-10;
  return (e * ln2_high + (log_m + e * ln2_low));
}

// Natural logarithm of a finite x > 0 (relative error about 1e-16).
SC_HOST_DEVICE inline double mosaic_log(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int64_t exponent = static_cast<int64_t>((bits >> 52) & 0x7FF) - 1023;
  if (((bits >> 52) & 0x7FF) == 0) {  // subnormal: scale into the normal range first
    x = x * 18014398509481984.0;       // 2^54
    memcpy(&bits, &x, sizeof bits);
    exponent = static_cast<int64_t>((bits >> 52) & 0x7FF) - 1023 - 54;
  }
  // m in [1, 2), then folded into [sqrt(1/2), sqrt(2)) so that the series below converges fast.
  bits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  double m;
  memcpy(&m, &bits, sizeof m);
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    exponent += 1;
  }
  return log_of_parts(m, static_cast<double>(exponent));
}

// A uniform in (0, 1] from one 32-bit word: (w + 1) / 2^32, exact.
SC_HOST_DEVICE inline double unit_open_closed(uint32_t word) {
  return (static_cast<double>(word) + 1.0) * (1.0 / 4294967296.0);
}

// A uniform in (0, 1] from two words with 53 bits of resolution, exact.
SC_HOST_DEVICE inline double unit_open_closed_53(uint32_t high, uint32_t low) {
  const uint64_t bits = ((static_cast<uint64_t>(high) << 21) ^ (static_cast<uint64_t>(low) >> 11)) & ((uint64_t{1} << 53) - 1);
  return (static_cast<double>(bits) + 1.0) * (1.0 / 9007199254740992.0);
}

// An Exp(1) draw from one word by inversion: -log(U), U in (0, 1].
SC_HOST_DEVICE inline double standard_exponential(uint32_t word) { return -mosaic_log(unit_open_closed(word)); }

// floor(count * word / 2^32): an index in [0, count) from one word, integer only.
SC_HOST_DEVICE inline uint32_t scaled_index(uint32_t word, uint32_t count) {
  return static_cast<uint32_t>((static_cast<uint64_t>(word) * count) >> 32);
}

}  // namespace sc::kernels
