// Which reference individuals are held out of the genome fit. Exactly `count` of the panel's
// `samples` individuals are held out: those whose Philox word, keyed by (run.seed, "ghol") and
// counted by the individual's index in the panel (VCF order), is lowest (ties by index). Like the
// person hold-out (holdout.hpp) it depends on nothing but the seed, the panel size and the count,
// so fit (which must not copy held-out haplotypes) and evaluate (which measures kinship and
// frequencies against them) agree on every rank count without storing the split.
#pragma once

#include <Random123/philox.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace sc {

// held[i] is true when panel individual i (VCF sample order) is held out of the fit.
inline std::vector<bool> genome_holdout(uint64_t seed, int64_t samples, int64_t count) {
  std::vector<bool> held(static_cast<size_t>(std::max<int64_t>(samples, 0)), false);
  if (count <= 0 || samples <= 0) return held;
  constexpr uint32_t kPurposeGenomeHoldout = 0x67686f6c;  // "ghol"
  r123::Philox4x32 philox;
  r123::Philox4x32::key_type key = {{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32) ^ kPurposeGenomeHoldout}};
  std::vector<std::pair<uint32_t, int64_t>> order(static_cast<size_t>(samples));
  for (int64_t i = 0; i < samples; ++i) {
    auto k = static_cast<uint64_t>(i);
    r123::Philox4x32::ctr_type counter = {{static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32), 0, 0}};
    order[static_cast<size_t>(i)] = {philox(counter, key)[0], i};
  }
  std::sort(order.begin(), order.end());
  for (int64_t j = 0; j < std::min(count, samples); ++j) held[static_cast<size_t>(order[static_cast<size_t>(j)].second)] = true;
  return held;
}

}  // namespace sc
