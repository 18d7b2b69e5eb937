// The table sampling kernel: draws follow the thresholds, suppressed states never appear, a row's
// draws depend on its entity only (any split into batches gives the same bits), placed values lie
// inside their bins; with the argument `gpu`, the CUDA backend returns the CPU backend's bits
// (exit 77, "skipped", where no GPU answers). A parent read in groups of states selects the
// configuration of its state's group on both backends.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/random/lane_set.hpp"
#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_row.hpp"
#include "kernels/sampling/network_sampler.hpp"

using namespace sc::kernels;

namespace {

int failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::printf("FAILED: %s\n", what.c_str());
  }
}

// Context: one 3-state slot. Node 0: 4 categories given the context (category 3 suppressed).
// Node 1: a numeric column, 3 value bins and a missing state, given node 0; 4 fine bins per state.
NetworkArrays test_network() {
  NetworkArrays net;
  net.context_count = 1;
  net.key = DrawKey{20261201, DrawPurpose::table_row, 7};
  net.parent_states = {3, 4, 4};
  NetworkNode category;
  category.states = 4;
  category.parent_count = 1;
  category.parent[0] = 0;
  category.table_offset = 0;
  for (int c = 0; c < 3; ++c) {
    std::vector<uint64_t> weights = {uint64_t(1 + c), 2, uint64_t(5 - c), 0};
    auto t = thresholds_from_weights(weights);
    net.thresholds.insert(net.thresholds.end(), t.begin(), t.end());
  }
  NetworkNode value;
  value.states = 4;
  value.missing_state = 3;
  value.parent_count = 1;
  value.parent[0] = 1;
  value.table_offset = static_cast<int64_t>(net.thresholds.size());
  for (int a = 0; a < 4; ++a) {
    std::vector<uint64_t> weights = {uint64_t(3 + a), 1, 2, uint64_t(a)};
    auto t = thresholds_from_weights(weights);
    net.thresholds.insert(net.thresholds.end(), t.begin(), t.end());
  }
  value.fine_bins = 4;
  value.binned_states = 3;
  value.fine_offset = 0;
  value.edge_offset = 0;
  for (int s = 0; s < 3; ++s) {
    auto t = thresholds_from_weights({uint64_t(s == 0), 1, uint64_t(s == 2 ? 0 : 1), 1});
    net.fine_thresholds.insert(net.fine_thresholds.end(), t.begin(), t.end());
  }
  net.fine_edges = {0.0, 1.5, 2.0, 4.25, 10.0};
  value.tail_taper = 2;  // the last fine bin [4.25, 10) is a heavy tail: tapered positions
  net.nodes = {category, value};
  return net;
}

// A parent read in groups: context slot of 8 states read in 2 groups of 4 neighbours; the node
// (2 states) is state 0 in group 0 (context states 0-3) and state 1 in group 1 (states 4-7).
NetworkArrays coarse_parent_network() {
  NetworkArrays net;
  net.context_count = 1;
  net.key = DrawKey{20261203, DrawPurpose::table_row, 3};
  net.parent_states = {8, 2};
  NetworkNode node;
  node.states = 2;
  node.parent_count = 1;
  node.parent[0] = 0;
  node.parent_radix[0] = 2;
  for (const std::vector<uint64_t>& weights : {std::vector<uint64_t>{1, 0}, std::vector<uint64_t>{0, 1}}) {
    auto t = thresholds_from_weights(weights);
    net.thresholds.insert(net.thresholds.end(), t.begin(), t.end());
  }
  net.nodes = {node};
  return net;
}

std::vector<int32_t> coarse_context(int64_t rows) {
  std::vector<int32_t> context(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) context[r] = static_cast<int32_t>(r % 8);
  return context;
}

std::vector<int32_t> test_context(int64_t rows) {
  std::vector<int32_t> context(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) context[r] = static_cast<int32_t>((r * 7) % 3);
  return context;
}

// Guide tables select the binary search's state for every word tried: each bucket edge and its
// neighbours, each threshold and its neighbours, and random words, over distributions with zero
// weights (leading, inner, trailing), thresholds exactly on bucket edges and sizes 1 to 300.
bool guides_match_binary_search() {
  std::vector<std::vector<uint64_t>> weight_sets = {{7}, {0, 5, 0}, {1, 0}, {0, 0, 3}, {1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1},
                                                    {0, 0, 0}, {1000000, 1, 0, 0, 1}, {3, 0, 0, 0, 0, 0, 0, 0, 0, 5}};
  uint64_t seed = 99;
  auto next = [&] { seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; return seed >> 33; };
  for (int n : {2, 3, 17, 32, 33, 255, 256, 300}) {
    std::vector<uint64_t> w(static_cast<size_t>(n));
    for (auto& x : w) x = next() % 4 == 0 ? 0 : next() % 1000;
    weight_sets.push_back(w);
  }
  for (const auto& weights : weight_sets) {
    const auto t = thresholds_from_weights(weights);
    const int32_t n = static_cast<int32_t>(t.size());
    const int32_t bits = guide_bits(n);
    std::vector<uint16_t> guide;
    std::vector<uint8_t> guide8;
    std::vector<uint32_t> last_words;
    append_guide(t.data(), n, bits, guide);
    if (byte_guide(n)) append_guide(t.data(), n, bits, guide8);
    append_last_words(t.data(), n, last_words);
    if (bits < 1 || guide.size() != (size_t{1} << bits) + 1) return false;
    if (byte_guide(n) != (n <= 127) || (byte_guide(n) && guide8.size() != guide.size())) return false;
    std::vector<uint64_t> words;
    for (uint64_t g = 0; g <= (uint64_t{1} << bits); ++g)
      for (int d = -1; d <= 1; ++d) words.push_back((g << (32 - bits)) + static_cast<uint64_t>(d));
    for (uint64_t x : t)
      for (int d = -1; d <= 1; ++d) words.push_back(x + static_cast<uint64_t>(d));
    for (int i = 0; i < 20000; ++i) words.push_back(next());
    for (uint64_t word : words) {
      if (word > 0xFFFFFFFFull) continue;
      const uint32_t w32 = static_cast<uint32_t>(word);
      const int32_t state = draw_state(t.data(), n, w32);
      if (draw_state_guided(last_words.data(), guide.data(), bits, w32) != state) return false;
      if (byte_guide(n) && draw_state_guided(last_words.data(), guide8.data(), bits, w32) != state) return false;
    }
  }
  return true;
}

int run_cpu() {
  const NetworkArrays net = test_network();
  const int64_t rows = 300000;
  const auto context = test_context(rows);
  SampledRows all = sample_rows_cpu(net, 1000, rows, context);

  expect(thresholds_from_weights({1, 2, 3}).back() == kThresholdScale, "last threshold is exactly 2^32");
  expect(draw_state(thresholds_from_weights({0, 5, 0}).data(), 3, 0u) == 1, "word 0 skips a zero-weight first state");
  expect(draw_state(thresholds_from_weights({1, 0}).data(), 2, 0xFFFFFFFFu) == 0, "top word never reaches a zero-weight state");

  // Frequencies of node 0 given context 0: weights 1, 2, 5, 0.
  std::vector<int64_t> count(4, 0);
  int64_t in_context = 0;
  bool values_in_bins = true, missing_is_zero = true;
  double tail_sum = 0;  // positions inside the tapered last fine bin [4.25, 10)
  int64_t tail_rows = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* s = all.states.data() + r * all.width;
    if (s[0] == 0) { ++count[s[1]]; ++in_context; }
    double v = all.values[r * 2 + 1];
    if (s[2] == 3) missing_is_zero &= v == 0.0;
    else values_in_bins &= v >= 0.0 && v < 10.0 && !(s[2] >= 1 && v < 1.5) && !(s[2] == 2 && v >= 2.0 && v < 4.25);
    if (s[2] != 3 && v >= 4.25) { tail_sum += (v - 4.25) / 5.75; ++tail_rows; }
  }
  expect(count[3] == 0, "a zero-weight (suppressed) category is never drawn");
  const double expected[3] = {1.0 / 8, 2.0 / 8, 5.0 / 8};
  for (int c = 0; c < 3; ++c) {
    double p = static_cast<double>(count[c]) / in_context;
    double se = std::sqrt(expected[c] * (1 - expected[c]) / in_context);
    expect(std::fabs(p - expected[c]) < 4 * se, "category " + std::to_string(c) + " frequency within 4 SE");
  }
  expect(values_in_bins, "placed values lie inside bins with non-zero fine weight");
  expect(missing_is_zero, "the missing state places no value");
  // min(u1, u2) has mean 1/3 and variance 1/18.
  expect(tail_rows > 1000 && std::fabs(tail_sum / tail_rows - 1.0 / 3) < 4 * std::sqrt(1.0 / 18 / tail_rows),
         "positions inside a tapered heavy-tail bin average 1/3 of its width");

  // Batches: rows [0, 123457) and the rest, drawn separately, give the same bits.
  const int64_t cut = 123457;
  std::vector<int32_t> head(context.begin(), context.begin() + cut), tail(context.begin() + cut, context.end());
  SampledRows first = sample_rows_cpu(net, 1000, cut, head);
  SampledRows second = sample_rows_cpu(net, 1000 + cut, rows - cut, tail);
  bool same = std::memcmp(first.states.data(), all.states.data(), first.states.size() * 4) == 0 &&
              std::memcmp(second.states.data(), all.states.data() + first.states.size(), second.states.size() * 4) == 0 &&
              std::memcmp(first.values.data(), all.values.data(), first.values.size() * 8) == 0 &&
              std::memcmp(second.values.data(), all.values.data() + first.values.size(), second.values.size() * 8) == 0;
  expect(same, "draws depend on the entity only, not on the batch");
  expect(guides_match_binary_search(), "a guide table selects the binary search's state for every word");
  NetworkArrays guided = net;
  add_guide_tables(guided);
  SampledRows fast = sample_rows_cpu(guided, 1000, rows, context);
  expect(!guided.last_words.empty() && fast.states == all.states &&
             std::memcmp(fast.values.data(), all.values.data(), all.values.size() * 8) == 0,
         "guide tables change no bit of the sampled rows");
  expect(coarse_state(3, 2, 8) == 0 && coarse_state(4, 2, 8) == 1 && coarse_state(7, 2, 8) == 1 && coarse_state(8, 4, 9) == 3 &&
             coarse_state(5, 0, 8) == 5 && coarse_state(5, 8, 8) == 5,
         "coarse_state groups neighbouring states (radix 0 or >= states: the state itself)");
  {
    const NetworkArrays coarse = coarse_parent_network();
    const auto groups = coarse_context(4096);
    SampledRows drawn = sample_rows_cpu(coarse, 0, 4096, groups);
    bool grouped = true;
    for (int64_t r = 0; r < 4096; ++r) grouped &= drawn.states[r * 2 + 1] == (groups[r] >= 4 ? 1 : 0);
    expect(grouped, "a parent read in 2 groups selects the configuration of its state's group");
    NetworkArrays coarse_guided = coarse;
    add_guide_tables(coarse_guided);
    expect(sample_rows_cpu(coarse_guided, 0, 4096, groups).states == drawn.states, "guide tables of grouped configurations");
  }
  {
    // The batch kernel (words of sixteen rows at once with each lane set the processor runs:
    // scalar, AVX2, AVX-512; passes over blocks of rows) gives the scalar row body's bits, also
    // where the entities cross 2^32 (the counter's high word changes inside a vector).
    NetworkArrays guided_net = net;
    add_guide_tables(guided_net);
    const NetworkView view = guided_net.view();
    const uint64_t first = (uint64_t{1} << 32) - 21;
    const int64_t n = 1000;
    const std::vector<int32_t> few(context.begin(), context.begin() + n);
    bool same_rows = true;
    std::vector<int32_t> row_states(static_cast<size_t>(view.context_count + view.node_count));
    std::vector<double> row_values(static_cast<size_t>(view.node_count));
    for (LaneSet lanes : {LaneSet::scalar, LaneSet::avx2, LaneSet::avx512}) {
      if (static_cast<int>(lanes) > static_cast<int>(best_lane_set())) continue;
      use_lane_set(lanes);
      SampledRows batch = sample_rows_cpu(guided_net, first, n, few);
      for (int64_t r = 0; r < n; ++r) {
        row_states[0] = few[static_cast<size_t>(r)];
        sample_network_row(view, first + static_cast<uint64_t>(r), row_states.data(), row_values.data());
        same_rows &= std::memcmp(row_states.data(), batch.states.data() + r * batch.width, row_states.size() * 4) == 0 &&
                     std::memcmp(row_values.data(), batch.values.data() + r * view.node_count, row_values.size() * 8) == 0;
      }
      std::printf("kernel_network_sampler cpu: batch kernel with %s lanes against the row body\n", lane_set_name(lanes));
    }
    use_lane_set(best_lane_set());
    expect(same_rows, "the batch kernel gives the row body's bits (entities across 2^32 included)");
  }
  SampledRows shifted = sample_rows_cpu(net, 1001, rows, context);
  expect(std::memcmp(shifted.states.data(), all.states.data(), all.states.size() * 4) != 0, "other entities, other draws");
  std::printf("kernel_network_sampler cpu: %lld rows, %d failures\n", static_cast<long long>(rows), failures);
  return failures == 0 ? 0 : 1;
}

int run_gpu() {
  if (!cuda_backend_available()) {
    std::printf("kernel_network_sampler gpu: skipped, no CUDA device answers (or the CUDA backend was not built)\n");
    return 77;
  }
  const NetworkArrays net = test_network();
  const int64_t rows = 2000000;
  const auto context = test_context(rows);
  SampledRows cpu = sample_rows_cpu(net, 5, rows, context);
  SampledRows gpu = sample_rows_cuda(net, 5, rows, context);
  expect(cpu.states == gpu.states, "CUDA states equal the CPU states");
  expect(std::memcmp(cpu.values.data(), gpu.values.data(), cpu.values.size() * 8) == 0, "CUDA values equal the CPU values bit for bit");
  // With guide tables (as the sample stage runs it) the GPU still returns the binary search's bits.
  NetworkArrays guided = net;
  add_guide_tables(guided);
  SampledRows gpu_guided = sample_rows_cuda(guided, 5, rows, context);
  expect(cpu.states == gpu_guided.states, "CUDA states with guide tables equal the CPU states");
  expect(std::memcmp(cpu.values.data(), gpu_guided.values.data(), cpu.values.size() * 8) == 0,
         "CUDA values with guide tables equal the CPU values bit for bit");
  // Into a reused output (the stage's block after block): a smaller block, then a retry key's block.
  const DrawKey retry{net.key.seed, DrawPurpose::constraint_retry, 3};
  const auto part = std::vector<int32_t>(context.begin(), context.begin() + (rows / 2) * net.context_count);
  sample_rows_cuda(guided, retry, 11, rows / 2, part, gpu_guided);
  SampledRows cpu_retry = sample_rows_cpu(net, retry, 11, rows / 2, part);
  expect(cpu_retry.states == gpu_guided.states && cpu_retry.values.size() == gpu_guided.values.size() &&
             std::memcmp(cpu_retry.values.data(), gpu_guided.values.data(), cpu_retry.values.size() * 8) == 0,
         "CUDA draws into a reused output equal the CPU's");
  const NetworkArrays coarse = coarse_parent_network();
  const auto groups = coarse_context(100000);
  NetworkArrays coarse_guided = coarse;
  add_guide_tables(coarse_guided);
  expect(sample_rows_cpu(coarse, 5, 100000, groups).states == sample_rows_cuda(coarse_guided, 5, 100000, groups).states,
         "CUDA reads a parent in groups as the CPU does");
  std::printf("kernel_network_sampler gpu: %lld rows compared with the CPU backend, %d failures\n",
              static_cast<long long>(rows), failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "cpu";
  return mode == "gpu" ? run_gpu() : run_cpu();
}
