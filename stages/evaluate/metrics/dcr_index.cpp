#include "stages/evaluate/metrics/dcr_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/parallel_for.h>

#include "pipeline/error.hpp"

// The bound's safety rests on IEEE arithmetic evaluated as written (below); reassociation would
// void it.
#if defined(__FAST_MATH__)
#error "dcr_index.cpp must not be built with -ffast-math: its pruning bound relies on IEEE rounding"
#endif

namespace sc::metrics {

namespace {

constexpr std::int64_t kLeafRows = kDcrRowPadding;  // one pass of the kernel's four vectors
// Synthetic rows per TBB task: each row's search is independent; enough rows to amortise a task.
constexpr std::int64_t kQueryGrain = 16;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Why the bound is safe under floating point, with no margin needed. The kernel computes a row's
// sum as fl(...fl(fl(0 + t_0) + t_1)... + t_{C-1}) with t_c = min(fl(|fl(a - b)| / range), 1) or
// the 0/1 inequality. Correctly rounded subtraction, division and addition are monotone in each
// argument (x <= x' implies fl(x op y) <= fl(x' op y)), and so are |.| on one side of zero and min.
// For a query value a below a node's lowest value lo, every row's b >= lo gives
// |fl(a - b)| = fl(b - a) >= fl(lo - a) = |fl(a - lo)|, so the bound's term (the same formula with
// lo in place of b) is <= every row's computed term; likewise above hi; inside [lo, hi] the bound
// term is 0 <= any term. Adding the bound's terms in the same column order from 0 then gives, by
// monotonicity of each rounded addition, a value <= every row's computed sum: the rounding of the
// bound is the rounding of the kernel, so "a margin that covers rounding" is exactly zero here.
// The library is built with -ffp-contract=off (synthcohort_fp_strict) and without -ffast-math.
// Missing numeric values are the finite sentinel kDcrMissing, an ordinary value for the box.
// A row whose sum is >= the query's current second smallest leaves both smallest unchanged (the
// update keeps min(second, max(best, sum)) = second), so a node is skipped when its bound is
// >= second. The partial sum after any column is also a bound (terms are >= 0), hence the early
// return.
double box_lower_bound(const double* query, const double* lowest, const double* highest, const DcrColumnRule* rules,
                   int columns, double limit) {
  double sum = 0.0;
  for (int c = 0; c < columns; ++c) {
    const double a = query[c];
    double term = 0.0;
    if (a < lowest[c] || a > highest[c]) {
      if (rules[c].term == DcrTerm::scaled) {
        const double nearest = a < lowest[c] ? lowest[c] : highest[c];
        const double q = std::fabs(a - nearest) / rules[c].range;
        term = q <= 1.0 ? q : 1.0;
      } else {
        term = 1.0;  // a code outside the node's code range differs from every code in it
      }
    }
    sum += term;
    if (sum >= limit) return sum;
  }
  return sum;
}

class TreeBuilder {
 public:
  TreeBuilder(const DcrRows& reference, std::span<const DcrColumnRule> rules, DcrIndex& index)
      : reference_(reference), rules_(rules), index_(index), order_(reference.rows) {
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }

  std::vector<std::int64_t> build() {
    if (reference_.rows > 0) add_node(0, reference_.rows);
    return std::move(order_);
  }

 private:
  const DcrRows& reference_;
  std::span<const DcrColumnRule> rules_;
  DcrIndex& index_;
  std::vector<std::int64_t> order_;  // reference row at each position of the index

  double value(std::int64_t position, int column) const { return reference_.columns[column][order_[position]]; }

  // How much splitting on a column could tighten bounds: the box's width relative to the range
  // (numeric), 1 for a box holding both present and missing values (their term is 1) or two codes.
  double spread(int column, double low, double high) const {
    if (low == high) return 0.0;
    if (rules_[column].term == DcrTerm::equality || high == kDcrMissing) return 1.0;
    return (high - low) / rules_[column].range;
  }

  std::int32_t add_node(std::int64_t first, std::int64_t count) {
    const int columns = static_cast<int>(rules_.size());
    const auto node = static_cast<std::int32_t>(index_.nodes.size());
    SC_EXPECTS(index_.nodes.size() < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()), InternalError,
               "DCR index: too many tree nodes");
    index_.nodes.push_back({first, count, -1, -1});
    int split_column = -1;
    double widest = 0.0;
    for (int c = 0; c < columns; ++c) {
      double low = kInfinity, high = -kInfinity;
      for (std::int64_t p = first; p < first + count; ++p) {
        low = std::min(low, value(p, c));
        high = std::max(high, value(p, c));
      }
      index_.lowest.push_back(low);
      index_.highest.push_back(high);
      const double s = spread(c, low, high);
      if (s > widest) widest = s, split_column = c;
    }
    if (count <= kLeafRows || split_column < 0) return node;  // small, or all rows equal

    const auto begin = order_.begin() + first, end = begin + count;
    const double high = index_.highest[static_cast<std::size_t>(node) * columns + split_column];
    auto below = [&](double pivot, bool inclusive) {
      return std::partition(begin, end, [&](std::int64_t row) {
        const double x = reference_.columns[split_column][row];
        return inclusive ? x <= pivot : x < pivot;
      });
    };
    std::vector<std::int64_t>::iterator middle;
    if (rules_[split_column].term == DcrTerm::scaled && high == kDcrMissing) {
      middle = below(kDcrMissing, false);  // present values, then missing ones
    } else {
      // Median value; values equal to it go to one side, so equal rows stay together.
      std::nth_element(begin, begin + count / 2, end, [&](std::int64_t x, std::int64_t y) {
        return reference_.columns[split_column][x] < reference_.columns[split_column][y];
      });
      const double pivot = reference_.columns[split_column][*(begin + count / 2)];
      middle = below(pivot, false);
      if (middle == begin) middle = below(pivot, true);
    }
    const std::int64_t lower_count = middle - begin;
    const std::int32_t lower = add_node(first, lower_count);
    const std::int32_t upper = add_node(first + lower_count, count - lower_count);
    index_.nodes[static_cast<std::size_t>(node)].lower_child = lower;
    index_.nodes[static_cast<std::size_t>(node)].upper_child = upper;
    return node;
  }
};

struct SearchState {
  std::vector<double> query;
  std::vector<std::pair<std::int32_t, double>> pending;  // nodes still to visit, with their bounds
  std::int64_t rows_scored = 0;
};

void search_one(const DcrIndex& index, SearchState& state, double& best, double& second) {
  const int columns = index.columns();
  const DcrColumnRule* rules = index.rules.data();
  auto bound_of = [&](std::int32_t node) {
    const std::size_t at = static_cast<std::size_t>(node) * columns;
    return box_lower_bound(state.query.data(), &index.lowest[at], &index.highest[at], rules, columns, second);
  };
  state.pending.clear();
  state.pending.emplace_back(0, bound_of(0));
  while (!state.pending.empty()) {
    const auto [node_id, bound] = state.pending.back();
    state.pending.pop_back();
    if (bound >= second) continue;  // `second` may have dropped since the node was queued
    const DcrTreeNode& node = index.nodes[static_cast<std::size_t>(node_id)];
    if (node.lower_child < 0) {
      update_nearest_two_in_rows(state.query, index.rows, index.rules, node.first, node.count, best, second);
      state.rows_scored += node.count;
      continue;
    }
    // The nearer child is visited first (pushed last), so `second` falls early.
    std::pair<std::int32_t, double> near{node.lower_child, bound_of(node.lower_child)},
        far{node.upper_child, bound_of(node.upper_child)};
    if (far.second < near.second) std::swap(near, far);
    if (far.second < second) state.pending.push_back(far);
    if (near.second < second) state.pending.push_back(near);
  }
}

}  // namespace

DcrIndex build_dcr_index(const DcrRows& reference, std::span<const DcrColumnRule> rules) {
  const int columns = static_cast<int>(rules.size());
  SC_EXPECTS(reference.columns.size() == rules.size(), InternalError,
             "DCR index: the reference rows and the rules differ in column count");
  for (int c = 0; c < columns; ++c)
    SC_EXPECTS(rules[c].term == DcrTerm::equality || rules[c].range > 0.0, InternalError,
               "DCR index: a scaled column needs a positive range");
  DcrIndex index;
  index.rules.assign(rules.begin(), rules.end());
  const std::vector<std::int64_t> order = TreeBuilder(reference, rules, index).build();
  index.rows = DcrRows(reference.rows, columns);
  for (int c = 0; c < columns; ++c) {
    const std::vector<double>& from = reference.columns[c];
    std::vector<double>& to = index.rows.columns[c];
    for (std::int64_t p = 0; p < reference.rows; ++p) to[p] = from[order[p]];
  }
  return index;
}

DcrSearchCounts update_nearest_two_pruned(const DcrRows& queries, const DcrIndex& index, std::span<double> best,
                                          std::span<double> second) {
  const int columns = index.columns();
  SC_EXPECTS(queries.columns.size() == index.rules.size(), InternalError,
             "DCR search: the query rows and the index differ in column count");
  SC_EXPECTS(best.size() == static_cast<std::size_t>(queries.rows) && second.size() == best.size(), InternalError,
             "DCR search: result vectors do not match the query rows");
  if (index.nodes.empty()) return {};
  tbb::combinable<std::int64_t> scored([] { return std::int64_t{0}; });
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, queries.rows, kQueryGrain),
                    [&](const tbb::blocked_range<std::int64_t>& range) {
    SearchState state;
    state.query.resize(columns);
    for (std::int64_t i = range.begin(); i < range.end(); ++i) {
      for (int c = 0; c < columns; ++c) state.query[c] = queries.columns[c][i];
      search_one(index, state, best[i], second[i]);
    }
    scored.local() += state.rows_scored;
  });
  return {scored.combine([](std::int64_t a, std::int64_t b) { return a + b; })};
}

}  // namespace sc::metrics
