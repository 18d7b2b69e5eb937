// Relatedness between genomes, bit-parallel: KING-robust kinship (Manichaikul et al. 2010, as
// plink2 --make-king-table computes it) and the genotype distance that nearest-neighbour
// adversarial accuracy (AATS, Yale et al. 2020) uses. For a pair of individuals both follow
// from two counts over variants, HETHET (both heterozygous) and IBS0 (opposite homozygotes), and
// each individual's heterozygote count; the counts are AND + popcount over the genotype planes of
// genome_bits.hpp, per window, and add exactly across windows and ranks (integers).
//
// The individuals of one evaluation are the real panel (training and held-out individuals) and
// the synthetic ones, in one list; pairs (r, c), r < c, are counted by blocks of rows. Every
// individual keeps its nearest relatives by role (see NearestRelatives); minima and maxima are
// order-free, so any block order gives the same result. Formulas: docs/metrics.md, "Genomes".
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/genome_bits.hpp"

namespace sc::metrics {

// Adds, for rows r in [row_begin, row_end) and columns c in (r, individuals), the window's HETHET
// and IBS0 counts of (r, c) to hethet[(r - row_begin) * individuals + c] and ibs0[...].
void add_pair_counts(const GenotypePlanes& planes, std::int64_t row_begin, std::int64_t row_end,
                     std::span<std::int32_t> hethet, std::span<std::int32_t> ibs0);
// Heterozygous variants of every individual in the window.
std::vector<std::int64_t> heterozygote_counts(const GenotypePlanes& planes);

// KING-robust kinship: 1/2 - (het_a + het_b - 2 HETHET + 4 IBS0) / (4 min(het_a, het_b));
// NaN when either individual has no heterozygous variant.
double king_robust(std::int64_t hethet, std::int64_t ibs0, std::int64_t het_a, std::int64_t het_b);
// Genotype (dosage) L1 distance: sum |g_a - g_b| = het_a + het_b - 2 HETHET + 2 IBS0.
std::int64_t genotype_distance(std::int64_t hethet, std::int64_t ibs0, std::int64_t het_a, std::int64_t het_b);

enum class GenomeRole : std::uint8_t { training = 0, holdout = 1, synthetic = 2 };

// Per individual of the combined list, what the metrics need (distances: genotype_distance;
// kinship: king_robust; "none yet" is INT64_MAX / -infinity):
struct NearestRelatives {
  std::vector<double> max_kinship_to_training;       // held-out and synthetic individuals
  std::vector<std::int64_t> nearest_same_role;        // training-training, holdout-holdout, synthetic-synthetic (not self)
  std::vector<std::int64_t> nearest_synthetic;        // training and held-out individuals
  std::vector<std::int64_t> nearest_training;         // synthetic individuals
  std::vector<std::int64_t> nearest_holdout;          // synthetic individuals
  explicit NearestRelatives(std::size_t individuals = 0);
};

// Updates `nearest` with the pairs of a block of rows whose whole-genome counts are `hethet`
// and `ibs0` (layout of add_pair_counts), `het` the whole-genome heterozygote counts.
void update_nearest(NearestRelatives& nearest, std::span<const GenomeRole> roles, std::span<const std::int64_t> het,
                    std::int64_t row_begin, std::int64_t row_end, std::span<const std::int32_t> hethet,
                    std::span<const std::int32_t> ibs0);

// Nearest-neighbour adversarial accuracy between a real set R and the synthetic set S:
// aa_truth = share of r in R with d(r, S) > d(r, R \ r), aa_synthetic = share of s in S with
// d(s, R) > d(s, S \ s), aats = their mean. NaN parts when a set has fewer than two members.
struct AdversarialAccuracy {
  double aa_truth = 0.0, aa_synthetic = 0.0, aats = 0.0;
};
AdversarialAccuracy adversarial_accuracy(const NearestRelatives& nearest, std::span<const GenomeRole> roles,
                                         GenomeRole real_role);

// Summary of a sample of values: median and 95th percentile as numpy's default (linear
// interpolation between order statistics), NaN for an empty sample.
double quantile(std::vector<double> values, double q);

// Share of (a, b) pairs, a from `first`, b from `second`, with a > b; ties count one half.
double share_greater(std::vector<double> first, std::vector<double> second);

}  // namespace sc::metrics
