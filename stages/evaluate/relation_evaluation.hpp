// Multi-table metrics of one parent/child relation, which single-table scores cannot see (in a
// long table such as nafld's labs no column pair passes SDMetrics' trend threshold):
// - cardinality shape similarity: KS complement of the children-per-parent counts (every parent
//   row counts, those with no children too), SDMetrics' CardinalityShapeSimilarity;
// - referential integrity: the share of child rows whose foreign key is a parent's key;
// - shapes within categories: for each categorical column C and numeric column X of the child
//   table, the KS complement of X within each category of C, weighted by the category's real
//   frequency (each lab test's value distribution);
// - intertable trends (intertable_trends.hpp): SDMetrics' InterTableTrends of the relation;
// - sibling order (sibling_evaluation.hpp): gap shapes and category transitions between
//   successive children of one parent along the table's first day-offset or date column.
// Counts reduce exactly; KS pieces are sorted runs merged in shard order: the same for any rank
// count. docs/metrics.md gives the formulas.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

nlohmann::json evaluate_relation(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                 const std::string& child_table);

}  // namespace sc
