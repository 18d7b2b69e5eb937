// The haplotype-mosaic model as the kernels see it: plain structs of numbers and pointers, the
// same on the host and the GPU. A synthetic haplotype is a run of segments along each contig's
// genetic map; segment k of haplotype h is drawn from Philox block (h, k) of the stream
// (seed, mosaic_segment), so a haplotype's segment list depends on nothing but its index and the
// model (DESIGN.md, "Genomes"). Lengths follow HAPNEST's coalescent rule (Wharrie et al. 2023,
// Bioinformatics 39:btad535; intervene-EU-H2020/synthetic_data, algorithms/genotype/
// genotype_algorithm.jl: T ~ Gamma(2, Ne/N), L ~ Exp(mean 1/(2 T rho)) cM, N the reference
// individuals of the segment's population).
#pragma once

#include <cstdint>

#include "kernels/random/philox_stream.hpp"

namespace sc::kernels {

struct MosaicPopulation {
  double theta = 0;        // Gamma scale Ne / N: the coalescent age T ~ Gamma(2, theta)
  double rho = 0;          // recombination scaling: segment length ~ Exp(mean 1 / (2 T rho)) cM
  int64_t donor_first = 0;  // this population's donors are donors[donor_first, donor_first + donor_count)
  int64_t donor_count = 0;
};

struct MosaicContig {
  double first_cm = 0, last_cm = 0;  // genetic positions of the contig's first and last variant
  int64_t first_variant = 0;          // global index (panel order) of its first variant
  int64_t variants = 0;
};

// One copied piece: variants of `contig` with start_cm <= cM < end_cm come from reference
// haplotype row `donor` (sample 2i + phase). `age` is the coalescent age T it was drawn with.
struct MosaicSegment {
  double start_cm = 0, end_cm = 0;
  double age = 0;
  int32_t donor = 0;
  int32_t contig = 0;
};

struct MosaicView {
  uint64_t seed = 0;
  const MosaicPopulation* populations = nullptr;
  int32_t population_count = 0;
  const int32_t* donors = nullptr;              // reference haplotype rows, grouped by population
  const int32_t* individual_population = nullptr;  // per synthetic individual (haplotype / 2)
  const MosaicContig* contigs = nullptr;
  int32_t contig_count = 0;
  double max_segment_cm = 0;  // 0 = no cap on one segment
  double max_donor_cm = 0;    // 0 = no cap on one donor's total within one haplotype
  double mutation_rate = 0;   // per copied allele: probability that it is flipped
  double log_keep = 0;        // mosaic_log(1 - mutation_rate), computed once on the host
  int64_t total_variants = 0;
};

}  // namespace sc::kernels
