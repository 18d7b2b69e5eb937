#include "stages/evaluate/metrics/binning.hpp"

#include <algorithm>
#include <cmath>

namespace sc::metrics {

namespace {

// np.linspace(start, stop, 11, endpoint=True) for doubles: y = arange(11) * step + start, the last
// element set to stop; a step that underflows to zero is handled as numpy does (gh-5437).
BinEdges numpy_linspace(double start, double stop) {
  const double delta = stop - start;
  const double step = delta / kEqualWidthBins;
  BinEdges edges{};
  for (int i = 0; i <= kEqualWidthBins; ++i) {
    const double y = step == 0.0 ? (static_cast<double>(i) / kEqualWidthBins) * delta : static_cast<double>(i) * step;
    edges[i] = y + start;
  }
  edges[kEqualWidthBins] = stop;
  return edges;
}

}  // namespace

NumpyBins numpy_histogram_edges(const RangePiece& range) {
  // numpy: an empty array spans [0, 1]; a single value v spans [v - 0.5, v + 0.5].
  double first = range.present > 0 ? range.min : 0.0;
  double last = range.present > 0 ? range.max : 1.0;
  if (first == last) {
    first -= 0.5;
    last += 0.5;
  }
  NumpyBins bins;
  bins.edges = numpy_linspace(first, last);
  for (int i = 0; i < kEqualWidthBins; ++i) bins.valid = bins.valid && bins.edges[i] < bins.edges[i + 1];
  return bins;
}

std::int32_t numpy_digitize(double x, const BinEdges& edges) {
  if (std::isnan(x)) return static_cast<std::int32_t>(edges.size());
  // searchsorted(edges, x, side='right'): the number of edges <= x.
  return static_cast<std::int32_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
}

BinEdges pandas_cut_edges(const RangePiece& real_range) {
  double mn = real_range.min;
  double mx = real_range.max;
  if (mn == mx) {
    // pandas widens a zero-width range by 0.1 % of the value (0.001 at zero) before binning.
    mn -= mn != 0.0 ? 0.001 * std::fabs(mn) : 0.001;
    mx += mx != 0.0 ? 0.001 * std::fabs(mx) : 0.001;
    return numpy_linspace(mn, mx);
  }
  BinEdges edges = numpy_linspace(mn, mx);
  edges[0] -= (mx - mn) * 0.001;  // so that the minimum falls inside the right-closed first bin
  return edges;
}

std::int32_t pandas_cut_label(double x, const BinEdges& edges, bool open_outer_edges) {
  if (std::isnan(x)) return kMissingCode;
  BinEdges used = edges;
  if (open_outer_edges) {
    used.front() = -INFINITY;
    used.back() = INFINITY;
  }
  // searchsorted(edges, x, side='left'): the number of edges < x; 0 or 11 is outside the bins.
  const auto index = std::lower_bound(used.begin(), used.end(), x) - used.begin();
  if (index == 0 || index == static_cast<std::ptrdiff_t>(used.size())) return kMissingCode;
  return static_cast<std::int32_t>(index - 1);
}

}  // namespace sc::metrics
