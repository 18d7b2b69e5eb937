// The documented search of `fit` for Ne (genome.estimate_ne): segment lengths depend on rho and Ne
// only through their product (L = E3 N / (2 rho Ne (E1 + E2))), so rho stays at its configured
// or default value and Ne is searched. The target is the panel's relatedness: the median, over the
// population's donor individuals, of each one's highest KING-robust kinship to any other donor
// (leave one out). For a candidate Ne, genome.estimate_individuals synthetic individuals are made
// in memory from the same donors and scored the same way against the donors; bisection on log Ne
// (the synthetic median falls as Ne grows) finds the Ne whose median matches the panel's.
// Held-out individuals take no part. Every rank runs the same search on the same data, so every
// rank finds the same Ne.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/store.hpp"

namespace sc {

struct GenomeModel;

// Genotypes of individuals over every variant of the panel, as bit planes: het (0/1 or 1/0) and
// hom ALT, plus the valid-bit mask of each word (padding bits past a window's last variant).
struct GenotypePlanes {
  int64_t individuals = 0, words = 0;
  std::vector<uint64_t> het, alt;  // individuals x words
  std::vector<uint64_t> valid;     // words
};

// KING-robust kinship, between-family form (Manichaikul et al. 2010, eq. 11; what plink2
// --make-king-table reports, checked against it on the chr20 panel): with n_i <= n_j the
// heterozygous counts, (N_het,het - 2 N_opposite_hom) / (2 n_i) + 1/2 - (n_i + n_j) / (4 n_i).
double king_robust(const GenotypePlanes& a, int64_t i, const GenotypePlanes& b, int64_t j);

struct NeSearchResult {
  double ne = 0;
  double panel_median = 0, synthetic_median = 0;
  int steps = 0;
};

// Searches Ne for population `population` of `model` (its rho fixed); `windows` are the
// reference window shard paths in order. With `target` >= -0.5 the search matches that median
// instead of the panel's own (used to check that it recovers an Ne our sampler was run with).
NeSearchResult search_ne(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                         uint64_t seed, int64_t synthetic_individuals, double target = -1.0);

// The median, over `synthetic_individuals` made with Ne = `ne` (draws keyed by `seed`), of each
// one's highest KING-robust kinship to the population's donors.
double synthetic_median_kinship(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                                uint64_t seed, int64_t synthetic_individuals, double ne);

}  // namespace sc
