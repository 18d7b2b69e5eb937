// Exact sums of doubles, the reason floating-point metric pieces merge like integer counts. A
// Pearson correlation, a Hessian of a logistic regression, a mean for standardisation: each is a
// sum over rows, and a plain double sum gives different bits for different shard splits, rank and
// thread counts. ExactSum keeps the sum as a fixed-point integer wide enough for every finite
// double (a "superaccumulator"), so adding is exact, associative and commutative, and the value is
// rounded once at the end: the same data give the same bits whatever way they were split. Cost:
// a few integer operations per added value, 544 bytes per accumulator.
#pragma once

#include <array>
#include <cstdint>

#include "stages/evaluate/metrics/byte_codec.hpp"
#include "stages/evaluate/metrics/double_double.hpp"

namespace sc::metrics {

class ExactSum {
 public:
  void add(double x);
  // Adds x * y exactly (both the rounded product and its rounding error).
  void add_product(double x, double y);
  void add(const ExactSum& other);

  // The sum rounded to the nearest double (ties to even); NaN if a non-finite value was added.
  double value() const;
  // The sum as hi + lo, each rounded to nearest: exact to about 106 bits.
  DoubleDouble value_dd() const;
  bool is_zero() const;

  void write(ByteWriter& out) const;
  static ExactSum read(ByteReader& in);

  friend bool operator==(const ExactSum& a, const ExactSum& b);

 private:
  // Digit i weighs 2^(32 i - 1074): digit 0 holds the smallest subnormal. A double touches at most
  // three consecutive digits; 68 digits leave room for carries out of the largest exponent.
  static constexpr int kDigits = 68;
  // Digits are int64 holding 32-bit digits, so 2^30 additions fit before carries must propagate.
  static constexpr std::int64_t kAddsBeforeCarry = std::int64_t{1} << 30;

  void add_scaled(std::uint64_t mantissa, int bit_offset, bool negative);
  void propagate_carries();
  // Of a normalised copy: sign and magnitude rounded to double.
  double round_normalised() const;

  std::array<std::int64_t, kDigits> digits_{};
  std::int64_t pending_adds_ = 0;
  bool non_finite_ = false;
};

}  // namespace sc::metrics
