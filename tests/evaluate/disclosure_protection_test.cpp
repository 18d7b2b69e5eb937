// DisclosureProtection (CAP) on hand-computed attacks, SDMetrics' binning of numeric columns,
// and the same result for any split of the rows into shards.
#include "stages/evaluate/metrics/disclosure_protection.hpp"

#include <gtest/gtest.h>

#include <random>

#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;

TableData two_categories(std::vector<std::int32_t> known, std::vector<std::int32_t> sensitive) {
  TableData table;
  table.columns = {{ColumnKind::categorical, known, {}, {}}, {ColumnKind::categorical, sensitive, {}, {}}};
  return table;
}

DisclosureProtection attack(const TableData& real, const TableData& synthetic, CapMethod method) {
  const std::vector<ColumnKind> kinds{ColumnKind::categorical, ColumnKind::categorical};
  const auto plan = make_disclosure_plan(kinds, {0}, {1}, compute_profile_piece(real.view()));
  return finish_disclosure_protection(compute_disclosure_piece(real.view(), plan, TableSide::real),
                                      compute_disclosure_piece(synthetic.view(), plan, TableSide::synthetic), plan,
                                      method);
}

TEST(DisclosureProtection, HandComputedAttack) {
  // Synthetic: key 0 -> sensitive {0, 0, 1}, key 1 -> {1}. Real rows: (0, 0) believed 2/3,
  // (0, 1) 1/3, (1, 0) 0, (2, 0) has no synthetic key (CAP skips it, zero-CAP counts 0).
  const auto synthetic = two_categories({0, 0, 0, 1}, {0, 0, 1, 1});
  const auto real = two_categories({0, 0, 1, 2}, {0, 1, 0, 0});
  const auto cap = attack(real, synthetic, CapMethod::cap);
  EXPECT_DOUBLE_EQ(cap.cap_protection, 1.0 - (2.0 / 3.0 + 1.0 / 3.0 + 0.0) / 3.0);
  EXPECT_DOUBLE_EQ(cap.baseline_protection, 0.5);  // two real sensitive categories
  EXPECT_DOUBLE_EQ(cap.score, 1.0);                // min((2/3) / (1/2), 1)
  EXPECT_DOUBLE_EQ(attack(real, synthetic, CapMethod::zero_cap).cap_protection, 0.75);
}

TEST(DisclosureProtection, CopiedRecordsDiscloseEverything) {
  // Every real key with a synthetic match reveals its sensitive value with certainty.
  const auto real = two_categories({0, 0, 1, 2}, {0, 0, 1, 2});
  const auto synthetic = two_categories({0, 1}, {0, 1});
  const auto result = attack(real, synthetic, CapMethod::cap);
  EXPECT_DOUBLE_EQ(result.cap_protection, 0.0);
  EXPECT_DOUBLE_EQ(result.baseline_protection, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(result.score, 0.0);
}

TEST(DisclosureProtection, MissingIsACategory) {
  const auto real = two_categories({-1, -1}, {-1, 0});
  const auto synthetic = two_categories({-1}, {-1});
  const auto result = attack(real, synthetic, CapMethod::cap);
  EXPECT_DOUBLE_EQ(result.cap_protection, 0.5);
  EXPECT_DOUBLE_EQ(result.baseline_protection, 0.5);
}

TEST(DisclosureProtection, NumericColumnsUseRealEdgesWithOpenEnds) {
  TableData real, synthetic;
  real.columns = {{ColumnKind::numeric, {}, {0, 5, 10}, {}}, {ColumnKind::categorical, {0, 1, 1}, {}, {}}};
  synthetic.columns = {{ColumnKind::numeric, {}, {-40, 50}, {}}, {ColumnKind::categorical, {0, 1}, {}, {}}};
  const std::vector<ColumnKind> kinds{ColumnKind::numeric, ColumnKind::categorical};
  const auto plan = make_disclosure_plan(kinds, {0}, {1}, compute_profile_piece(real.view()));
  const auto piece = compute_disclosure_piece(synthetic.view(), plan, TableSide::synthetic);
  // -40 falls in the first bin, 50 in the last: the synthetic rows match real rows 0 and 10.
  EXPECT_EQ(piece.tuples, (std::vector<std::int32_t>{0, 0, 9, 1}));
  const auto result = finish_disclosure_protection(compute_disclosure_piece(real.view(), plan, TableSide::real),
                                                   piece, plan);
  EXPECT_DOUBLE_EQ(result.cap_protection, 0.0);
}

TEST(DisclosureProtection, SameBitsForAnySplit) {
  const auto real = testing::random_mixed_table(2001, 51);
  const auto synthetic = testing::random_mixed_table(1999, 52);
  std::vector<ColumnKind> kinds;
  for (const auto& column : real.columns) kinds.push_back(column.kind);
  const auto plan = make_disclosure_plan(kinds, {0, 1}, {2, 4}, compute_profile_piece(real.view()));
  const auto whole = finish_disclosure_protection(compute_disclosure_piece(real.view(), plan, TableSide::real),
                                                  compute_disclosure_piece(synthetic.view(), plan, TableSide::synthetic),
                                                  plan);
  EXPECT_GT(whole.cap_protection, 0.0);
  std::mt19937_64 rng(3);
  for (int shards : {3, 8}) {
    auto pieces = [&](const TableData& table, TableSide side) {
      std::vector<DisclosurePiece> parts;
      for (const auto& part : testing::split_into_shards(table, shards))
        parts.push_back(deserialize_disclosure(serialize(compute_disclosure_piece(part.view(), plan, side))));
      std::shuffle(parts.begin(), parts.end(), rng);
      DisclosurePiece merged;
      for (const auto& part : parts) merge(merged, part);
      return merged;
    };
    const auto split = finish_disclosure_protection(pieces(real, TableSide::real),
                                                    pieces(synthetic, TableSide::synthetic), plan);
    EXPECT_TRUE(same_bits(whole.cap_protection, split.cap_protection)) << shards << " shards";
    EXPECT_TRUE(same_bits(whole.score, split.score));
  }
}

}  // namespace
}  // namespace sc::metrics
