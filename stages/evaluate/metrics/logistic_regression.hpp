// Logistic regression for a binary target, fitted by Newton's method with an L2 penalty lambda on
// every coefficient but the intercept: minimise -sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]
// + (lambda / 2) |beta_1..|^2, p_i = 1 / (1 + exp(-x_i . beta)). Each Newton step needs the
// gradient sum_i (p_i - y_i) x_i and the Hessian sum_i p_i (1 - p_i) x_i x_i^T: one piece per shard,
// with exact sums, so that the step, and the fitted model, are the same for any split of the rows
// over shards and ranks. The stage runs the loop: broadcast beta, compute and gather pieces, step.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "stages/evaluate/metrics/exact_sum.hpp"
#include "stages/evaluate/metrics/ml_design.hpp"

namespace sc::metrics {

struct NewtonPiece {
  int width = 0;
  std::int64_t rows = 0;
  std::vector<ExactSum> gradient;  // width
  std::vector<ExactSum> hessian;   // upper triangle, row by row: width (width + 1) / 2
};

NewtonPiece compute_newton_piece(const MlDesign& shard, const Eigen::VectorXd& beta);
void merge(NewtonPiece& into, const NewtonPiece& from);
std::vector<std::uint8_t> serialize(const NewtonPiece& piece);
NewtonPiece deserialize_newton(std::span<const std::uint8_t> bytes);

// beta - H^-1 g for the penalised objective, from the merged piece of all training rows.
Eigen::VectorXd newton_step(const Eigen::VectorXd& beta, const NewtonPiece& total, double lambda);

struct LogisticFit {
  Eigen::VectorXd beta;
  int iterations = 0;
  bool converged = false;
};
// The whole loop over local shards (tests, single-rank runs): steps until no coefficient moves by
// more than `tolerance`, or `max_iterations`.
LogisticFit fit_logistic(std::span<const MlDesign> shards, double lambda, double tolerance = 1e-10,
                         int max_iterations = 100);

// The linear predictor x . beta of each row (AUC ranks it; the probability is its logistic).
Eigen::VectorXd linear_predictor(const MlDesign& shard, const Eigen::VectorXd& beta);

}  // namespace sc::metrics
