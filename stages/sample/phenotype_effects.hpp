// The genetic architecture of every trait: which panel variants are causal and the effect of each
// ALT allele, drawn before any genome is copied, from the donors' allele frequencies (fit's
// genome/frequencies) and counter-based randomness keyed by (run.seed, purpose, trait or group,
// variant) only, so every rank draws the same architecture. Effects follow the alpha model
// beta_j ~ N(0, [2 p_j (1 - p_j)]^alpha); traits linked by genetic_correlation share a causal
// uniform per variant and draw their effects jointly (Cholesky factor of the correlation matrix).
// Effects are held in fixed point so that genetic values are exact integer sums (phenotype_values).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/random/philox_stream.hpp"
#include "pipeline/config.hpp"
#include "pipeline/store.hpp"
#include "stages/sample/phenotype_model.hpp"

namespace sc {

struct TraitEffects {
  std::vector<int64_t> variant;       // global panel index (panel order across windows), ascending
  std::vector<double> alt_frequency;  // the donors' ALT frequency p at those variants
  std::vector<int64_t> fixed_beta;    // effect per ALT allele before scaling, in units of 2^-fraction_bits
  int fraction_bits = 0;
  double raw_beta(size_t k) const { return std::ldexp(static_cast<double>(fixed_beta[k]), -fraction_bits); }
};

// A standard normal from one Philox block (Box-Muller, cosine branch), host only (std::log).
double phenotype_normal(const kernels::DrawKey& key, uint64_t entity);

// The donors' ALT frequency of every panel variant, in panel order, from fit/genome/frequencies.
std::vector<double> panel_alt_frequencies(const StageReader& fit, int64_t windows);

// One TraitEffects per trait, in the order of `traits`. A ConfigError names the key when a trait
// gets no causal variant or its correlations do not form a positive-definite matrix.
std::vector<TraitEffects> draw_trait_effects(const Config& config, const std::vector<TraitSpec>& traits,
                                             const std::vector<double>& alt_frequency, uint64_t seed);

}  // namespace sc
