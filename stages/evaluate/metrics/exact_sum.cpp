#include "stages/evaluate/metrics/exact_sum.hpp"

#include <bit>
#include <cmath>
#include <limits>

namespace sc::metrics {

namespace {
constexpr std::int64_t kDigitMask = 0xffffffff;
// 128-bit integers hold a shifted mantissa (84 bits) and the top three digits (96 bits).
__extension__ typedef unsigned __int128 Uint128;
}  // namespace

void ExactSum::add(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  if (biased_exponent == 0x7ff) {
    non_finite_ = true;
    return;
  }
  int bit_offset = 0;  // x = mantissa * 2^(bit_offset - 1074)
  if (biased_exponent == 0) {
    if (mantissa == 0) return;
  } else {
    mantissa |= std::uint64_t{1} << 52;
    bit_offset = biased_exponent - 1;
  }
  add_scaled(mantissa, bit_offset, (bits >> 63) != 0);
}

void ExactSum::add_scaled(std::uint64_t mantissa, int bit_offset, bool negative) {
  const int digit = bit_offset >> 5;
  const auto shifted = static_cast<Uint128>(mantissa) << (bit_offset & 31);
  const auto d0 = static_cast<std::int64_t>(shifted & kDigitMask);
  const auto d1 = static_cast<std::int64_t>((shifted >> 32) & kDigitMask);
  const auto d2 = static_cast<std::int64_t>(shifted >> 64);
  if (negative) {
    digits_[digit] -= d0;
    digits_[digit + 1] -= d1;
    digits_[digit + 2] -= d2;
  } else {
    digits_[digit] += d0;
    digits_[digit + 1] += d1;
    digits_[digit + 2] += d2;
  }
  if (++pending_adds_ >= kAddsBeforeCarry) propagate_carries();
}

void ExactSum::add_product(double x, double y) {
  const DoubleDouble product = two_product(x, y);
  add(product.hi);
  add(product.lo);
}

void ExactSum::add(const ExactSum& other) {
  // Each digit is bounded by (pending adds + 1) * 2^32 in magnitude; keep the sum of both bounds
  // below 2^63 by propagating first when it would not be.
  if (pending_adds_ + other.pending_adds_ + 2 >= kAddsBeforeCarry) propagate_carries();
  if (other.pending_adds_ + 2 >= kAddsBeforeCarry) {
    ExactSum normalised = other;
    normalised.propagate_carries();
    add(normalised);
    return;
  }
  for (int i = 0; i < kDigits; ++i) digits_[i] += other.digits_[i];
  pending_adds_ += other.pending_adds_ + 1;
  non_finite_ = non_finite_ || other.non_finite_;
}

void ExactSum::propagate_carries() {
  for (int i = 0; i + 1 < kDigits; ++i) {
    const std::int64_t carry = digits_[i] >> 32;  // arithmetic shift: floor(digit / 2^32)
    digits_[i] &= kDigitMask;
    digits_[i + 1] += carry;
  }
  pending_adds_ = 0;
}

double ExactSum::round_normalised() const {
  int top = kDigits - 1;
  while (top >= 0 && digits_[top] == 0) --top;
  if (top < 0) return 0.0;
  const int base = top >= 2 ? top - 2 : 0;
  Uint128 magnitude = 0;
  for (int i = top; i >= base; --i) magnitude = (magnitude << 32) | static_cast<std::uint64_t>(digits_[i]);
  // With at least 65 significant bits kept, a set lowest bit stands for every nonzero digit below
  // without moving the round-to-nearest decision, which (double) of a 128-bit integer then makes.
  bool sticky = false;
  for (int i = 0; i < base; ++i) sticky = sticky || digits_[i] != 0;
  if (sticky) magnitude |= 1;
  return std::ldexp(static_cast<double>(magnitude), 32 * base - 1074);
}

double ExactSum::value() const {
  if (non_finite_) return std::numeric_limits<double>::quiet_NaN();
  ExactSum normalised = *this;
  normalised.propagate_carries();
  if (normalised.digits_[kDigits - 1] >= 0) return normalised.round_normalised();
  for (auto& digit : normalised.digits_) digit = -digit;
  normalised.propagate_carries();
  return -normalised.round_normalised();
}

DoubleDouble ExactSum::value_dd() const {
  const double hi = value();
  if (non_finite_) return {hi, 0.0};
  ExactSum rest = *this;
  rest.add(-hi);
  return {hi, rest.value()};
}

bool ExactSum::is_zero() const {
  ExactSum normalised = *this;
  normalised.propagate_carries();
  for (auto digit : normalised.digits_)
    if (digit != 0) return false;
  return !non_finite_;
}

bool operator==(const ExactSum& a, const ExactSum& b) {
  ExactSum x = a, y = b;
  x.propagate_carries();
  y.propagate_carries();
  return x.digits_ == y.digits_ && x.non_finite_ == y.non_finite_;
}

void ExactSum::write(ByteWriter& out) const {
  ExactSum normalised = *this;
  normalised.propagate_carries();
  int first = 0, last = kDigits;
  while (first < kDigits && normalised.digits_[first] == 0) ++first;
  while (last > first && normalised.digits_[last - 1] == 0) --last;
  out.put<std::uint8_t>(non_finite_ ? 1 : 0);
  out.put<std::int32_t>(first);
  out.put_vector(std::span<const std::int64_t>(normalised.digits_.data() + first, last - first));
}

ExactSum ExactSum::read(ByteReader& in) {
  ExactSum sum;
  sum.non_finite_ = in.get<std::uint8_t>() != 0;
  const auto first = in.get<std::int32_t>();
  const auto digits = in.get_vector<std::int64_t>();
  SC_EXPECTS(first >= 0 && first + static_cast<std::int64_t>(digits.size()) <= kDigits, InternalError,
             "metric piece: exact sum digits out of range");
  for (std::size_t i = 0; i < digits.size(); ++i) sum.digits_[first + i] = digits[i];
  return sum;
}

}  // namespace sc::metrics
