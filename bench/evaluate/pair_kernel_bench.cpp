// Speed of the kinship/AATS pair kernel (metrics::add_pair_counts) on random genotypes, for each
// popcount build the CPU has: (pair, 64-variant word) steps per second, and a check that every
// build counted the same. Usage: pair_kernel_bench INDIVIDUALS VARIANTS [THREADS [LOWEST_BUILD]]
// (builds 3 = AVX-512 VPOPCNTQ, 2 = AVX2, 1 = POPCNT, 0 = baseline; LOWEST_BUILD 3 times the AVX-512 one
// alone, 2 the AVX2 one where the CPU has no AVX-512).
#include <tbb/global_control.h>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "stages/evaluate/metrics/genome_relatedness.hpp"

int main(int argc, char** argv) {
  using namespace sc::metrics;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s INDIVIDUALS VARIANTS [THREADS [LOWEST_BUILD]]\n", argv[0]);
    return 2;
  }
  const std::int64_t n = std::atoll(argv[1]), variants = std::atoll(argv[2]);
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const int lowest = argc > 4 ? std::atoi(argv[4]) : 0;
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const std::int64_t words = (variants + 63) / 64;
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(2 * n * words));
  std::mt19937_64 rng(1);
  for (auto& b : bits) b = rng() & rng();  // ALT frequency 1/4
  for (std::int64_t h = 0; h < 2 * n; ++h)
    if (variants % 64) bits[static_cast<std::size_t>(h * words + words - 1)] &= (std::uint64_t{1} << (variants % 64)) - 1;
  const GenotypePlanes planes = genotype_planes(HaplotypeBits{bits, 2 * n, variants}, 0, n);
  const double steps = static_cast<double>(n) * static_cast<double>(n - 1) / 2.0 * static_cast<double>(words);
  std::vector<std::int32_t> first;
  for (int level = supported_popcount_level(); level >= lowest; --level) {
    force_popcount_level(level);
    std::vector<std::int32_t> hh(static_cast<std::size_t>(n * n), 0), i0(hh.size(), 0);
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    add_pair_counts(planes, 0, n, hh, i0);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    hh.insert(hh.end(), i0.begin(), i0.end());
    if (first.empty()) first = hh;
    // Per CPU second as well: on a shared machine the wall time also measures the neighbours.
    std::printf("popcount build %d: %lld individuals x %lld variants, %d threads: %.3f s (%.3f CPU s), %.3g steps/s, %.3g per CPU s%s\n",
                level, static_cast<long long>(n), static_cast<long long>(variants), threads, seconds, cpu, steps / seconds,
                steps / cpu,
                hh == first ? "" : " (COUNTS DIFFER)");
    if (hh != first) return 1;
  }
  return 0;
}
