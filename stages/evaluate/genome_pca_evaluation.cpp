#include "stages/evaluate/genome_pca_evaluation.hpp"

#include <algorithm>
#include <functional>

#include <tbb/parallel_for.h>

#include "pipeline/progress.hpp"
#include "stages/evaluate/metrics/genome_pca.hpp"
#include "stages/evaluate/shard_pieces.hpp"

namespace sc {
namespace {

// sum over windows (in window order) of the matrices compute(k) of this rank's windows (slot k)
// and the other ranks' ones. A rank's windows are computed in parallel: each piece is the same
// bits whichever thread computes it, and the sum's order is the windows'.
Eigen::MatrixXd sum_over_windows(const Communicator& comm, const Panels& p, Progress& progress,
                                 const std::function<Eigen::MatrixXd(size_t)>& compute) {
  std::vector<std::vector<uint8_t>> own(p.own.size());
  tbb::parallel_for(size_t{0}, own.size(), [&](size_t k) { own[k] = metrics::serialize(compute(k)); });
  for (size_t k = 0; k < own.size(); ++k) progress.shard_done(1);
  auto pieces = gather_shard_pieces(comm, p.windows(), [&](int64_t w) { return std::move(own[p.slot(w)]); });
  Eigen::MatrixXd total;
  for (const auto& bytes : pieces) {
    Eigen::MatrixXd piece = metrics::deserialize_matrix(bytes);
    if (total.size() == 0) total = piece;
    else total += piece;
  }
  return total;
}

std::vector<int64_t> indices_where(const std::vector<bool>& flags) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < flags.size(); ++i)
    if (flags[i]) out.push_back(static_cast<int64_t>(i));
  return out;
}

nlohmann::json score_rows(const Eigen::MatrixXd& scores) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index c = 0; c < std::min<Eigen::Index>(2, scores.cols()); ++c) row.push_back(finite_or_null(scores(i, c)));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

nlohmann::json evaluate_pca(const Communicator& comm, const Panels& p, const std::vector<WindowCounts>& counts) {
  std::vector<metrics::PcaColumns> columns;
  int64_t selected = 0;
  for (size_t k = 0; k < p.own.size(); ++k) {
    columns.push_back(metrics::pca_columns(bits_of(p.real[k]), p.own[k], counts[k].training, 2 * p.training_count,
                                           p.options.pca_maf_min));
    selected += static_cast<int64_t>(columns.back().variants.size());
  }
  selected = comm.allreduce_sum(selected);
  const std::vector<int64_t> train = indices_where(p.training), held = indices_where(p.holdout);
  const std::vector<int64_t> synthetic = indices_where(p.everyone);
  const int64_t components = std::min({p.options.pca_components, p.training_count - 1, selected});
  if (components < 1) return {{"components", 0}, {"variants", selected}, {"explained_variance", nlohmann::json::array()},
                              {"reference", nlohmann::json::array()}, {"synthetic", nlohmann::json::array()}};
  const int64_t width = std::min({components + 10, p.training_count, selected});
  const uint64_t seed = p.options.seed;
  // Passes over the windows: Y, the power iterations, Z, the Gram matrix, the total variance and
  // the two projections (a side with no individuals is not projected).
  const int64_t passes = 5 + p.options.pca_power_iterations + (held.empty() ? 0 : 1) + (synthetic.empty() ? 0 : 1);
  Progress progress(comm, "evaluate", "genome PCA window passes", passes * p.windows(), "windows");
  // Range finder with power iterations: Y = X Omega, then Y = X (X^T Q) with Q = orth(Y).
  Eigen::MatrixXd y = sum_over_windows(comm, p, progress, [&](size_t k) {
    return metrics::times(columns[k], train, metrics::rademacher_rows(seed, columns[k], width));
  });
  for (int it = 0; it < p.options.pca_power_iterations; ++it) {
    const Eigen::MatrixXd q = metrics::orthonormal_basis(y);
    y = sum_over_windows(comm, p, progress, [&](size_t k) {
      return metrics::times(columns[k], train, metrics::transpose_times(columns[k], train, q));
    });
  }
  const Eigen::MatrixXd q = metrics::orthonormal_basis(y);
  // Z_w = X_w^T Q stays with the window's owner; the Gram matrix of B = Q^T X is sum Z_w^T Z_w.
  std::vector<Eigen::MatrixXd> z(columns.size());
  tbb::parallel_for(size_t{0}, columns.size(), [&](size_t k) { z[k] = metrics::transpose_times(columns[k], train, q); });
  for (size_t k = 0; k < columns.size(); ++k) progress.shard_done(1);
  const Eigen::MatrixXd gram = sum_over_windows(comm, p, progress, [&](size_t k) { return Eigen::MatrixXd(z[k].transpose() * z[k]); });
  const metrics::PcaAxes axes = metrics::pca_axes(gram, components);
  const Eigen::MatrixXd total_variance = sum_over_windows(comm, p, progress, [&](size_t k) {
    return Eigen::MatrixXd::Constant(1, 1, metrics::squared_norm(columns[k], train));
  });
  Eigen::MatrixXd reference = q * axes.w * axes.singular.asDiagonal();
  // Loadings V_w = Z_w W S^-1 project any individual standardized with the training frequencies.
  const Eigen::VectorXd inverse = axes.singular.unaryExpr([](double s) { return s > 0.0 ? 1.0 / s : 0.0; });
  auto project = [&](bool synthetic_side, const std::vector<int64_t>& individuals) {
    if (individuals.empty()) return Eigen::MatrixXd(0, axes.w.cols());
    return sum_over_windows(comm, p, progress, [&](size_t k) {
      metrics::PcaColumns on = columns[k];
      if (synthetic_side) on.window = bits_of(p.synth[k]);
      return metrics::times(on, individuals, Eigen::MatrixXd(z[k] * axes.w * inverse.asDiagonal()));
    });
  };
  Eigen::MatrixXd synthetic_scores = project(true, synthetic), holdout_scores = project(false, held);
  // A component's sign is arbitrary: the reference individual farthest along it is made positive.
  for (Eigen::Index c = 0; c < reference.cols(); ++c) {
    Eigen::Index far = 0;
    reference.col(c).cwiseAbs().maxCoeff(&far);
    if (reference(far, c) < 0) {
      reference.col(c) *= -1.0;
      if (synthetic_scores.rows()) synthetic_scores.col(c) *= -1.0;
      if (holdout_scores.rows()) holdout_scores.col(c) *= -1.0;
    }
  }
  nlohmann::json explained = nlohmann::json::array();
  for (Eigen::Index c = 0; c < axes.singular.size(); ++c)
    explained.push_back(finite_or_null(axes.singular(c) * axes.singular(c) / total_variance(0, 0)));
  return {{"components", components},
          {"variants", selected},
          {"maf_min", p.options.pca_maf_min},
          {"power_iterations", p.options.pca_power_iterations},
          {"explained_variance", explained},
          {"reference", score_rows(reference)},
          {"holdout", score_rows(holdout_scores)},
          {"synthetic", score_rows(synthetic_scores)}};
}

}  // namespace sc
