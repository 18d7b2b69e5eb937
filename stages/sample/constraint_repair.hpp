// Makes sampled rows satisfy the constraints their table declares (pipeline/constraints.hpp).
// The network draws each column from its discretised model, so a child's day offset can land
// after its synthetic parent's end of follow-up; such a value is moved to the nearest value that
// satisfies the constraint. Runs on whole sampled shards after the draw: it needs only the row's
// own columns and, for parent.COLUMN operands, the parent row's values, which the parent table
// keeps for its children (synthetic foreign keys are parent row + 1).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/constraints.hpp"
#include "pipeline/table_store.hpp"

namespace sc {

// Parent column name -> value per parent row (NaN where missing).
using ParentColumnValues = std::map<std::string, std::vector<double>>;

// Repairs every row of `shard` that breaks one of `constraints`; returns how many values moved.
// A constraint with a missing side holds (nothing to compare).
int64_t repair_constraints(TableShard& shard, const TableMeta& meta, const std::vector<Constraint>& constraints,
                           const ParentColumnValues& parent_values);

// The columns of `parent` that its children's constraints compare with (parent.COLUMN operands).
std::vector<std::string> columns_children_compare_with(const std::string& parent,
                                                       const std::map<std::string, std::vector<Constraint>>& constraints,
                                                       const std::map<std::string, TableMeta>& metas);

}  // namespace sc
