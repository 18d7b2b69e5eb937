// Throughput of the table sampling kernel on one core (TBB limited to one thread): rows and
// column values drawn per second for a network shaped like a fitted registry table (10 columns,
// 32 states, 2 parents each, 256 fine bins per numeric column, half of them numeric), with the
// guide tables the sample stage builds (add_guide_tables). Rates in docs/benchmarks.md are rows per
// CPU second (the CPU column), since the machine is shared. The second benchmark draws into one
// reused output, as the sample stage's shards do. Reproduce:
//   build/bench/registry/registry_kernel_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_sampler.hpp"

using namespace sc::kernels;

namespace {

NetworkArrays registry_like_network(int columns, int states, int fine_bins) {
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

void BM_sample_rows_one_core(benchmark::State& state) {
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  const int columns = static_cast<int>(state.range(0));
  NetworkArrays net = registry_like_network(columns, 32, 256);
  const int64_t rows = 1 << 20;
  uint64_t first = 0;
  for (auto _ : state) {
    SampledRows out = sample_rows_cpu(net, first, rows, {});
    benchmark::DoNotOptimize(out.states.data());
    first += static_cast<uint64_t>(rows);
  }
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * rows), benchmark::Counter::kIsRate);
  state.counters["values_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * rows * columns), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_sample_rows_one_core)->Arg(3)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same draws into one output reused call after call, as a caller drawing shard after shard
// does: the output's pages are faulted in and cleared by the OS once, not per call (with a fresh
// 120 MB output per call that was 15-35% of the CPU time on this machine, in the OS, not the kernel).
void BM_sample_rows_one_core_reused_output(benchmark::State& state) {
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  const int columns = static_cast<int>(state.range(0));
  NetworkArrays net = registry_like_network(columns, 32, 256);
  const int64_t rows = 1 << 20;
  uint64_t first = 0;
  SampledRows out;
  sample_rows_cpu(net, net.key, first, rows, {}, out);  // the pages, once
  for (auto _ : state) {
    sample_rows_cpu(net, net.key, first, rows, {}, out);
    benchmark::DoNotOptimize(out.states.data());
    first += static_cast<uint64_t>(rows);
  }
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * rows), benchmark::Counter::kIsRate);
  state.counters["values_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * rows * columns), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_sample_rows_one_core_reused_output)->Arg(3)->Arg(10)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
