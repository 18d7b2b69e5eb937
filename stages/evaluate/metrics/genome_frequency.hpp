// Allele-frequency agreement between two sets of haplotypes (synthetic against the real training
// individuals, against the held-out ones, and training against held-out as the real baseline).
// Everything is in integers: per variant the ALT allele counts c (of n haplotypes) and d (of m),
// and per window the sums that a squared Pearson correlation and a mean absolute difference need,
// so pieces add exactly in any order. Formulas: docs/metrics.md, "Genomes".
#pragma once

#include <cstdint>
#include <vector>

#include "stages/evaluate/metrics/byte_codec.hpp"
#include "stages/evaluate/metrics/genome_bits.hpp"

namespace sc::metrics {

// ALT allele count per variant over the haplotypes of the individuals flagged in `keep`.
std::vector<std::int64_t> alt_allele_counts(const HaplotypeBits& window, const std::vector<bool>& keep);

// Variants whose minor allele frequency (from ALT counts of `haplotypes` haplotypes) is at least maf_min.
std::vector<bool> maf_at_least(const std::vector<std::int64_t>& counts, std::int64_t haplotypes, double maf_min);

// Sums over variants of counts c (of n haplotypes) against d (of m haplotypes).
struct FrequencyPairPiece {
  std::int64_t variants = 0;
  std::int64_t sum_c = 0, sum_d = 0, sum_cc = 0, sum_dd = 0, sum_cd = 0;
  std::int64_t sum_abs_cm_dn = 0;  // sum |c m - d n| = n m sum |p - q|
};

// Adds the variants whose flag in `use` is set.
void add_variants(FrequencyPairPiece& piece, const std::vector<std::int64_t>& c, std::int64_t n,
                  const std::vector<std::int64_t>& d, std::int64_t m, const std::vector<bool>& use);
void merge(FrequencyPairPiece& into, const FrequencyPairPiece& other);
void write(ByteWriter& out, const FrequencyPairPiece& piece);
FrequencyPairPiece read_frequency_pair(ByteReader& in);

struct FrequencyAgreement {
  std::int64_t variants = 0;
  double r2 = 0.0;             // squared Pearson correlation of p and q over the variants; NaN if either is constant
  double mean_abs_diff = 0.0;  // mean |p - q|; NaN without variants
};
FrequencyAgreement frequency_agreement(const FrequencyPairPiece& piece, std::int64_t n, std::int64_t m);

}  // namespace sc::metrics
