#include "stages/evaluate/disclosure_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "pipeline/error.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/metrics/disclosure_protection.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/evaluate/table_views.hpp"

namespace sc {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

metrics::DisclosurePiece pieces_of(const Communicator& comm, const TableRows& rows, const ScoredColumns& scored,
                                   const metrics::DisclosurePlan& plan) {
  return merged_shard_pieces<metrics::DisclosurePiece>(
      comm, static_cast<int64_t>(rows.shards.size()),
      [&](int64_t s) {
        return metrics::serialize(metrics::compute_disclosure_piece(
            load_selected_rows(rows, s, scored).view(), plan,
            rows.synthetic ? metrics::TableSide::synthetic : metrics::TableSide::real));
      },
      metrics::deserialize_disclosure);
}

// Known-value combinations (the first `known` codes of each tuple) with their row counts.
std::map<std::vector<int32_t>, int64_t> known_combinations(const metrics::DisclosurePiece& piece, size_t known) {
  std::map<std::vector<int32_t>, int64_t> out;
  const size_t width = static_cast<size_t>(piece.width);
  for (size_t t = 0; t < piece.counts.size(); ++t) {
    std::vector<int32_t> key(piece.tuples.begin() + static_cast<std::ptrdiff_t>(t * width),
                             piece.tuples.begin() + static_cast<std::ptrdiff_t>(t * width + known));
    out[key] += piece.counts[t];
  }
  return out;
}

nlohmann::json singling_out(const metrics::DisclosurePiece& real, const metrics::DisclosurePiece& synthetic, size_t known) {
  auto real_combinations = known_combinations(real, known);
  auto synthetic_combinations = known_combinations(synthetic, known);
  int64_t persons = 0, unique = 0, shown = 0;
  for (const auto& [key, count] : real_combinations) {
    persons += count;
    if (count != 1) continue;
    ++unique;
    shown += synthetic_combinations.count(key) ? 1 : 0;
  }
  return {{"persons", persons},
          {"unique_combinations", unique},
          {"unique_shown_by_synthetic", shown},
          {"rate", persons > 0 ? number(static_cast<double>(shown) / static_cast<double>(persons)) : nlohmann::json(nullptr)}};
}

}  // namespace

nlohmann::json evaluate_disclosure(const Communicator& comm, const StageReader& real_reader, const StageReader& synthetic_reader,
                                   const std::string& table, const DisclosureOptions& options) {
  const TableRows training = select_rows(real_reader, table, false, RowSelection::training, options.seed, options.holdout_fraction);
  const TableRows holdout = select_rows(real_reader, table, false, RowSelection::holdout, options.seed, options.holdout_fraction);
  const TableRows synthetic = select_rows(synthetic_reader, table, true, RowSelection::all, options.seed, options.holdout_fraction);
  const ScoredColumns scored = scored_columns(training.meta, synthetic.meta);
  auto indices = [&](const std::vector<std::string>& names, const char* key) {
    std::vector<int> out;
    for (const auto& name : names) {
      auto it = std::find(scored.names.begin(), scored.names.end(), name);
      SC_EXPECTS(it != scored.names.end(), ConfigError,
                 std::string(key) + ": table " + table + " has no scored column '" + name + "' (keys and references are not attributes)");
      out.push_back(static_cast<int>(it - scored.names.begin()));
    }
    return out;
  };
  const std::vector<int> known = indices(options.known, "evaluate.known_columns");
  const std::vector<int> sensitive = indices(options.sensitive, "evaluate.sensitive_columns");
  // Bins span the real training values, as SDMetrics cuts over the real data it is given.
  const metrics::ProfilePiece profile = merged_shard_pieces<metrics::ProfilePiece>(
      comm, static_cast<int64_t>(training.shards.size()),
      [&](int64_t s) { return metrics::serialize(metrics::compute_profile_piece(load_selected_rows(training, s, scored).view())); },
      metrics::deserialize_profile);
  const metrics::DisclosurePlan plan = metrics::make_disclosure_plan(scored.kinds, known, sensitive, profile);
  const metrics::DisclosurePiece real_piece = pieces_of(comm, training, scored, plan);
  const metrics::DisclosurePiece synthetic_piece = pieces_of(comm, synthetic, scored, plan);
  const auto protection = metrics::finish_disclosure_protection(real_piece, synthetic_piece, plan);
  nlohmann::json out = {{"known_columns", options.known},
                        {"sensitive_columns", options.sensitive},
                        {"disclosure_protection",
                         {{"score", number(protection.score)}, {"cap_protection", number(protection.cap_protection)},
                          {"baseline_protection", number(protection.baseline_protection)}}},
                        {"singling_out", singling_out(real_piece, synthetic_piece, known.size())}};
  if (options.holdout_fraction > 0) {
    const metrics::DisclosurePiece holdout_piece = pieces_of(comm, holdout, scored, plan);
    const auto unseen = metrics::finish_disclosure_protection(holdout_piece, synthetic_piece, plan);
    out["disclosure_protection_holdout"] = {{"score", number(unseen.score)}, {"cap_protection", number(unseen.cap_protection)},
                                            {"baseline_protection", number(unseen.baseline_protection)}};
    out["singling_out_holdout"] = singling_out(holdout_piece, synthetic_piece, known.size());
  }
  return out;
}

}  // namespace sc
