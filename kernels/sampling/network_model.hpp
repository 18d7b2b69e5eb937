// The flattened form of a fitted table model that the sampling kernels read: a Bayesian network
// over discretised columns, laid out as plain arrays so the same view works in host memory and
// in device memory. A row's state vector holds first the context states (fixed inputs, such as
// the parent row's states for a child table) and then one state per node, in topological order;
// a node's parents are indices into that vector. Numeric nodes also carry a fine histogram per
// state, from which a value is placed: fine bin by inverse CDF, then a uniform position inside it.
#pragma once

#include <cstdint>

#include "kernels/random/philox_stream.hpp"

namespace sc::kernels {

constexpr int kMaxNodeParents = 4;

struct NetworkNode {
  int32_t states = 0;                  // number of states, the missing state included
  int32_t missing_state = -1;          // the state that means "missing", -1 when none
  int32_t parent_count = 0;
  int32_t parent[kMaxNodeParents] = {-1, -1, -1, -1};  // indices into the state vector
  // Groups each parent's states are read in (0: all of them, one by one). A numeric parent whose
  // states would make too many configurations is read coarsely: its quantile states in
  // parent_radix groups of neighbours (coarse_state), so a node can depend on two columns with
  // many states each within the bound on the conditional table's size.
  int32_t parent_radix[kMaxNodeParents] = {0, 0, 0, 0};
  // Heavy tails (bit 0: low end, bit 1: high end): inside the outermost fine bin of that end the
  // position is the larger (low end) or smaller (high end) of two uniform draws, a density that
  // falls linearly away from the bulk instead of a flat one out to the extreme.
  int32_t tail_taper = 0;
  int64_t table_offset = 0;            // thresholds: states entries per parent configuration
  int32_t fine_bins = 0;               // 0: not numeric (no value is placed)
  int32_t point_values = 0;            // 1: fine bin k is the single value edge[k] (few distinct values)
  int32_t binned_states = 0;           // states that are ranges of values (not missing)
  int64_t fine_offset = 0;             // fine thresholds: fine_bins entries per binned state
  int64_t edge_offset = 0;             // fine_bins + 1 ascending edges
  // Guide tables of the same thresholds (cumulative_table.hpp), 2^bits + 1 entries per
  // distribution, in the one-byte guides when the distribution has at most 127 states (else the
  // two-byte ones); bits 0: none, the binary search is used.
  int32_t guide_bits = 0;
  int32_t fine_guide_bits = 0;
  int64_t guide_offset = 0;
  int64_t fine_guide_offset = 0;
};

// The group of `state` (of `states`) when a parent's states are read in `radix` groups of
// neighbours: integer arithmetic, the same on every backend. radix 0 (or >= states): the state.
SC_HOST_DEVICE inline int32_t coarse_state(int32_t state, int32_t radix, int32_t states) {
  if (radix <= 0 || radix >= states) return state;
  return static_cast<int32_t>((static_cast<int64_t>(state) * radix) / states);
}

// The number of values parent p of a node takes in its configurations.
SC_HOST_DEVICE inline int32_t parent_levels(const NetworkNode& node, int32_t p, int32_t states) {
  return node.parent_radix[p] > 0 && node.parent_radix[p] < states ? node.parent_radix[p] : states;
}

// A non-owning view of a network; the owner keeps the arrays alive (host or device memory).
struct NetworkView {
  const NetworkNode* nodes = nullptr;
  int32_t node_count = 0;
  int32_t context_count = 0;
  const int32_t* parent_states = nullptr;  // states of each state-vector entry (context first)
  const uint64_t* thresholds = nullptr;
  const uint64_t* fine_thresholds = nullptr;
  const double* fine_edges = nullptr;
  // Guide tables (nullptr last_words: none, every draw searches the thresholds): one- and two-byte
  // guide entries, and the last words (threshold - 1, 32 bits) beside thresholds and fine_thresholds,
  // at the same offsets, which the guided draws read instead of the 64-bit thresholds.
  const uint8_t* guides8 = nullptr;
  const uint16_t* guides = nullptr;
  const uint32_t* last_words = nullptr;
  const uint32_t* fine_last_words = nullptr;
  DrawKey key;  // purpose table_row; the value draw shares the block (words 1-3)
};

}  // namespace sc::kernels
