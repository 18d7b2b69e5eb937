// Sampling one row from a network: the body that the CPU and the CUDA kernels both run, so the
// two backends share not only the interface but the very code of a draw. One Philox block per
// (row entity, node): word 0 picks the state, word 1 the fine bin, words 2-3 the position inside
// the fine bin (unless the fine bin is a single value: columns with few distinct values). The only floating point is edge + width * u, compiled without contraction in both
// backends (-ffp-contract=off, --fmad=false), so the bits agree.
#pragma once

#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_model.hpp"

namespace sc::kernels {

// `states` holds context_count fixed states on entry and gets node_count more; `values` gets one
// value per node (0 for nodes without values or in their missing state).
SC_HOST_DEVICE inline void sample_network_row(const NetworkView& net, uint64_t entity, int32_t* states, double* values) {
  for (int32_t j = 0; j < net.node_count; ++j) {
    const NetworkNode& node = net.nodes[j];
    int64_t configuration = 0;
    for (int32_t p = 0; p < node.parent_count; ++p) {
      int32_t slot = node.parent[p];
      configuration = configuration * net.parent_states[slot] + states[slot];
    }
    DrawWords words = draw_words(net.key, entity, static_cast<uint32_t>(j));
    int32_t state = draw_state(net.thresholds + node.table_offset + configuration * node.states, node.states,
                               words.w[0]);
    states[net.context_count + j] = state;
    double value = 0.0;
    if (node.fine_bins > 0 && state < node.binned_states) {
      int32_t fine = draw_state(net.fine_thresholds + node.fine_offset + static_cast<int64_t>(state) * node.fine_bins,
                                node.fine_bins, words.w[1]);
      double lo = net.fine_edges[node.edge_offset + fine];
      if (node.point_values) {
        value = lo;
      } else {
        double hi = net.fine_edges[node.edge_offset + fine + 1];
        double width = hi - lo;
        double offset = width * unit_interval(words.w[2], words.w[3]);
        value = lo + offset;
      }
    }
    values[j] = value;
  }
}

}  // namespace sc::kernels
