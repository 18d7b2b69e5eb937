// Intertable trends of one parent/child relation: SDMetrics' multi-table "Intertable Trends"
// property (InterTableTrends, sdmetrics 0.27.1), which single-table pair trends cannot see because
// it pairs a parent's columns with its children's. The child table is denormalised (every child
// row joined to its parent row through the foreign key, an inner join: a child without a parent
// drops out, so does a parent without children) and every (parent column, child column) pair of
// scored columns is scored as SDMetrics' ColumnPairTrends scores a pair: CorrelationSimilarity for
// two numeric/date columns, ContingencySimilarity otherwise, numeric columns cut into 10 bins over
// the denormalised table's range. Keys and references are never scored.
//
// Distributed over the child table's shards: every rank holds the parent table's scored columns
// (the smaller table) and joins the child shards it owns; the pair pieces of the single-table
// metrics (stages/evaluate/metrics/table_quality.hpp) merge exactly, so the result is the same for
// any rank count. docs/metrics.md, "Intertable trends", gives the formulas.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

// {parent, rows_joined, score, score_thresholded, pairs_meeting_threshold, score_shared_bins,
//  score_shared_bins_thresholded, pairs: [{parent_column, child_column, metric, score, ...}]}.
nlohmann::json evaluate_intertable_trends(const Communicator& comm, const StageReader& real,
                                          const StageReader& synthetic, const std::string& child_table);

}  // namespace sc
