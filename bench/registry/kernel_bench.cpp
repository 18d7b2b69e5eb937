// Throughput of the table sampling kernel on one core (TBB limited to one thread): rows and
// column values drawn per second for a network shaped like a fitted registry table
// (registry_like_network.hpp: 10 columns, 32 states, 2 parents each, 256 fine bins per numeric
// column, half of them numeric, with the guide tables the sample stage builds). Rates in
// docs/benchmarks.md are rows per CPU second (the CPU column), since the machine is shared. The second benchmark draws into one
// reused output, as the sample stage's shards do. Reproduce:
//   build/bench/registry/registry_kernel_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include "bench/registry/registry_like_network.hpp"
#include "kernels/sampling/network_sampler.hpp"

using namespace sc::kernels;

namespace {

using sc::bench::registry_like_network;

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
