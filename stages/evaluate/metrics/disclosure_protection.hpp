// SDMetrics' DisclosureProtection (CAP method): how well an attacker who knows some columns of a
// real person (the known columns) can guess the sensitive columns from the synthetic table. For
// every real row whose known values occur in the synthetic table, the attacker's belief in the
// true sensitive values is the share of synthetic rows with those known values that also carry
// those sensitive values; cap_protection = 1 - mean belief over such real rows (NaN when none),
// and CAP's zero variant counts a real row without a synthetic match as belief 0.
// baseline = 1 - 1 / prod over sensitive columns of the number of real categories (missing is a
// category); score = min(cap_protection / baseline, 1). Numeric and date columns are cut into 10
// bins first, as SDMetrics does with continuous_column_names: pd.cut over the real values, the
// synthetic values cut with the same edges, outermost edges open (binning.hpp); missing values
// are a category of their own.
// Piece: the count of every combination of known and sensitive values; counts add exactly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/binning.hpp"
#include "stages/evaluate/metrics/column_view.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"

namespace sc::metrics {

enum class CapMethod : std::uint8_t { cap, zero_cap };

struct DisclosurePlan {
  std::vector<int> known;      // column indices in the shard
  std::vector<int> sensitive;
  std::vector<ColumnKind> kinds;
  std::vector<BinEdges> edges;  // per column; used for numeric and date columns
};

// `real`: the profile of the real table (the bins span its range).
DisclosurePlan make_disclosure_plan(const std::vector<ColumnKind>& kinds, std::vector<int> known,
                                    std::vector<int> sensitive, const ProfilePiece& real);

struct DisclosurePiece {
  int width = 0;                        // known.size() + sensitive.size()
  std::vector<std::int32_t> tuples;     // sorted combinations, `width` codes each
  std::vector<std::int64_t> counts;
};

DisclosurePiece compute_disclosure_piece(const ShardView& shard, const DisclosurePlan& plan, TableSide side);
void merge(DisclosurePiece& into, const DisclosurePiece& from);
std::vector<std::uint8_t> serialize(const DisclosurePiece& piece);
DisclosurePiece deserialize_disclosure(std::span<const std::uint8_t> bytes);

struct DisclosureProtection {
  double cap_protection;
  double baseline_protection;
  double score;  // NaN when the baseline is 0 (a single sensitive combination)
};
DisclosureProtection finish_disclosure_protection(const DisclosurePiece& real, const DisclosurePiece& synthetic,
                                                  const DisclosurePlan& plan, CapMethod method = CapMethod::cap);

}  // namespace sc::metrics
