#include "stages/fit/genome_fit_ld.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stages/evaluate/metrics/genome_frequency.hpp"
#include "stages/evaluate/metrics/genome_ld.hpp"

namespace sc {
namespace {

metrics::HaplotypeBits bits_of(const std::vector<uint64_t>& bits, int64_t haplotypes, int64_t variants) {
  return {std::span<const uint64_t>(bits), haplotypes, variants};
}

}  // namespace

LdCurveOptions read_ld_curve_options(const Config& config) {
  LdCurveOptions o;
  o.maf_min = config.real("evaluate.genome_ld_maf_min");
  if (!(o.maf_min >= 0.0 && o.maf_min <= 0.5)) config.reject("evaluate.genome_ld_maf_min", "a minor allele frequency from 0 to 0.5");
  o.bin_cm = config.real("evaluate.genome_ld_bin_cm");
  if (!(o.bin_cm > 0.0)) config.reject("evaluate.genome_ld_bin_cm", "a positive distance in cM");
  o.max_cm = config.real("evaluate.genome_ld_max_cm");
  if (!(o.max_cm > 0.0) || o.max_cm / o.bin_cm > 10000)
    config.reject("evaluate.genome_ld_max_cm", "a positive distance in cM, at most 10,000 bins");
  return o;
}

DonorLdPairs::DonorLdPairs(const std::vector<GenomeWindow>& windows, const std::vector<int32_t>& donor_individuals,
                           const LdCurveOptions& options)
    : windows_(windows), options_(options) {
  for (const GenomeWindow& w : windows_) {
    std::vector<bool> keep(static_cast<size_t>(w.haplotypes / 2), false);
    for (int32_t i : donor_individuals) keep[static_cast<size_t>(i)] = true;
    const metrics::HaplotypeBits bits = bits_of(w.bits, w.haplotypes, w.variants());
    use_.push_back(metrics::maf_at_least(metrics::alt_allele_counts(bits, keep),
                                         2 * static_cast<int64_t>(donor_individuals.size()), options_.maf_min));
    donors_.push_back(std::make_shared<const metrics::VariantPlanes>(metrics::variant_planes(bits, keep)));
  }
  donor_curve_ = curve(donors_, false, static_cast<int64_t>(donor_individuals.size()));
}

std::vector<double> DonorLdPairs::synthetic_curve(const std::vector<std::vector<uint64_t>>& synthetic,
                                                  int64_t individuals) const {
  const std::vector<bool> everyone(static_cast<size_t>(individuals), true);
  std::vector<Planes> planes;
  for (size_t w = 0; w < windows_.size(); ++w)
    planes.push_back(std::make_shared<const metrics::VariantPlanes>(
        metrics::variant_planes(bits_of(synthetic[w], 2 * individuals, windows_[w].variants()), everyone)));
  return curve(planes, true, individuals);
}

std::vector<double> DonorLdPairs::curve(const std::vector<Planes>& synthetic, bool of_synthetic, int64_t individuals) const {
  const metrics::LdOptions ld{options_.bin_cm, options_.max_cm};
  metrics::LdPiece total(ld.bins());
  // As the evaluate stage: each window's variants with the later windows' variants they may pair
  // with, so that every pair closer than max_cm is counted once.
  for (size_t w = 0; w < windows_.size(); ++w) {
    metrics::LdSpan span;
    auto append = [&](size_t k) { span.append(windows_[k].cm, windows_[k].contig, use_[k], donors_[k], synthetic[k]); };
    append(w);
    span.own_variants = static_cast<int64_t>(span.cm.size());
    for (size_t next = w + 1; next < windows_.size() && span.own_variants > 0; ++next) {
      if (windows_[next].cm.empty()) continue;
      if (!span.reaches(windows_[next].contig.front(), windows_[next].cm.front(), ld.max_cm)) break;
      append(next);
    }
    metrics::LdPiece piece(ld.bins());
    metrics::add_ld_pairs(piece, span, ld);
    metrics::merge(total, piece);
  }
  // The expected r^2 of unlinked variants in a sample of n individuals is about 1/n (header).
  const double unlinked = 1.0 / static_cast<double>(std::max<int64_t>(individuals, 2));
  std::vector<double> means;
  for (size_t b = 0; b < total.real_pairs.size(); ++b) {
    const int64_t pairs = of_synthetic ? total.synthetic_pairs[b] : total.real_pairs[b];
    const double sum = (of_synthetic ? total.synthetic_sum[b] : total.real_sum[b]).value();
    means.push_back(pairs ? (sum / static_cast<double>(pairs) - unlinked) / (1.0 - unlinked)
                          : std::numeric_limits<double>::quiet_NaN());
  }
  return means;
}

double ld_shortfall(const std::vector<double>& reference, const std::vector<double>& other) {
  double sum = 0.0;
  int bins = 0;
  for (size_t b = 0; b < reference.size() && b < other.size(); ++b)
    if (std::isfinite(reference[b]) && std::isfinite(other[b])) {
      sum += reference[b] - other[b];
      ++bins;
    }
  return bins ? sum / bins : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace sc
