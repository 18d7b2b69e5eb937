#include "stages/fit/column_states.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/sampling/cumulative_table.hpp"

namespace sc {

void set_fine_bins(ModelNode& node, const NumericRange& range, int fine_bins) {
  double lo = range.any_value ? range.min : 0.0, hi = range.any_value ? range.max : 0.0;
  node.fine_edges.clear();
  if (node.integer_values) {
    // Whole-number widths so that floor(edge + width * u) is a value of the bin and nothing else.
    double span = hi - lo + 1.0;
    double width = std::max(1.0, std::ceil(span / fine_bins));
    int bins = static_cast<int>(std::ceil(span / width));
    for (int k = 0; k <= bins; ++k) node.fine_edges.push_back(lo + width * k);
    node.fine_bins = bins;
  } else if (hi > lo) {
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
  // Search the edges rather than divide: the bin is then exactly the one whose edges hold the value.
  auto it = std::upper_bound(node.fine_edges.begin(), node.fine_edges.end() - 1, value);
  int32_t bin = static_cast<int32_t>(it - node.fine_edges.begin()) - 1;
  return std::clamp(bin, 0, node.fine_bins - 1);
}

void set_numeric_states(ModelNode& node, const std::vector<int64_t>& fine_counts, int64_t missing_count,
                        int max_states, int64_t min_cell) {
  std::vector<int64_t> counts = fine_counts;
  for (auto& c : counts)
    if (c < min_cell) c = 0;
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  // Quantile groups: a fine bin joins group floor(mass before it * max_states / total); groups are
  // then renumbered so that every state holds some mass (empty fine bins join the running group).
  std::vector<int32_t> raw(counts.size(), 0);
  int64_t before = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    raw[k] = total > 0 ? static_cast<int32_t>((static_cast<kernels::WideCount>(before) * max_states) / total) : 0;
    before += counts[k];
  }
  node.fine_to_state.assign(counts.size(), 0);
  int32_t state = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    if (k > 0 && raw[k] != raw[k - 1]) ++state;
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
