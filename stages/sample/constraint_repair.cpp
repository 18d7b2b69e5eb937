#include "stages/sample/constraint_repair.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pipeline/error.hpp"

namespace sc {
std::vector<std::string> columns_children_compare_with(const std::string& parent,
                                                       const std::map<std::string, std::vector<Constraint>>& constraints,
                                                       const std::map<std::string, TableMeta>& metas) {
  std::vector<std::string> columns;
  for (const auto& [table, list] : constraints) {
    auto meta = metas.find(table);
    if (meta == metas.end() || meta->second.parent != parent) continue;
    for (const Constraint& c : list)
      if (c.operand == OperandKind::parent_column &&
          std::find(columns.begin(), columns.end(), c.operand_column) == columns.end())
        columns.push_back(c.operand_column);
  }
  return columns;
}

int64_t repair_constraints(TableShard& shard, const TableMeta& meta, const std::vector<Constraint>& constraints,
                           const ParentColumnValues& parent_values) {
  if (constraints.empty()) return 0;
  const int fk = meta.foreign_key.empty() ? -1 : meta.column_index(meta.foreign_key);
  int64_t repaired = 0;
  const size_t rows = static_cast<size_t>(shard.rows());
  for (const Constraint& c : constraints) {
    const size_t lc = static_cast<size_t>(meta.column_index(c.column));
    const ColumnType type = meta.types[lc];
    ColumnValues& lhs = shard.columns[lc];
    const std::vector<double>* parent = nullptr;
    if (c.operand == OperandKind::parent_column) {
      auto it = parent_values.find(c.operand_column);
      SC_EXPECTS(it != parent_values.end() && fk >= 0, InternalError,
                 "table " + meta.name + ": the parent's " + c.operand_column + " values were not kept");
      parent = &it->second;
    }
    const int oc = c.operand == OperandKind::column ? meta.column_index(c.operand_column) : -1;
    for (size_t r = 0; r < rows; ++r) {
      if (lhs.missing[r]) continue;
      double rhs = c.literal;
      if (oc >= 0) rhs = value_as_double(shard.columns[static_cast<size_t>(oc)], meta.types[static_cast<size_t>(oc)], r);
      if (parent) {
        const ColumnValues& keys = shard.columns[static_cast<size_t>(fk)];
        if (keys.missing[r]) continue;
        rhs = (*parent)[static_cast<size_t>(keys.i64[r] - 1)];
      }
      if (std::isnan(rhs)) continue;
      const double value = stored_as_double(type) ? lhs.f64[r] : static_cast<double>(lhs.i64[r]);
      if (constraint_holds(c.op, value, rhs)) continue;
      const double fixed = repaired_value(c.op, rhs, !stored_as_double(type));
      if (stored_as_double(type)) lhs.f64[r] = fixed;
      else lhs.i64[r] = static_cast<int64_t>(fixed);
      ++repaired;
    }
  }
  return repaired;
}

}  // namespace sc
