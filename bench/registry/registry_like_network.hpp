// A sampling network shaped like a fitted registry table, for the kernel benchmarks: `columns`
// columns of `states` states, each with (up to) the two columns before it as parents, and every
// second column numeric with `fine_bins` fine bins; the weights come from a fixed LCG, and the
// guide tables the sample stage builds (add_guide_tables) are added.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_sampler.hpp"

namespace sc::bench {

inline kernels::NetworkArrays registry_like_network(int columns, int states, int fine_bins) {
  using namespace sc::kernels;
  NetworkArrays net;
  net.key = DrawKey{42, DrawPurpose::table_row, 0};
  for (int j = 0; j < columns; ++j) net.parent_states.push_back(states);
  uint64_t weight_seed = 12345;
  auto next_weight = [&] {
    weight_seed = weight_seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (weight_seed >> 40) % 1000 + 1;
  };
  for (int j = 0; j < columns; ++j) {
    NetworkNode node;
    node.states = states;
    node.parent_count = j >= 2 ? 2 : j;
    for (int p = 0; p < node.parent_count; ++p) node.parent[p] = j - 1 - p;
    node.table_offset = static_cast<int64_t>(net.thresholds.size());
    int64_t configurations = 1;
    for (int p = 0; p < node.parent_count; ++p) configurations *= states;
    for (int64_t c = 0; c < configurations; ++c) {
      std::vector<uint64_t> w(static_cast<size_t>(states));
      for (auto& x : w) x = next_weight();
      auto t = thresholds_from_weights(w);
      net.thresholds.insert(net.thresholds.end(), t.begin(), t.end());
    }
    if (j % 2 == 1) {
      node.fine_bins = fine_bins;
      node.binned_states = states;
      node.fine_offset = static_cast<int64_t>(net.fine_thresholds.size());
      node.edge_offset = static_cast<int64_t>(net.fine_edges.size());
      for (int s = 0; s < states; ++s) {
        std::vector<uint64_t> w(static_cast<size_t>(fine_bins), 0);
        for (int k = s * fine_bins / states; k < (s + 1) * fine_bins / states; ++k) w[static_cast<size_t>(k)] = next_weight();
        auto t = thresholds_from_weights(w);
        net.fine_thresholds.insert(net.fine_thresholds.end(), t.begin(), t.end());
      }
      for (int k = 0; k <= fine_bins; ++k) net.fine_edges.push_back(0.5 * k);
    }
    net.nodes.push_back(node);
  }
  add_guide_tables(net);
  return net;
}

}  // namespace sc::bench
