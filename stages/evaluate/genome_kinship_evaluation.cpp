#include "stages/evaluate/genome_kinship_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pipeline/progress.hpp"

namespace sc {
namespace {

// The planes of window slot k: the panel's individuals, then the synthetic ones.
metrics::GenotypePlanes combined_planes(const Panels& p, size_t k) {
  const metrics::HaplotypeBits parts[] = {bits_of(p.real[k]), bits_of(p.synth[k])};
  return metrics::genotype_planes(parts);
}

metrics::NearestRelatives nearest_relatives(const Communicator& comm, const Panels& p) {
  const int64_t n = p.panel + p.synthetic;
  metrics::NearestRelatives nearest(static_cast<size_t>(n));
  // Rows of pairs in blocks whose two int32 counters fit the budget; each block's counts are
  // summed over this rank's windows and then over ranks (exact), and every rank updates the
  // nearest relatives from the same totals.
  const int64_t rows_per_block = std::clamp<int64_t>(p.options.pair_block_bytes / (8 * std::max<int64_t>(n, 1)), 1,
                                                     (int64_t{1} << 30) / std::max<int64_t>(n, 1));
  const int64_t blocks = (n + rows_per_block - 1) / rows_per_block;
  // Heterozygote counts: integers summed over this rank's windows, then over ranks. The planes
  // of a window (2 bits per genotype, as much memory as the window) are built again for each
  // block rather than kept for all windows: building them costs one pass over the window, the
  // block's pair counts a pass per row.
  std::vector<int64_t> het(static_cast<size_t>(n), 0);
  for (size_t k = 0; k < p.own.size(); ++k) {
    const auto counts = metrics::heterozygote_counts(combined_planes(p, k));
    for (int64_t i = 0; i < n; ++i) het[static_cast<size_t>(i)] += counts[static_cast<size_t>(i)];
  }
  comm.allreduce_sum_inplace(het);
  Progress progress(comm, "evaluate", "genome kinship row blocks", blocks * comm.size(), "pairs");
  for (int64_t begin = 0; begin < n; begin += rows_per_block) {
    const int64_t end = std::min(n, begin + rows_per_block);
    std::vector<int32_t> hethet(static_cast<size_t>((end - begin) * n), 0), ibs0(hethet.size(), 0);
    for (size_t k = 0; k < p.own.size(); ++k)
      metrics::add_pair_counts(combined_planes(p, k), begin, end, hethet, ibs0);
    comm.allreduce_sum_inplace(hethet);
    comm.allreduce_sum_inplace(ibs0);
    metrics::update_nearest(nearest, p.roles, het, begin, end, hethet, ibs0);
    progress.shard_done((end - begin) * n);
  }
  return nearest;
}

std::vector<double> finite_values(const std::vector<double>& values, const Panels& p, GenomeRole role) {
  std::vector<double> out;
  for (size_t i = 0; i < values.size(); ++i)
    if (p.roles[i] == role && std::isfinite(values[i])) out.push_back(values[i]);
  return out;
}

nlohmann::json histogram(const std::vector<double>& values, const std::vector<double>& edges) {
  std::vector<int64_t> counts(edges.size() > 1 ? edges.size() - 1 : 0, 0);
  for (double v : values) {
    if (counts.empty()) break;
    auto bin = static_cast<int64_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()) - 1;
    bin = std::clamp<int64_t>(bin, 0, static_cast<int64_t>(counts.size()) - 1);
    ++counts[static_cast<size_t>(bin)];
  }
  return {{"edges", edges}, {"counts", counts}};
}

nlohmann::json max_kinship_json(const std::vector<double>& values, const std::vector<double>& edges) {
  return {{"individuals", values.size()},
          {"median", finite_or_null(metrics::quantile(values, 0.5))},
          {"p95", finite_or_null(metrics::quantile(values, 0.95))},
          {"max", finite_or_null(values.empty() ? std::numeric_limits<double>::quiet_NaN()
                                        : *std::max_element(values.begin(), values.end()))},
          {"histogram", histogram(values, edges)}};
}

nlohmann::json kinship(const Panels& p, const metrics::NearestRelatives& nearest) {
  const std::vector<double> synthetic = finite_values(nearest.max_kinship_to_training, p, GenomeRole::synthetic);
  const std::vector<double> holdout = finite_values(nearest.max_kinship_to_training, p, GenomeRole::holdout);
  // Shared edges: 20 equal bins over the range of both samples.
  std::vector<double> both = synthetic;
  both.insert(both.end(), holdout.begin(), holdout.end());
  std::vector<double> edges;
  if (!both.empty()) {
    double lo = *std::min_element(both.begin(), both.end()), hi = *std::max_element(both.begin(), both.end());
    if (hi - lo < 1e-3) { lo -= 0.0005; hi += 0.0005; }
    for (int e = 0; e <= 20; ++e) edges.push_back(e == 20 ? hi : lo + (hi - lo) * e / 20.0);
  }
  const double holdout_p95 = metrics::quantile(holdout, 0.95);
  const double holdout_max = holdout.empty() ? std::numeric_limits<double>::quiet_NaN()
                                             : *std::max_element(holdout.begin(), holdout.end());
  auto share_above = [&](double threshold) {
    if (!std::isfinite(threshold) || synthetic.empty()) return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(std::count_if(synthetic.begin(), synthetic.end(), [&](double k) { return k > threshold; })) /
           static_cast<double>(synthetic.size());
  };
  return {{"estimator", "KING-robust"},
          {"synthetic_max", max_kinship_json(synthetic, edges)},
          {"holdout_max", max_kinship_json(holdout, edges)},
          {"share_closer_than_holdout", finite_or_null(metrics::share_greater(synthetic, holdout))},
          {"share_above_holdout_p95", finite_or_null(share_above(holdout_p95))},
          {"share_above_holdout_max", finite_or_null(share_above(holdout_max))}};
}

nlohmann::json aats(const Panels& p, const metrics::NearestRelatives& nearest) {
  const auto train = metrics::adversarial_accuracy(nearest, p.roles, GenomeRole::training);
  nlohmann::json out = {{"distance", "genotype L1"},
                        {"aa_truth", finite_or_null(train.aa_truth)},
                        {"aa_synthetic", finite_or_null(train.aa_synthetic)},
                        {"aats", finite_or_null(train.aats)}};
  const auto held = metrics::adversarial_accuracy(nearest, p.roles, GenomeRole::holdout);
  out["aats_holdout"] = finite_or_null(held.aats);
  out["aa_truth_holdout"] = finite_or_null(held.aa_truth);
  out["aa_synthetic_holdout"] = finite_or_null(held.aa_synthetic);
  out["privacy_loss"] = finite_or_null(held.aats - train.aats);
  return out;
}

}  // namespace

RelatednessMetrics evaluate_relatedness(const Communicator& comm, const Panels& p) {
  const metrics::NearestRelatives nearest = nearest_relatives(comm, p);
  return {kinship(p, nearest), aats(p, nearest)};
}

}  // namespace sc
