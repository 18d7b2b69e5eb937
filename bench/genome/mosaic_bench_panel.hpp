// The two panels of the mosaic kernel benchmarks, in memory (their alleles are random bits: speed
// does not depend on them):
//   short: 240 donor individuals (HAPNEST EUR rho/Ne), 24,990 sites over 6.6 cM (the chr20 panel's
//          shape): drawing segments dominates;
//   long:  2,500 donor individuals, 1,000,000 sites over 100 cM, copied in windows of 10,000
//          variants: copying dominates.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/mosaic/mosaic_kernel.hpp"

namespace sc::bench {

struct MosaicBenchPanel {
  int64_t donors = 0, variants = 0, window_variants = 0, words = 0;
  kernels::MosaicArrays model;
  std::vector<double> cm;           // every site's position
  std::vector<uint64_t> reference;  // one window's donor rows (2 x donors rows of `words` words), reused for all
  // The window of variants [first, first + window_variants) (shorter at the end).
  kernels::ReferenceWindowView window(int64_t first) const {
    kernels::ReferenceWindowView view;
    view.bits = reference.data();
    view.rows = 2 * donors;
    view.words = words;
    view.variants = std::min(window_variants, variants - first);
    view.first_variant = first;
    view.cm = cm.data() + first;
    return view;
  }
};

inline MosaicBenchPanel mosaic_bench_panel(const std::string& scenario, int64_t synthetic) {
  const bool long_segments = scenario == "long";
  MosaicBenchPanel p;
  p.donors = long_segments ? 2500 : 240;
  p.variants = long_segments ? 1000000 : 24990;
  p.window_variants = long_segments ? 10000 : 3000;
  p.words = (p.window_variants + 63) / 64;
  const double span_cm = long_segments ? 100.0 : 6.6;
  p.model.seed = 7;
  for (int32_t d = 0; d < 2 * p.donors; ++d) p.model.donors.push_back(d);
  p.model.populations.push_back({11700.0 / static_cast<double>(p.donors), 0.68, 0, 2 * p.donors});
  p.model.individual_population.assign(static_cast<size_t>(synthetic), 0);
  p.cm.resize(static_cast<size_t>(p.variants));
  for (int64_t v = 0; v < p.variants; ++v)
    p.cm[static_cast<size_t>(v)] = span_cm * static_cast<double>(v) / static_cast<double>(p.variants - 1);
  p.model.contigs.push_back({0.0, span_cm, 0, p.variants});
  p.reference.resize(static_cast<size_t>(2 * p.donors * p.words));
  uint64_t x = 88172645463325252ull;
  for (auto& w : p.reference) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    w = x;
  }
  return p;
}

}  // namespace sc::bench
