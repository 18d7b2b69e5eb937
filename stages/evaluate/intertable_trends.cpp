#include "stages/evaluate/intertable_trends.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include <tbb/parallel_for.h>

#include "pipeline/error.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/evaluate/table_views.hpp"

namespace sc {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

// pandas Series.mean(): NaN entries skipped; NaN when none is left.
double mean_present(const std::vector<double>& values) {
  double sum = 0.0;
  int64_t count = 0;
  for (double v : values)
    if (!std::isnan(v)) { sum += v; ++count; }
  return count ? sum / static_cast<double>(count) : NAN;
}

// The parent table's scored columns, held whole by every rank, and its keys sorted for lookup.
struct ParentRows {
  metrics::TableData data;
  std::vector<int64_t> keys;  // sorted
  std::vector<int64_t> rows;  // rows[i]: the row of data holding keys[i]
};

ParentRows read_parent_rows(const StageReader& reader, const TableMeta& meta, const ScoredColumns& scored, bool synthetic) {
  const int pk = meta.column_index(meta.primary_key);
  SC_EXPECTS(pk >= 0, InputError, "table " + meta.name + " has no primary key; its children cannot be joined to it");
  ParentRows parent;
  std::vector<int64_t> keys;
  for (const auto& name : reader.shards(table_group(meta.name))) {
    TableShard shard = read_table_shard(reader, name, meta);
    const ColumnValues& key = shard.columns[static_cast<size_t>(pk)];
    // A parent row without a key joins no child (pandas merge matches no NaN key of a child).
    std::vector<uint8_t> keep(key.missing.size());
    for (size_t r = 0; r < keep.size(); ++r) {
      keep[r] = !key.missing[r];
      if (keep[r]) keys.push_back(key.i64[r]);
    }
    append_rows(parent.data, shard_table_data(shard, scored, synthetic), keep);
  }
  std::vector<int64_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)]; });
  for (size_t i = 0; i < order.size(); ++i) {
    parent.keys.push_back(keys[static_cast<size_t>(order[i])]);
    parent.rows.push_back(order[i]);
    // SDMetrics' merge would repeat a child row once per parent row sharing its key.
    SC_EXPECTS(i == 0 || parent.keys[i] != parent.keys[i - 1], InputError,
               std::string(synthetic ? "synthetic" : "real") + " table " + meta.name + ": primary key " + meta.primary_key +
                   " value " + std::to_string(parent.keys[i]) + " occurs twice; a parent key must be unique");
  }
  return parent;
}

// `from`'s values at `rows`, in that order.
metrics::ColumnData gather_rows(const metrics::ColumnData& from, const std::vector<int64_t>& rows) {
  metrics::ColumnData out;
  out.kind = from.kind;
  for (int64_t r : rows) {
    const auto row = static_cast<size_t>(r);
    if (from.kind == metrics::ColumnKind::numeric) out.values.push_back(from.values[row]);
    else out.codes.push_back(from.codes[row]);
    if (from.kind != metrics::ColumnKind::categorical) out.missing.push_back(from.missing.empty() ? 0 : from.missing[row]);
  }
  return out;
}

struct JoinSide {
  const StageReader& reader;
  TableMeta child;
  std::vector<std::string> child_shards;
  ParentRows parent;
  bool synthetic;
};

// One child shard denormalised: the parent's scored columns of each child row's parent, then the
// child's scored columns; child rows whose foreign key is missing or no parent's key drop out.
metrics::TableData join_shard(const JoinSide& side, int64_t s, const ScoredColumns& child_scored) {
  TableShard shard = read_table_shard(side.reader, side.child_shards[static_cast<size_t>(s)], side.child);
  const ColumnValues& fk = shard.columns[static_cast<size_t>(side.child.column_index(side.child.foreign_key))];
  std::vector<uint8_t> keep(fk.missing.size(), 0);
  std::vector<int64_t> parent_rows;
  for (size_t r = 0; r < keep.size(); ++r) {
    if (fk.missing[r]) continue;
    auto it = std::lower_bound(side.parent.keys.begin(), side.parent.keys.end(), fk.i64[r]);
    if (it == side.parent.keys.end() || *it != fk.i64[r]) continue;
    keep[r] = 1;
    parent_rows.push_back(side.parent.rows[static_cast<size_t>(it - side.parent.keys.begin())]);
  }
  metrics::TableData joined, child;
  for (const auto& column : side.parent.data.columns) joined.columns.push_back(gather_rows(column, parent_rows));
  append_rows(child, shard_table_data(shard, child_scored, side.synthetic), keep);
  for (auto& column : child.columns) joined.columns.push_back(std::move(column));
  return joined;
}

}  // namespace

nlohmann::json evaluate_intertable_trends(const Communicator& comm, const StageReader& real_reader,
                                          const StageReader& synthetic_reader, const std::string& child_table) {
  const TableMeta real_child = read_table_meta(real_reader, child_table);
  const TableMeta synthetic_child = read_table_meta(synthetic_reader, child_table);
  SC_EXPECTS(real_child.parent == synthetic_child.parent, InputError,
             "table " + child_table + " has parent '" + real_child.parent + "' in the real store and '" +
                 synthetic_child.parent + "' in the synthetic store");
  const TableMeta real_parent = read_table_meta(real_reader, real_child.parent);
  const TableMeta synthetic_parent = read_table_meta(synthetic_reader, real_child.parent);
  const ScoredColumns parent_scored = scored_columns(real_parent, synthetic_parent);
  const ScoredColumns child_scored = scored_columns(real_child, synthetic_child);
  for (const TableMeta* meta : {&real_child, &synthetic_child})
    SC_EXPECTS(meta->column_index(meta->foreign_key) >= 0, InputError,
               "table " + child_table + " has no foreign-key column '" + meta->foreign_key + "' to join it to " +
                   real_child.parent);

  JoinSide real{real_reader, real_child, real_reader.shards(table_group(child_table)),
                read_parent_rows(real_reader, real_parent, parent_scored, false), false};
  JoinSide synthetic{synthetic_reader, synthetic_child, synthetic_reader.shards(table_group(child_table)),
                     read_parent_rows(synthetic_reader, synthetic_parent, parent_scored, true), true};

  // The denormalised table: parent columns [0, P), child columns [P, P + C); pairs parent x child
  // in SDMetrics' order (itertools.product of the parent's columns and the child's).
  const int parent_columns = static_cast<int>(parent_scored.kinds.size());
  std::vector<metrics::ColumnKind> kinds = parent_scored.kinds;
  kinds.insert(kinds.end(), child_scored.kinds.begin(), child_scored.kinds.end());
  std::vector<metrics::ColumnPair> pairs;
  for (int p = 0; p < parent_columns; ++p)
    for (int c = 0; c < static_cast<int>(child_scored.kinds.size()); ++c) pairs.push_back({p, parent_columns + c});

  // Pass 1: the ranges of the denormalised columns (a parent column's range is over the parents
  // that have children, as in the merged frame SDMetrics bins).
  auto profile_of = [&](const JoinSide& side) {
    return merged_shard_pieces<metrics::ProfilePiece>(
        comm, static_cast<int64_t>(side.child_shards.size()),
        [&](int64_t s) { return metrics::serialize(metrics::compute_profile_piece(join_shard(side, s, child_scored).view())); },
        [](std::span<const uint8_t> b) { return metrics::deserialize_profile(b); });
  };
  const metrics::QualityPlan plan = metrics::make_quality_plan(kinds, profile_of(real), profile_of(synthetic));

  // Pass 2: the pair pieces, and the joined row counts.
  int64_t joined_rows[2] = {0, 0};
  auto pieces_of = [&](const JoinSide& side) {
    const auto table_side = side.synthetic ? metrics::TableSide::synthetic : metrics::TableSide::real;
    return merged_shard_pieces<metrics::QualityPiece>(
        comm, static_cast<int64_t>(side.child_shards.size()),
        [&](int64_t s) {
          const metrics::TableData joined = join_shard(side, s, child_scored);
          const metrics::ShardView view = joined.view();
          joined_rows[side.synthetic] += view.rows();
          metrics::QualityPiece piece;
          piece.correlations.resize(pairs.size());
          piece.contingency.resize(pairs.size());
          piece.contingency_shared.resize(pairs.size());
          // Each task fills its own slot: threads change nothing in the result.
          tbb::parallel_for(size_t{0}, pairs.size(),
                            [&](size_t k) { metrics::compute_pair_pieces(view, plan, table_side, pairs[k], piece, k); });
          return metrics::serialize(piece);
        },
        [](std::span<const uint8_t> b) { return metrics::deserialize_quality(b); });
  };
  const metrics::QualityPiece real_pieces = pieces_of(real), synthetic_pieces = pieces_of(synthetic);

  std::vector<double> all, thresholded, shared, shared_thresholded;
  nlohmann::json details = nlohmann::json::array();
  auto name = [&](int column) {
    return column < parent_columns ? parent_scored.names[static_cast<size_t>(column)]
                                   : child_scored.names[static_cast<size_t>(column - parent_columns)];
  };
  for (size_t k = 0; k < pairs.size(); ++k) {
    // The thresholds of SDMetrics 0.27's multi-table QualityReport, which passes them to this
    // property; the property alone (thresholds 0) counts every pair.
    const metrics::PairTrendScore t = metrics::finish_pair_trend(plan, pairs[k], real_pieces, synthetic_pieces, k);
    all.push_back(t.score);
    if (t.meets_threshold) thresholded.push_back(t.score);
    shared.push_back(t.score_shared_bins);
    if (t.meets_threshold_shared_bins) shared_thresholded.push_back(t.score_shared_bins);
    details.push_back({{"parent_column", name(t.pair.first)}, {"child_column", name(t.pair.second)},
                       {"metric", t.metric}, {"score", number(t.score)},
                       {"real_correlation", number(t.real_correlation)},
                       {"synthetic_correlation", number(t.synthetic_correlation)},
                       {"real_association", number(t.real_association)}, {"meets_threshold", t.meets_threshold},
                       {"score_shared_bins", number(t.score_shared_bins)},
                       {"meets_threshold_shared_bins", t.meets_threshold_shared_bins}});
  }
  nlohmann::json out = {
      {"parent", real_child.parent},
      {"rows_joined", {{"real", comm.allreduce_sum(joined_rows[0])}, {"synthetic", comm.allreduce_sum(joined_rows[1])}}},
      {"score", number(mean_present(all))},
      {"score_thresholded", number(mean_present(thresholded))},
      {"pairs_meeting_threshold", thresholded.size()},
      {"score_shared_bins", number(mean_present(shared))},
      {"score_shared_bins_thresholded", number(mean_present(shared_thresholded))},
      {"pairs", details}};
  char line[96];
  std::snprintf(line, sizeof line, "%.4f over %zu pairs", std::isnan(mean_present(all)) ? -1.0 : mean_present(all), pairs.size());
  log_root(comm, "evaluate", "table " + child_table + ": intertable trends " + line);
  return out;
}

}  // namespace sc
