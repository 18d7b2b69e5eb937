// The design matrix of the machine-learning utility models (logistic and ridge regression): an
// intercept, the numeric and date features standardised with the training table's mean and
// population standard deviation (a missing value becomes the mean, i.e. 0), and one indicator
// column per category of each categorical feature plus one for its missing value. The plan comes
// from moment pieces of the training table (exact sums, so every rank builds the same plan) and is
// applied unchanged to the test table. Rows whose target is missing are left out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "stages/evaluate/metrics/column_view.hpp"
#include "stages/evaluate/metrics/exact_sum.hpp"
#include "stages/evaluate/metrics/tv_complement.hpp"

namespace sc::metrics {

struct MlColumns {
  std::vector<int> features;  // column indices in the shard (not the target)
  int target = -1;
  // Binary targets: a categorical target is 1 where its code equals positive_code; a numeric
  // target must hold 0 and 1. Numeric (ridge) targets leave this empty.
  std::optional<std::int32_t> positive_code;
};

struct MomentPiece {
  std::vector<std::int64_t> present;     // per feature (numeric and date features)
  std::vector<ExactSum> sum, sum_squares;
  std::vector<CategoryCounts> categories;  // per feature (categorical features)
};
MomentPiece compute_moment_piece(const ShardView& shard, const MlColumns& columns);
void merge(MomentPiece& into, const MomentPiece& from);
std::vector<std::uint8_t> serialize(const MomentPiece& piece);
MomentPiece deserialize_moments(std::span<const std::uint8_t> bytes);

struct FeaturePlan {
  MlColumns columns;
  std::vector<ColumnKind> kinds;  // per feature
  std::vector<double> mean, scale;  // numeric features
  std::vector<int> levels;          // categorical features: dictionary codes 0 .. levels-1
  int width() const;                // columns of the design matrix
};
FeaturePlan make_feature_plan(const MlColumns& columns, const std::vector<ColumnKind>& feature_kinds,
                              const MomentPiece& training);

struct MlDesign {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};
MlDesign encode_design(const ShardView& shard, const FeaturePlan& plan);

}  // namespace sc::metrics
