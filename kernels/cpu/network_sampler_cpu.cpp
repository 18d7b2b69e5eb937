// CPU backend of the table sampling kernel: rows are independent (each draws from its own
// counters), so TBB splits them freely and the thread count cannot change a bit.
#include <cstring>
#include <stdexcept>

#include "kernels/random/philox_x8.hpp"
#include "kernels/sampling/network_row.hpp"
#include "kernels/sampling/network_sampler.hpp"

#if defined(SC_KERNELS_HAVE_TBB)
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#endif

namespace sc::kernels {
namespace {

// Rows per block of the node-by-node loop: its words, configurations, states and values stay in L2
// (1024 rows measured a little faster than 256 and 512 on the 10-column bench).
constexpr int64_t kRowBlock = 1024;

// Words 0-3 of the Philox blocks (entity, slot) of a block's rows, word k of row i in word[k][i].
struct BlockWords {
  uint32_t word[4][kRowBlock];
  DrawWords row(int64_t i) const { return DrawWords{{word[0][i], word[1][i], word[2][i], word[3][i]}}; }
};

#if defined(SC_HAVE_PHILOX_X8)
// Sixteen rows' blocks at once (two chains of eight lanes, which the processor overlaps): the
// counters of draw_words with entities first .. first + 15 (carrying into the high word) and one slot.
SC_AVX512 void block_words_x16(const DrawKey& key, uint64_t first, uint32_t slot, BlockWords& out, int64_t at) {
  using simd::u32x8;
  using simd::u64x8;
  const uint64_t low = 0xFFFFFFFFull;
  u64x8 a[4], b[4];
  const u64x8 entity_a = u64x8{0, 1, 2, 3, 4, 5, 6, 7} + first, entity_b = u64x8{8, 9, 10, 11, 12, 13, 14, 15} + first;
  a[0] = entity_a & low;
  a[1] = entity_a >> 32;
  b[0] = entity_b & low;
  b[1] = entity_b >> 32;
  a[2] = b[2] = u64x8{} + slot;
  a[3] = b[3] = u64x8{} + simd::counter_tag(key);
  simd::philox_x8(a, static_cast<uint32_t>(key.seed), static_cast<uint32_t>(key.seed >> 32));
  simd::philox_x8(b, static_cast<uint32_t>(key.seed), static_cast<uint32_t>(key.seed >> 32));
  for (int k = 0; k < 4; ++k) {
    const u32x8 lanes_a = __builtin_convertvector(a[k], u32x8), lanes_b = __builtin_convertvector(b[k], u32x8);
    std::memcpy(&out.word[k][at], &lanes_a, sizeof lanes_a);
    std::memcpy(&out.word[k][at + 8], &lanes_b, sizeof lanes_b);
  }
}
#endif

// The words of rows [0, rows) of a block whose first row is entity `first`, at node `slot`.
void draw_block_words(const DrawKey& key, uint64_t first, uint32_t slot, int64_t rows, BlockWords& out) {
  int64_t i = 0;
#if defined(SC_HAVE_PHILOX_X8)
  if (philox_vectorised())
    for (; i + 16 <= rows; i += 16) block_words_x16(key, first + static_cast<uint64_t>(i), slot, out, i);
#endif
  for (; i < rows; ++i) {
    const DrawWords w = draw_words(key, first + static_cast<uint64_t>(i), slot);
    for (int k = 0; k < 4; ++k) out.word[k][i] = w.w[k];
  }
}

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
  v.guides8 = guides8.empty() ? nullptr : guides8.data();
  v.guides = guides.empty() ? nullptr : guides.data();
  v.last_words = last_words.empty() ? nullptr : last_words.data();
  v.fine_last_words = fine_last_words.empty() ? nullptr : fine_last_words.data();
  v.key = key;
  return v;
}

namespace {

// Appends the guides of `distributions` distributions of n thresholds each (from `threshold`) to
// the one- or two-byte guides, as n requires; returns their offset there.
int64_t append_guides(NetworkArrays& net, const uint64_t* threshold, int32_t n, int64_t distributions, int32_t bits) {
  const bool one_byte = byte_guide(n);
  const int64_t offset = static_cast<int64_t>(one_byte ? net.guides8.size() : net.guides.size());
  for (int64_t d = 0; bits > 0 && d < distributions; ++d) {
    if (one_byte) append_guide(threshold + d * n, n, bits, net.guides8);
    else append_guide(threshold + d * n, n, bits, net.guides);
  }
  return offset;
}

}  // namespace

void add_guide_tables(NetworkArrays& net) {
  net.guides8.clear();
  net.guides.clear();
  net.last_words.clear();
  net.fine_last_words.clear();
  append_last_words(net.thresholds.data(), static_cast<int64_t>(net.thresholds.size()), net.last_words);
  append_last_words(net.fine_thresholds.data(), static_cast<int64_t>(net.fine_thresholds.size()), net.fine_last_words);
  for (NetworkNode& node : net.nodes) {
    int64_t configurations = 1;
    for (int32_t p = 0; p < node.parent_count; ++p) configurations *= parent_levels(node, p, net.parent_states[static_cast<size_t>(node.parent[p])]);
    node.guide_bits = guide_bits(node.states);
    node.guide_offset = append_guides(net, net.thresholds.data() + node.table_offset, node.states, configurations, node.guide_bits);
    node.fine_guide_bits = node.fine_bins > 0 ? guide_bits(node.fine_bins) : 0;
    node.fine_guide_offset = append_guides(net, net.fine_thresholds.data() + node.fine_offset, node.fine_bins,
                                           node.binned_states, node.fine_guide_bits);
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
  // tables are read at random (the configuration and the word are random), so the passes over a
  // block overlap the misses instead of taking them one after another: the words of all the
  // block's rows first (sixteen at a time with AVX-512), then the configurations with a prefetch
  // of each row's guide entry, a prefetch of the last word behind the entries that do not decide
  // alone, the states (prefetching the fine guide entry of each value to place), and the values.
  // The bits are the row body's (network_row.hpp): the same configuration, words and placement.
  auto body = [&](int64_t begin, int64_t end) {
    int64_t configuration[kRowBlock];
    BlockWords words;
    for (int64_t r = begin; r < end; ++r)
      for (int32_t c = 0; c < view.context_count; ++c)
        out.states[static_cast<size_t>(r * width + c)] = context[static_cast<size_t>(r * view.context_count + c)];
    for (int64_t block = begin; block < end; block += kRowBlock) {
      const int64_t rows_in_block = block + kRowBlock < end ? kRowBlock : end - block;
      int32_t* block_states = out.states.data() + block * width;
      double* block_values = out.values.data() + block * view.node_count;
      for (int32_t j = 0; j < view.node_count; ++j) {
        const NetworkNode& node = view.nodes[j];
        draw_block_words(view.key, first_entity + static_cast<uint64_t>(block), static_cast<uint32_t>(j), rows_in_block, words);
        for (int64_t i = 0; i < rows_in_block; ++i) {
          configuration[i] = node_configuration(view, node, block_states + i * width);
          __builtin_prefetch(node_state_entry(view, node, configuration[i], words.word[0][i]));
        }
        for (int64_t i = 0; i < rows_in_block; ++i)
          if (const uint32_t* last_word = node_scan_entry(view, node, configuration[i], words.word[0][i]))
            __builtin_prefetch(last_word);
        int32_t* node_states = block_states + view.context_count + j;
        for (int64_t i = 0; i < rows_in_block; ++i) {
          const int32_t state = draw_node_state(view, node, configuration[i], words.word[0][i]);
          node_states[i * width] = state;
          if (node_places_value(node, state))
            if (const void* entry = node_fine_entry(view, node, state, words.word[1][i])) __builtin_prefetch(entry);
        }
        if (node.fine_bins == 0) continue;  // the values stay 0
        for (int64_t i = 0; i < rows_in_block; ++i)
          block_values[i * view.node_count + j] = place_node_value(view, node, node_states[i * width], words.row(i));
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
