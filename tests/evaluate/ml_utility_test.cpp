// The machine-learning utility core: ridge and logistic regression against closed forms, AUC and
// R^2 on hand cases, and the same fitted model and scores for any split of the rows into shards.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "stages/evaluate/metrics/logistic_regression.hpp"
#include "stages/evaluate/metrics/ml_design.hpp"
#include "stages/evaluate/metrics/prediction_scores.hpp"
#include "stages/evaluate/metrics/ridge_regression.hpp"
#include "table_fixtures.hpp"

namespace sc::metrics {
namespace {

using testing::same_bits;

MlDesign design_of(const std::vector<std::vector<double>>& rows, const std::vector<double>& y) {
  MlDesign design;
  design.x.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.front().size()));
  design.y.resize(static_cast<Eigen::Index>(y.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) design.x(r, c) = rows[r][c];
    design.y(r) = y[r];
  }
  return design;
}

TEST(RidgeRegression, RecoversAnExactLine) {
  const auto design = design_of({{1, 0}, {1, 1}, {1, 2}, {1, 5}}, {1, 3, 5, 11});  // y = 1 + 2x
  const auto beta = solve_ridge(compute_normal_equations_piece(design), 0.0);
  EXPECT_NEAR(beta(0), 1.0, 1e-12);
  EXPECT_NEAR(beta(1), 2.0, 1e-12);
}

TEST(RidgeRegression, PenaltySparesTheIntercept) {
  const auto design = design_of({{1, 0}, {1, 1}, {1, 2}, {1, 5}}, {1, 2, 7, 11});
  const double lambda = 3.0;
  Eigen::MatrixXd penalty = Eigen::MatrixXd::Identity(2, 2) * lambda;
  penalty(0, 0) = 0.0;
  const Eigen::VectorXd expected =
      (design.x.transpose() * design.x + penalty).ldlt().solve(design.x.transpose() * design.y);
  const auto beta = solve_ridge(compute_normal_equations_piece(design), lambda);
  EXPECT_NEAR(beta(0), expected(0), 1e-12);
  EXPECT_NEAR(beta(1), expected(1), 1e-12);
}

TEST(LogisticRegression, MatchesTheClosedFormForOneBinaryFeature) {
  // x = 0: 3 positives of 10; x = 1: 8 of 10. The unpenalised fit is logit(0.3) and
  // logit(0.8) - logit(0.3).
  std::vector<std::vector<double>> rows;
  std::vector<double> y;
  for (int i = 0; i < 10; ++i) rows.push_back({1, 0}), y.push_back(i < 3 ? 1 : 0);
  for (int i = 0; i < 10; ++i) rows.push_back({1, 1}), y.push_back(i < 8 ? 1 : 0);
  const std::vector<MlDesign> shards{design_of(rows, y)};
  const auto fit = fit_logistic(shards, 0.0);
  ASSERT_TRUE(fit.converged);
  auto logit = [](double p) { return std::log(p / (1 - p)); };
  EXPECT_NEAR(fit.beta(0), logit(0.3), 1e-10);
  EXPECT_NEAR(fit.beta(1), logit(0.8) - logit(0.3), 1e-10);
}

TEST(PredictionScores, AucHandComputedWithTies) {
  Eigen::VectorXd scores(4), labels(4);
  scores << 0.1, 0.4, 0.35, 0.8;
  labels << 0, 0, 1, 1;
  EXPECT_DOUBLE_EQ(finish_auc(compute_auc_piece(scores, labels)), 0.75);
  Eigen::VectorXd tied(2), tied_labels(2);
  tied << 0.5, 0.5;
  tied_labels << 0, 1;
  EXPECT_DOUBLE_EQ(finish_auc(compute_auc_piece(tied, tied_labels)), 0.5);
  Eigen::VectorXd one_class(2);
  one_class << 1, 1;
  EXPECT_TRUE(std::isnan(finish_auc(compute_auc_piece(tied, one_class))));
}

TEST(PredictionScores, RSquaredHandComputed) {
  Eigen::VectorXd predictions(3), targets(3);
  predictions << 1, 2, 2;
  targets << 1, 2, 3;
  EXPECT_DOUBLE_EQ(finish_r_squared(compute_r_squared_piece(predictions, targets)), 0.5);  // 1 - 1 / 2
}

TEST(MlDesign, StandardisesWithTrainingMomentsAndEncodesCategories) {
  TableData table;
  table.columns = {{ColumnKind::numeric, {}, {1, 3, 100}, {0, 0, 1}},
                   {ColumnKind::categorical, {0, -1, 1}, {}, {}},
                   {ColumnKind::numeric, {}, {5, 6, 7}, {}}};
  const MlColumns columns{{0, 1}, 2, std::nullopt};
  const auto plan = make_feature_plan(columns, {ColumnKind::numeric, ColumnKind::categorical},
                                      compute_moment_piece(table.view(), columns));
  EXPECT_DOUBLE_EQ(plan.mean[0], 2.0);
  EXPECT_DOUBLE_EQ(plan.scale[0], 1.0);  // population sd of {1, 3}
  const auto design = encode_design(table.view(), plan);
  ASSERT_EQ(design.x.cols(), 1 + 1 + 3);  // intercept, x, codes 0 and 1, missing
  EXPECT_EQ(design.x.row(0), (Eigen::RowVectorXd(5) << 1, -1, 1, 0, 0).finished());
  EXPECT_EQ(design.x.row(1), (Eigen::RowVectorXd(5) << 1, 1, 0, 0, 1).finished());
  EXPECT_EQ(design.x.row(2), (Eigen::RowVectorXd(5) << 1, 0, 0, 1, 0).finished());  // missing x: the mean
}

TEST(MlUtility, SameModelAndScoresForAnySplit) {
  const auto train = testing::random_mixed_table(3000, 61);
  const auto test = testing::random_mixed_table(1000, 62);
  const std::vector<ColumnKind> feature_kinds{ColumnKind::categorical, ColumnKind::numeric, ColumnKind::date,
                                              ColumnKind::numeric};
  const MlColumns binary{{0, 1, 3, 4}, 2, 1};
  const MlColumns numeric{{0, 1, 3, 4}, 5, std::nullopt};
  struct Result {
    Eigen::VectorXd logistic, ridge;
    double auc, r2;
  };
  auto run = [&](int shards) {
    const auto parts = testing::split_into_shards(train, shards);
    Result result;
    for (const MlColumns* columns : {&binary, &numeric}) {
      MomentPiece moments = compute_moment_piece(parts[0].view(), *columns);
      for (int s = 1; s < shards; ++s)
        merge(moments, deserialize_moments(serialize(compute_moment_piece(parts[s].view(), *columns))));
      const auto plan = make_feature_plan(*columns, feature_kinds, moments);
      std::vector<MlDesign> designs;
      for (const auto& part : parts) designs.push_back(encode_design(part.view(), plan));
      const auto held_out = encode_design(test.view(), plan);
      if (columns == &binary) {
        result.logistic = fit_logistic(designs, 1.0).beta;
        result.auc = finish_auc(compute_auc_piece(linear_predictor(held_out, result.logistic), held_out.y));
      } else {
        NormalEquationsPiece normal = compute_normal_equations_piece(designs[0]);
        for (int s = 1; s < shards; ++s)
          merge(normal, deserialize_normal_equations(serialize(compute_normal_equations_piece(designs[s]))));
        result.ridge = solve_ridge(normal, 1.0);
        result.r2 = finish_r_squared(compute_r_squared_piece(linear_predictor(held_out, result.ridge), held_out.y));
      }
    }
    return result;
  };
  const Result whole = run(1);
  // The fixture's column 5 is built from columns 0 and 1, so the ridge model predicts it.
  EXPECT_GT(whole.r2, 0.5);
  for (int shards : {3, 8}) {
    const Result split = run(shards);
    for (Eigen::Index j = 0; j < whole.logistic.size(); ++j) EXPECT_TRUE(same_bits(whole.logistic(j), split.logistic(j)));
    for (Eigen::Index j = 0; j < whole.ridge.size(); ++j) EXPECT_TRUE(same_bits(whole.ridge(j), split.ridge(j)));
    EXPECT_TRUE(same_bits(whole.auc, split.auc));
    EXPECT_TRUE(same_bits(whole.r2, split.r2));
  }
}

TEST(MlUtility, PiecesMergeAcrossShardsOfPredictions) {
  Eigen::VectorXd a(3), la(3), b(2), lb(2);
  a << 0.2, 0.9, 0.5;
  la << 0, 1, 1;
  b << 0.5, 0.1;
  lb << 0, 1;
  AucPiece merged = compute_auc_piece(a, la);
  merge(merged, deserialize_auc(serialize(compute_auc_piece(b, lb))));
  Eigen::VectorXd all(5), labels(5);
  all << 0.2, 0.9, 0.5, 0.5, 0.1;
  labels << 0, 1, 1, 0, 1;
  EXPECT_TRUE(same_bits(finish_auc(merged), finish_auc(compute_auc_piece(all, labels))));
  EXPECT_EQ(merged.scores, (std::vector<double>{0.1, 0.2, 0.5, 0.9}));
}

}  // namespace
}  // namespace sc::metrics
