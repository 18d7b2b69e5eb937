// KSComplement, SDMetrics' column shape score for numeric and date columns: 1 - D, where D is the
// two-sample Kolmogorov-Smirnov statistic (scipy.stats.ks_2samp) between the present real and the
// present synthetic values. As in SDMetrics, missing values are dropped and numeric values are
// first rounded to 14 decimals (pandas .round(14): rint(x * 1e14) / 1e14), so that floating noise
// does not separate equal values; dates are compared as integers, unrounded.
// Piece: the sorted distinct values of a shard with their counts. Merging sorted runs is exact, so
// the merged piece, and D, are the same for any split into shards.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"

namespace sc::metrics {

struct KsPiece {
  std::vector<double> values;        // strictly increasing
  std::vector<std::int64_t> counts;  // occurrences of each value
  std::int64_t total() const;
};

KsPiece compute_ks_piece(const ColumnView& column);
void merge(KsPiece& into, const KsPiece& from);
// 1 - D; NaN when either side has no present value (SDMetrics returns NaN there too).
double finish_ks_complement(const KsPiece& real, const KsPiece& synthetic);
// The D statistic alone, as scipy computes it from the two empirical CDFs.
double ks_statistic(const KsPiece& real, const KsPiece& synthetic);

std::vector<std::uint8_t> serialize(const KsPiece& piece);
KsPiece deserialize_ks(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
