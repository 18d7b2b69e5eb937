// Sampling one row from a network: the body that the CPU and the CUDA kernels both run, so the
// two backends share not only the interface but the very code of a draw. One Philox block per
// (row entity, node): word 0 picks the state, word 1 the fine bin, words 2-3 the position inside
// the fine bin (unless the fine bin is a single value: columns with few distinct values; in the
// outermost fine bin of a heavy tail, the min or max of words 2 and 3 as two uniforms). The only
// floating point is edge + width * u (and exact scalings of words), compiled without contraction
// in both backends (-ffp-contract=off, --fmad=false), so the bits agree.
#pragma once

#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_model.hpp"

namespace sc::kernels {

// The state that `word` selects in distribution `distribution` of a node's table (its guide when
// the network has guide tables, else the binary search: the same state either way).
// `last_words` lies beside `thresholds` (the same offsets).
SC_HOST_DEVICE inline int32_t draw_table_state(const NetworkView& net, const uint64_t* thresholds, const uint32_t* last_words,
                                               int64_t table_offset, int32_t n, int32_t bits, int64_t guide_offset,
                                               int64_t distribution, uint32_t word) {
  const int64_t first = table_offset + distribution * n;
  if (net.last_words == nullptr || bits == 0) return draw_state(thresholds + first, n, word);
  const int64_t guide = guide_offset + distribution * ((int64_t{1} << bits) + 1);
  if (byte_guide(n)) return draw_state_guided(last_words + first, net.guides8 + guide, bits, word);
  return draw_state_guided(last_words + first, net.guides + guide, bits, word);
}

// The parent configuration of a node in a row: the index of the distribution its state is drawn from.
SC_HOST_DEVICE inline int64_t node_configuration(const NetworkView& net, const NetworkNode& node, const int32_t* states) {
  int64_t configuration = 0;
  for (int32_t p = 0; p < node.parent_count; ++p) {
    int32_t slot = node.parent[p];
    const int32_t n = net.parent_states[slot];
    configuration = configuration * parent_levels(node, p, n) + coarse_state(states[slot], node.parent_radix[p], n);
  }
  return configuration;
}

// Whether node j places a value in `state` (numeric nodes, outside the missing state).
SC_HOST_DEVICE inline bool node_places_value(const NetworkNode& node, int32_t state) {
  return node.fine_bins > 0 && state < node.binned_states;
}

// Node j's state in a row from its configuration and word 0 of its block.
SC_HOST_DEVICE inline int32_t draw_node_state(const NetworkView& net, const NetworkNode& node, int64_t configuration,
                                              uint32_t word) {
  return draw_table_state(net, net.thresholds, net.last_words, node.table_offset, node.states, node.guide_bits,
                          node.guide_offset, configuration, word);
}

// The value inside fine bin `fine` of a node from words 2 and 3 of its block: the bin's single
// value, or a uniform position inside it (tapered in the outermost bin of a heavy tail).
SC_HOST_DEVICE inline double value_in_fine_bin(const NetworkView& net, const NetworkNode& node, int32_t fine, uint32_t w2,
                                               uint32_t w3) {
  double lo = net.fine_edges[node.edge_offset + fine];
  if (node.point_values) return lo;
  double hi = net.fine_edges[node.edge_offset + fine + 1];
  double width = hi - lo;
  double u = unit_interval(w2, w3);
  const bool low_tail = (node.tail_taper & 1) && fine == 0, high_tail = (node.tail_taper & 2) && fine == node.fine_bins - 1;
  if (low_tail || high_tail) {
    // Two 32-bit uniforms (exact in double); max or min of them: the same bits on every backend.
    const double a = static_cast<double>(w2) * (1.0 / 4294967296.0), b = static_cast<double>(w3) * (1.0 / 4294967296.0);
    u = low_tail ? (a > b ? a : b) : (a < b ? a : b);
  }
  double offset = width * u;
  return lo + offset;
}

// Node j's value in `state` from words 1-3 of its block (0 for nodes without values or in their
// missing state).
SC_HOST_DEVICE inline double place_node_value(const NetworkView& net, const NetworkNode& node, int32_t state,
                                              const DrawWords& words) {
  if (!node_places_value(node, state)) return 0.0;
  int32_t fine = draw_table_state(net, net.fine_thresholds, net.fine_last_words, node.fine_offset, node.fine_bins,
                                  node.fine_guide_bits, node.fine_guide_offset, state, words.w[1]);
  return value_in_fine_bin(net, node, fine, words.w[2], words.w[3]);
}

// Node j of one row from its configuration and its block of words: its state (into
// states[context_count + j]) and its value (into values[j]; 0 for nodes without values or in
// their missing state).
SC_HOST_DEVICE inline void place_network_node(const NetworkView& net, int32_t j, int64_t configuration,
                                              const DrawWords& words, int32_t* states, double* values) {
  const NetworkNode& node = net.nodes[j];
  const int32_t state = draw_node_state(net, node, configuration, words.w[0]);
  states[net.context_count + j] = state;
  values[j] = place_node_value(net, node, state, words);
}

// Node j of one row (entity `entity`); the parents' states must be drawn.
SC_HOST_DEVICE inline void sample_network_node(const NetworkView& net, int32_t j, uint64_t entity, int32_t* states,
                                               double* values) {
  place_network_node(net, j, node_configuration(net, net.nodes[j], states),
                     draw_words(net.key, entity, static_cast<uint32_t>(j)), states, values);
}

// `states` holds context_count fixed states on entry and gets node_count more; `values` gets one
// value per node (0 for nodes without values or in their missing state). A node's draw depends
// only on its parents' states and its own counter, so backends may visit (row, node) pairs in any
// order that keeps each row's nodes in topological order.
SC_HOST_DEVICE inline void sample_network_row(const NetworkView& net, uint64_t entity, int32_t* states, double* values) {
  for (int32_t j = 0; j < net.node_count; ++j) sample_network_node(net, j, entity, states, values);
}

}  // namespace sc::kernels
