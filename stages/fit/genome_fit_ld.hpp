// The LD decay curve that fit's Ne search (genome_fit_search.hpp) matches: the mean genotype r^2
// of variant pairs per genetic-distance bin, computed as the evaluate stage computes it
// (stages/evaluate/metrics/genome_ld.hpp: plink 1.9's r^2 of unphased ALT dosages; pairs of
// variants with donor MAF >= maf_min on one contig closer than max_cm, in bins of bin_cm), for a
// population's donors once and for the synthetic individuals of each candidate Ne, over the same
// variant pairs. The bin sums are exact, so a curve is the same for any thread count.
// Unlike evaluate's curve, each bin's mean is corrected for the number n of individuals it was
// measured on: sample r^2 has expectation about rho^2 + (1 - rho^2) / n (Hill and Robertson 1968;
// Weir and Hill 1980), so (r^2 - 1/n) / (1 - 1/n) estimates rho^2 without that bias. Without the
// correction the search would compare curves measured on different n (240 donors against
// genome.estimate_individuals synthetic individuals): with 100 synthetic individuals their far
// bins read 0.010 against the donors' 0.004 and mask a true shortfall, and the Ne found would move
// with genome.estimate_individuals.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "pipeline/config.hpp"
#include "stages/evaluate/metrics/genome_bits.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {

struct LdCurveOptions {
  double maf_min = 0.05, bin_cm = 0.1, max_cm = 1.0;
};
// The curve's keys, evaluate.genome_ld_maf_min, _bin_cm and _max_cm, checked: fit's search and
// the evaluate stage measure the same curve.
LdCurveOptions read_ld_curve_options(const Config& config);

class DonorLdPairs {
 public:
  // `windows` are the panel's windows in order (kept by reference); `donor_individuals` the
  // population's donor individuals (panel rows 2i and 2i+1).
  DonorLdPairs(const std::vector<GenomeWindow>& windows, const std::vector<int32_t>& donor_individuals,
               const LdCurveOptions& options);

  // Per bin, the donors' mean r^2, corrected for their number (NaN where a bin has no pair).
  const std::vector<double>& donor_curve() const { return donor_curve_; }
  // The same for synthetic individuals: `synthetic[w]` holds window w's haplotype rows, two per
  // individual (2i, 2i+1), as the mosaic kernel's copy of that window returns them.
  std::vector<double> synthetic_curve(const std::vector<std::vector<uint64_t>>& synthetic, int64_t individuals) const;

 private:
  using Planes = std::shared_ptr<const metrics::VariantPlanes>;
  // Per bin mean r^2 of the donors (`of_synthetic` false) or of `synthetic` (true), corrected for
  // the `individuals` it was measured on.
  std::vector<double> curve(const std::vector<Planes>& synthetic, bool of_synthetic, int64_t individuals) const;

  const std::vector<GenomeWindow>& windows_;
  LdCurveOptions options_;
  std::vector<std::vector<bool>> use_;  // per window: donor MAF >= maf_min
  std::vector<Planes> donors_;          // per window: the donors' variant-major planes
  std::vector<double> donor_curve_;
};

// How far `other` falls short of `reference`: the mean over bins where both are defined of
// reference - other (signed; NaN without such a bin).
double ld_shortfall(const std::vector<double>& reference, const std::vector<double>& other);

}  // namespace sc
