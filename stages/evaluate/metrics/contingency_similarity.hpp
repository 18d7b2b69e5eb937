// ContingencySimilarity, SDMetrics' pair trend score for two categorical columns and, after cutting
// the numeric one into bins, for a categorical and a numeric column:
// 1 - (1/2) sum_cells |r_ab / n_r - s_ab / n_s| over the union of the cells seen in either table,
// with n the number of rows. Missing values are a level of their own (pandas groupby dropna=False)
// and count in n. Cramer's V of the real table (scipy.stats.contingency.association, chi-square
// without continuity correction, over the levels that occur) decides whether the pair counts in
// SDMetrics 0.27's thresholded pair trends score.
// Piece: the count of every cell; counts add exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/binning.hpp"
#include "stages/evaluate/metrics/column_view.hpp"

namespace sc::metrics {

// How a column becomes the levels of a contingency table: a categorical column by its codes
// (-1 = missing), a numeric or date column by numpy_digitize over `edges` (missing: bin 11).
struct ContingencyAxis {
  std::optional<BinEdges> edges;  // required for numeric and date columns
  std::int32_t level(const ColumnView& column, std::int64_t row) const;
};

struct ContingencyPiece {
  // Cells sorted by (a, b), each with its count.
  std::vector<std::int32_t> a, b;
  std::vector<std::int64_t> counts;
  std::int64_t total() const;
};

ContingencyPiece compute_contingency_piece(const ColumnView& first, const ContingencyAxis& first_axis,
                                           const ColumnView& second, const ContingencyAxis& second_axis);
void merge(ContingencyPiece& into, const ContingencyPiece& from);
// NaN when either table has no rows.
double finish_contingency_similarity(const ContingencyPiece& real, const ContingencyPiece& synthetic);
// Cramer's V; NaN when the table is empty or has fewer than two levels on a side (SDMetrics then
// gives the pair no score under a threshold).
double cramers_v(const ContingencyPiece& table);

std::vector<std::uint8_t> serialize(const ContingencyPiece& piece);
ContingencyPiece deserialize_contingency(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
