// The hot loop of distance to closest record (DCR): for every query row (a synthetic row), the
// smallest and second smallest distance sum to any row of a block of reference rows, over all
// pairs (no subsampling, no early exit). The distance is SDMetrics' (dcr_utils.py): per column
// min(|a - b| / range, 1) for numeric columns, 0/1 inequality for categorical ones, summed over the
// columns in table order; dividing the minimum by the column count happens after the kernel (a
// division by a positive constant commutes with the minimum), so the result has SDMetrics' bits.
// Layout: column-major doubles, missing numeric values replaced by a sentinel (kDcrMissing) whose
// difference to any present value exceeds every range and to itself is zero, which is SDMetrics'
// rule for missing values (one missing: 1, both missing: 0) without a branch. Eight reference rows
// at a time are scored in registers (GCC vector extensions; four such vectors in flight), so a
// distance sum never goes to memory between columns. The loop is built for AVX-512, AVX2 and
// baseline x86-64, chosen at load time; all three give the same bits (IEEE division, no
// contraction). The divisions bound its speed; TBB splits the query rows among threads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sc::metrics {

// Missing numeric values in scaled columns; present values must stay below 1e300 in magnitude.
inline constexpr double kDcrMissing = 1.7976931348623157e308;

enum class DcrTerm : std::uint8_t {
  scaled,    // min(|a - b| / range, 1)
  equality,  // a != b ? 1 : 0 (categorical codes; numeric columns whose reference range is 0)
};

struct DcrColumnRule {
  DcrTerm term = DcrTerm::equality;
  double range = 0.0;  // scaled columns: the reference column's max - min, > 0
};

inline constexpr std::int64_t kDcrLanes = 8;
inline constexpr std::int64_t kDcrRowPadding = 4 * kDcrLanes;

// Rows in column-major order; each column holds `rows` values followed by padding up to a multiple
// of kDcrRowPadding, so that the kernel reads whole vectors (padding rows are never scored).
struct DcrRows {
  std::int64_t rows = 0;
  std::vector<std::vector<double>> columns;

  static std::int64_t padded(std::int64_t rows) { return (rows + kDcrRowPadding - 1) / kDcrRowPadding * kDcrRowPadding; }
  // `columns` empty columns of `rows` rows (zero-filled, padding included).
  DcrRows(std::int64_t row_count, int column_count)
      : rows(row_count), columns(column_count, std::vector<double>(padded(row_count), 0.0)) {}
  DcrRows() = default;
};

// Updates best[i] and second[i] (the two smallest distance sums seen so far for query row i, with
// repeats: two reference rows at the same distance give best == second) with every row of
// `reference`. Start them at +infinity.
void update_nearest_two(const DcrRows& queries, const DcrRows& reference, std::span<const DcrColumnRule> rules,
                        std::span<double> best, std::span<double> second);

// One query row (its value in each column) against rows [first, first + count) of `reference`,
// with the same arithmetic as update_nearest_two (so the same bits): updates `best` and `second`,
// the query's two smallest sums so far. For the pruned search (dcr_index.hpp), which scores the
// rows of one tree leaf at a time; rows up to first + count rounded up to kDcrRowPadding are read.
void update_nearest_two_in_rows(std::span<const double> query, const DcrRows& reference,
                                std::span<const DcrColumnRule> rules, std::int64_t first, std::int64_t count,
                                double& best, double& second);

}  // namespace sc::metrics
