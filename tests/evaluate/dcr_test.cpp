// DCR with SDMetrics' distance: a hand-computed case (missing values, capped differences, the tie
// rule of DCROverfittingProtection, exact matches, NNDR), the all-pairs kernel and the pruned search
// against a plain double loop over all pairs, and the same bits for any split of synthetic and
// reference rows. The pruned search against the kernel on many kinds of table: dcr_index_test.cpp.
#include "stages/evaluate/metrics/dcr.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::vector<ColumnKind> kinds_of(const TableData& table) {
  std::vector<ColumnKind> kinds;
  for (const auto& column : table.columns) kinds.push_back(column.kind);
  return kinds;
}

TableData numeric_and_category(std::vector<double> a, std::vector<std::int32_t> b) {
  TableData table;
  ColumnData numeric{ColumnKind::numeric, {}, a, std::vector<std::uint8_t>(a.size(), 0)};
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::isnan(a[i])) numeric.missing[i] = 1, numeric.values[i] = 0.0;
  table.columns = {numeric, {ColumnKind::categorical, b, {}, {}}};
  return table;
}

NearestSet nearest(const TableData& synthetic, const TableData& reference) {
  const auto plan = make_dcr_plan(kinds_of(reference), compute_profile_piece(reference.view()));
  NearestSet set;
  merge(set, compute_nearest_piece(0, encode_dcr_rows(synthetic.view(), plan),
                                   build_dcr_index(encode_dcr_rows(reference.view(), plan), plan.rules), plan));
  return set;
}

TEST(Dcr, HandComputed) {
  // Columns: a numeric (training range 10, hold-out range 15), b categorical (x = 0, y = 1, z = 2).
  const auto training = numeric_and_category({0, 10, kNan}, {0, 1, 0});
  const auto holdout = numeric_and_category({5, 20}, {0, 1});
  const auto synthetic = numeric_and_category({5, kNan, 30, 0}, {0, 0, 2, 1});
  const auto to_training = nearest(synthetic, training);
  const auto summary = summarize_dcr(to_training, 2);
  // (5, x): 0.5 + 0 to (0, x); (NaN, x): 0 + 0 to (NaN, x); (30, z): capped 1 + 1 to every row;
  // (0, y): 0 + 1 to (0, x) and 1 + 0 to (10, y).
  EXPECT_EQ(summary.dcr, (std::vector<double>{0.25, 0.0, 1.0, 0.5}));
  EXPECT_DOUBLE_EQ(summary.exact_match_share, 0.25);
  EXPECT_DOUBLE_EQ(summary.median_dcr, 0.375);
  // Second closest: 0.5 (to (NaN, x)), 0.5, 1, 0.5.
  EXPECT_DOUBLE_EQ(summary.nndr[0], 0.5);
  EXPECT_DOUBLE_EQ(summary.nndr[1], 0.0);
  EXPECT_DOUBLE_EQ(summary.nndr[2], 1.0);
  EXPECT_DOUBLE_EQ(summary.nndr[3], 1.0);

  const auto to_holdout = nearest(synthetic, holdout);
  EXPECT_EQ(summarize_dcr(to_holdout, 2).dcr, (std::vector<double>{0.0, 0.5, (10.0 / 15.0 + 1.0) / 2.0, 0.5}));
  // Closer to training: only (NaN, x). (0, y) ties at 0.5 and counts as closer to the hold-out.
  const auto overfitting = finish_overfitting_protection(to_training, to_holdout, 2);
  EXPECT_DOUBLE_EQ(overfitting.closer_to_training, 0.25);
  EXPECT_DOUBLE_EQ(overfitting.score, 1.0);
}

TEST(Dcr, ConstantReferenceColumnScoresInequality) {
  // Reference range 0: SDMetrics scores (difference > 0); missing against present is 1.
  TableData reference;
  reference.columns = {{ColumnKind::numeric, {}, {7, 7}, {0, 0}}};
  TableData synthetic;
  synthetic.columns = {{ColumnKind::numeric, {}, {7, 8, 0}, {0, 0, 1}}};
  EXPECT_EQ(summarize_dcr(nearest(synthetic, reference), 1).dcr, (std::vector<double>{0, 1, 1}));
}

TEST(Dcr, BaselineAndOverfittingFormulas) {
  NearestSet synthetic, random;
  merge(synthetic, NearestPiece{0, {1, 2, 3}, {9, 9, 9}});
  merge(random, NearestPiece{0, {4, 4, 8}, {9, 9, 9}});
  const auto baseline = finish_baseline_protection(synthetic, random, 1);
  EXPECT_DOUBLE_EQ(baseline.score, 0.5);  // median 2 / median 4
  NearestSet zero;
  merge(zero, NearestPiece{0, {0, 0, 1}, {9, 9, 9}});
  EXPECT_TRUE(std::isnan(finish_baseline_protection(synthetic, zero, 1).score));
  // Three of four rows closer to training: share 0.75, score min(2 * 0.25, 1) = 0.5.
  NearestSet training, holdout;
  merge(training, NearestPiece{0, {1, 1, 1, 5}, {9, 9, 9, 9}});
  merge(holdout, NearestPiece{0, {2, 2, 2, 5}, {9, 9, 9, 9}});
  EXPECT_DOUBLE_EQ(finish_overfitting_protection(training, holdout, 1).score, 0.5);
}

// SDMetrics' distance written plainly, pair by pair, in doubles.
std::vector<std::vector<double>> all_distances(const TableData& synthetic, const TableData& reference) {
  const auto s = synthetic.view(), r = reference.view();
  const int columns = static_cast<int>(s.columns.size());
  std::vector<double> range(columns, kNan);
  for (int c = 0; c < columns; ++c) {
    if (r.columns[c].kind == ColumnKind::categorical) continue;
    double lo = INFINITY, hi = -INFINITY;
    for (std::int64_t j = 0; j < r.rows(); ++j)
      if (!r.columns[c].is_missing(j)) lo = std::min(lo, r.columns[c].number(j)), hi = std::max(hi, r.columns[c].number(j));
    range[c] = hi - lo;
  }
  std::vector<std::vector<double>> distances(s.rows());
  for (std::int64_t i = 0; i < s.rows(); ++i) {
    for (std::int64_t j = 0; j < r.rows(); ++j) {
      double sum = 0.0;
      for (int c = 0; c < columns; ++c) {
        const ColumnView& a = s.columns[c];
        const ColumnView& b = r.columns[c];
        double term;
        if (a.kind == ColumnKind::categorical) {
          term = a.codes[i] == b.codes[j] ? 0.0 : 1.0;
        } else if (a.is_missing(i) || b.is_missing(j)) {
          term = a.is_missing(i) && b.is_missing(j) ? 0.0 : 1.0;
        } else {
          const double difference = std::fabs(a.number(i) - b.number(j));
          term = range[c] == 0.0 ? (difference > 0.0 ? 1.0 : 0.0) : std::min(difference / range[c], 1.0);
        }
        sum += term;
      }
      distances[i].push_back(sum / columns);
    }
    std::sort(distances[i].begin(), distances[i].end());
  }
  return distances;
}

TEST(Dcr, KernelAndPrunedSearchMatchPlainLoopBitForBit) {
  // 777 synthetic rows (not a multiple of the kernel's 32), 2500 reference rows (two blocks, the
  // second ragged), every column kind with missing values; the all-pairs kernel and the pruned
  // search (dcr_index.hpp) alike.
  const auto synthetic = testing::random_mixed_table(777, 31);
  const auto reference = testing::random_mixed_table(2500, 32);
  const auto expected = all_distances(synthetic, reference);
  const auto plan = make_dcr_plan(kinds_of(reference), compute_profile_piece(reference.view()));
  const auto queries = encode_dcr_rows(synthetic.view(), plan);
  NearestSet all_pairs, pruned;
  merge(all_pairs, compute_nearest_piece_all_pairs(0, queries, encode_dcr_rows(reference.view(), plan), plan));
  pruned = nearest(synthetic, reference);
  for (const NearestSet* set : {&all_pairs, &pruned}) {
    const auto summary = summarize_dcr(*set, 6);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_TRUE(same_bits(summary.dcr[i], expected[i][0])) << "row " << i;
      ASSERT_TRUE(same_bits(set->shards[0].second[i] / 6, expected[i][1])) << "row " << i;
    }
  }
}

TEST(Dcr, SameBitsForAnySplitOfBothSides) {
  const auto synthetic = testing::random_mixed_table(1500, 41);
  const auto reference = testing::random_mixed_table(3100, 42);
  const auto whole = nearest(synthetic, reference);
  std::mt19937_64 rng(5);
  for (int shards : {3, 8}) {
    const auto synthetic_parts = testing::split_into_shards(synthetic, shards);
    const auto reference_parts = testing::split_into_shards(reference, shards);
    // The plan needs the whole reference's ranges: merged from per-shard profile pieces.
    ProfilePiece profile = compute_profile_piece(reference_parts[0].view());
    for (int t = 1; t < shards; ++t) merge(profile, compute_profile_piece(reference_parts[t].view()));
    const auto plan = make_dcr_plan(kinds_of(reference), profile);
    std::vector<NearestSet> pieces;
    for (int s = 0; s < shards; ++s) {
      for (int t = 0; t < shards; ++t) {
        NearestSet one;
        merge(one, compute_nearest_piece(s, encode_dcr_rows(synthetic_parts[s].view(), plan),
                                         build_dcr_index(encode_dcr_rows(reference_parts[t].view(), plan), plan.rules),
                                         plan));
        pieces.push_back(deserialize_nearest(serialize(one)));
      }
    }
    std::shuffle(pieces.begin(), pieces.end(), rng);
    NearestSet merged;
    for (const auto& piece : pieces) merge(merged, piece);
    const auto a = summarize_dcr(whole, 6), b = summarize_dcr(merged, 6);
    ASSERT_EQ(a.dcr.size(), b.dcr.size());
    for (std::size_t i = 0; i < a.dcr.size(); ++i) {
      ASSERT_TRUE(same_bits(a.dcr[i], b.dcr[i])) << shards << " shards, row " << i;
      ASSERT_TRUE(same_bits(a.nndr[i], b.nndr[i])) << shards << " shards, row " << i;
    }
  }
}

}  // namespace
}  // namespace sc::metrics
