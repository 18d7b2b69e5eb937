// How well a fitted model predicts the real hold-out rows: the area under the ROC curve for a
// binary target (the Mann-Whitney statistic: the chance that a positive row scores above a
// negative one, ties counting one half, as sklearn's roc_auc_score) and R^2 = 1 - SS_res / SS_tot
// for a numeric target (sklearn's r2_score). Pieces: for AUC, the sorted distinct scores with the
// number of positive and negative rows at each (merging sorted runs is exact); for R^2, the row
// count and exact sums of y, y^2 and squared residuals. Both merge exactly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "stages/evaluate/metrics/exact_sum.hpp"

namespace sc::metrics {

struct AucPiece {
  std::vector<double> scores;  // strictly increasing
  std::vector<std::int64_t> positives, negatives;
};
// `labels`: 0 or 1 per row; `scores`: any increasing function of the predicted probability.
AucPiece compute_auc_piece(const Eigen::VectorXd& scores, const Eigen::VectorXd& labels);
void merge(AucPiece& into, const AucPiece& from);
// NaN when either class is absent.
double finish_auc(const AucPiece& piece);
std::vector<std::uint8_t> serialize(const AucPiece& piece);
AucPiece deserialize_auc(std::span<const std::uint8_t> bytes);

struct RSquaredPiece {
  std::int64_t rows = 0;
  ExactSum sum_y, sum_y2, sum_residual2;
};
RSquaredPiece compute_r_squared_piece(const Eigen::VectorXd& predictions, const Eigen::VectorXd& targets);
void merge(RSquaredPiece& into, const RSquaredPiece& from);
// NaN with fewer than two rows or a constant target.
double finish_r_squared(const RSquaredPiece& piece);
std::vector<std::uint8_t> serialize(const RSquaredPiece& piece);
RSquaredPiece deserialize_r_squared(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics
