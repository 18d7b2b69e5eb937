// Equal-width bins, exactly as SDMetrics cuts numeric columns, so that contingency tables and the
// CAP attack see the same bin for every value as the Python code does. Two rules exist there:
//  - numpy (ColumnPairTrends, ContingencySimilarity): edges = np.histogram_bin_edges(present
//    values, 10), i.e. np.linspace(min, max, 11) with a zero-width range widened by 0.5 each side;
//    a value's bin is np.digitize(x, edges): i such that edges[i-1] <= x < edges[i], so the maximum
//    lands in bin 11 and a missing value (NaN sorts last) also lands in bin 11;
//  - pandas (DisclosureProtection): pd.cut(x, 10) over the real values, intervals closed on the
//    right, the first edge lowered by 0.1 % of the range; the synthetic values are cut with the
//    same edges and the outermost edges open (-inf, +inf).
#pragma once

#include <array>
#include <cstdint>

#include "stages/evaluate/metrics/column_range.hpp"

namespace sc::metrics {

inline constexpr int kEqualWidthBins = 10;
using BinEdges = std::array<double, kEqualWidthBins + 1>;

// np.histogram_bin_edges(values, bins=10) for the present values summarised by `range`; `valid`
// is false where numpy raises ("too many bins for data range": edges not strictly increasing),
// which SDMetrics records as a failed discretisation of the column.
struct NumpyBins {
  BinEdges edges{};
  bool valid = true;
};
NumpyBins numpy_histogram_edges(const RangePiece& range);

// np.digitize(x, edges) with increasing edges; NaN (a missing value) gives edges.size().
std::int32_t numpy_digitize(double x, const BinEdges& edges);

// The edges pd.cut(real, 10, retbins=True) returns (first edge already lowered); `pandas_cut_label`
// gives the 0-based label of a real value with these edges and of a synthetic value with the
// outermost edges taken as -inf and +inf, as DisclosureProtection does; missing values give -1.
BinEdges pandas_cut_edges(const RangePiece& real_range);
std::int32_t pandas_cut_label(double x, const BinEdges& edges, bool open_outer_edges);

}  // namespace sc::metrics
