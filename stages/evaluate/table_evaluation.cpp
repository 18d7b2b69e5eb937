#include "stages/evaluate/table_evaluation.hpp"

#include <algorithm>
#include <cmath>

#include "pipeline/error.hpp"
#include "pipeline/holdout.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/metrics/dcr.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/evaluate/table_views.hpp"

namespace sc {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

// The per-row DCRs as 20 equal bins over [0, 1] (a DCR is a mean of per-column distances in
// [0, 1]; anything above 1 joins the last bin), for the report's DCR chart. Counts of the same
// per-row values: identical for any rank count.
nlohmann::json dcr_histogram(const std::vector<double>& dcr) {
  constexpr int bins = 20;
  std::vector<int64_t> counts(bins, 0);
  std::vector<double> edges(bins + 1);
  for (int b = 0; b <= bins; ++b) edges[static_cast<size_t>(b)] = static_cast<double>(b) / bins;
  for (double d : dcr)
    if (std::isfinite(d)) ++counts[static_cast<size_t>(std::clamp(d * bins, 0.0, bins - 1.0))];
  return {{"edges", edges}, {"counts", counts}};
}

nlohmann::json dcr_json(const metrics::DcrSummary& summary) {
  return {{"median_dcr", number(summary.median_dcr)}, {"mean_dcr", number(summary.mean_dcr)},
          {"exact_match_share", number(summary.exact_match_share)}, {"nndr_median", number(summary.nndr_median)},
          {"histogram", dcr_histogram(summary.dcr)}};
}

// DCR of every synthetic row to the real training rows (and hold-out rows when there are some).
nlohmann::json evaluate_privacy(const Communicator& comm, const TableRows& real, const TableRows& synthetic,
                                const ScoredColumns& scored, const TableEvaluationOptions& options) {
  int key_column = real.meta.column_index(real.meta.primary_key);
  metrics::TableData training, holdout;
  // Every rank holds the reference rows: the synthetic rows are what is spread over ranks.
  for (int64_t s = 0; s < static_cast<int64_t>(real.shards.size()); ++s) {
    TableShard shard = read_table_shard(real.reader, real.shards[static_cast<size_t>(s)], real.meta);
    metrics::TableData data = shard_table_data(shard, scored, false);
    std::vector<uint8_t> in_training(static_cast<size_t>(shard.rows())), in_holdout(in_training.size());
    for (int64_t r = 0; r < shard.rows(); ++r) {
      bool out = held_out(options.seed, shard.columns[static_cast<size_t>(key_column)].i64[static_cast<size_t>(r)],
                          options.holdout_fraction);
      in_holdout[static_cast<size_t>(r)] = out;
      in_training[static_cast<size_t>(r)] = !out;
    }
    append_rows(training, data, in_training);
    append_rows(holdout, data, in_holdout);
  }
  auto profile = [](const metrics::TableData& data) { return metrics::compute_profile_piece(data.view()); };
  metrics::ProfilePiece training_profile = profile(training);
  metrics::DcrPlan training_plan = metrics::make_dcr_plan(scored.kinds, training_profile);
  // Each reference table is indexed once (dcr_index.hpp) and searched by every synthetic shard.
  metrics::DcrIndex training_rows =
      metrics::build_dcr_index(metrics::encode_dcr_rows(training.view(), training_plan), training_plan.rules);
  bool with_holdout = holdout.view().rows() > 0;
  metrics::DcrPlan holdout_plan;
  metrics::DcrIndex holdout_rows;
  if (with_holdout) {
    holdout_plan = metrics::make_dcr_plan(scored.kinds, profile(holdout));
    holdout_rows = metrics::build_dcr_index(metrics::encode_dcr_rows(holdout.view(), holdout_plan), holdout_plan.rules);
  }
  int columns = static_cast<int>(scored.kinds.size());
  int64_t shards = static_cast<int64_t>(synthetic.shards.size());
  auto nearest = [&](const metrics::DcrPlan& plan, const metrics::DcrIndex& reference) {
    metrics::NearestSet set;
    for (const auto& bytes : gather_shard_pieces(comm, shards, [&](int64_t s) {
           metrics::TableData data = load_selected_rows(synthetic, s, scored);
           metrics::NearestSet one;
           metrics::merge(one, metrics::compute_nearest_piece(s, metrics::encode_dcr_rows(data.view(), plan), reference, plan));
           return metrics::serialize(one);
         }))
      metrics::merge(set, metrics::deserialize_nearest(std::span<const uint8_t>(bytes)));
    return set;
  };
  metrics::NearestSet to_training = nearest(training_plan, training_rows);
  nlohmann::json out = {{"reference_rows_training", training.view().rows()},
                        {"reference_rows_holdout", holdout.view().rows()},
                        {"dcr_to_training", dcr_json(metrics::summarize_dcr(to_training, columns))}};
  if (with_holdout) {
    metrics::NearestSet to_holdout = nearest(holdout_plan, holdout_rows);
    metrics::OverfittingProtection overfitting = metrics::finish_overfitting_protection(to_training, to_holdout, columns);
    out["dcr_to_holdout"] = dcr_json(metrics::summarize_dcr(to_holdout, columns));
    out["dcr_overfitting_protection"] = {{"score", number(overfitting.score)},
                                         {"closer_to_training", number(overfitting.closer_to_training)},
                                         {"closer_to_holdout", number(overfitting.closer_to_holdout)}};
  }
  return out;
}

}  // namespace

nlohmann::json evaluate_table(const Communicator& comm, const StageReader& real_reader,
                              const StageReader& synthetic_reader, const std::string& table,
                              const TableEvaluationOptions& options) {
  const TableRows real = select_rows(real_reader, table, false, RowSelection::all, options.seed, options.holdout_fraction);
  const TableRows synthetic = select_rows(synthetic_reader, table, true, RowSelection::all, options.seed, options.holdout_fraction);
  ScoredColumns scored = scored_columns(real.meta, synthetic.meta);

  auto profile_of = [&](const TableRows& side) {
    return merged_shard_pieces<metrics::ProfilePiece>(
        comm, static_cast<int64_t>(side.shards.size()),
        [&](int64_t s) { return metrics::serialize(metrics::compute_profile_piece(load_selected_rows(side, s, scored).view())); },
        [](std::span<const uint8_t> b) { return metrics::deserialize_profile(b); });
  };
  metrics::ProfilePiece real_profile = profile_of(real), synthetic_profile = profile_of(synthetic);
  metrics::QualityPlan plan = metrics::make_quality_plan(scored.kinds, real_profile, synthetic_profile);
  auto quality_of = [&](const TableRows& side) {
    return merged_shard_pieces<metrics::QualityPiece>(
        comm, static_cast<int64_t>(side.shards.size()),
        [&](int64_t s) {
          return metrics::serialize(metrics::compute_quality_piece(
              load_selected_rows(side, s, scored).view(), plan,
              side.synthetic ? metrics::TableSide::synthetic : metrics::TableSide::real));
        },
        [](std::span<const uint8_t> b) { return metrics::deserialize_quality(b); });
  };
  metrics::QualityScores scores = metrics::finish_quality(plan, quality_of(real), quality_of(synthetic));

  nlohmann::json columns = nlohmann::json::array();
  for (size_t k = 0; k < scores.columns.size(); ++k)
    columns.push_back({{"column", scored.names[k]}, {"metric", scores.columns[k].metric},
                       {"score", number(scores.columns[k].score)}});
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : scores.pairs)
    pairs.push_back({{"columns", {scored.names[static_cast<size_t>(p.pair.first)], scored.names[static_cast<size_t>(p.pair.second)]}},
                     {"metric", p.metric}, {"score", number(p.score)},
                     {"real_correlation", number(p.real_correlation)},
                     {"synthetic_correlation", number(p.synthetic_correlation)},
                     {"real_association", number(p.real_association)}, {"meets_threshold", p.meets_threshold},
                     {"score_shared_bins", number(p.score_shared_bins)},
                     {"meets_threshold_shared_bins", p.meets_threshold_shared_bins}});
  nlohmann::json out = {
      {"column_shapes", number(scores.column_shapes)},
      {"column_pair_trends", number(scores.pair_trends)},
      {"column_pair_trends_thresholded", number(scores.pair_trends_thresholded)},
      {"quality_score", number(scores.overall)},
      {"quality_score_sdmetrics_0_27", number(scores.overall_thresholded)},
      {"ours_shared_bins", {{"column_pair_trends", number(scores.pair_trends_shared_bins)},
                            {"column_pair_trends_thresholded", number(scores.pair_trends_shared_bins_thresholded)},
                            {"quality_score", number(scores.overall_shared_bins)},
                            {"quality_score_thresholded", number(scores.overall_shared_bins_thresholded)}}},
      {"columns", columns},
      {"pairs", pairs}};
  if (options.privacy && !real.meta.primary_key.empty() && real.meta.parent.empty())
    out["privacy"] = evaluate_privacy(comm, real, synthetic, scored, options);
  return out;
}

}  // namespace sc
