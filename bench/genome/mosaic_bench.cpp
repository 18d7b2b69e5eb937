// Throughput of the mosaic kernels on one core (TBB limited to one thread), in memory, on the two
// panels of mosaic_bench_panel.hpp (short: drawing segments dominates; long: copying dominates),
// for SYNTHETIC individuals (default 20,000). Reproduce:
//   build/bench/genome/genome_mosaic_bench short [SYNTHETIC] [THREADS] [LANES]
//   build/bench/genome/genome_mosaic_bench long [SYNTHETIC] [THREADS] [LANES]
// LANES (scalar, avx2, avx512; default the widest this processor runs) narrows the vector code of
// the segment draw, to time each copy on one machine.
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/genome/mosaic_bench_panel.hpp"
#include "kernels/mosaic/mosaic_kernel.hpp"
#include "kernels/random/lane_set.hpp"

using namespace sc::kernels;

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "short";
  const int64_t synthetic = argc > 2 ? std::atoll(argv[2]) : 20000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::string lanes = argc > 4 ? argv[4] : "avx512";
  use_lane_set(lanes == "scalar" ? LaneSet::scalar : lanes == "avx2" ? LaneSet::avx2 : LaneSet::avx512);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
  sc::bench::MosaicBenchPanel panel = sc::bench::mosaic_bench_panel(scenario, synthetic);
  const MosaicArrays& model = panel.model;
  const int64_t donors = panel.donors, variants = panel.variants, window_variants = panel.window_variants;

  auto now = [] { return std::chrono::steady_clock::now(); };
  // CPU time of the process as well as wall time: on a shared machine the wall clock also counts
  // other people's work; per-core rates use CPU seconds.
  auto cpu = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
  auto t0 = now();
  double c0 = cpu();
  const SegmentLists lists = draw_segments_cpu(model);
  const double draw_s = std::chrono::duration<double>(now() - t0).count(), draw_cpu = cpu() - c0;
  double copy_cpu = 0;

  double copy_s = 0;
  uint64_t checksum = 0;
  std::vector<uint64_t> bits;  // kept from window to window, as the sample stage does
  std::vector<int64_t> cursors;  // where each haplotype's copy of the previous window ended, likewise
  for (int64_t first = 0; first < variants; first += window_variants) {
    const ReferenceWindowView window = panel.window(first);
    auto t1 = now();
    const double c1 = cpu();
    copy_window_cpu(model, lists, window, bits, &cursors);
    copy_s += std::chrono::duration<double>(now() - t1).count();
    copy_cpu += cpu() - c1;
    checksum ^= bits[bits.size() / 2];
  }
  const double segments = static_cast<double>(lists.segments.size());
  const double genotypes = 2.0 * static_cast<double>(synthetic) * static_cast<double>(variants);
  std::printf("%s: %lld synthetic x %lld sites from %lld donors, %d thread(s), %s lanes\n", scenario.c_str(),
              static_cast<long long>(synthetic), static_cast<long long>(variants), static_cast<long long>(donors), threads,
              lane_set_name(philox_lanes()));
  std::printf("  segments: %.3g (%.1f per haplotype), drawn in %.2f s wall, %.2f s CPU: %.3g segments per CPU second\n",
              segments, segments / (2.0 * static_cast<double>(synthetic)), draw_s, draw_cpu, segments / draw_cpu);
  std::printf("  copy: %.3g haplotype alleles in %.2f s wall, %.2f s CPU: %.3g alleles per CPU second (checksum %016llx)\n",
              genotypes, copy_s, copy_cpu, genotypes / copy_cpu, static_cast<unsigned long long>(checksum));
  std::printf("  both: %.3g alleles per CPU second\n", genotypes / (draw_cpu + copy_cpu));
  return 0;
}
