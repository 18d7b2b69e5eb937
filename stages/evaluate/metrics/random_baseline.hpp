// The random rows DCRBaselineProtection compares synthetic rows against: as many rows as the
// synthetic table has, each column drawn independently the way SDMetrics draws it from the real
// (training) table: whole-number columns without missing values (pandas int64) uniformly among
// the integers in [min, max], other numeric and date columns uniformly in [min, max), categorical
// columns uniformly among the categories present, and each value missing with the real column's
// missing share. SDMetrics draws with numpy's unseeded generator; we draw with Philox4x32-10 keyed
// by (seed, purpose) and counted by (row, column), so any rank can draw any row range and the rows
// are the same for any rank count. Dates come out as numeric columns in nanoseconds (SDMetrics
// draws fractional seconds), which the DCR plan accepts in place of a date column.
#pragma once

#include <cstdint>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"
#include "stages/evaluate/metrics/tv_complement.hpp"

namespace sc::metrics {

struct BaselineSource {
  std::vector<ColumnKind> kinds;
  ProfilePiece profile;                     // ranges of the real numeric and date columns
  std::vector<CategoryCounts> categories;   // counts of the real categorical columns (others empty)
};

// Rows [first_row, end_row) of the random baseline.
TableData random_baseline_rows(const BaselineSource& source, std::int64_t first_row, std::int64_t end_row,
                               std::uint64_t seed);

}  // namespace sc::metrics
