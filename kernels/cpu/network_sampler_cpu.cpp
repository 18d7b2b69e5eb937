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
// (256, 512 and 1024 rows measured alike on the 10-column bench, within the noise of a shared machine).
constexpr int64_t kRowBlock = 512;

// Words 0-3 of the Philox blocks (entity, slot) of a block's rows, word k of row i in word[k][i].
struct BlockWords {
  uint32_t word[4][kRowBlock];
};

#if defined(SC_HAVE_PHILOX_X8)
// Sixteen rows' blocks at once (16 / kLanes registers whose chains the processor overlaps): the
// counters of draw_words with entities first .. first + 15 (carrying into the high word) and one
// slot. Stamped out for AVX-512 and for AVX2, each with its own lanes and philox_rounds.
#define SC_DEFINE_BLOCK_WORDS_X16(TARGET, ISA)                                                              \
  TARGET void block_words_x16_##ISA(const DrawKey& key, uint64_t first, uint32_t slot, BlockWords& out,     \
                                    int64_t at) {                                                          \
    using Lanes = simd::ISA::Lanes;                                                                        \
    using Words = simd::ISA::Words;                                                                        \
    constexpr int kLanes = simd::ISA::kLanes, kChains = 16 / kLanes;                                       \
    Lanes lane_index;                                                                                      \
    for (int i = 0; i < kLanes; ++i) lane_index[i] = static_cast<uint64_t>(i);                             \
    Lanes c[kChains][4];                                                                                   \
    for (int j = 0; j < kChains; ++j) {                                                                    \
      const Lanes entity = lane_index + (first + static_cast<uint64_t>(j * kLanes));                       \
      c[j][0] = entity & 0xFFFFFFFFull;                                                                    \
      c[j][1] = entity >> 32;                                                                              \
      c[j][2] = Lanes{} + slot;                                                                            \
      c[j][3] = Lanes{} + simd::counter_tag(key);                                                          \
    }                                                                                                      \
    for (int j = 0; j < kChains; ++j)                                                                      \
      simd::ISA::philox_rounds(c[j], static_cast<uint32_t>(key.seed), static_cast<uint32_t>(key.seed >> 32)); \
    for (int j = 0; j < kChains; ++j)                                                                      \
      for (int k = 0; k < 4; ++k) {                                                                        \
        const Words words = __builtin_convertvector(c[j][k], Words);                                       \
        std::memcpy(&out.word[k][at + j * kLanes], &words, sizeof words);                                  \
      }                                                                                                    \
  }
SC_DEFINE_BLOCK_WORDS_X16(SC_AVX512, avx512)
SC_DEFINE_BLOCK_WORDS_X16(SC_AVX2, avx2)
#undef SC_DEFINE_BLOCK_WORDS_X16
#endif

// The words of rows [0, rows) of a block whose first row is entity `first`, at node `slot`.
void draw_block_words(const DrawKey& key, uint64_t first, uint32_t slot, int64_t rows, BlockWords& out) {
  int64_t i = 0;
#if defined(SC_HAVE_PHILOX_X8)
  if (philox_lanes() == LaneSet::avx512)
    for (; i + 16 <= rows; i += 16) block_words_x16_avx512(key, first + static_cast<uint64_t>(i), slot, out, i);
  else if (philox_lanes() == LaneSet::avx2)
    for (; i + 16 <= rows; i += 16) block_words_x16_avx2(key, first + static_cast<uint64_t>(i), slot, out, i);
#endif
  for (; i < rows; ++i) {
    const DrawWords w = draw_words(key, first + static_cast<uint64_t>(i), slot);
    for (int k = 0; k < 4; ++k) out.word[k][i] = w.w[k];
  }
}

// Draws from one table (a node's states or its fine bins) for the rows of a block: row i from
// distribution distribution[i] with word[i], into drawn[i]. The guide entries and last words lie at
// random in tables too big for L1, so three passes overlap the misses instead of taking them one
// after another: prefetch every row's guide entry; read it and prefetch the last word where the
// bucket holds a threshold; draw (draw_state_guided, the row body's own draw).
template <class Entry>
void draw_guided(const Entry* guide, const uint32_t* last_words, int32_t n, int32_t bits, const int64_t* distribution,
                 const uint32_t* word, int64_t rows, int32_t* drawn) {
  const int64_t stride = (int64_t{1} << bits) + 1;
  for (int64_t i = 0; i < rows; ++i) __builtin_prefetch(guide + distribution[i] * stride + (word[i] >> (32 - bits)));
  // Most buckets hold no threshold and decide alone (draw_state_guided returns their entry's
  // state); the others are listed for the scan, their last words prefetched.
  // Branch-free: a random quarter or so of the buckets hold a threshold, so a branch on the flag
  // would be mispredicted about as often as it is taken. Every row is written to the scan list and
  // counted only when flagged; the prefetch goes to the last word when flagged, else to the guide
  // entry just read (in cache: a no-op).
  int64_t scan[kRowBlock];
  int64_t scans = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const Entry* at = guide + distribution[i] * stride + (word[i] >> (32 - bits));
    const Entry entry = *at;
    const int32_t state = guide_state(entry);
    const bool flagged = (entry & guide_scan_flag<Entry>()) != 0;
    drawn[i] = state;
    const void* next = flagged ? static_cast<const void*>(last_words + distribution[i] * n + state) : static_cast<const void*>(at);
    __builtin_prefetch(next);
    scan[scans] = i;
    scans += flagged;
  }
  for (int64_t k = 0; k < scans; ++k) {
    const int64_t i = scan[k];
    drawn[i] = draw_state_guided(last_words + distribution[i] * n, guide + distribution[i] * stride, bits, word[i]);
  }
}

// draw_guided for a table of the network (thresholds and last words from `table_offset`, guide from
// `guide_offset`), or the row body's draw where the table has no guide.
void draw_table(const NetworkView& net, const uint64_t* thresholds, const uint32_t* last_words, int64_t table_offset,
                int32_t n, int32_t bits, int64_t guide_offset, const int64_t* distribution, const uint32_t* word,
                int64_t rows, int32_t* drawn) {
  if (net.last_words == nullptr || bits == 0) {
    for (int64_t i = 0; i < rows; ++i)
      drawn[i] = draw_table_state(net, thresholds, last_words, table_offset, n, bits, guide_offset, distribution[i], word[i]);
  } else if (byte_guide(n)) {
    draw_guided(net.guides8 + guide_offset, last_words + table_offset, n, bits, distribution, word, rows, drawn);
  } else {
    draw_guided(net.guides + guide_offset, last_words + table_offset, n, bits, distribution, word, rows, drawn);
  }
}

// The parent configuration (node_configuration) of each row of a block whose states are stored
// column by column (`columns`: kRowBlock states per entry of the state vector). Parents read whole
// (no coarse groups), the common case, take paths without division whose loops the compiler
// vectorises; the others compute node_configuration's sum with coarse_state.
void block_configurations(const NetworkView& net, const NetworkNode& node, const int32_t* columns, int64_t rows,
                          int64_t* configuration) {
  bool whole = true;
  for (int32_t p = 0; p < node.parent_count; ++p)
    whole &= node.parent_radix[p] <= 0 || node.parent_radix[p] >= net.parent_states[node.parent[p]];  // coarse_state: the state
  const int32_t* a = node.parent_count > 0 ? columns + node.parent[0] * kRowBlock : nullptr;
  const int32_t* b = node.parent_count > 1 ? columns + node.parent[1] * kRowBlock : nullptr;
  if (whole && node.parent_count == 0) {
    for (int64_t i = 0; i < rows; ++i) configuration[i] = 0;
  } else if (whole && node.parent_count == 1) {
    for (int64_t i = 0; i < rows; ++i) configuration[i] = a[i];
  } else if (whole && node.parent_count == 2) {
    const int64_t levels_b = net.parent_states[node.parent[1]];
    for (int64_t i = 0; i < rows; ++i) configuration[i] = a[i] * levels_b + b[i];
  } else {
    for (int64_t i = 0; i < rows; ++i) configuration[i] = 0;
    for (int32_t p = 0; p < node.parent_count; ++p) {
      const int32_t* parent = columns + node.parent[p] * kRowBlock;
      const int32_t n = net.parent_states[node.parent[p]], levels = parent_levels(node, p, n), radix = node.parent_radix[p];
      for (int64_t i = 0; i < rows; ++i) configuration[i] = configuration[i] * levels + coarse_state(parent[i], radix, n);
    }
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
  return sample_rows_cpu(net, net.key, first_entity, rows, context);
}

SampledRows sample_rows_cpu(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                            const std::vector<int32_t>& context) {
  SampledRows out;
  sample_rows_cpu(net, key, first_entity, rows, context, out);
  return out;
}

void sample_rows_cpu(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                     const std::vector<int32_t>& context, SampledRows& out) {
  NetworkView view = net.view();
  view.key = key;
  const int32_t width = view.context_count + view.node_count;
  if (static_cast<int64_t>(context.size()) != rows * view.context_count)
    throw std::invalid_argument("sample_rows_cpu: context holds " + std::to_string(context.size()) +
                                " states, expected rows x context_count = " + std::to_string(rows * view.context_count));
  out.rows = rows;
  out.width = width;
  // Not zeroed: every state and value is written below (the values of rows that place none are
  // zeroed block by block, in cache).
  out.states.resize(static_cast<size_t>(rows * width));
  out.values.resize(static_cast<size_t>(rows * view.node_count));
  // Node by node over a block of rows, not row by row: one node's tables stay in cache for the
  // whole block, where a row visiting every node would cycle all of them through the cache. Per
  // node: the words of all the block's rows (sixteen at a time with AVX-512), the configurations,
  // the states (draw_table), then for numeric nodes the fine bins of the rows that place a value
  // and the values. The bits are the row body's (network_row.hpp): the same configuration, words,
  // draws and placement.
  auto body = [&](int64_t begin, int64_t end) {
    int64_t configuration[kRowBlock];
    int64_t placing[kRowBlock];   // the rows of the block that place a value, their states,
    int64_t fine_state[kRowBlock];  // word 1 and the fine bin drawn
    uint32_t fine_word[kRowBlock];
    int32_t fine[kRowBlock];
    BlockWords words;
    // The block's states and values column by column: a node's parents are read and its states
    // written contiguously (the strided stores into the rows, each a likely miss on the output's
    // lines, were the hottest spot of the node loop), and the output is written once, row by row,
    // at the end of the block.
    std::vector<int32_t> column_states(static_cast<size_t>(width) * kRowBlock);
    std::vector<double> column_values(static_cast<size_t>(view.node_count) * kRowBlock);
    for (int64_t block = begin; block < end; block += kRowBlock) {
      const int64_t rows_in_block = block + kRowBlock < end ? kRowBlock : end - block;
      for (int32_t c = 0; c < view.context_count; ++c)
        for (int64_t i = 0; i < rows_in_block; ++i)
          column_states[static_cast<size_t>(c * kRowBlock + i)] = context[static_cast<size_t>((block + i) * view.context_count + c)];
      std::fill(column_values.begin(), column_values.end(), 0.0);
      for (int32_t j = 0; j < view.node_count; ++j) {
        const NetworkNode& node = view.nodes[j];
        int32_t* node_states = column_states.data() + (view.context_count + j) * kRowBlock;
        double* node_values = column_values.data() + j * kRowBlock;
        draw_block_words(view.key, first_entity + static_cast<uint64_t>(block), static_cast<uint32_t>(j), rows_in_block, words);
        block_configurations(view, node, column_states.data(), rows_in_block, configuration);
        draw_table(view, view.thresholds, view.last_words, node.table_offset, node.states, node.guide_bits, node.guide_offset,
                   configuration, words.word[0], rows_in_block, node_states);
        // node_places_value with the node's fields in registers, branch-free as in draw_guided.
        const int32_t binned_states = node.fine_bins > 0 ? node.binned_states : 0;
        int64_t placed = 0;
        for (int64_t i = 0; i < rows_in_block; ++i) {
          const int32_t s = node_states[i];
          placing[placed] = i;
          fine_state[placed] = s;
          fine_word[placed] = words.word[1][i];
          placed += s < binned_states;
        }
        if (placed == 0) continue;  // the values stay 0
        draw_table(view, view.fine_thresholds, view.fine_last_words, node.fine_offset, node.fine_bins, node.fine_guide_bits,
                   node.fine_guide_offset, fine_state, fine_word, placed, fine);
        for (int64_t m = 0; m < placed; ++m) {
          const int64_t i = placing[m];
          node_values[i] = value_in_fine_bin(view, node, fine[m], words.word[2][i], words.word[3][i]);
        }
      }
      for (int64_t i = 0; i < rows_in_block; ++i) {
        int32_t* row_states = out.states.data() + (block + i) * width;
        for (int32_t c = 0; c < width; ++c) row_states[c] = column_states[static_cast<size_t>(c * kRowBlock + i)];
        double* row_values = out.values.data() + (block + i) * view.node_count;
        for (int32_t j = 0; j < view.node_count; ++j) row_values[j] = column_values[static_cast<size_t>(j * kRowBlock + i)];
      }
    }
  };
#if defined(SC_KERNELS_HAVE_TBB)
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, 1024),
                    [&](const tbb::blocked_range<int64_t>& range) { body(range.begin(), range.end()); });
#else
  body(0, rows);
#endif
}

#if !defined(SC_KERNELS_HAVE_CUDA)
bool cuda_backend_available() { return false; }
SampledRows sample_rows_cuda(const NetworkArrays&, const DrawKey&, uint64_t, int64_t, const std::vector<int32_t>&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
void sample_rows_cuda(const NetworkArrays&, const DrawKey&, uint64_t, int64_t, const std::vector<int32_t>&, SampledRows&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
SampledRows sample_rows_cuda(const NetworkArrays& net, uint64_t first_entity, int64_t rows, const std::vector<int32_t>& context) {
  return sample_rows_cuda(net, net.key, first_entity, rows, context);
}
#endif

}  // namespace sc::kernels
