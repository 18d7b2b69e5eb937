#include "stages/evaluate/ml_utility_evaluation.hpp"

#include <cmath>
#include <optional>

#include "pipeline/error.hpp"
#include "pipeline/holdout.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/metrics/logistic_regression.hpp"
#include "stages/evaluate/metrics/ml_design.hpp"
#include "stages/evaluate/metrics/prediction_scores.hpp"
#include "stages/evaluate/metrics/ridge_regression.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/evaluate/table_views.hpp"

namespace sc {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

int64_t shard_count(const TableRows& set) { return static_cast<int64_t>(set.shards.size()); }

// Trains on `train` and scores on `test`; also returns the rows each side used.
struct Outcome {
  double score = NAN;
  int64_t train_rows = 0, test_rows = 0;
};

Outcome train_and_test(const Communicator& comm, const TableRows& train, const TableRows& test, const ScoredColumns& scored,
                       const metrics::MlColumns& columns, bool binary, const MlUtilityOptions& options) {
  std::vector<metrics::ColumnKind> feature_kinds;
  for (int f : columns.features) feature_kinds.push_back(scored.kinds[static_cast<size_t>(f)]);
  auto design_of = [&](const TableRows& set, int64_t s, const metrics::FeaturePlan& plan) {
    return metrics::encode_design(load_selected_rows(set, s, scored).view(), plan);
  };
  // The feature plan from the training rows' moments.
  const metrics::MomentPiece moments = merged_shard_pieces<metrics::MomentPiece>(
      comm, shard_count(train),
      [&](int64_t s) {
        return metrics::serialize(metrics::compute_moment_piece(load_selected_rows(train, s, scored).view(), columns));
      },
      metrics::deserialize_moments);
  const metrics::FeaturePlan plan = metrics::make_feature_plan(columns, feature_kinds, moments);
  Outcome outcome;
  Eigen::VectorXd beta;
  if (binary) {
    // Newton's method, each step from the pieces of every training shard.
    beta = Eigen::VectorXd::Zero(plan.width());
    for (int iteration = 0; iteration < 50; ++iteration) {
      const metrics::NewtonPiece total = merged_shard_pieces<metrics::NewtonPiece>(
          comm, shard_count(train),
          [&](int64_t s) { return metrics::serialize(metrics::compute_newton_piece(design_of(train, s, plan), beta)); },
          metrics::deserialize_newton);
      outcome.train_rows = total.rows;
      Eigen::VectorXd next = metrics::newton_step(beta, total, options.lambda);
      const double moved = (next - beta).cwiseAbs().maxCoeff();
      beta = next;
      if (moved < 1e-10) break;
    }
    const metrics::AucPiece auc = merged_shard_pieces<metrics::AucPiece>(
        comm, shard_count(test),
        [&](int64_t s) {
          metrics::MlDesign design = design_of(test, s, plan);
          return metrics::serialize(metrics::compute_auc_piece(metrics::linear_predictor(design, beta), design.y));
        },
        metrics::deserialize_auc);
    for (size_t i = 0; i < auc.positives.size(); ++i) outcome.test_rows += auc.positives[i] + auc.negatives[i];
    outcome.score = metrics::finish_auc(auc);
  } else {
    const metrics::NormalEquationsPiece total = merged_shard_pieces<metrics::NormalEquationsPiece>(
        comm, shard_count(train),
        [&](int64_t s) { return metrics::serialize(metrics::compute_normal_equations_piece(design_of(train, s, plan))); },
        metrics::deserialize_normal_equations);
    outcome.train_rows = total.rows;
    beta = metrics::solve_ridge(total, options.lambda);
    const metrics::RSquaredPiece r2 = merged_shard_pieces<metrics::RSquaredPiece>(
        comm, shard_count(test),
        [&](int64_t s) {
          metrics::MlDesign design = design_of(test, s, plan);
          return metrics::serialize(metrics::compute_r_squared_piece(design.x * beta, design.y));
        },
        metrics::deserialize_r_squared);
    outcome.test_rows = r2.rows;
    outcome.score = metrics::finish_r_squared(r2);
  }
  return outcome;
}

}  // namespace

nlohmann::json evaluate_ml_utility(const Communicator& comm, const StageReader& real_reader,
                                   const StageReader& synthetic_reader, const std::string& table,
                                   const std::string& target, const MlUtilityOptions& options) {
  const TableRows real_train = select_rows(real_reader, table, false, RowSelection::training, options.seed, options.holdout_fraction);
  const TableRows real_test = select_rows(real_reader, table, false, RowSelection::holdout, options.seed, options.holdout_fraction);
  const TableRows synthetic = select_rows(synthetic_reader, table, true, RowSelection::all, options.seed, options.holdout_fraction);
  SC_EXPECTS(!real_train.meta.primary_key.empty() && real_train.meta.parent.empty(), ConfigError,
             "evaluate.ml_targets: " + table + "." + target + ": targets must be columns of a root table with a primary key (the hold-out is by person)");
  SC_EXPECTS(options.holdout_fraction > 0, ConfigError,
             "evaluate.ml_targets needs evaluate.holdout_fraction > 0: models are tested on real persons the fit did not see");
  const ScoredColumns scored = scored_columns(real_train.meta, synthetic.meta);
  metrics::MlColumns columns;
  for (size_t k = 0; k < scored.names.size(); ++k) {
    if (scored.names[k] == target) columns.target = static_cast<int>(k);
    else columns.features.push_back(static_cast<int>(k));
  }
  SC_EXPECTS(columns.target >= 0, ConfigError,
             "evaluate.ml_targets: table " + table + " has no scored column '" + target + "' (keys and references are not targets)");
  const auto kind = scored.kinds[static_cast<size_t>(columns.target)];
  bool binary = false;
  if (kind == metrics::ColumnKind::categorical) {
    const auto& dictionary = scored.dictionaries[static_cast<size_t>(columns.target)];
    SC_EXPECTS(dictionary.size() == 2, ConfigError,
               "evaluate.ml_targets: " + table + "." + target + " has " + std::to_string(dictionary.size()) +
                   " categories; a categorical target needs exactly two (binary), or give a numeric column");
    binary = true;
    columns.positive_code = 1;  // the later of the two categories in sorted order, e.g. "1" of 0/1
  }
  nlohmann::json out = {{"table", table}, {"target", target}, {"task", binary ? "binary" : "numeric"},
                        {"model", binary ? "logistic regression (L2)" : "ridge regression"},
                        {"metric", binary ? "AUC" : "R^2"}, {"lambda", options.lambda}};
  if (binary) out["positive_class"] = scored.dictionaries[static_cast<size_t>(columns.target)][1];
  const Outcome on_synthetic = train_and_test(comm, synthetic, real_test, scored, columns, binary, options);
  const Outcome on_real = train_and_test(comm, real_train, real_test, scored, columns, binary, options);
  out["trained_on_synthetic"] = number(on_synthetic.score);
  out["trained_on_real"] = number(on_real.score);
  out["ratio"] = number(on_synthetic.score / on_real.score);
  out["rows"] = {{"synthetic_training", on_synthetic.train_rows}, {"real_training", on_real.train_rows},
                 {"real_holdout", on_real.test_rows}};
  return out;
}

}  // namespace sc
