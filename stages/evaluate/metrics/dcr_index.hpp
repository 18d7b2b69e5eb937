// Exact distance to closest record without scoring every pair: the reference rows of one DCR
// (training or hold-out) in a k-d tree, searched per synthetic row with lower bounds that skip the
// subtrees which provably cannot change the row's two smallest distance sums. The result has the
// same bits as the all-pairs kernel (dcr_kernel.hpp), because every distance that is computed is
// computed by that kernel, and a subtree is skipped only when no row in it could enter the two
// smallest (see dcr_index.cpp for why the bound is safe under rounding).
//
// Why a k-d tree over every scored column: SDMetrics' distance is a sum of per-column terms, each
// monotone in the column difference (numeric: min(|a - b| / range, 1); categorical and constant
// columns: a 0/1 inequality of codes). A box (per-column lowest and highest value of a node's rows)
// therefore bounds every row's term from below column by column, including the categorical ones
// (a code outside the node's code range differs from all of them), and a node's bound is the sum of
// those terms. Median splits on the column of widest spread relative to its range adapt to
// clustered data and to duplicates alike; rows equal in every column end in one leaf. Sorting by
// one column and scanning outward would bound only that column's term, which is loose with 7
// columns of comparable weight. Built once per reference table, read-only afterwards; searched in
// parallel over synthetic rows (TBB). The tree's shape depends only on the reference rows, and the
// result not even on that, so it is the same on any rank and thread count.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/dcr_kernel.hpp"

namespace sc::metrics {

struct DcrTreeNode {
  std::int64_t first = 0;  // the node's rows: [first, first + count) of DcrIndex::rows
  std::int64_t count = 0;
  std::int32_t lower_child = -1;  // both -1 for a leaf
  std::int32_t upper_child = -1;
};

struct DcrIndex {
  DcrRows rows;                     // the reference rows, reordered so that every node's rows are contiguous
  std::vector<DcrTreeNode> nodes;   // node 0 is the root (none when there are no rows)
  std::vector<double> lowest;       // node n, column c: lowest[n * columns + c] (encoded values)
  std::vector<double> highest;
  std::vector<DcrColumnRule> rules;
  int columns() const { return static_cast<int>(rules.size()); }
};

// The tree over `reference` (encoded under `rules`). Leaves hold up to 32 rows, or any number of
// rows equal in every column.
DcrIndex build_dcr_index(const DcrRows& reference, std::span<const DcrColumnRule> rules);

// What a search did, for benchmarks and for the test that checks the search prunes at all.
struct DcrSearchCounts {
  std::int64_t rows_scored = 0;  // reference rows whose distance was computed, over all queries
};

// As update_nearest_two (same contract, same bits), over the rows of `index`.
DcrSearchCounts update_nearest_two_pruned(const DcrRows& queries, const DcrIndex& index, std::span<double> best,
                                          std::span<double> second);

}  // namespace sc::metrics
