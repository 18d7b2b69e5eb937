// The hold-out split of real persons: a person is held out of the fit when a Philox draw keyed by
// (run.seed, "holdout") and counted by the person's primary key falls under the hold-out
// fraction. It depends on nothing but the seed and the key, so fit (which must not see held-out
// persons) and evaluate (which measures privacy against them) agree on every rank count without
// storing the split.
#pragma once

#include <Random123/philox.h>

#include <cstdint>

namespace sc {

inline bool held_out(uint64_t seed, int64_t person_key, double fraction) {
  if (fraction <= 0.0) return false;
  if (fraction >= 1.0) return true;
  constexpr uint32_t kPurposeHoldout = 0x686f6c64;  // "hold"
  r123::Philox4x32 philox;
  r123::Philox4x32::key_type key = {{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32) ^ kPurposeHoldout}};
  auto k = static_cast<uint64_t>(person_key);
  r123::Philox4x32::ctr_type counter = {{static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32), 0, 0}};
  uint32_t word = philox(counter, key)[0];
  // An integer threshold on the raw word: the same decision on every host and device.
  uint64_t threshold = static_cast<uint64_t>(fraction * 4294967296.0);
  return word < threshold;
}

}  // namespace sc
