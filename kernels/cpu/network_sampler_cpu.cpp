// CPU backend of the table sampling kernel: rows are independent (each draws from its own
// counters), so TBB splits them freely and the thread count cannot change a bit.
#include <stdexcept>

#include "kernels/sampling/network_row.hpp"
#include "kernels/sampling/network_sampler.hpp"

#if defined(SC_KERNELS_HAVE_TBB)
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#endif

namespace sc::kernels {
namespace {

// Rows per block of the node-by-node loop: the block's states and values (a few KB) stay in L1.
constexpr int64_t kRowBlock = 256;

}  // namespace

NetworkView NetworkArrays::view() const {
  NetworkView v;
  v.nodes = nodes.data();
  v.node_count = static_cast<int32_t>(nodes.size());
  v.context_count = context_count;
  v.parent_states = parent_states.data();
  v.thresholds = thresholds.data();
  v.fine_thresholds = fine_thresholds.data();
  v.fine_edges = fine_edges.data();
  v.guides = guides.empty() ? nullptr : guides.data();
  v.key = key;
  return v;
}

void add_guide_tables(NetworkArrays& net) {
  net.guides.clear();
  for (NetworkNode& node : net.nodes) {
    int64_t configurations = 1;
    for (int32_t p = 0; p < node.parent_count; ++p) configurations *= parent_levels(node, p, net.parent_states[static_cast<size_t>(node.parent[p])]);
    node.guide_bits = guide_bits(node.states);
    node.guide_offset = static_cast<int64_t>(net.guides.size());
    for (int64_t c = 0; node.guide_bits > 0 && c < configurations; ++c)
      append_guide(net.thresholds.data() + node.table_offset + c * node.states, node.states, node.guide_bits, net.guides);
    node.fine_guide_bits = node.fine_bins > 0 ? guide_bits(node.fine_bins) : 0;
    node.fine_guide_offset = static_cast<int64_t>(net.guides.size());
    for (int32_t s = 0; node.fine_guide_bits > 0 && s < node.binned_states; ++s)
      append_guide(net.fine_thresholds.data() + node.fine_offset + static_cast<int64_t>(s) * node.fine_bins, node.fine_bins,
                   node.fine_guide_bits, net.guides);
  }
}

SampledRows sample_rows_cpu(const NetworkArrays& net, uint64_t first_entity, int64_t rows,
                            const std::vector<int32_t>& context) {
  const NetworkView view = net.view();
  const int32_t width = view.context_count + view.node_count;
  if (static_cast<int64_t>(context.size()) != rows * view.context_count)
    throw std::invalid_argument("sample_rows_cpu: context holds " + std::to_string(context.size()) +
                                " states, expected rows x context_count = " + std::to_string(rows * view.context_count));
  SampledRows out;
  out.rows = rows;
  out.width = width;
  out.states.assign(static_cast<size_t>(rows * width), 0);
  out.values.assign(static_cast<size_t>(rows * view.node_count), 0.0);
  // Node by node over a block of rows, not row by row: one node's tables stay in cache for the
  // whole block, where a row visiting every node would cycle all of them through the cache. The
  // tables are read at random (the configuration and the word are random), so a first pass draws
  // the block's words and prefetches each row's guide entry, a second the threshold behind it where
  // the guide alone does not decide, and the third draws the states with the misses overlapped instead of one after another. The bits are the row body's
  // (network_row.hpp): the same configuration, words and placement.
  auto body = [&](int64_t begin, int64_t end) {
    int64_t configuration[kRowBlock];
    DrawWords words[kRowBlock];
    for (int64_t r = begin; r < end; ++r)
      for (int32_t c = 0; c < view.context_count; ++c)
        out.states[static_cast<size_t>(r * width + c)] = context[static_cast<size_t>(r * view.context_count + c)];
    for (int64_t block = begin; block < end; block += kRowBlock) {
      const int64_t rows_in_block = block + kRowBlock < end ? kRowBlock : end - block;
      for (int32_t j = 0; j < view.node_count; ++j) {
        const NetworkNode& node = view.nodes[j];
        for (int64_t i = 0; i < rows_in_block; ++i) {
          const int64_t r = block + i;
          configuration[i] = node_configuration(view, node, out.states.data() + r * width);
          words[i] = draw_words(view.key, first_entity + static_cast<uint64_t>(r), static_cast<uint32_t>(j));
          __builtin_prefetch(node_state_entry(view, node, configuration[i], words[i].w[0]));
        }
        for (int64_t i = 0; i < rows_in_block; ++i)
          if (const uint64_t* threshold = node_scan_entry(view, node, configuration[i], words[i].w[0]))
            __builtin_prefetch(threshold);
        for (int64_t i = 0; i < rows_in_block; ++i) {
          const int64_t r = block + i;
          place_network_node(view, j, configuration[i], words[i], out.states.data() + r * width,
                             out.values.data() + r * view.node_count);
        }
      }
    }
  };
#if defined(SC_KERNELS_HAVE_TBB)
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, 1024),
                    [&](const tbb::blocked_range<int64_t>& range) { body(range.begin(), range.end()); });
#else
  body(0, rows);
#endif
  return out;
}

#if !defined(SC_KERNELS_HAVE_CUDA)
bool cuda_backend_available() { return false; }
SampledRows sample_rows_cuda(const NetworkArrays&, uint64_t, int64_t, const std::vector<int32_t>&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
#endif

}  // namespace sc::kernels
