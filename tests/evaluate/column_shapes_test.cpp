// KSComplement and TVComplement on cases small enough to compute by hand, SDMetrics' rules for
// missing values, ties and rare categories, and independence of the shard split.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stages/evaluate/metrics/ks_complement.hpp"
#include "stages/evaluate/metrics/tv_complement.hpp"
#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;

KsPiece ks_of(const std::vector<double>& values, const std::vector<std::uint8_t>& missing = {}) {
  return compute_ks_piece(ColumnView::numeric(values, missing));
}

TEST(KSComplement, HandComputedShift) {
  // Real 1..4, synthetic 3..6: at x = 2 the CDFs are 0.5 and 0, so D = 0.5.
  EXPECT_DOUBLE_EQ(finish_ks_complement(ks_of({1, 2, 3, 4}), ks_of({3, 4, 5, 6})), 0.5);
  EXPECT_DOUBLE_EQ(finish_ks_complement(ks_of({1, 2, 3, 4}), ks_of({4, 3, 2, 1})), 1.0);
}

TEST(KSComplement, TiesAreStepsNotPoints) {
  // Real {1, 1, 2}, synthetic {1, 2, 2}: after 1 the CDFs are 2/3 and 1/3, D = 1/3.
  EXPECT_DOUBLE_EQ(finish_ks_complement(ks_of({1, 1, 2}), ks_of({1, 2, 2})), 1.0 - (2.0 / 3.0 - 1.0 / 3.0));
}

TEST(KSComplement, DropsMissingValues) {
  // The 100 is missing: without it both sides are {1, 2}.
  EXPECT_EQ(finish_ks_complement(ks_of({1, 2, 100}, {0, 0, 1}), ks_of({2, 1})), 1.0);
  EXPECT_TRUE(std::isnan(finish_ks_complement(ks_of({1}, {1}), ks_of({2}))));
}

TEST(KSComplement, RoundsToFourteenDecimalsAsPandas) {
  // 0.1 + 0.2 differs from 0.3 in the last bit; pandas' round(14) makes them equal.
  EXPECT_NE(0.1 + 0.2, 0.3);
  EXPECT_EQ(finish_ks_complement(ks_of({0.1 + 0.2}), ks_of({0.3})), 1.0);
}

TEST(KSComplement, DatesCompareAsDays) {
  const std::vector<std::int32_t> real_days{100, 200}, synthetic_days{100, 300};
  const auto real = compute_ks_piece(ColumnView::date(real_days));
  const auto synthetic = compute_ks_piece(ColumnView::date(synthetic_days));
  EXPECT_DOUBLE_EQ(finish_ks_complement(real, synthetic), 0.5);
}

TEST(KSComplement, SameBitsForAnySplit) {
  const auto table = testing::random_mixed_table(3001, 11);
  const auto other = testing::random_mixed_table(2000, 12);
  const auto synthetic = compute_ks_piece(other.columns[1].view());
  const double whole = finish_ks_complement(compute_ks_piece(table.columns[1].view()), synthetic);
  for (int shards : {3, 8}) {
    KsPiece merged;
    const auto parts = testing::split_into_shards(table, shards);
    // Merged in reverse shard order, after a round trip through bytes.
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      merge(merged, deserialize_ks(serialize(compute_ks_piece(it->columns[1].view()))));
    EXPECT_TRUE(same_bits(finish_ks_complement(merged, synthetic), whole)) << shards << " shards";
  }
}

CategoryCounts counts_of(const std::vector<std::int32_t>& codes) {
  return compute_category_counts(ColumnView::categorical(codes));
}

TEST(TVComplement, HandComputed) {
  // Real a a b b, synthetic a b b b: 1 - (|1/4 - 1/2| + |3/4 - 1/2|) / 2 = 0.75.
  EXPECT_DOUBLE_EQ(finish_tv_complement(counts_of({0, 0, 1, 1}), counts_of({0, 1, 1, 1})), 0.75);
}

TEST(TVComplement, MissingValuesAreDropped) {
  EXPECT_DOUBLE_EQ(finish_tv_complement(counts_of({0, 1, -1, -1}), counts_of({1, 0})), 1.0);
  EXPECT_TRUE(std::isnan(finish_tv_complement(counts_of({-1}), counts_of({0}))));
}

TEST(TVComplement, SyntheticOnlyCategoryIsRegularisedAsSDMetrics) {
  // Real a a b b, synthetic a b c c: SDMetrics gives c a real count of 1e-6, which also joins the
  // real total: frequencies a, b: 2 / 4.000001, c: 1e-6 / 4.000001.
  const double total = 4.0 + 1e-6;
  const double expected =
      1.0 - 0.5 * (std::fabs(0.25 - 2.0 / total) + std::fabs(0.25 - 2.0 / total) + std::fabs(0.5 - 1e-6 / total));
  EXPECT_DOUBLE_EQ(finish_tv_complement(counts_of({0, 0, 1, 1}), counts_of({0, 1, 2, 2})), expected);
}

TEST(TVComplement, CountsMergeExactly) {
  auto merged = counts_of({0, 2, -1});
  merge(merged, deserialize_category_counts(serialize(counts_of({2, 5}))));
  EXPECT_EQ(merged.counts, (std::vector<std::int64_t>{1, 0, 2, 0, 0, 1}));
  EXPECT_EQ(merged.missing, 1);
}

}  // namespace
}  // namespace sc::metrics
