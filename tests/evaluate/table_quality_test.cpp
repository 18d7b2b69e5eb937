// The quality report assembled from pieces: the thresholded (SDMetrics 0.27) and unthresholded
// pair trends on a hand-made table, and the same bits for any split of the rows into shards.
#include "stages/evaluate/metrics/table_quality.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;

std::vector<ColumnKind> kinds_of(const TableData& table) {
  std::vector<ColumnKind> kinds;
  for (const auto& column : table.columns) kinds.push_back(column.kind);
  return kinds;
}

QualityScores scores_whole(const TableData& real, const TableData& synthetic) {
  const auto plan = make_quality_plan(kinds_of(real), compute_profile_piece(real.view()),
                                      compute_profile_piece(synthetic.view()));
  return finish_quality(plan, compute_quality_piece(real.view(), plan, TableSide::real),
                        compute_quality_piece(synthetic.view(), plan, TableSide::synthetic));
}

// Every piece computed per shard, sent through bytes and merged in a shuffled order.
QualityScores scores_sharded(const TableData& real, const TableData& synthetic, int shards, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto real_parts = testing::split_into_shards(real, shards);
  const auto synthetic_parts = testing::split_into_shards(synthetic, shards);
  auto profile = [&](const std::vector<TableData>& parts) {
    std::vector<ProfilePiece> pieces;
    for (const auto& part : parts) pieces.push_back(deserialize_profile(serialize(compute_profile_piece(part.view()))));
    std::shuffle(pieces.begin(), pieces.end(), rng);
    ProfilePiece merged = pieces.front();
    for (std::size_t k = 1; k < pieces.size(); ++k) merge(merged, pieces[k]);
    return merged;
  };
  const auto plan = make_quality_plan(kinds_of(real), profile(real_parts), profile(synthetic_parts));
  auto quality = [&](const std::vector<TableData>& parts, TableSide side) {
    std::vector<QualityPiece> pieces;
    for (const auto& part : parts)
      pieces.push_back(deserialize_quality(serialize(compute_quality_piece(part.view(), plan, side))));
    std::shuffle(pieces.begin(), pieces.end(), rng);
    QualityPiece merged = pieces.front();
    for (std::size_t k = 1; k < pieces.size(); ++k) merge(merged, pieces[k]);
    return merged;
  };
  return finish_quality(plan, quality(real_parts, TableSide::real), quality(synthetic_parts, TableSide::synthetic));
}

void expect_same_bits(const QualityScores& a, const QualityScores& b) {
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (std::size_t c = 0; c < a.columns.size(); ++c) EXPECT_TRUE(same_bits(a.columns[c].score, b.columns[c].score));
  ASSERT_EQ(a.pairs.size(), b.pairs.size());
  for (std::size_t p = 0; p < a.pairs.size(); ++p) {
    EXPECT_TRUE(same_bits(a.pairs[p].score, b.pairs[p].score)) << "pair " << p;
    EXPECT_TRUE(same_bits(a.pairs[p].real_correlation, b.pairs[p].real_correlation));
    EXPECT_TRUE(same_bits(a.pairs[p].real_association, b.pairs[p].real_association));
    EXPECT_TRUE(same_bits(a.pairs[p].score_shared_bins, b.pairs[p].score_shared_bins));
    EXPECT_EQ(a.pairs[p].meets_threshold, b.pairs[p].meets_threshold);
  }
  for (auto field : {&QualityScores::column_shapes, &QualityScores::pair_trends, &QualityScores::pair_trends_thresholded,
                     &QualityScores::pair_trends_shared_bins, &QualityScores::pair_trends_shared_bins_thresholded,
                     &QualityScores::overall, &QualityScores::overall_thresholded, &QualityScores::overall_shared_bins,
                     &QualityScores::overall_shared_bins_thresholded})
    EXPECT_TRUE(same_bits(a.*field, b.*field));
}

TEST(TableQuality, SameBitsForOneThreeAndEightShards) {
  const auto real = testing::random_mixed_table(3001, 21);
  const auto synthetic = testing::random_mixed_table(2003, 22);
  const auto whole = scores_whole(real, synthetic);
  // The table exercises every kind of pair, and real relations pass the thresholds.
  EXPECT_EQ(whole.pairs.size(), 15u);
  EXPECT_FALSE(std::isnan(whole.pair_trends_thresholded));
  EXPECT_NE(whole.pair_trends, whole.pair_trends_thresholded);
  for (int shards : {1, 3, 8}) {
    SCOPED_TRACE(std::to_string(shards) + " shards");
    expect_same_bits(whole, scores_sharded(real, synthetic, shards, 100 + shards));
  }
}

TableData three_numeric_columns(std::vector<double> x, std::vector<double> y, std::vector<double> z) {
  TableData table;
  for (auto* values : {&x, &y, &z}) table.columns.push_back({ColumnKind::numeric, {}, *values, {}});
  return table;
}

TEST(TableQuality, ThresholdCountsOnlyRelatedRealPairs) {
  // Real: y = 2x (r = 1), z uncorrelated with both (r = 0). Synthetic: y reversed (r = -1).
  const auto real = three_numeric_columns({1, 2, 3, 4}, {2, 4, 6, 8}, {1, -1, -1, 1});
  const auto synthetic = three_numeric_columns({1, 2, 3, 4}, {8, 6, 4, 2}, {1, -1, -1, 1});
  const auto scores = scores_whole(real, synthetic);
  EXPECT_DOUBLE_EQ(scores.column_shapes, 1.0);
  ASSERT_EQ(scores.pairs.size(), 3u);
  EXPECT_DOUBLE_EQ(scores.pairs[0].score, 0.0);  // (x, y): 1 - |1 - (-1)| / 2
  EXPECT_TRUE(scores.pairs[0].meets_threshold);
  EXPECT_FALSE(scores.pairs[1].meets_threshold);
  EXPECT_DOUBLE_EQ(scores.pair_trends, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(scores.pair_trends_thresholded, 0.0);
  EXPECT_DOUBLE_EQ(scores.overall, (1.0 + 2.0 / 3.0) / 2.0);
  EXPECT_DOUBLE_EQ(scores.overall_thresholded, 0.5);
}

TEST(TableQuality, ThresholdedMeanIsOverQualifyingPairsOnly) {
  // Real: x uncorrelated with y and z, y = -z (r = -1). Only (y, z) counts.
  const auto real = three_numeric_columns({1, 2, 3, 4}, {1, -1, -1, 1}, {-1, 1, 1, -1});
  const auto synthetic = three_numeric_columns({1, 2, 3, 5}, {1, -1, -1, 1}, {-1, 1, 1, 1});
  const auto scores = scores_whole(real, synthetic);
  EXPECT_FALSE(scores.pairs[0].meets_threshold);
  EXPECT_FALSE(scores.pairs[1].meets_threshold);
  ASSERT_TRUE(scores.pairs[2].meets_threshold);
  EXPECT_LT(scores.pairs[2].score, 1.0);
  EXPECT_DOUBLE_EQ(scores.pair_trends_thresholded, scores.pairs[2].score);
}

TEST(TableQuality, NoQualifyingPairLeavesColumnShapesAlone) {
  // Three mutually orthogonal contrasts: every real r is 0.
  const auto unrelated = three_numeric_columns({1, 1, -1, -1}, {1, -1, 1, -1}, {1, -1, -1, 1});
  const auto scores = scores_whole(unrelated, unrelated);
  EXPECT_TRUE(std::isnan(scores.pair_trends_thresholded));
  EXPECT_DOUBLE_EQ(scores.overall_thresholded, scores.column_shapes);
  EXPECT_DOUBLE_EQ(scores.pair_trends, 1.0);
}

TEST(TableQuality, SharedBinsDifferOnlyWhereSeparateBinsMislead) {
  // A categorical column and a numeric one whose synthetic copy is the real one shifted by 100:
  // SDMetrics bins each over its own range and sees identical tables; shared edges do not.
  TableData real, synthetic;
  std::vector<std::int32_t> codes;
  std::vector<double> values, shifted;
  for (int i = 0; i < 40; ++i) {
    codes.push_back(i % 2);
    values.push_back(i);
    shifted.push_back(i + 100.0);
  }
  real.columns = {{ColumnKind::categorical, codes, {}, {}}, {ColumnKind::numeric, {}, values, {}}};
  synthetic.columns = {{ColumnKind::categorical, codes, {}, {}}, {ColumnKind::numeric, {}, shifted, {}}};
  const auto scores = scores_whole(real, synthetic);
  EXPECT_DOUBLE_EQ(scores.pairs[0].score, 1.0);
  // Every synthetic value lies above the real maximum: all in the top open bin, real in ten bins.
  EXPECT_LT(scores.pairs[0].score_shared_bins, 0.2);
}

}  // namespace
}  // namespace sc::metrics
