// LD decay: the mean genotype r^2 of variant pairs by genetic distance (0.1 cM bins by default),
// for the real training individuals and for the synthetic ones over the same variant pairs. r^2
// is the squared Pearson correlation of ALT dosages (0, 1, 2) across individuals, as plink 1.9's
// --r2 computes it from unphased genotypes; its sums are popcounts over the variant-major genotype
// planes of genome_bits.hpp, so each r^2 is a function of six integers. Bin sums are ExactSums:
// a window's pairs (the window's variants with every later variant closer than the maximum
// distance, whichever window holds it) merge exactly in any order.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "stages/evaluate/metrics/byte_codec.hpp"
#include "stages/evaluate/metrics/exact_sum.hpp"
#include "stages/evaluate/metrics/genome_bits.hpp"

namespace sc::metrics {

// The six integer sums of two dosage vectors over n individuals.
struct DosageSums {
  std::int64_t n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
};
// Squared Pearson correlation; NaN when either variant is constant.
double genotype_r2(const DosageSums& sums);
// The sums of variant a of `x` and variant b of `y` (planes of the same individuals; the same
// variant twice gives its own moments). A plain loop: the LD kernel computes the same integers.
DosageSums dosage_sums(const VariantPlanes& x, std::int64_t a, const VariantPlanes& y, std::int64_t b);

struct LdOptions {
  double bin_cm = 0.1;
  double max_cm = 1.0;  // pairs at distance d with 0 <= d < max_cm; bins = ceil(max_cm / bin_cm)
  int bins() const;
};

struct LdPiece {
  std::vector<ExactSum> real_sum, synthetic_sum;      // per bin: sum of r^2
  std::vector<std::int64_t> real_pairs, synthetic_pairs;  // per bin: pairs with a defined r^2
  explicit LdPiece(int bins = 0) : real_sum(bins), synthetic_sum(bins), real_pairs(bins, 0), synthetic_pairs(bins, 0) {}
};

// One side's variants of a span: the planes of each variant in span order, kept alive by the
// windows they belong to (a window's planes serve the spans of several windows).
struct LdSide {
  std::int64_t individuals = 0, vectors = 0;
  std::vector<const std::uint64_t*> variant;  // VariantPlanes::variant of each span variant
  std::vector<std::shared_ptr<const VariantPlanes>> windows;
  void append(std::shared_ptr<const VariantPlanes> planes);
};

// Variants of one window followed by the variants of later windows that may pair with them; the
// planes of the real and the synthetic individuals have one entry per variant in that order.
struct LdSpan {
  std::int64_t own_variants = 0;  // the first variants, those of the window the piece is for
  std::vector<double> cm;
  std::vector<std::int32_t> contig;
  std::vector<bool> use;          // variant passes the filter (training MAF)
  LdSide real, synthetic;

  // Appends one window's variants (positions, filter, and both sides' planes).
  void append(const std::vector<double>& window_cm, const std::vector<std::int32_t>& window_contig,
              const std::vector<bool>& window_use, std::shared_ptr<const VariantPlanes> real_planes,
              std::shared_ptr<const VariantPlanes> synthetic_planes);
  // Whether a later window, first variant at (first_contig, first_cm), can hold a partner of one of
  // the own variants: same contig as the span's last variant and closer than max_cm to the last
  // own variant. Windows are appended while this holds (a window of no variants is skipped).
  bool reaches(std::int32_t first_contig, double first_cm, double max_cm) const;
};

// Adds every pair (i, j), i < own_variants, i < j, both used, same contig, cm_j - cm_i < max_cm,
// to its bin floor((cm_j - cm_i) / bin_cm).
void add_ld_pairs(LdPiece& piece, const LdSpan& span, const LdOptions& options);
void merge(LdPiece& into, const LdPiece& other);
std::vector<std::uint8_t> serialize(const LdPiece& piece);
LdPiece deserialize_ld(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
