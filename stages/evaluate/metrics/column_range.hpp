// The first pass over a numeric or date column: how many values are present and missing, the
// smallest and largest value, and whether every value is a whole number. Several metrics need
// these before they can look at the rows: SDMetrics' equal-width bins span [min, max], DCR divides
// each difference by the reference column's max - min, the CAP attack cuts columns into bins over
// the real range, and the random baseline of DCRBaselineProtection draws within it. Counts add,
// min and max are exact, so the merged piece is the same for any split into shards.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"

namespace sc::metrics {

struct RangePiece {
  std::int64_t present = 0;
  std::int64_t missing = 0;
  double min = 0.0;  // of the SDMetrics value (dates in nanoseconds); meaningful when present > 0
  double max = 0.0;
  bool all_whole = true;  // every present value is an integer (pandas would read the column as int64)

  bool is_constant() const { return present > 0 && min == max; }
};

RangePiece compute_range(const ColumnView& column);
void merge(RangePiece& into, const RangePiece& from);

std::vector<std::uint8_t> serialize(const RangePiece& piece);
RangePiece deserialize_range(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
