// ExactSum must be exact (no rounding until the end), independent of the order of additions and of
// how partial sums are merged, and must survive serialization.
#include "stages/evaluate/metrics/exact_sum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;

TEST(ExactSum, KeepsWhatPlainDoublesLose) {
  ExactSum sum;
  sum.add(1e100);
  sum.add(1.0);
  sum.add(-1e100);
  EXPECT_EQ(sum.value(), 1.0);  // a double sum gives 0

  ExactSum tiny;
  tiny.add(0x1p-1074);  // the smallest subnormal
  tiny.add(0x1p-1074);
  EXPECT_EQ(tiny.value(), 0x1p-1073);
}

TEST(ExactSum, RoundsOnceToNearestEven) {
  // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: to even gives 1; a further 2^-100 breaks the tie.
  ExactSum tie;
  tie.add(1.0);
  tie.add(0x1p-53);
  EXPECT_EQ(tie.value(), 1.0);
  tie.add(0x1p-100);
  EXPECT_EQ(tie.value(), 1.0 + 0x1p-52);
  ExactSum negative;
  negative.add(-1.0);
  negative.add(-0x1p-53);
  negative.add(-0x1p-100);
  EXPECT_EQ(negative.value(), -(1.0 + 0x1p-52));
}

TEST(ExactSum, ProductsAreExact) {
  // (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60 needs 61 bits; the exact sum keeps the 2^-60.
  const double a = 1.0 + 0x1p-30;
  ExactSum sum;
  sum.add_product(a, a);
  sum.add(-1.0);
  sum.add(-0x1p-29);
  EXPECT_EQ(sum.value(), 0x1p-60);
}

TEST(ExactSum, SameBitsForAnyOrderAndGrouping) {
  std::mt19937_64 rng(7);
  std::vector<double> values;
  for (int i = 0; i < 5000; ++i) {
    const double magnitude = std::ldexp(1.0, static_cast<int>(rng() % 200) - 100);
    values.push_back((rng() % 2 ? 1.0 : -1.0) * magnitude * (1.0 + static_cast<double>(rng() % 1000) / 7.0));
  }
  ExactSum forward;
  for (double v : values) forward.add(v);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(values.begin(), values.end(), rng);
    // Added in groups, as shards would be, and the groups merged in reverse.
    std::vector<ExactSum> groups(1 + trial * 3);
    for (std::size_t i = 0; i < values.size(); ++i) groups[i % groups.size()].add(values[i]);
    ExactSum merged;
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) merged.add(*it);
    EXPECT_TRUE(merged == forward);
    EXPECT_TRUE(same_bits(merged.value(), forward.value()));
  }
  // A plain double sum of the same values depends on the order: that is what this class avoids.
  double plain_forward = 0.0, plain_reverse = 0.0;
  for (double v : values) plain_forward += v;
  for (auto it = values.rbegin(); it != values.rend(); ++it) plain_reverse += *it;
  EXPECT_NE(plain_forward, plain_reverse);
}

TEST(ExactSum, DoubleDoubleHoldsTheRemainder) {
  ExactSum sum;
  sum.add(1.0);
  sum.add(0x1p-80);
  const DoubleDouble dd = sum.value_dd();
  EXPECT_EQ(dd.hi, 1.0);
  EXPECT_EQ(dd.lo, 0x1p-80);
}

TEST(ExactSum, CarriesOutOfFullDigits) {
  ExactSum sum;
  for (int i = 0; i < 3'000'000; ++i) sum.add(4294967295.0);  // 2^32 - 1: fills every digit
  EXPECT_EQ(sum.value(), 4294967295.0 * 3'000'000.0);
}

TEST(ExactSum, NonFiniteGivesNan) {
  ExactSum sum;
  sum.add(1.0);
  sum.add(INFINITY);
  EXPECT_TRUE(std::isnan(sum.value()));
}

TEST(ExactSum, SerializationRoundTrips) {
  ExactSum sum;
  sum.add(-3.25);
  sum.add(0x1p-1000);
  sum.add(0x1p900);
  ByteWriter out("TEST", 1);
  sum.write(out);
  const auto bytes = out.take();
  ByteReader in(bytes, "TEST", 1);
  const ExactSum back = ExactSum::read(in);
  in.expect_end();
  EXPECT_TRUE(back == sum);
}

}  // namespace
}  // namespace sc::metrics
