// The pruned DCR search (dcr_index.hpp) against the all-pairs kernel: the same bits of the two
// smallest distance sums of every synthetic row (so the same DCR, exact matches, NNDR and tie rule)
// on random tables of every shape the distance treats differently: ties and duplicated rows,
// missing values (few, half, all), categorical-only and numeric-only tables, constant reference
// columns (range 0), values beyond the reference range and near the 1e300 limit, tiny and empty
// inputs; for any thread count; and a check that the search does skip rows.
#include "stages/evaluate/metrics/dcr.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include <tbb/global_control.h>

#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;

struct ColumnSpec {
  ColumnKind kind = ColumnKind::numeric;
  int distinct = 0;        // values drawn from this many (0: continuous); categorical: codes
  double missing = 0.0;    // share of missing values
  double scale = 1.0;      // numeric values lie in [offset, offset + scale)
  double offset = 0.0;
};

TableData random_table(const std::vector<ColumnSpec>& specs, std::int64_t rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  TableData table;
  for (const ColumnSpec& spec : specs) {
    ColumnData column;
    column.kind = spec.kind;
    for (std::int64_t r = 0; r < rows; ++r) {
      const bool missing = unit(rng) < spec.missing;
      const int level = spec.distinct > 0 ? static_cast<int>(rng() % static_cast<std::uint64_t>(spec.distinct)) : 0;
      if (spec.kind == ColumnKind::categorical) {
        column.codes.push_back(missing ? kMissingCode : level);
        continue;
      }
      if (spec.kind == ColumnKind::date) {
        column.codes.push_back(spec.distinct > 0 ? level : static_cast<std::int32_t>(rng() % 20000));
      } else {
        const double x = spec.distinct > 0 ? static_cast<double>(level) / spec.distinct : unit(rng);
        column.values.push_back(spec.offset + spec.scale * x);
      }
      column.missing.push_back(missing ? 1 : 0);
    }
    table.columns.push_back(std::move(column));
  }
  return table;
}

// `table` with its rows repeated `copies` times (exact duplicates in the reference).
TableData repeated(const TableData& table, int copies) {
  TableData out = table;
  for (int k = 1; k < copies; ++k)
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
      append(out.columns[c].codes, table.columns[c].codes);
      append(out.columns[c].values, table.columns[c].values);
      append(out.columns[c].missing, table.columns[c].missing);
    }
  return out;
}

std::vector<ColumnKind> kinds_of(const std::vector<ColumnSpec>& specs) {
  std::vector<ColumnKind> kinds;
  for (const auto& spec : specs) kinds.push_back(spec.kind);
  return kinds;
}

struct Compared {
  std::int64_t rows_scored = 0;
};

// Pruned and all-pairs nearest two of every synthetic row, compared bit for bit.
Compared expect_same_as_all_pairs(const std::vector<ColumnSpec>& specs, const TableData& synthetic,
                                  const TableData& reference, const std::string& what) {
  const auto plan = make_dcr_plan(kinds_of(specs), compute_profile_piece(reference.view()));
  const DcrRows queries = encode_dcr_rows(synthetic.view(), plan);
  const DcrRows reference_rows = encode_dcr_rows(reference.view(), plan);
  const NearestPiece expected = compute_nearest_piece_all_pairs(0, queries, reference_rows, plan);
  const DcrIndex index = build_dcr_index(reference_rows, plan.rules);
  NearestPiece pruned{0, std::vector<double>(queries.rows, INFINITY), std::vector<double>(queries.rows, INFINITY)};
  const DcrSearchCounts counts = update_nearest_two_pruned(queries, index, pruned.best, pruned.second);
  EXPECT_EQ(compute_nearest_piece(0, queries, index, plan).best, pruned.best) << what;
  for (std::int64_t i = 0; i < queries.rows; ++i) {
    EXPECT_TRUE(same_bits(expected.best[i], pruned.best[i]))
        << what << ", row " << i << ": " << expected.best[i] << " vs " << pruned.best[i];
    EXPECT_TRUE(same_bits(expected.second[i], pruned.second[i]))
        << what << ", row " << i << ": " << expected.second[i] << " vs " << pruned.second[i];
    if (::testing::Test::HasFailure()) break;
  }
  return {counts.rows_scored};
}

void expect_same_on_random_tables(const std::vector<ColumnSpec>& specs, const std::string& what,
                                  std::int64_t synthetic_rows = 700, std::int64_t reference_rows = 1500) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto reference = random_table(specs, reference_rows, seed * 100);
    const auto synthetic = random_table(specs, synthetic_rows, seed * 100 + 1);
    expect_same_as_all_pairs(specs, synthetic, reference, what + ", seed " + std::to_string(seed));
    // Every reference row three times: exact ties at the nearest distance (second == best).
    expect_same_as_all_pairs(specs, synthetic, repeated(random_table(specs, reference_rows / 3, seed * 100), 3),
                             what + " (duplicated rows), seed " + std::to_string(seed));
  }
}

const ColumnSpec kCategory{ColumnKind::categorical, 4, 0.1};
const ColumnSpec kBinary{ColumnKind::categorical, 2, 0.0};
const ColumnSpec kContinuous{ColumnKind::numeric, 0, 0.05, 80.0, 20.0};
const ColumnSpec kCoarse{ColumnKind::numeric, 7, 0.05};  // few values: many tied terms
const ColumnSpec kDate{ColumnKind::date, 0, 0.05};

TEST(DcrIndex, MixedColumnsWithMissingValues) {
  expect_same_on_random_tables({kContinuous, kCategory, kCoarse, kDate, kBinary, kContinuous}, "mixed");
}

TEST(DcrIndex, NumericOnly) {
  expect_same_on_random_tables({kContinuous, kContinuous, kContinuous}, "numeric, continuous");
  expect_same_on_random_tables({kCoarse, kCoarse, {ColumnKind::numeric, 3, 0.0}}, "numeric, coarse");
}

TEST(DcrIndex, CategoricalOnly) {
  // Distance sums are whole numbers: ties everywhere.
  expect_same_on_random_tables({kCategory, kBinary, {ColumnKind::categorical, 9, 0.3}}, "categorical");
  expect_same_on_random_tables({kBinary}, "one binary column");
}

TEST(DcrIndex, HeavyAndCompleteMissingness) {
  const ColumnSpec half{ColumnKind::numeric, 0, 0.5, 10.0, -5.0};
  const ColumnSpec all{ColumnKind::numeric, 0, 1.0};  // no present reference value: equality rule
  expect_same_on_random_tables({half, kCategory, all, half}, "missing");
}

TEST(DcrIndex, ConstantReferenceColumns) {
  // Reference range 0: the column is scored by equality (value, missing, other); the synthetic
  // side has the constant, other values and missing ones.
  const ColumnSpec constant{ColumnKind::numeric, 1, 0.1, 1.0, 3.0};
  auto reference = random_table({constant, kContinuous, constant}, 1200, 7);
  auto synthetic = random_table({{ColumnKind::numeric, 3, 0.1, 1.0, 3.0}, kContinuous, kCoarse}, 500, 8);
  expect_same_as_all_pairs({constant, kContinuous, constant}, synthetic, reference, "constant columns");
}

TEST(DcrIndex, ValuesBeyondTheReferenceAndNearTheLimit) {
  // Synthetic values far outside the reference range (capped terms) and magnitudes near 1e299,
  // where the difference to the missing-value sentinel overflows to infinity.
  const ColumnSpec reference_column{ColumnKind::numeric, 0, 0.2, 2e299, -1e299};
  const ColumnSpec wide{ColumnKind::numeric, 0, 0.2, 9e299, -4.5e299};
  const auto reference = random_table({reference_column, kContinuous}, 900, 11);
  const auto synthetic = random_table({wide, {ColumnKind::numeric, 0, 0.05, 400.0, -150.0}}, 600, 12);
  expect_same_as_all_pairs({reference_column, kContinuous}, synthetic, reference, "beyond the range");
}

TEST(DcrIndex, TinyAndEmptyInputs) {
  const std::vector<ColumnSpec> specs{kContinuous, kCategory, kCoarse};
  for (std::int64_t reference_rows : {1, 2, 31, 32, 33, 65}) {
    for (std::int64_t synthetic_rows : {0, 1, 5}) {
      expect_same_as_all_pairs(specs, random_table(specs, synthetic_rows, 21), random_table(specs, reference_rows, 22),
                               std::to_string(synthetic_rows) + " x " + std::to_string(reference_rows));
    }
  }
  // No reference rows: the index is empty and both distances stay +infinity (as all pairs leaves them).
  const auto plan = make_dcr_plan(kinds_of(specs), compute_profile_piece(random_table(specs, 3, 23).view()));
  const DcrIndex empty = build_dcr_index(encode_dcr_rows(random_table(specs, 0, 24).view(), plan), plan.rules);
  EXPECT_TRUE(empty.nodes.empty());
  const auto piece = compute_nearest_piece(0, encode_dcr_rows(random_table(specs, 4, 25).view(), plan), empty, plan);
  for (std::size_t i = 0; i < piece.best.size(); ++i) EXPECT_TRUE(std::isinf(piece.best[i]) && std::isinf(piece.second[i]));
}

TEST(DcrIndex, AllReferenceRowsEqual) {
  // One leaf of 500 equal rows (no column to split on): best == second for every synthetic row.
  const std::vector<ColumnSpec> specs{{ColumnKind::numeric, 1, 0.0, 1.0, 2.0}, {ColumnKind::categorical, 1, 0.0}};
  const auto reference = random_table(specs, 500, 31);
  const auto synthetic = random_table({kContinuous, kCategory}, 300, 32);
  expect_same_as_all_pairs(specs, synthetic, reference, "equal reference rows");
}

TEST(DcrIndex, SameBitsForAnyThreadCount) {
  const std::vector<ColumnSpec> specs{kContinuous, kCategory, kCoarse, kDate, kBinary};
  const auto reference = random_table(specs, 4000, 41);
  const auto synthetic = random_table(specs, 2000, 42);
  const auto plan = make_dcr_plan(kinds_of(specs), compute_profile_piece(reference.view()));
  const DcrIndex index = build_dcr_index(encode_dcr_rows(reference.view(), plan), plan.rules);
  const DcrRows queries = encode_dcr_rows(synthetic.view(), plan);
  std::vector<NearestPiece> pieces;
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    pieces.push_back(compute_nearest_piece(0, queries, index, plan));
  }
  for (std::size_t k = 1; k < pieces.size(); ++k)
    for (std::size_t i = 0; i < pieces[0].best.size(); ++i) {
      ASSERT_TRUE(same_bits(pieces[0].best[i], pieces[k].best[i])) << "row " << i;
      ASSERT_TRUE(same_bits(pieces[0].second[i], pieces[k].second[i])) << "row " << i;
    }
}

TEST(DcrIndex, SkipsRowsWithoutDuplicatesOrExactMatches) {
  // Continuous columns, no two rows equal: the search must still score far fewer rows than all
  // pairs, or the index is not pruning (a behaviour check, not a timing).
  const std::vector<ColumnSpec> specs{{ColumnKind::numeric, 0, 0.0}, {ColumnKind::numeric, 0, 0.0},
                                      {ColumnKind::numeric, 0, 0.0}, kBinary};
  const auto reference = random_table(specs, 20000, 51);
  const auto synthetic = random_table(specs, 500, 52);
  const auto compared = expect_same_as_all_pairs(specs, synthetic, reference, "pruning");
  EXPECT_LT(compared.rows_scored, 500 * 20000 / 10) << "the search scored " << compared.rows_scored << " pairs";
}

}  // namespace
}  // namespace sc::metrics
