// The random baseline of DCRBaselineProtection: any row range can be drawn on its own (ranks draw
// their part), and the columns follow SDMetrics' rules for what to draw.
#include "stages/evaluate/metrics/random_baseline.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

BaselineSource source_of(const TableData& real) {
  BaselineSource source;
  for (const auto& column : real.columns) {
    source.kinds.push_back(column.kind);
    source.categories.push_back(column.kind == ColumnKind::categorical ? compute_category_counts(column.view())
                                                                         : CategoryCounts{});
  }
  source.profile = compute_profile_piece(real.view());
  return source;
}

TEST(RandomBaseline, AnyRowRangeDrawsTheSameRows) {
  const auto source = source_of(testing::random_mixed_table(500, 71));
  const auto whole = random_baseline_rows(source, 0, 100, 42);
  const auto head = random_baseline_rows(source, 0, 37, 42);
  const auto tail = random_baseline_rows(source, 37, 100, 42);
  for (std::size_t c = 0; c < whole.columns.size(); ++c) {
    const auto& w = whole.columns[c];
    auto joined = [](auto a, const auto& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    EXPECT_EQ(w.codes, joined(head.columns[c].codes, tail.columns[c].codes));
    EXPECT_EQ(w.values, joined(head.columns[c].values, tail.columns[c].values));
    EXPECT_EQ(w.missing, joined(head.columns[c].missing, tail.columns[c].missing));
  }
  EXPECT_NE(random_baseline_rows(source, 0, 100, 43).columns[1].values, whole.columns[1].values);
}

TEST(RandomBaseline, DrawsAsSDMetricsDoes) {
  const auto real = testing::random_mixed_table(2000, 72);
  const auto source = source_of(real);
  const auto random = random_baseline_rows(source, 0, 20000, 7);
  // Column 0: categorical codes 0..4 with ~10 % missing; never a code the real column lacks.
  std::int64_t missing = 0;
  for (auto code : random.columns[0].codes) {
    EXPECT_TRUE(code == kMissingCode || (code >= 0 && code < 5));
    missing += code == kMissingCode;
  }
  const double real_share = static_cast<double>(source.categories[0].missing) / 2000.0;
  EXPECT_NEAR(static_cast<double>(missing) / 20000.0, real_share, 0.01);
  // Column 4: whole numbers, none missing (pandas int64): integers within [min, max], both ends drawn.
  const auto& range = source.profile.ranges[4];
  double lo = INFINITY, hi = -INFINITY;
  for (double v : random.columns[4].values) {
    EXPECT_EQ(v, std::floor(v));
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_EQ(lo, range.min);
  EXPECT_EQ(hi, range.max);
  // Column 1: two-decimal values with missing ones (pandas float64): uniform in [min, max).
  for (std::size_t i = 0; i < random.columns[1].values.size(); ++i) {
    if (random.columns[1].missing[i]) continue;
    EXPECT_GE(random.columns[1].values[i], source.profile.ranges[1].min);
    EXPECT_LT(random.columns[1].values[i], source.profile.ranges[1].max);
  }
  // Column 3: dates drawn as nanoseconds within the real range.
  EXPECT_EQ(random.columns[3].kind, ColumnKind::numeric);
  for (std::size_t i = 0; i < random.columns[3].values.size(); ++i) {
    if (random.columns[3].missing[i]) continue;
    EXPECT_GE(random.columns[3].values[i], source.profile.ranges[3].min);
  }
}

}  // namespace
}  // namespace sc::metrics
