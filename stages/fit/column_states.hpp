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
// `integer_super_fine`: how many times finer than `fine_bins` the counted histogram of a
// whole-number column is (kIntegerSuperFine, or kSuperFine under differential privacy); other
// columns are counted kSuperFine times finer.
void set_fine_bins(ModelNode& node, const NumericRange& range, int fine_bins, const std::vector<double>& distinct,
                   int integer_super_fine);
// The counted histogram is this many times finer than the fine histogram the model keeps.
constexpr int kSuperFine = 16;
// Whole-number columns are counted per value up to this many times `fine_bins` values (65,536 at
// the default 256; never more than 65,536 counted bins): then a value that many rows share (a lab visit's gap of 0 days, nafld's events
// on day 0) is a bin of its own, and merge_fine_bins keeps it apart, so it is drawn exactly instead
// of being spread over the 4 or so days a coarser bin holds. Under differential privacy every
// counted bin gets noise, so the coarser kSuperFine stays.
constexpr int kIntegerSuperFine = 256;
// Joins the counted histogram's bins into about `fine_bins` bins of about equal mass (updating
// the node's edges) and returns their counts; a bin holding at least 1/fine_bins of the mass (an
// atom) stays a fine bin of its own; point-value nodes are kept as they are.
std::vector<int64_t> merge_fine_bins(ModelNode& node, const std::vector<int64_t>& counts, int fine_bins);
// The fine bin of a value (clamped into the histogram).
int32_t fine_bin_of(const ModelNode& node, double value);
// From the fine histogram's counts (training rows, missing apart): the states (quantile groups
// of the mass, at most `max_states`, narrower toward the tails), fine_to_state and the fine thresholds per state.
// Fine bins with fewer than `min_cell` rows get no weight (suppressed).
void set_numeric_states(ModelNode& node, const std::vector<int64_t>& fine_counts, int64_t missing_count,
                        int max_states, int64_t min_cell);
// fine_bin_of for many values of one node whose edges are final: the same bin, found by a lookup
// and a search within one bucket (kernels/sampling/bucket_index.hpp says why that is exact) instead
// of a binary search over all edges (up to 2^16 + 1 of them in the counting pass; the search was
// 40% of fit_table's time on a small table). As many buckets as searched edges, of equal width
// from the first edge to the last but one. Holds a pointer to the node: rebuild it when the edges
// change.
class FineBinIndex {
 public:
  FineBinIndex() = default;
  explicit FineBinIndex(const ModelNode& node);
  int32_t bin(double value) const;

 private:
  const ModelNode* node_ = nullptr;
  std::vector<int32_t> bucket_first_;  // per bucket b: the first searched edge whose bucket is b or more
  double low_ = 0, scale_ = 0;         // bucket of x: floor((x - low) * scale), clamped
};

// One index per node of `nodes`, of its current fine edges for numeric nodes (empty for the others).
std::vector<FineBinIndex> fine_bin_indexes(const std::vector<ModelNode>& nodes);

}  // namespace sc
