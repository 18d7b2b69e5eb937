// Throughput of the mosaic kernels on one core (TBB limited to one thread), in memory:
//   short: 240 donor individuals (HAPNEST EUR rho/Ne), 24,990 sites over 6.6 cM (the chr20 panel's
//          shape), SYNTHETIC individuals (default 20,000): drawing segments dominates;
//   long:  2,500 donor individuals, 1,000,000 sites over 100 cM, SYNTHETIC individuals (default
//          20,000), copied in windows of 10,000 variants: copying dominates.
// The panel's alleles are random bits (speed does not depend on them). Reproduce:
//   build/bench/genome/genome_mosaic_bench short [SYNTHETIC] [THREADS]
//   build/bench/genome/genome_mosaic_bench long [SYNTHETIC] [THREADS]
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/mosaic/mosaic_kernel.hpp"

using namespace sc::kernels;

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "short";
  const bool long_segments = scenario == "long";
  const int64_t synthetic = argc > 2 ? std::atoll(argv[2]) : 20000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
  const int64_t donors = long_segments ? 2500 : 240;
  const int64_t variants = long_segments ? 1000000 : 24990;
  const double span_cm = long_segments ? 100.0 : 6.6;
  const int64_t window_variants = long_segments ? 10000 : 3000;

  MosaicArrays model;
  model.seed = 7;
  for (int32_t d = 0; d < 2 * donors; ++d) model.donors.push_back(d);
  model.populations.push_back({11700.0 / static_cast<double>(donors), 0.68, 0, 2 * donors});
  model.individual_population.assign(static_cast<size_t>(synthetic), 0);
  std::vector<double> cm(static_cast<size_t>(variants));
  for (int64_t v = 0; v < variants; ++v) cm[static_cast<size_t>(v)] = span_cm * static_cast<double>(v) / static_cast<double>(variants - 1);
  model.contigs.push_back({0.0, span_cm, 0, variants});

  auto now = [] { return std::chrono::steady_clock::now(); };
  // CPU time of the process as well as wall time: on a shared machine the wall clock also counts
  // other people's work; per-core rates use CPU seconds.
  auto cpu = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
  auto t0 = now();
  double c0 = cpu();
  const SegmentLists lists = draw_segments_cpu(model);
  const double draw_s = std::chrono::duration<double>(now() - t0).count(), draw_cpu = cpu() - c0;
  double copy_cpu = 0;

  const int64_t words = (window_variants + 63) / 64;
  std::vector<uint64_t> reference(static_cast<size_t>(2 * donors * words));
  uint64_t x = 88172645463325252ull;
  for (auto& w : reference) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    w = x;
  }
  double copy_s = 0;
  uint64_t checksum = 0;
  std::vector<uint64_t> bits;  // kept from window to window, as the sample stage does
  std::vector<int64_t> cursors;  // where each haplotype's copy of the previous window ended, likewise
  for (int64_t first = 0; first < variants; first += window_variants) {
    const int64_t count = std::min(window_variants, variants - first);
    ReferenceWindowView window;
    window.bits = reference.data();
    window.rows = 2 * donors;
    window.words = words;
    window.variants = count;
    window.first_variant = first;
    window.cm = cm.data() + first;
    auto t1 = now();
    const double c1 = cpu();
    copy_window_cpu(model, lists, window, bits, &cursors);
    copy_s += std::chrono::duration<double>(now() - t1).count();
    copy_cpu += cpu() - c1;
    checksum ^= bits[bits.size() / 2];
  }
  const double segments = static_cast<double>(lists.segments.size());
  const double genotypes = 2.0 * static_cast<double>(synthetic) * static_cast<double>(variants);
  std::printf("%s: %lld synthetic x %lld sites from %lld donors, %d thread(s)\n", scenario.c_str(),
              static_cast<long long>(synthetic), static_cast<long long>(variants), static_cast<long long>(donors), threads);
  std::printf("  segments: %.3g (%.1f per haplotype), drawn in %.2f s wall, %.2f s CPU: %.3g segments per CPU second\n",
              segments, segments / (2.0 * static_cast<double>(synthetic)), draw_s, draw_cpu, segments / draw_cpu);
  std::printf("  copy: %.3g haplotype alleles in %.2f s wall, %.2f s CPU: %.3g alleles per CPU second (checksum %016llx)\n",
              genotypes, copy_s, copy_cpu, genotypes / copy_cpu, static_cast<unsigned long long>(checksum));
  std::printf("  both: %.3g alleles per CPU second\n", genotypes / (draw_cpu + copy_cpu));
  return 0;
}
