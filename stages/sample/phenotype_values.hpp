// Genetic values, liabilities and cases of the synthetic individuals. Each rank adds, for the
// synthetic windows it holds, effect x ALT allele count into one int64 sum per individual and
// trait (effects are fixed point, phenotype_effects.hpp); the sums are combined across ranks with
// an exact integer allreduce, so every rank ends with the same bits whatever the rank count, thread
// count or window size. Then, the same on every rank: G scaled so that var(G) = h2 in the cohort
// (as GCTA --simu does) and centred, E ~ N(0, 1 - h2) keyed by (run.seed, trait, individual),
// liability Y = G + E, and a case wherever Y exceeds the (1 - K) quantile of N(0, 1).
// docs/phenotypes.md has the formulas; sample/phenotypes/<trait> in docs/store.md keeps them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"
#include "stages/ingest/genome_store.hpp"
#include "stages/sample/phenotype_effects.hpp"
#include "stages/sample/phenotype_model.hpp"

namespace sc {

class GeneticValueSums {
 public:
  GeneticValueSums(const std::vector<TraitEffects>& effects, int64_t individuals);
  // Adds the causal variants of a synthetic window whose first variant has panel index
  // `first_variant` (threads over individuals; integer sums, so any split gives the same bits).
  void add_window(int64_t first_variant, const GenomeWindow& window);
  // Collective: every rank's sums added together.
  void combine(const Communicator& comm);
  const std::vector<int64_t>& sums(size_t trait) const { return sums_[trait]; }

 private:
  const std::vector<TraitEffects>& effects_;
  int64_t individuals_;
  std::vector<std::vector<int64_t>> sums_;  // per trait, per individual, in units of 2^-fraction_bits
};

struct TraitValues {
  std::vector<double> beta;       // per causal variant: effect per ALT allele after scaling
  std::vector<double> genetic;    // G per individual, mean 0, variance h2 in the cohort
  std::vector<double> liability;  // Y = G + E
  std::vector<uint8_t> is_case;   // binary traits: Y > threshold
  double offset = 0;              // sum of beta x ALT count of individual i, minus offset, is G_i
  double threshold = 0;           // binary traits: the (1 - K) quantile of N(0, 1)
  double realized_heritability = 0;  // var(G) / var(Y) in the cohort
  int64_t cases = 0;
};

// The same on every rank (after combine()).
std::vector<TraitValues> trait_values(const std::vector<TraitSpec>& traits, const std::vector<TraitEffects>& effects,
                                      const GeneticValueSums& sums, uint64_t seed);

// sample/phenotypes/<trait>/shard-00000.h5, trait t written by rank t mod ranks; appends the
// names to `expected`.
void write_trait_shards(StageWriter& writer, const Communicator& comm, const std::vector<TraitSpec>& traits,
                        const std::vector<TraitEffects>& effects, const std::vector<TraitValues>& values, int deflate,
                        std::vector<std::string>& expected);
std::string trait_shard(const std::string& trait);

}  // namespace sc
