// Ridge regression for a numeric target: minimise |y - X beta|^2 + lambda |beta_1..|^2 (the
// intercept unpenalised), solved from the normal equations (X^T X + lambda I') beta = X^T y. The
// two sums over rows are the piece: one per shard, exact, so the fitted model is the same for any
// split of the rows over shards and ranks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "stages/evaluate/metrics/exact_sum.hpp"
#include "stages/evaluate/metrics/ml_design.hpp"

namespace sc::metrics {

struct NormalEquationsPiece {
  int width = 0;
  std::int64_t rows = 0;
  std::vector<ExactSum> gram;   // X^T X, upper triangle row by row
  std::vector<ExactSum> moment; // X^T y
};

NormalEquationsPiece compute_normal_equations_piece(const MlDesign& shard);
void merge(NormalEquationsPiece& into, const NormalEquationsPiece& from);
std::vector<std::uint8_t> serialize(const NormalEquationsPiece& piece);
NormalEquationsPiece deserialize_normal_equations(std::span<const std::uint8_t> bytes);

Eigen::VectorXd solve_ridge(const NormalEquationsPiece& total, double lambda);

}  // namespace sc::metrics
