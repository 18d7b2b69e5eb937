// Discretisation of one modelled column (or children count) into network states, in the two
// steps the model keeps (pipeline/table_model.hpp): an equal-width fine histogram over the exact
// range of the training values, then quantile groups of fine bins as the network's states, so
// that the marginal distribution keeps the fine histogram's resolution while the joint model
// stays small. Everything is integer counting: the same counts on every rank count give the same
// bins, the same states and the same thresholds.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/table_model.hpp"

namespace sc {

// Exact, mergeable facts about a numeric column: range and whether values are missing.
struct NumericRange {
  double min = 0, max = 0;
  bool any_value = false, any_missing = false;
};

// The fine histogram's layout for a range: `integer` columns get whole-number bin widths. When
// the column has at most `fine_bins` distinct training values (`distinct`, ascending; empty when
// it has more), each fine bin is one of them: a value recorded to one decimal is then drawn as
// such, not smeared across its bin (which would cost KS fidelity for nothing).
void set_fine_bins(ModelNode& node, const NumericRange& range, int fine_bins, const std::vector<double>& distinct);
// The counted histogram is this many times finer than the fine histogram the model keeps.
constexpr int kSuperFine = 16;
// Joins the counted histogram's bins into at most `fine_bins` bins of about equal mass (updating
// the node's edges) and returns their counts; point-value nodes are kept as they are.
std::vector<int64_t> merge_fine_bins(ModelNode& node, const std::vector<int64_t>& counts, int fine_bins);
// The fine bin of a value (clamped into the histogram).
int32_t fine_bin_of(const ModelNode& node, double value);
// From the fine histogram's counts (training rows, missing apart): the states (quantile groups
// of the mass, at most `max_states`, narrower toward the tails), fine_to_state and the fine thresholds per state.
// Fine bins with fewer than `min_cell` rows get no weight (suppressed).
void set_numeric_states(ModelNode& node, const std::vector<int64_t>& fine_counts, int64_t missing_count,
                        int max_states, int64_t min_cell);
// The network state of a numeric value.
inline int32_t numeric_state(const ModelNode& node, double value) { return node.fine_to_state[fine_bin_of(node, value)]; }

}  // namespace sc
