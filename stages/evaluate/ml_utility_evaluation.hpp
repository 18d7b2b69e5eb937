// Machine-learning utility of a synthetic table (the hackathon's "relative prediction error"):
// for each configured target column of a root table, a model trained on the synthetic rows and
// the same model trained on the real training rows, both tested on the real hold-out rows (the
// persons the fit never saw). Binary targets (a categorical column with two categories; the later
// one in sorted order is the positive class) get L2-penalised logistic regression scored by AUC;
// numeric targets ridge regression scored by R^2. Features: every other scored column of the table
// (keys and references never), standardised numbers and one-hot categories (metrics/ml_design).
// Everything is built from per-shard pieces with exact sums, merged in shard order: the models
// and scores are the same for any rank count.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct MlUtilityOptions {
  uint64_t seed = 1;                // run.seed: the hold-out split
  double holdout_fraction = 0.0;    // evaluate.holdout_fraction (must be > 0)
  double lambda = 1.0;              // L2 penalty of both models
};

// {target, task, metric, trained_on_synthetic, trained_on_real, ratio, rows: {...}}
nlohmann::json evaluate_ml_utility(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                   const std::string& table, const std::string& target, const MlUtilityOptions& options);

}  // namespace sc
