// CorrelationSimilarity, SDMetrics' pair trend score for two numeric (or date) columns:
// 1 - |r_real - r_synthetic| / 2 with r Pearson's coefficient over the rows where both columns are
// present (SDMetrics drops rows with a missing value in either column before scipy.stats.pearsonr).
// SDMetrics refuses a pair (NaN score) when either column holds a single distinct value in the
// real or the synthetic table; that check uses the column ranges (RangePiece::is_constant).
// Piece: the row count and exact sums of x, y, x^2, y^2 and xy over complete rows, plus the range
// of x and y there; r is formed once from the exact sums in double-double arithmetic, so it is the
// same for any split into shards and as accurate as scipy's centred computation.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"
#include "stages/evaluate/metrics/exact_sum.hpp"

namespace sc::metrics {

struct CorrelationPiece {
  std::int64_t rows = 0;  // rows with both values present
  ExactSum sum_x, sum_y, sum_xx, sum_yy, sum_xy;
  double min_x = 0.0, max_x = 0.0, min_y = 0.0, max_y = 0.0;  // over those rows, when rows > 0
};

CorrelationPiece compute_correlation_piece(const ColumnView& x, const ColumnView& y);
void merge(CorrelationPiece& into, const CorrelationPiece& from);
// Pearson's r, clipped to [-1, 1] as scipy does; NaN with fewer than two complete rows or when
// either column is constant over them (scipy returns NaN or raises there).
double pearson(const CorrelationPiece& piece);

struct CorrelationResult {
  double score;      // NaN when SDMetrics gives no score
  double real;       // Pearson's r of the real pair
  double synthetic;  // of the synthetic pair
};
// `constant_column`: either column of the pair is constant in the real or the synthetic table.
CorrelationResult finish_correlation_similarity(const CorrelationPiece& real, const CorrelationPiece& synthetic,
                                                bool constant_column);

std::vector<std::uint8_t> serialize(const CorrelationPiece& piece);
CorrelationPiece deserialize_correlation(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
