// The documented search of `fit` for Ne (genome.estimate_ne): segment lengths depend on rho and Ne
// only through their product (L = E3 N / (2 rho Ne (E1 + E2))), so rho stays at its configured
// or default value and Ne is searched. Two statistics of the panel are matched, as the quality
// checks score them: relatedness, the median over the population's donor individuals of each
// one's highest KING-robust kinship to any other donor (leave one out), and LD decay, the donors'
// mean r^2 per genetic-distance bin (genome_fit_ld.hpp). For a candidate Ne,
// genome.estimate_individuals synthetic individuals are made in memory from the same donors and
// scored the same way against the donors. The search finds the Ne at which the synthetic
// individuals' excess of relatedness over the panel's equals their shortfall of LD below it:
//   g(Ne) = (K_syn(Ne) - K_panel) - mean_b (LD_panel,b - LD_syn,b(Ne)),
// which falls as Ne grows (shorter segments: less kinship, less LD), by bisection on log Ne. Where
// a panel can be matched in both (one our sampler made), both terms vanish at the same Ne; on a
// real panel, where copying can only lower LD, g = 0 is the Ne that makes the worse of the two
// errors smallest (both aims of the quality checks are 0.02, so they weigh alike).
// Held-out individuals take no part. Every rank runs the same search on the same data, so every
// rank finds the same Ne.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/store.hpp"
#include "stages/fit/genome_fit_ld.hpp"

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

// The two statistics the search matches: of the panel (each donor against the other donors) or of
// synthetic individuals made with one Ne (each against the donors).
struct RelatednessAndLd {
  double median_kinship = 0;  // median of each individual's highest KING-robust kinship
  std::vector<double> ld;     // LD decay: mean r^2 per bin (NaN where a bin has no pair)
};

struct NeSearchOptions {
  uint64_t seed = 1;                 // run.seed; the search's draws are a stream of their own
  int64_t synthetic_individuals = 1000;  // genome.estimate_individuals
  LdCurveOptions ld;                 // evaluate.genome_ld_*
};

struct NeSearchResult {
  double ne = 0;
  RelatednessAndLd panel, synthetic;  // the target, and the synthetic individuals at the Ne found
  double kinship_excess = 0;          // synthetic.median_kinship - panel.median_kinship
  double ld_shortfall = 0;            // mean over bins of panel.ld - synthetic.ld
  int steps = 0;
};

// Searches Ne for population `population` of `model` (its rho fixed); `windows` are the
// reference window shard paths in order. With `target`, the search matches those statistics
// instead of the panel's own (used to check that it recovers an Ne our sampler was run with).
NeSearchResult search_ne(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                         const NeSearchOptions& options, const RelatednessAndLd* target = nullptr);

// The statistics of `options.synthetic_individuals` made with Ne = `ne` (draws keyed by
// `options.seed`) against the population's donors.
RelatednessAndLd synthetic_statistics(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                                      const NeSearchOptions& options, double ne);

}  // namespace sc
