#include "stages/evaluate/constraint_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "pipeline/table_store.hpp"

namespace sc {
namespace {

struct Counts {
  std::vector<int64_t> compared, violations;  // per constraint
};

// Parent key -> the parent's values of the columns the constraints compare with. Every rank reads
// them (the parent table is the smaller one), as the relation metrics read the parent's keys.
struct ParentLookup {
  std::vector<int64_t> keys;  // sorted
  std::map<std::string, std::vector<double>> values;  // column -> value per sorted key
};

ParentLookup read_parent(const StageReader& reader, const TableMeta& parent, const std::vector<Constraint>& constraints) {
  ParentLookup lookup;
  std::vector<std::string> columns;
  for (const Constraint& c : constraints)
    if (c.operand == OperandKind::parent_column) columns.push_back(c.operand_column);
  if (columns.empty()) return lookup;
  const int pk = parent.column_index(parent.primary_key);
  std::vector<std::pair<int64_t, size_t>> order;
  std::map<std::string, std::vector<double>> raw;
  size_t shard_first = 0;  // rows numbered across shards in shard order
  for (const auto& name : reader.shards(table_group(parent.name))) {
    TableShard shard = read_table_shard(reader, name, parent);
    const ColumnValues& keys = shard.columns[static_cast<size_t>(pk)];
    for (const auto& column : columns) {
      std::vector<double> v = column_as_double(shard, parent, column);
      raw[column].insert(raw[column].end(), v.begin(), v.end());
    }
    for (size_t r = 0; r < keys.i64.size(); ++r)
      if (!keys.missing[r]) order.emplace_back(keys.i64[r], shard_first + r);
    shard_first += keys.i64.size();
  }
  std::sort(order.begin(), order.end());
  for (const auto& [key, row] : order) {
    lookup.keys.push_back(key);
    for (const auto& column : columns) lookup.values[column].push_back(raw[column][row]);
  }
  return lookup;
}

Counts count_side(const Communicator& comm, const StageReader& reader, const std::string& table,
                  const std::vector<Constraint>& constraints) {
  const TableMeta meta = read_table_meta(reader, table);
  ParentLookup parent;
  if (!meta.parent.empty()) parent = read_parent(reader, read_table_meta(reader, meta.parent), constraints);
  const int fk = meta.foreign_key.empty() ? -1 : meta.column_index(meta.foreign_key);
  Counts counts{std::vector<int64_t>(constraints.size(), 0), std::vector<int64_t>(constraints.size(), 0)};
  const std::vector<std::string> shards = reader.shards(table_group(table));
  for (size_t s = static_cast<size_t>(comm.rank()); s < shards.size(); s += static_cast<size_t>(comm.size())) {
    TableShard shard = read_table_shard(reader, shards[s], meta);
    std::vector<int64_t> parent_index(static_cast<size_t>(shard.rows()), -1);
    if (fk >= 0 && !parent.keys.empty()) {
      const ColumnValues& keys = shard.columns[static_cast<size_t>(fk)];
      for (size_t r = 0; r < parent_index.size(); ++r) {
        auto it = std::lower_bound(parent.keys.begin(), parent.keys.end(), keys.i64[r]);
        if (!keys.missing[r] && it != parent.keys.end() && *it == keys.i64[r])
          parent_index[r] = it - parent.keys.begin();
      }
    }
    for (size_t k = 0; k < constraints.size(); ++k) {
      const Constraint& c = constraints[k];
      std::vector<double> lhs = column_as_double(shard, meta, c.column);
      std::vector<double> operand;
      if (c.operand == OperandKind::column) operand = column_as_double(shard, meta, c.operand_column);
      for (size_t r = 0; r < lhs.size(); ++r) {
        double rhs = c.literal;
        if (c.operand == OperandKind::column) rhs = operand[r];
        if (c.operand == OperandKind::parent_column)
          rhs = parent_index[r] < 0 ? NAN : parent.values[c.operand_column][static_cast<size_t>(parent_index[r])];
        if (std::isnan(lhs[r]) || std::isnan(rhs)) continue;
        ++counts.compared[k];
        if (!constraint_holds(c.op, lhs[r], rhs)) ++counts.violations[k];
      }
    }
  }
  comm.allreduce_sum_inplace(counts.compared);
  comm.allreduce_sum_inplace(counts.violations);
  return counts;
}

nlohmann::json side_json(const Counts& counts, size_t k) {
  const int64_t n = counts.compared[k], bad = counts.violations[k];
  return {{"rows_compared", n},
          {"violations", bad},
          {"share_satisfied", n > 0 ? nlohmann::json(1.0 - static_cast<double>(bad) / static_cast<double>(n)) : nlohmann::json(nullptr)}};
}

}  // namespace

nlohmann::json evaluate_constraints(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                    const std::string& table, const std::vector<Constraint>& constraints) {
  const Counts real_counts = count_side(comm, real, table, constraints);
  const Counts synthetic_counts = count_side(comm, synthetic, table, constraints);
  nlohmann::json out = nlohmann::json::array();
  for (size_t k = 0; k < constraints.size(); ++k)
    out.push_back({{"constraint", constraints[k].text},
                   {"real", side_json(real_counts, k)},
                   {"synthetic", side_json(synthetic_counts, k)}});
  return out;
}

}  // namespace sc
