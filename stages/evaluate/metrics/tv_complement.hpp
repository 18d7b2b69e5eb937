// TVComplement, SDMetrics' column shape score for categorical columns: 1 - (1/2) sum_k |s_k - r_k|
// over the categories, with s_k and r_k the synthetic and real frequencies among present values
// (missing values are dropped, as SDMetrics does with dropna). SDMetrics' regularisation is kept:
// a category seen only in the synthetic data gets a real count of 1e-6, which also enters the
// real total (sdmetrics.utils.get_frequencies).
// Piece: the count of every category code and of missing values; counts add exactly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"

namespace sc::metrics {

struct CategoryCounts {
  std::vector<std::int64_t> counts;  // by dictionary code
  std::int64_t missing = 0;
  std::int64_t present() const;
};

CategoryCounts compute_category_counts(const ColumnView& column);
void merge(CategoryCounts& into, const CategoryCounts& from);
// NaN when either side has no present value (SDMetrics raises IncomputableMetricError, which its
// report records as a NaN score).
double finish_tv_complement(const CategoryCounts& real, const CategoryCounts& synthetic);

std::vector<std::uint8_t> serialize(const CategoryCounts& piece);
CategoryCounts deserialize_category_counts(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
