#include "stages/fit/column_states.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/sampling/bucket_index.hpp"
#include "kernels/sampling/cumulative_table.hpp"

namespace sc {

void set_fine_bins(ModelNode& node, const NumericRange& range, int fine_bins, const std::vector<double>& distinct,
                   int integer_super_fine) {
  double lo = range.any_value ? range.min : 0.0, hi = range.any_value ? range.max : 0.0;
  node.fine_edges.clear();
  node.point_values = false;
  if (!distinct.empty() && static_cast<int>(distinct.size()) <= fine_bins) {
    node.point_values = true;
    node.fine_edges = distinct;
    node.fine_edges.push_back(distinct.back());
    node.fine_bins = static_cast<int32_t>(distinct.size());
  } else if (node.integer_values) {
    // Whole-number widths so that floor(edge + width * u) is a value of the bin and nothing else.
    // The histogram counted is `integer_super_fine` times finer; merge_fine_bins() then joins its bins
    // into fine bins of about equal mass, so a heavy tail does not squeeze the bulk into a few bins.
    // Capped at 2^16 counted bins (or kSuperFine times fine_bins when that is more) per column.
    fine_bins = std::max(fine_bins * kSuperFine, std::min(fine_bins * integer_super_fine, 1 << 16));
    double span = hi - lo + 1.0;
    double width = std::max(1.0, std::ceil(span / fine_bins));
    int bins = static_cast<int>(std::ceil(span / width));
    for (int k = 0; k <= bins; ++k) node.fine_edges.push_back(lo + width * k);
    node.fine_bins = bins;
  } else if (hi > lo) {
    fine_bins *= kSuperFine;
    double width = (hi - lo) / fine_bins;
    for (int k = 0; k < fine_bins; ++k) node.fine_edges.push_back(lo + width * k);
    node.fine_edges.push_back(hi);
    node.fine_bins = fine_bins;
  } else {
    node.fine_edges = {lo, lo};  // one value: every draw places exactly it
    node.fine_bins = 1;
  }
}

int32_t fine_bin_of(const ModelNode& node, double value) {
  if (node.point_values) {
    auto it = std::lower_bound(node.fine_edges.begin(), node.fine_edges.end() - 1, value);
    return std::clamp(static_cast<int32_t>(it - node.fine_edges.begin()), 0, node.fine_bins - 1);
  }
  // Search the edges rather than divide: the bin is then exactly the one whose edges hold the value.
  auto it = std::upper_bound(node.fine_edges.begin(), node.fine_edges.end() - 1, value);
  int32_t bin = static_cast<int32_t>(it - node.fine_edges.begin()) - 1;
  return std::clamp(bin, 0, node.fine_bins - 1);
}

FineBinIndex::FineBinIndex(const ModelNode& node) : node_(&node) {
  // fine_bin_of searches edges [0, searched): all but the last.
  const int64_t searched = static_cast<int64_t>(node.fine_edges.size()) - 1;
  if (searched <= 0) return;
  low_ = node.fine_edges.front();
  scale_ = kernels::bucket_scale(searched, low_, node.fine_edges[static_cast<size_t>(searched - 1)]);
  bucket_first_.resize(static_cast<size_t>(searched) + 1);
  kernels::fill_bucket_first(node.fine_edges.data(), searched, low_, scale_, searched, bucket_first_.data());
}

int32_t FineBinIndex::bin(double value) const {
  const ModelNode& node = *node_;
  if (bucket_first_.empty() || std::isnan(value)) return fine_bin_of(node, value);
  const int64_t b = kernels::bucket_of(value, low_, scale_, static_cast<int64_t>(bucket_first_.size()) - 1);
  const auto first = node.fine_edges.begin() + bucket_first_[static_cast<size_t>(b)];
  const auto last = node.fine_edges.begin() + bucket_first_[static_cast<size_t>(b) + 1];
  if (node.point_values)
    return std::clamp(static_cast<int32_t>(std::lower_bound(first, last, value) - node.fine_edges.begin()), 0, node.fine_bins - 1);
  return std::clamp(static_cast<int32_t>(std::upper_bound(first, last, value) - node.fine_edges.begin()) - 1, 0,
                    node.fine_bins - 1);
}

std::vector<FineBinIndex> fine_bin_indexes(const std::vector<ModelNode>& nodes) {
  std::vector<FineBinIndex> indexes(nodes.size());
  for (size_t j = 0; j < nodes.size(); ++j)
    if (!has_category_states(nodes[j].kind)) indexes[j] = FineBinIndex(nodes[j]);
  return indexes;
}

// How much wider than the median fine bin an outermost fine bin must be to count as a heavy tail.
constexpr double kTailWidth = 8.0;

std::vector<int64_t> merge_fine_bins(ModelNode& node, const std::vector<int64_t>& counts, int fine_bins) {
  if (node.point_values) return counts;
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::vector<double> edges;
  std::vector<int64_t> merged;
  int32_t group = -1;
  int64_t before = 0;
  bool previous_atom = false;
  for (size_t k = 0; k < counts.size(); ++k) {
    int32_t g = total > 0 ? static_cast<int32_t>((static_cast<kernels::WideCount>(before) * fine_bins) / total) : 0;
    // An atom (a bin with a 1/fine_bins share or more) starts a fine bin and ends it.
    const bool atom = total > 0 && static_cast<kernels::WideCount>(counts[k]) * fine_bins >= static_cast<kernels::WideCount>(total);
    if (g != group || atom || previous_atom) {
      group = g;
      edges.push_back(node.fine_edges[k]);
      merged.push_back(0);
    }
    merged.back() += counts[k];
    before += counts[k];
    previous_atom = atom;
  }
  edges.push_back(node.fine_edges.back());
  node.fine_edges = edges;
  node.fine_bins = static_cast<int32_t>(merged.size());
  // A heavy tail: an outermost fine bin more than kTailWidth times as wide as the median fine bin
  // (flchain's kappa: 7 to 20.5 against 0.03) gets a tapered position (network_model.hpp).
  node.tail_taper = 0;
  if (!node.integer_values && !node.point_values && node.fine_bins >= 3) {
    std::vector<double> widths;
    for (int32_t k = 0; k < node.fine_bins; ++k) widths.push_back(edges[k + 1] - edges[k]);
    std::vector<double> sorted = widths;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    if (widths.front() > kTailWidth * median) node.tail_taper |= 1;
    if (widths.back() > kTailWidth * median) node.tail_taper |= 2;
  }
  return merged;
}

namespace {
// Cumulative shares (parts per million) where states end: quantiles of u -> u - a sin(2 pi u) / 2 pi,
// denser toward both tails (slope 1 - a there), so the extremes, which drive Pearson correlations,
// get states of their own instead of being pooled with the bulk. With a = 0.95 the outermost cuts
// (0.2% and 0.5% of the mass at 32 states) fall inside the outermost fine bins (1/256 of the mass
// each), so the states at both ends are single fine bins: the network then pairs the extremes of
// correlated columns (flchain's top 1% of kappa, lambda and creatinine carries their Pearson
// correlations) fine bin by fine bin instead of drawing them independently inside a state of 50
// rows. a = 0.8 had left the outermost state about 0.6% of the mass.
std::vector<int64_t> state_cuts_ppm(int max_states) {
  constexpr double kTailRefinement = 0.95;
  constexpr double kPi = 3.14159265358979323846;
  std::vector<int64_t> cuts;
  for (int i = 1; i < max_states; ++i) {
    double u = static_cast<double>(i) / max_states;
    cuts.push_back(std::llround((u - kTailRefinement * std::sin(2 * kPi * u) / (2 * kPi)) * 1e6));
  }
  return cuts;
}
}  // namespace

void set_numeric_states(ModelNode& node, const std::vector<int64_t>& fine_counts, int64_t missing_count,
                        int max_states, int64_t min_cell) {
  std::vector<int64_t> counts = fine_counts;
  for (auto& c : counts)
    if (c < min_cell) c = 0;
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  // Quantile groups: a fine bin joins the group of the cuts the mass before it has passed; groups
  // are then renumbered so that every state holds some mass (empty fine bins join the running group).
  const std::vector<int64_t> cuts = state_cuts_ppm(max_states);
  std::vector<int32_t> raw(counts.size(), 0);
  int64_t before = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    int32_t passed = 0;
    for (int64_t cut : cuts)
      passed += total > 0 && static_cast<kernels::WideCount>(before) * 1000000 >= static_cast<kernels::WideCount>(cut) * total;
    raw[k] = passed;
    before += counts[k];
  }
  // A fine bin with a 1/max_states share of the mass or more (an atom: nafld's events on day 0)
  // is a state of its own, so that the network, not the state's fine histogram, decides which
  // rows take that very value (every nafld diagnosis event, and no other event, on day 0).
  auto atom = [&](size_t k) {
    return total > 0 && static_cast<kernels::WideCount>(counts[k]) * max_states >= static_cast<kernels::WideCount>(total);
  };
  node.fine_to_state.assign(counts.size(), 0);
  int32_t state = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    if (k > 0 && (raw[k] != raw[k - 1] || atom(k) || atom(k - 1))) ++state;
    node.fine_to_state[k] = state;
  }
  node.binned_states = state + 1;
  node.missing_state = missing_count > 0 ? node.binned_states : -1;
  node.states = node.binned_states + (missing_count > 0 ? 1 : 0);
  node.fine_thresholds.clear();
  for (int32_t s = 0; s < node.binned_states; ++s) {
    std::vector<uint64_t> weights(counts.size(), 0);
    for (size_t k = 0; k < counts.size(); ++k)
      if (node.fine_to_state[k] == s) weights[k] = static_cast<uint64_t>(counts[k]);
    bool any = false;
    for (uint64_t w : weights) any |= w > 0;
    if (!any)  // a state with all its fine bins suppressed: spread it over its own bins
      for (size_t k = 0; k < counts.size(); ++k) weights[k] = node.fine_to_state[k] == s ? 1 : 0;
    auto t = kernels::thresholds_from_weights(weights);
    node.fine_thresholds.insert(node.fine_thresholds.end(), t.begin(), t.end());
  }
}

}  // namespace sc
