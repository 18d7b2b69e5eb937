// Sampling one synthetic registry table from its fitted network. Row g of a table is drawn from
// counters (seed, table, g) only, so any rank can draw any row; a child table's rows are laid out
// parent by parent (the parent's sampled children count says how many), and a shard of child rows
// is drawn together with the whole families it cuts through, so that siblings can be ordered by
// the table's time column whatever the shard boundaries. What the next tables need (node states
// of rows with children, children counts) is shared across ranks with exact integer sums.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernels/sampling/network_sampler.hpp"
#include "pipeline/constraints.hpp"
#include "pipeline/mpi_comm.hpp"
#include "pipeline/table_model.hpp"
#include "pipeline/table_store.hpp"

namespace sc {

struct SampledTable {
  std::string name;
  int64_t rows = 0;
  std::vector<int64_t> family_start;   // child tables: first row of each parent's children (parents + 1)
  std::vector<int32_t> node_states;    // rows x nodes, kept when the table has children
  std::map<std::string, std::vector<int64_t>> children_counts;  // child table -> count per row
  // Column -> value per row (NaN = missing), kept where a child's constraint compares with it.
  std::map<std::string, std::vector<double>> constraint_values;
};

struct TableSamplingPlan {
  const TableModel* model = nullptr;
  // The model's kernel network (TableModel::network with this seed and stream), built once for all
  // of the table's shards; null: each shard builds its own.
  const kernels::NetworkArrays* network = nullptr;
  const TableMeta* meta = nullptr;
  const SampledTable* parent = nullptr;  // null for a root table
  size_t parent_nodes = 0;               // node states per parent row
  bool use_cuda = false;                 // draw on the GPU (same bits as the CPU backend)
  uint64_t seed = 1;
  uint32_t stream = 0;                   // the table's index: its own Philox stream
  int64_t rows = 0;                      // root tables: how many to draw
  std::vector<std::string> child_tables; // whose counts this table's rows carry
  std::map<std::string, int64_t> table_rows;  // rows of every sampled table (reference targets)
  // A constraint `order_by <= parent.X` (or <): the parent's X per parent row; families that break
  // it are drawn again (up to kFamilyRedraws times) before the constraint repair clamps them.
  const std::vector<double>* family_time_bound = nullptr;
  ConstraintOp family_time_op = ConstraintOp::le;
};

constexpr uint32_t kFamilyRedraws = 16;

// The rows [first, first + count) of a table, decoded into the store's column layout; also the
// node states and children counts of those rows (for the tables below it).
struct SampledShard {
  TableShard data;
  std::vector<int32_t> node_states;  // count x nodes
  std::map<std::string, std::vector<int64_t>> children_counts;
};

// The table's total row count and family layout (child tables: from the parent's counts).
SampledTable plan_table(const TableSamplingPlan& plan);
SampledShard sample_shard(const TableSamplingPlan& plan, const SampledTable& table, int64_t first, int64_t count);

}  // namespace sc
