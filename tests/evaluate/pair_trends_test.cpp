// CorrelationSimilarity, ContingencySimilarity, Cramer's V and SDMetrics' binning rules on cases
// small enough to compute by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stages/evaluate/metrics/binning.hpp"
#include "stages/evaluate/metrics/contingency_similarity.hpp"
#include "stages/evaluate/metrics/correlation_similarity.hpp"

namespace sc::metrics {
namespace {

CorrelationPiece correlation_of(const std::vector<double>& x, const std::vector<double>& y,
                                const std::vector<std::uint8_t>& x_missing = {}) {
  return compute_correlation_piece(ColumnView::numeric(x, x_missing), ColumnView::numeric(y));
}

TEST(CorrelationSimilarity, HandComputed) {
  EXPECT_DOUBLE_EQ(pearson(correlation_of({1, 2, 3, 4}, {2, 4, 6, 8})), 1.0);
  // x = 1 2 3, y = 1 3 2: sum dx dy = 1, sum dx^2 = sum dy^2 = 2, r = 0.5.
  EXPECT_DOUBLE_EQ(pearson(correlation_of({1, 2, 3}, {1, 3, 2})), 0.5);
  const auto result = finish_correlation_similarity(correlation_of({1, 2, 3, 4}, {2, 4, 6, 8}),
                                                    correlation_of({1, 2, 3, 4}, {8, 6, 4, 2}), false);
  EXPECT_DOUBLE_EQ(result.score, 0.0);  // 1 - |1 - (-1)| / 2
  EXPECT_DOUBLE_EQ(result.real, 1.0);
  EXPECT_DOUBLE_EQ(result.synthetic, -1.0);
}

TEST(CorrelationSimilarity, DropsRowsWithAMissingValue) {
  // The last row is dropped (x missing), leaving the r = 0.5 case above.
  EXPECT_DOUBLE_EQ(pearson(correlation_of({1, 2, 3, 7}, {1, 3, 2, 100}, {0, 0, 0, 1})), 0.5);
}

TEST(CorrelationSimilarity, ConstantOrTooShortGivesNoScore) {
  EXPECT_TRUE(std::isnan(pearson(correlation_of({1, 1, 1}, {1, 2, 3}))));
  EXPECT_TRUE(std::isnan(pearson(correlation_of({1}, {2}))));
  const auto piece = correlation_of({1, 2, 3}, {1, 3, 2});
  EXPECT_TRUE(std::isnan(finish_correlation_similarity(piece, piece, true).score));
}

TEST(CorrelationSimilarity, AccurateFarFromZero) {
  // Values near 1e9 with spread 1: naive sums of squares lose every digit; exact sums do not.
  std::vector<double> x, y;
  for (int i = 0; i < 1000; ++i) {
    x.push_back(1e9 + i % 7);
    y.push_back(1e9 + (i % 7) * 2 + (i % 3));
  }
  std::vector<double> dx, dy;
  for (int i = 0; i < 1000; ++i) {
    dx.push_back(i % 7);
    dy.push_back((i % 7) * 2 + (i % 3));
  }
  EXPECT_NEAR(pearson(correlation_of(x, y)), pearson(correlation_of(dx, dy)), 1e-15);
}

ContingencyPiece table_of(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
  return compute_contingency_piece(ColumnView::categorical(a), {}, ColumnView::categorical(b), {});
}

TEST(ContingencySimilarity, HandComputed) {
  // Real: (0,0) x2, (1,1) x2. Synthetic: one of each of the four cells.
  // Variation: (|1/2 - 1/4| * 2 + 1/4 * 2) / 2 = 0.5.
  const auto real = table_of({0, 0, 1, 1}, {0, 0, 1, 1});
  const auto synthetic = table_of({0, 1, 0, 1}, {0, 1, 1, 0});
  EXPECT_DOUBLE_EQ(finish_contingency_similarity(real, synthetic), 0.5);
  EXPECT_DOUBLE_EQ(finish_contingency_similarity(real, real), 1.0);
}

TEST(ContingencySimilarity, MissingIsALevelAndCountsInTheTotal) {
  // Real: (missing, 0) and (0, 0); synthetic: (0, 0) twice. Variation = (1/2 + 1/2) / 2.
  EXPECT_DOUBLE_EQ(finish_contingency_similarity(table_of({-1, 0}, {0, 0}), table_of({0, 0}, {0, 0})), 0.5);
}

TEST(ContingencySimilarity, MergesCellsExactly) {
  auto merged = table_of({0, 1}, {0, 0});
  merge(merged, deserialize_contingency(serialize(table_of({1, 2}, {0, 1}))));
  EXPECT_EQ(merged.a, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(merged.b, (std::vector<std::int32_t>{0, 0, 1}));
  EXPECT_EQ(merged.counts, (std::vector<std::int64_t>{1, 2, 1}));
}

ContingencyPiece table_from_counts(const std::vector<std::vector<int>>& observed) {
  std::vector<std::int32_t> a, b;
  for (std::size_t r = 0; r < observed.size(); ++r)
    for (std::size_t c = 0; c < observed[r].size(); ++c)
      for (int k = 0; k < observed[r][c]; ++k) {
        a.push_back(static_cast<std::int32_t>(r));
        b.push_back(static_cast<std::int32_t>(c));
      }
  return table_of(a, b);
}

TEST(CramersV, HandComputed) {
  EXPECT_DOUBLE_EQ(cramers_v(table_from_counts({{10, 0}, {0, 10}})), 1.0);
  EXPECT_DOUBLE_EQ(cramers_v(table_from_counts({{5, 5}, {5, 5}})), 0.0);
  // n = 100; expected [[18, 18, 24], [12, 12, 16]]; min(2, 3) - 1 = 1.
  const double chi2 = 64.0 / 18 + 4.0 / 18 + 36.0 / 24 + 64.0 / 12 + 4.0 / 12 + 36.0 / 16;
  EXPECT_NEAR(cramers_v(table_from_counts({{10, 20, 30}, {20, 10, 10}})), std::sqrt(chi2 / 100.0), 1e-15);
  // Fewer than two levels on a side: no association (SDMetrics gives such pairs no score).
  EXPECT_TRUE(std::isnan(cramers_v(table_from_counts({{3, 4}}))));
}

TEST(Binning, NumpyEdgesAndDigitize) {
  RangePiece range{.present = 5, .missing = 0, .min = 0.0, .max = 10.0};
  const auto bins = numpy_histogram_edges(range);
  ASSERT_TRUE(bins.valid);
  for (int i = 0; i <= 10; ++i) EXPECT_EQ(bins.edges[i], i);
  EXPECT_EQ(numpy_digitize(-1.0, bins.edges), 0);
  EXPECT_EQ(numpy_digitize(0.0, bins.edges), 1);
  EXPECT_EQ(numpy_digitize(9.99, bins.edges), 10);
  // The maximum and a missing value share bin 11, as np.digitize puts them.
  EXPECT_EQ(numpy_digitize(10.0, bins.edges), 11);
  EXPECT_EQ(numpy_digitize(NAN, bins.edges), 11);
}

TEST(Binning, NumpyWidensConstantAndEmptyRanges) {
  const auto constant = numpy_histogram_edges(RangePiece{.present = 3, .missing = 0, .min = 5.0, .max = 5.0});
  EXPECT_EQ(constant.edges.front(), 4.5);
  EXPECT_EQ(constant.edges.back(), 5.5);
  const auto empty = numpy_histogram_edges(RangePiece{.present = 0, .missing = 3});
  EXPECT_EQ(empty.edges.front(), 0.0);
  EXPECT_EQ(empty.edges.back(), 1.0);
  // A range too narrow for ten distinct edges: numpy raises, SDMetrics drops the pairs.
  EXPECT_FALSE(numpy_histogram_edges(RangePiece{.present = 2, .missing = 0, .min = 1.0, .max = 1.0 + 0x1p-50}).valid);
}

TEST(Binning, PandasCutIsRightClosedWithALoweredFirstEdge) {
  const auto edges = pandas_cut_edges(RangePiece{.present = 5, .missing = 0, .min = 0.0, .max = 10.0});
  EXPECT_DOUBLE_EQ(edges.front(), -0.01);
  EXPECT_EQ(pandas_cut_label(0.0, edges, false), 0);
  EXPECT_EQ(pandas_cut_label(1.0, edges, false), 0);
  EXPECT_EQ(pandas_cut_label(1.5, edges, false), 1);
  EXPECT_EQ(pandas_cut_label(10.0, edges, false), 9);
  EXPECT_EQ(pandas_cut_label(50.0, edges, false), kMissingCode);
  EXPECT_EQ(pandas_cut_label(50.0, edges, true), 9);
  EXPECT_EQ(pandas_cut_label(-5.0, edges, true), 0);
  EXPECT_EQ(pandas_cut_label(NAN, edges, true), kMissingCode);
}

}  // namespace
}  // namespace sc::metrics
