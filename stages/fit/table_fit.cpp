#include "stages/fit/table_fit.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "kernels/sampling/cumulative_table.hpp"
#include "kernels/sampling/network_model.hpp"
#include "pipeline/error.hpp"
#include "stages/fit/column_states.hpp"

namespace sc {

namespace {

// One shard of a table with what the passes need per row beside its columns, read from the
// fit's scratch area.
struct ShardRows {
  size_t shard = 0;
  bool loaded = false;  // holds shard `shard`
  TableShard data;
  std::vector<RowFacts> facts;
  std::vector<std::vector<int64_t>> children;  // per child table (FittedTable::child_tables)
  std::vector<int32_t> parent_states;          // rows x parent nodes (child tables)
  std::vector<uint8_t> encoded;                // the parent states as stored
};

using ShardVisitor = std::function<void(const ShardRows& rows)>;

// Reads every shard this rank owns, in shard order, with its rows' facts, into `rows`. The shard
// `rows` already holds is not read again: nothing a pass reads changes while a table is fitted, so
// a rank that owns one shard of a table (every small table) reads it once for all the passes
// instead of once per pass (four HDF5 reads and decodes of nafld's persons, most of the fit's CPU).
void for_each_owned_shard(const Communicator& comm, const StageReader& stage, const FitScratch& scratch,
                          const FittedTable& table, int32_t parent_nodes, size_t state_bytes, ShardRows& rows,
                          const ShardVisitor& visit) {
  const std::string base = scratch.dir() + "/";
  for (size_t s = 0; s < table.layout.shards.size(); ++s) {
    if (!table.layout.owns(comm, s)) continue;
    if (rows.loaded && rows.shard == s) {
      visit(rows);
      continue;
    }
    rows.loaded = false;
    const int64_t n = table.layout.rows[s];
    rows.shard = s;
    rows.data = read_table_shard(stage, table.layout.shards[s], table.meta);
    // The vectors keep their storage from shard to shard.
    rows.facts.clear();
    append_records(row_values_path(base + facts_directory(table.meta.name), s), sizeof(RowFacts), n, rows.facts);
    rows.children.resize(table.child_tables.size());
    for (size_t c = 0; c < table.child_tables.size(); ++c) {
      rows.children[c].clear();
      append_records(row_values_path(base + children_directory(table.meta.name, table.child_tables[c]), s), sizeof(int64_t), n,
                     rows.children[c]);
    }
    if (parent_nodes > 0) {
      const size_t states = static_cast<size_t>(n * parent_nodes);
      rows.encoded.clear();
      append_records(row_values_path(base + parent_states_directory(table.meta.name), s),
                     state_bytes * static_cast<size_t>(parent_nodes), n, rows.encoded);
      rows.parent_states.resize(states);
      decode_states(rows.encoded.data(), states, state_bytes, rows.parent_states.data());
    }
    rows.loaded = true;
    visit(rows);
  }
}

bool is_modelled(ColumnType type) { return type != ColumnType::key; }

// Rows per block of a shard that one of TBB's threads reads in passes 1 to 3.
constexpr int64_t kRowsPerBlock = 1024;

// Adds `v` to a sorted set of distinct values that stops growing at `cap` values (once there,
// the caller knows only that there are too many to keep).
void add_distinct(std::vector<double>& distinct, double v, size_t cap) {
  if (distinct.size() >= cap) return;
  auto at = std::lower_bound(distinct.begin(), distinct.end(), v);
  if (at == distinct.end() || *at != v) distinct.insert(at, v);
}

// One thread's sums over the rows it read in a pass; unused members stay empty.
struct RowSums {
  std::vector<double> lo, hi;                         // per node: smallest and largest value
  std::vector<int64_t> missing;                       // per node
  std::vector<std::vector<int64_t>> counts;           // per node: per category, or per fine bin
  std::vector<int64_t> reference_missing;             // per column
  std::vector<std::vector<double>> distinct;          // per node, capped (add_distinct)
  std::vector<int64_t> pairs;                         // pass 3's contingency tables

  void add(const RowSums& other, size_t distinct_cap) {
    for (size_t j = 0; j < lo.size(); ++j) lo[j] = std::min(lo[j], other.lo[j]);
    for (size_t j = 0; j < hi.size(); ++j) hi[j] = std::max(hi[j], other.hi[j]);
    for (size_t j = 0; j < missing.size(); ++j) missing[j] += other.missing[j];
    for (size_t j = 0; j < counts.size(); ++j)
      for (size_t k = 0; k < counts[j].size(); ++k) counts[j][k] += other.counts[j][k];
    for (size_t c = 0; c < reference_missing.size(); ++c) reference_missing[c] += other.reference_missing[c];
    for (size_t i = 0; i < pairs.size(); ++i) pairs[i] += other.pairs[i];
    for (size_t j = 0; j < distinct.size(); ++j) {
      // The union, capped like the set each thread kept: past the cap only its size matters.
      std::vector<double> both;
      std::set_union(distinct[j].begin(), distinct[j].end(), other.distinct[j].begin(), other.distinct[j].end(),
                     std::back_inserter(both));
      if (both.size() > distinct_cap) both.resize(distinct_cap);
      distinct[j] = std::move(both);
    }
  }
};

// A node's value in row r of a shard: numeric value (as double) or categorical code; false when
// missing. The child table behind each children node is looked up once, not per row.
struct NodeReader {
  const FittedTable& table;
  std::vector<int> children_index;  // per node: its child table's place in table.child_tables, or -1
  // Under differential privacy: per categorical node, stored code -> declared category (-1: a
  // category the schema does not declare, read as missing). Empty: the code is the state.
  std::vector<std::vector<int32_t>> category_map;
  // Gap model: the time column's node holds first siblings' times only. Visit model: every row's.
  bool first_time_only = true;

  NodeReader(const FittedTable& t, const std::vector<ModelNode>& nodes) : table(t), children_index(nodes.size(), -1) {
    for (size_t j = 0; j < nodes.size(); ++j)
      for (size_t c = 0; c < table.child_tables.size(); ++c)
        if (nodes[j].kind == NodeKind::children && children_node_name(table.child_tables[c]) == nodes[j].name)
          children_index[j] = static_cast<int>(c);
  }
  bool value(const ModelNode& node, size_t j, const ShardRows& rows, int64_t r, double& out) const {
    const size_t i = static_cast<size_t>(r);
    const RowFacts& facts = rows.facts[i];
    if (node.kind == NodeKind::gap) {
      if (!facts.has_gap) return false;
      out = static_cast<double>(facts.gap);
      return true;
    }
    if (node.kind == NodeKind::visit) {  // 1: the same time as the previous sibling
      out = !facts.first_child && facts.has_gap && facts.gap == 0 ? 1.0 : 0.0;
      return true;
    }
    // Gap model: the time column's node holds first children's times; later ones follow from the gaps.
    if (first_time_only && node.column >= 0 && node.column == table.order_column && !facts.first_child) return false;
    if (node.kind == NodeKind::children) {
      out = static_cast<double>(rows.children[static_cast<size_t>(children_index[j])][i]);
      return true;
    }
    const ColumnValues& column = rows.data.columns[static_cast<size_t>(node.column)];
    if (column.missing[i]) return false;
    ColumnType type = table.meta.types[static_cast<size_t>(node.column)];
    if (stored_as_code(type)) {
      out = column.codes[i];
      if (j < category_map.size() && !category_map[j].empty()) {
        out = category_map[j][static_cast<size_t>(column.codes[i])];
        return out >= 0;
      }
    } else if (stored_as_double(type)) out = column.f64[i];
    else out = static_cast<double>(column.i64[i]);
    return true;
  }
  // Per numeric node, the index of its final fine bins (set once the states are): state() needs it.
  std::vector<FineBinIndex> fine_bins;
  int32_t state(const ModelNode& node, size_t j, const ShardRows& rows, int64_t r) const {
    double v = 0;
    if (!value(node, j, rows, r, v)) return node.missing_state;
    if (has_category_states(node.kind)) return static_cast<int32_t>(v);
    return node.fine_to_state[static_cast<size_t>(fine_bins[j].bin(v))];
  }
};

bool is_time_column(ColumnType type) { return type == ColumnType::day_offset || type == ColumnType::date; }

// The values parent q of `node` takes in its configurations (its states, or their groups).
int64_t parent_levels(const ModelNode& node, size_t q, const std::vector<int32_t>& slot_states) {
  return node.parent_radix[q] > 0 ? node.parent_radix[q] : slot_states[static_cast<size_t>(node.parents[q])];
}

// Mutual information (nats) of a contingency table with `rows` x `cols` cells.
double mutual_information(const int64_t* cells, int32_t rows, int32_t cols) {
  std::vector<double> row_sum(static_cast<size_t>(rows), 0.0), col_sum(static_cast<size_t>(cols), 0.0);
  double total = 0;
  for (int32_t a = 0; a < rows; ++a)
    for (int32_t b = 0; b < cols; ++b) {
      double c = static_cast<double>(cells[a * cols + b]);
      row_sum[static_cast<size_t>(a)] += c;
      col_sum[static_cast<size_t>(b)] += c;
      total += c;
    }
  if (total <= 0) return 0.0;
  double mi = 0;
  for (int32_t a = 0; a < rows; ++a)
    for (int32_t b = 0; b < cols; ++b) {
      double c = static_cast<double>(cells[a * cols + b]);
      if (c > 0) mi += c / total * std::log(c * total / (row_sum[static_cast<size_t>(a)] * col_sum[static_cast<size_t>(b)]));
    }
  return mi;
}

// Under differential privacy a node's range comes from the schema: its column's declared domain,
// 0..cap for a children count, 0..(declared span of the time column) for a sibling gap.
NumericRange declared_range(const ModelNode& node, const TableMeta& meta, int order_column, const FitOptions& options) {
  NumericRange range;
  range.any_value = true;
  range.any_missing = true;
  if (node.kind == NodeKind::children) {
    range.min = 0;
    range.max = static_cast<double>(options.max_children);
  } else if (node.kind == NodeKind::gap) {
    const ColumnDomain& time = options.domains.at(meta.columns[static_cast<size_t>(order_column)]);
    range.min = 0;
    range.max = time.hi - time.lo;
  } else {
    const ColumnDomain& domain = options.domains.at(node.name);
    range.min = domain.lo;
    range.max = domain.hi;
  }
  return range;
}

}  // namespace

void prepare_table(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FittedTable& table,
                   FittedTable* parent, const FitOptions& options) {
  FamilyOptions family;
  family.seed = options.seed;
  family.holdout_fraction = options.holdout_fraction;
  family.order_siblings = options.sibling_gaps;
  family.previous_sibling = options.previous_sibling;
  family.cap_children = options.private_fit;
  family.max_children = options.max_children;
  if (parent) prepare_child_rows(comm, stage, scratch, table, *parent, family);
  else prepare_root_rows(comm, stage, scratch, table, family);
}

void fit_table(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FittedTable& table,
               const FittedTable* parent, const std::vector<std::pair<std::string, std::string>>& reference_targets,
               const FitOptions& options) {
  const TableMeta& meta = table.meta;
  TableModel& model = table.model;
  model = TableModel{};
  model.table = meta.name;
  model.parent = meta.parent;
  const int64_t used_rows = table.used_rows;
  model.rows_fit = used_rows;
  if (parent) for (const auto& n : parent->model.nodes) model.context_states.push_back(n.states);
  if (table.order_column >= 0) {
    model.first_child_slot = static_cast<int32_t>(model.context_states.size());
    model.context_states.push_back(2);
  }
  const int32_t parent_context_slots = parent ? static_cast<int32_t>(parent->model.nodes.size()) : 0;

  // The nodes: every modelled column, then one children count per child table. The visit model
  // puts its visit flag first and the time column last among the columns, so that a visit's time
  // can depend on the row's category (a lab test, an event type) and the flag on nothing later.
  // Visits where siblings share times: at least fit.min_visit_share of the later siblings have
  // their previous sibling's time (nafld's labs 52%, events 8%; contacts made one by one 0.5%,
  // whose spacing the gap model keeps better). Every rank counted every family: the same choice.
  // Under differential privacy the share is not looked at (it would need budget): visits.
  const int64_t later_siblings = table.later_siblings, same_time = table.same_time;
  const bool visit_model = table.order_column >= 0 && options.visits &&
                           (options.private_fit || static_cast<double>(same_time) >= options.min_visit_share * static_cast<double>(later_siblings));
  if (visit_model) {
    ModelNode visit;
    visit.name = visit_node_name(meta.columns[static_cast<size_t>(table.order_column)]);
    visit.kind = NodeKind::visit;
    model.nodes.push_back(visit);
  }
  std::vector<ModelNode> last;  // the visit model's time node
  for (size_t c = 0; c < meta.columns.size(); ++c) {
    if (!is_modelled(meta.types[c])) continue;
    ModelNode node;
    node.name = meta.columns[c];
    node.column = static_cast<int>(c);
    node.kind = stored_as_code(meta.types[c]) ? NodeKind::categorical : NodeKind::numeric;
    node.integer_values = stored_as_int64(meta.types[c]);
    if (table.order_column < 0 && parent && model.order_by.empty() &&
        is_time_column(meta.types[c]))
      model.order_by = meta.columns[c];  // without sibling gaps: times drawn, then sorted
    if (static_cast<int>(c) == table.order_column) model.order_by = meta.columns[c];
    if (visit_model && static_cast<int>(c) == table.order_column) {
      last.push_back(node);
      continue;
    }
    model.nodes.push_back(node);
    if (static_cast<int>(c) == table.order_column) {
      ModelNode gap;
      gap.name = gap_node_name(meta.columns[c]);
      gap.kind = NodeKind::gap;
      gap.integer_values = true;
      model.nodes.push_back(gap);
    }
  }
  model.nodes.insert(model.nodes.end(), last.begin(), last.end());
  for (const auto& child : table.child_tables) {
    ModelNode node;
    node.name = children_node_name(child);
    node.kind = NodeKind::children;
    node.integer_values = true;
    model.nodes.push_back(node);
  }
  // In a table with children, its time columns (a person's follow-up) come after the children
  // counts, so that follow-up can depend on how many children a row has: children's times spread
  // over their parent's follow-up, and with the counts last, nafld's synthetic persons with many
  // labs had no longer follow-up than others (their labs' row-weighted follow-up median 2,050
  // days against 2,483 real), which moved every lab day early (lab days within test 0.92 -> 0.95).
  if (!table.child_tables.empty())
    std::stable_partition(model.nodes.begin(), model.nodes.end(), [&](const ModelNode& n) {
      return n.column < 0 || !is_time_column(meta.types[static_cast<size_t>(n.column)]);
    });
  const size_t n_nodes = model.nodes.size();
  NodeReader reader(table, model.nodes);
  reader.first_time_only = !visit_model;
  const bool dp = options.private_fit;
  const int64_t person_rows = options.dp.rows_per_person;
  if (dp) {
    // Declared categories replace the data's dictionary: a stored code maps to its declared state.
    reader.category_map.resize(n_nodes);
    for (size_t j = 0; j < n_nodes; ++j) {
      ModelNode& node = model.nodes[j];
      if (node.kind != NodeKind::categorical) continue;
      node.categories = options.domains.at(node.name).categories;
      for (const auto& value : meta.dictionaries.at(node.name)) {
        auto it = std::find(node.categories.begin(), node.categories.end(), value);
        reader.category_map[j].push_back(it == node.categories.end() ? -1 : static_cast<int32_t>(it - node.categories.begin()));
      }
    }
  }
  auto record = [&](DpQuery query, double epsilon, double sensitivity) {
    if (options.accounting) options.accounting->push_back(dp_query_record(meta.name, query, epsilon, sensitivity));
  };
  // The parent's node states of every used row, put beside the rows in the scratch area.
  std::vector<int32_t> parent_state_counts;
  if (parent)
    for (const auto& n : parent->model.nodes) parent_state_counts.push_back(n.states);
  const size_t parent_state_bytes = state_bytes(parent_state_counts);
  if (parent) join_parent_states(comm, scratch, table, *parent, parent_context_slots, parent_state_bytes);
  // The previous-sibling slot's state per stored code of the category column, and for a missing
  // category and for a first child (set after pass 1, when the category's states are known).
  std::vector<int32_t> previous_state_of_code;
  int32_t previous_missing = 0, no_previous = 0;
  auto previous_sibling_state = [&](const RowFacts& facts) {
    if (!facts.has_previous) return no_previous;
    if (facts.previous_code < 0 || static_cast<size_t>(facts.previous_code) >= previous_state_of_code.size()) return previous_missing;
    return previous_state_of_code[static_cast<size_t>(facts.previous_code)];
  };
  auto parent_context = [&](const ShardRows& rows, int64_t r, int32_t* out) {
    if (!parent) return;
    const int32_t* states = rows.parent_states.data() + r * parent_context_slots;
    for (int32_t k = 0; k < parent_context_slots; ++k) out[k] = states[k];
    const RowFacts& facts = rows.facts[static_cast<size_t>(r)];
    if (model.first_child_slot >= 0) out[model.first_child_slot] = facts.first_child;
    if (model.previous_sibling_slot >= 0) out[model.previous_sibling_slot] = previous_sibling_state(facts);
  };
  // `after_shard` (when set) runs once each shard's used rows are done.
  ShardRows shard_rows;  // the last shard read, kept from pass to pass
  auto for_each_used_row = [&](const std::function<void(const ShardRows&, int64_t r)>& body,
                               const ShardVisitor& after_shard = nullptr) {
    for_each_owned_shard(comm, stage, scratch, table, parent_context_slots, parent_state_bytes, shard_rows, [&](const ShardRows& rows) {
      for (int64_t r = 0; r < rows.data.rows(); ++r)
        if (rows.facts[static_cast<size_t>(r)].included) body(rows, r);
      if (after_shard) after_shard(rows);
    });
  };

  // Passes 1 to 3 read each shard's rows in blocks that TBB's threads take in any order, each
  // thread adding into its own sums (RowSums); what they compute does not depend on the order the
  // rows are seen in (counts, minima and maxima, sets of distinct values, states written to each
  // row's own place), so the model is the same for any number of threads.
  auto for_each_row_block = [&](const std::function<void(const ShardRows&, int64_t begin, int64_t end)>& block,
                                const ShardVisitor& before_shard = nullptr, const ShardVisitor& after_shard = nullptr) {
    for_each_owned_shard(comm, stage, scratch, table, parent_context_slots, parent_state_bytes, shard_rows, [&](const ShardRows& rows) {
      if (before_shard) before_shard(rows);
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows.data.rows(), kRowsPerBlock),
                        [&](const tbb::blocked_range<int64_t>& range) { block(rows, range.begin(), range.end()); });
      if (after_shard) after_shard(rows);
    });
  };

  // Pass 1: ranges of numeric nodes, category and missing counts (exact min/max/sum reductions).
  RowSums range_sums;
  range_sums.lo.assign(n_nodes, std::numeric_limits<double>::infinity());
  range_sums.hi.assign(n_nodes, -std::numeric_limits<double>::infinity());
  range_sums.missing.assign(n_nodes, 0);
  range_sums.counts.resize(n_nodes);
  for (size_t j = 0; j < n_nodes; ++j)
    if (model.nodes[j].kind == NodeKind::visit) range_sums.counts[j].assign(2, 0);
    else if (model.nodes[j].kind == NodeKind::categorical)
      range_sums.counts[j].assign(dp ? model.nodes[j].categories.size() : meta.dictionaries.at(model.nodes[j].name).size(), 0);
  range_sums.reference_missing.assign(meta.columns.size(), 0);
  // Distinct values of numeric nodes, kept while there are at most fine_bins of them: a sorted
  // vector (a few hundred values at most) rather than a std::set and its node per value.
  range_sums.distinct.resize(n_nodes);
  const size_t distinct_cap = static_cast<size_t>(options.fine_bins) + 1;
  std::vector<size_t> reference_columns;  // looked up once, not by name for every row
  for (const auto& [column, target] : reference_targets) reference_columns.push_back(static_cast<size_t>(meta.column_index(column)));
  tbb::enumerable_thread_specific<RowSums> range_threads(range_sums);
  for_each_row_block([&](const ShardRows& rows, int64_t begin, int64_t end) {
    RowSums& sums = range_threads.local();
    for (int64_t r = begin; r < end; ++r) {
      if (!rows.facts[static_cast<size_t>(r)].included) continue;
      for (size_t j = 0; j < n_nodes && !dp; ++j) {  // under DP nothing of this is released
        double v = 0;
        if (!reader.value(model.nodes[j], j, rows, r, v)) { ++sums.missing[j]; continue; }
        if (has_category_states(model.nodes[j].kind)) ++sums.counts[j][static_cast<size_t>(v)];
        else {
          sums.lo[j] = std::min(sums.lo[j], v);
          sums.hi[j] = std::max(sums.hi[j], v);
          add_distinct(sums.distinct[j], v, distinct_cap);
        }
      }
      for (size_t c : reference_columns) sums.reference_missing[c] += rows.data.columns[c].missing[static_cast<size_t>(r)];
    }
  });
  range_threads.combine_each([&](const RowSums& sums) { range_sums.add(sums, distinct_cap); });
  std::vector<double>& lo = range_sums.lo;
  std::vector<double>& hi = range_sums.hi;
  std::vector<int64_t>& missing = range_sums.missing;
  std::vector<std::vector<int64_t>>& category_counts = range_sums.counts;
  std::vector<int64_t>& reference_missing = range_sums.reference_missing;
  std::vector<std::vector<double>>& distinct = range_sums.distinct;
  comm.allreduce_sum_inplace(missing);
  comm.allreduce_sum_inplace(reference_missing);
  if (dp) {
    // Every node has a missing state and every declared category is allowed: the data decide
    // only their probabilities, through the noisy family tables.
    std::fill(missing.begin(), missing.end(), 1);
    for (auto& counts : category_counts) std::fill(counts.begin(), counts.end(), 1);
    const double sensitivity = static_cast<double>(person_rows * static_cast<int64_t>(reference_targets.size()));
    if (!reference_targets.empty()) {
      reference_missing = noisy_counts(reference_missing, options.seed, options.dp.stream, DpQuery::references, 0,
                                       sensitivity, options.dp.references);
      record(DpQuery::references, options.dp.references, sensitivity);
    }
  }
  nlohmann::json suppressed = nlohmann::json::object();
  for (size_t j = 0; j < n_nodes; ++j) {
    ModelNode& node = model.nodes[j];
    if (has_category_states(node.kind)) {
      if (!dp) comm.allreduce_sum_inplace(category_counts[j]);
      int64_t hidden = 0;
      for (auto& c : category_counts[j])
        if (!dp && c > 0 && c < options.min_cell) { c = 0; ++hidden; }
      if (hidden) suppressed[node.name] = hidden;
      node.binned_states = static_cast<int32_t>(category_counts[j].size());
      node.missing_state = missing[j] > 0 ? node.binned_states : -1;
      node.states = node.binned_states + (missing[j] > 0 ? 1 : 0);
      if (node.states == 0) { node.states = 1; node.missing_state = 0; }  // an empty table
    } else {
      if (dp) {
        set_fine_bins(node, declared_range(node, meta, table.order_column, options), options.fine_bins, {}, kSuperFine);
        continue;
      }
      NumericRange range;
      range.min = comm.allreduce_min(lo[j]);
      range.max = comm.allreduce_max(hi[j]);
      range.any_value = range.min <= range.max;
      range.any_missing = missing[j] > 0;
      // The union of every rank's distinct values (each rank's set is capped, so a rank that
      // stopped collecting makes the union too large, as it should).
      std::vector<double> mine(distinct[j].begin(), distinct[j].end());
      std::vector<double> all = comm.allgatherv(mine);
      std::set<double> merged(all.begin(), all.end());
      bool few = merged.size() <= static_cast<size_t>(options.fine_bins) && !comm.any(distinct[j].size() >= distinct_cap);
      set_fine_bins(node, range, options.fine_bins, few ? std::vector<double>(merged.begin(), merged.end()) : std::vector<double>{},
                    kIntegerSuperFine);
    }
  }

  // The previous sibling's category as one more context slot (fit.previous_sibling): its node's
  // states and one more, "no previous sibling". A category that min_cell suppressed, or that no
  // used row has, reads as no previous sibling: the synthetic siblings never have it.
  const int sibling_node = table.category_column < 0 ? -1 : model.node_index(meta.columns[static_cast<size_t>(table.category_column)]);
  if (sibling_node >= 0) {
    const ModelNode& category = model.nodes[static_cast<size_t>(sibling_node)];
    no_previous = category.states;
    previous_missing = category.missing_state >= 0 ? category.missing_state : no_previous;
    const auto& counts = category_counts[static_cast<size_t>(sibling_node)];
    const size_t codes = meta.dictionaries.at(category.name).size();
    previous_state_of_code.assign(codes, no_previous);
    for (size_t code = 0; code < codes; ++code) {
      int32_t state = static_cast<int32_t>(code);
      if (dp) state = reader.category_map[static_cast<size_t>(sibling_node)][code];
      if (state < 0) previous_state_of_code[code] = previous_missing;
      else if (counts[static_cast<size_t>(state)] > 0) previous_state_of_code[code] = state;
    }
    model.previous_sibling_slot = static_cast<int32_t>(model.context_states.size());
    model.context_states.push_back(no_previous + 1);
    model.sibling_category = category.name;
  }
  const int32_t context = static_cast<int32_t>(model.context_states.size());

  // Pass 2: fine histograms of numeric nodes, then their states (quantile groups).
  std::vector<std::vector<int64_t>> fine(n_nodes);
  for (size_t j = 0; j < n_nodes; ++j)
    if (!has_category_states(model.nodes[j].kind)) fine[j].assign(static_cast<size_t>(model.nodes[j].fine_bins), 0);
  const std::vector<FineBinIndex> super_fine = fine_bin_indexes(model.nodes);
  RowSums fine_sums;
  fine_sums.counts = std::move(fine);
  tbb::enumerable_thread_specific<RowSums> fine_threads(fine_sums);
  for_each_row_block([&](const ShardRows& rows, int64_t begin, int64_t end) {
    std::vector<std::vector<int64_t>>& counts = fine_threads.local().counts;
    for (int64_t r = begin; r < end; ++r) {
      if (!rows.facts[static_cast<size_t>(r)].included) continue;
      for (size_t j = 0; j < n_nodes; ++j) {
        if (has_category_states(model.nodes[j].kind)) continue;
        double v = 0;
        if (reader.value(model.nodes[j], j, rows, r, v)) ++counts[j][static_cast<size_t>(super_fine[j].bin(v))];
      }
    }
  });
  fine_threads.combine_each([&](const RowSums& sums) { fine_sums.add(sums, 0); });
  fine = std::move(fine_sums.counts);
  // Under DP the row count is released with the histograms (one more cell each row adds 1 to);
  // it sizes the conditional tables and the reference shares in place of the exact count.
  int64_t rows_estimate = used_rows;
  int64_t numeric_nodes = 0;
  for (const auto& node : model.nodes) numeric_nodes += !has_category_states(node.kind);
  const double histogram_sensitivity = static_cast<double>(person_rows * (numeric_nodes + 1));
  if (dp) {
    rows_estimate = std::max<int64_t>(1, noisy_counts({used_rows}, options.seed, options.dp.stream, DpQuery::histograms,
                                                      static_cast<uint64_t>(n_nodes) << 32, histogram_sensitivity,
                                                      options.dp.histograms)[0]);
    record(DpQuery::histograms, options.dp.histograms, histogram_sensitivity);
  }
  for (const auto& [column, target] : reference_targets) {
    int c = meta.column_index(column);
    const int64_t missing_rows = std::min(reference_missing[static_cast<size_t>(c)], rows_estimate);
    uint64_t share = rows_estimate ? static_cast<uint64_t>((static_cast<kernels::WideCount>(missing_rows) *
                                                            kernels::kThresholdScale) / static_cast<uint64_t>(rows_estimate)) : 0;
    model.references.push_back({c, target, share});
  }
  // The reductions on this thread (MPI), then each numeric node's states from its histogram on
  // TBB's threads: a node's noise, bins and states depend on that node alone.
  for (size_t j = 0; j < n_nodes; ++j)
    if (!has_category_states(model.nodes[j].kind)) comm.allreduce_sum_inplace(fine[j]);
  std::vector<int64_t> hidden_fine(n_nodes, 0);
  tbb::parallel_for(size_t{0}, n_nodes, [&](size_t j) {
    if (has_category_states(model.nodes[j].kind)) return;
    if (dp)
      fine[j] = noisy_counts(fine[j], options.seed, options.dp.stream, DpQuery::histograms, static_cast<uint64_t>(j) << 32,
                             histogram_sensitivity, options.dp.histograms);
    fine[j] = merge_fine_bins(model.nodes[j], fine[j], options.fine_bins);
    for (int64_t c : fine[j]) hidden_fine[j] += c > 0 && c < options.min_cell;
    set_numeric_states(model.nodes[j], fine[j], missing[j], options.max_states, options.min_cell);
  });
  for (size_t j = 0; j < n_nodes; ++j)
    if (hidden_fine[j]) suppressed[model.nodes[j].name + " (fine bins)"] = hidden_fine[j];
  reader.fine_bins = fine_bin_indexes(model.nodes);

  // Pass 3: pairwise contingency tables of every node with every slot before it; with them the
  // parents of each node, by mutual information.
  std::vector<int32_t> slot_states = model.context_states;
  for (const auto& n : model.nodes) slot_states.push_back(n.states);
  const int32_t width = context + static_cast<int32_t>(n_nodes);
  std::vector<int64_t> pair_offset;
  int64_t pair_cells = 0;
  for (size_t j = 0; j < n_nodes; ++j)
    for (int32_t c = 0; c < context + static_cast<int32_t>(j); ++c) {
      pair_offset.push_back(pair_cells);
      pair_cells += static_cast<int64_t>(model.nodes[j].states) * slot_states[static_cast<size_t>(c)];
    }
  std::vector<int64_t> pairs(static_cast<size_t>(pair_cells), 0);
  // A table with children leaves its used rows' node states (one shard at a time) for the
  // children's context; rows not used stay 0 (no used child row points to them).
  const bool keep_states = !table.child_tables.empty();
  const std::string states_dir = scratch.dir() + "/" + states_directory(meta.name);
  if (keep_states) make_scratch_directory(states_dir);
  std::vector<int32_t> shard_states;
  std::vector<uint8_t> encoded_states;
  std::vector<int32_t> own_state_counts;
  for (const auto& n : model.nodes) own_state_counts.push_back(n.states);
  const size_t own_state_bytes = state_bytes(own_state_counts);
  std::vector<int32_t> row_states(static_cast<size_t>(width));
  auto fill_states = [&](const ShardRows& rows, int64_t r, int32_t* out) {
    parent_context(rows, r, out);
    for (size_t j = 0; j < n_nodes; ++j) out[static_cast<size_t>(context) + j] = reader.state(model.nodes[j], j, rows, r);
  };
  // The used rows' states of the last shard pass 3 reads, the one ShardRows keeps loaded, kept for
  // pass 4 (one shard's worth: memory stays bounded); on a rank that owns one shard, every small
  // table, pass 4 then looks no value up again (a seventh of a small fit's CPU went to doing so).
  std::vector<int32_t> kept_states;
  size_t kept_shard = std::numeric_limits<size_t>::max();
  std::vector<size_t> used_place;  // per row of the shard: its place among the shard's used rows
  RowSums pair_sums;
  pair_sums.pairs = std::move(pairs);
  tbb::enumerable_thread_specific<RowSums> pair_threads(pair_sums);
  for_each_row_block(
      [&](const ShardRows& rows, int64_t begin, int64_t end) {
        std::vector<int64_t>& counts = pair_threads.local().pairs;
        for (int64_t r = begin; r < end; ++r) {
          if (!rows.facts[static_cast<size_t>(r)].included) continue;
          int32_t* states = kept_states.data() + used_place[static_cast<size_t>(r)] * static_cast<size_t>(width);
          fill_states(rows, r, states);
          size_t p = 0;
          for (size_t j = 0; j < n_nodes; ++j) {
            int32_t x = states[static_cast<size_t>(context) + j];
            for (int32_t c = 0; c < context + static_cast<int32_t>(j); ++c, ++p)
              ++counts[static_cast<size_t>(pair_offset[p] + static_cast<int64_t>(x) * slot_states[static_cast<size_t>(c)] + states[static_cast<size_t>(c)])];
          }
          if (keep_states)
            std::copy_n(states + context, n_nodes, shard_states.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(r) * n_nodes));
        }
      },
      [&](const ShardRows& rows) {
        const size_t n = static_cast<size_t>(rows.data.rows());
        used_place.resize(n);
        size_t used = 0;
        for (size_t r = 0; r < n; ++r) {
          used_place[r] = used;
          used += rows.facts[r].included;
        }
        kept_shard = rows.shard;
        kept_states.assign(used * static_cast<size_t>(width), 0);
        if (keep_states) shard_states.assign(n * n_nodes, 0);  // rows not used stay 0
      },
      [&](const ShardRows& rows) {
        if (!keep_states) return;
        encoded_states.resize(shard_states.size() * own_state_bytes);
        encode_states(shard_states.data(), shard_states.size(), own_state_bytes, encoded_states.data());
        write_record_file(row_values_path(states_dir, rows.shard), encoded_states.data(), encoded_states.size());
      });
  pair_threads.combine_each([&](const RowSums& sums) { pair_sums.add(sums, 0); });
  pairs = std::move(pair_sums.pairs);
  comm.allreduce_sum_inplace(pairs);
  if (dp) {
    // Recorded even without pairs (a one-node table): its share counts as spent either way.
    const double sensitivity = static_cast<double>(person_rows * static_cast<int64_t>(pair_offset.size()));
    pairs = noisy_counts(pairs, options.seed, options.dp.stream, DpQuery::pairs, 0, sensitivity, options.dp.pairs);
    record(DpQuery::pairs, options.dp.pairs, sensitivity);
  }
  const int64_t max_configurations = std::max<int64_t>(1, rows_estimate / std::max<int64_t>(1, options.min_rows_per_configuration));
  const int64_t max_coarse_configurations =
      std::max<int64_t>(1, rows_estimate / std::max<int64_t>(1, options.min_rows_per_coarse_configuration));
  nlohmann::json structure = nlohmann::json::object();
  auto slot_name = [&](int32_t slot) {
    if (slot == model.first_child_slot) return std::string("first child");
    if (slot == model.previous_sibling_slot) return "previous sibling's " + model.sibling_category;
    return slot < context ? parent->model.nodes[static_cast<size_t>(slot)].name + " (" + meta.parent + ")"
                          : model.nodes[static_cast<size_t>(slot - context)].name;
  };
  // Slots whose states are ordered ranges of values (numeric nodes, here or in the parent).
  auto ordered_slot = [&](int32_t slot) {
    if (slot == model.first_child_slot || slot == model.previous_sibling_slot) return false;
    const ModelNode& node = slot < context ? parent->model.nodes[static_cast<size_t>(slot)] : model.nodes[static_cast<size_t>(slot - context)];
    return !has_category_states(node.kind);
  };
  size_t p = 0;
  for (size_t j = 0; j < n_nodes; ++j) {
    std::vector<std::pair<double, int32_t>> candidates;
    for (int32_t c = 0; c < context + static_cast<int32_t>(j); ++c, ++p)
      candidates.push_back({mutual_information(pairs.data() + pair_offset[p], model.nodes[j].states, slot_states[static_cast<size_t>(c)]), c});
    std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    int64_t configurations = 1;
    nlohmann::json chosen = nlohmann::json::array();
    // The gap and the first time exist only for later and for first siblings: both always
    // depend on the first-child flag; so does the visit flag (a first sibling starts a visit).
    const ModelNode& current = model.nodes[j];
    const bool time_node = current.column >= 0 && current.column == table.order_column;
    if (model.first_child_slot >= 0 &&
        (current.kind == NodeKind::gap || current.kind == NodeKind::visit || (time_node && !visit_model))) {
      model.nodes[j].parents.push_back(model.first_child_slot);
      model.nodes[j].parent_radix.push_back(0);
      configurations = 2;
      chosen.push_back({{"parent", "first child"}, {"mutual_information", nullptr}});
    }
    // The visit model's time node may take one parent more: a visit's time depends both on the
    // parent's follow-up and on the row's own category (a lab test, an event type).
    const int max_parents = std::min(options.max_parents + (visit_model && time_node ? 1 : 0), kernels::kMaxNodeParents);
    // ... and it takes the row's category first (the table's categorical column with the most
    // mutual information), then parents by mutual information: a lab's day depends on its test
    // less than on the person's follow-up, but days within each test are what siblings show
    // (nafld: lab days within test 0.95 -> 0.97).
    if (visit_model && time_node) {
      auto row_category = [&](const std::pair<double, int32_t>& c) {
        return c.second >= context && model.nodes[static_cast<size_t>(c.second - context)].kind == NodeKind::categorical;
      };
      auto first = std::find_if(candidates.begin(), candidates.end(), row_category);
      if (first != candidates.end()) std::rotate(candidates.begin(), first, first + 1);
    }
    for (const auto& [mi, slot] : candidates) {
      if (std::find(model.nodes[j].parents.begin(), model.nodes[j].parents.end(), slot) != model.nodes[j].parents.end()) continue;
      // The previous sibling's category comes on top of fit.max_parents (within the kernel's
      // limit): with it in the count, a lab test that follows the previous test lost its tie to
      // the person (children count), and lab values theirs to the person's weight.
      const auto& parents = model.nodes[j].parents;
      const int lag = static_cast<int>(std::count(parents.begin(), parents.end(), model.previous_sibling_slot));
      if (static_cast<int>(parents.size()) - lag >= max_parents || static_cast<int>(parents.size()) >= kernels::kMaxNodeParents) break;
      if (mi < options.min_mutual_information) break;
      int32_t levels = slot_states[static_cast<size_t>(slot)];
      if (configurations * levels > max_configurations) {
        // Too many states for the bound: a numeric parent is read in fewer groups of neighbouring
        // (quantile) states, as many as the stricter bound of fit.min_rows_per_coarse_configuration
        // allows (finer tables follow the training rows more closely: nafld's
        // DCROverfittingProtection fell from 0.93 to 0.88 under the plain bound); a categorical
        // parent is passed over.
        const int64_t room = max_coarse_configurations / configurations;
        if (!ordered_slot(slot) || options.min_parent_groups < 2 || room < options.min_parent_groups) continue;
        levels = static_cast<int32_t>(room);
      }
      configurations *= levels;
      model.nodes[j].parents.push_back(slot);
      model.nodes[j].parent_radix.push_back(levels < slot_states[static_cast<size_t>(slot)] ? levels : 0);
      nlohmann::json entry = {{"parent", slot_name(slot)}, {"mutual_information", mi}};
      if (levels < slot_states[static_cast<size_t>(slot)]) entry["groups"] = levels;
      chosen.push_back(entry);
    }
    structure[model.nodes[j].name] = chosen;
  }

  // Pass 4: the family table of every node (its states per configuration of its parents).
  std::vector<int64_t> family_offset(n_nodes, 0);
  int64_t family_cells = 0;
  std::vector<int64_t> configurations_of(n_nodes, 1);
  for (size_t j = 0; j < n_nodes; ++j) {
    for (size_t q = 0; q < model.nodes[j].parents.size(); ++q)
      configurations_of[j] *= parent_levels(model.nodes[j], q, slot_states);
    family_offset[j] = family_cells;
    family_cells += configurations_of[j] * model.nodes[j].states;
  }
  std::vector<int64_t> family(static_cast<size_t>(family_cells), 0);
  size_t kept_row = 0;  // the next row of kept_states
  for_each_used_row([&](const ShardRows& rows, int64_t r) {
    if (rows.shard == kept_shard) {
      std::copy_n(kept_states.begin() + static_cast<std::ptrdiff_t>(kept_row * row_states.size()), row_states.size(), row_states.begin());
      ++kept_row;
    } else {
      fill_states(rows, r, row_states.data());
    }
    for (size_t j = 0; j < n_nodes; ++j) {
      int64_t configuration = 0;
      const ModelNode& node = model.nodes[j];
      for (size_t q = 0; q < node.parents.size(); ++q) {
        const int32_t slot = node.parents[q];
        configuration = configuration * parent_levels(node, q, slot_states) +
                        kernels::coarse_state(row_states[static_cast<size_t>(slot)], node.parent_radix[q], slot_states[static_cast<size_t>(slot)]);
      }
      ++family[static_cast<size_t>(family_offset[j] + configuration * model.nodes[j].states + row_states[static_cast<size_t>(context) + j])];
    }
  });
  comm.allreduce_sum_inplace(family);
  if (dp) {
    const double sensitivity = static_cast<double>(person_rows * static_cast<int64_t>(n_nodes));
    family = noisy_counts(family, options.seed, options.dp.stream, DpQuery::families, 0, sensitivity, options.dp.families);
    record(DpQuery::families, options.dp.families, sensitivity);
  }
  for (size_t j = 0; j < n_nodes; ++j) {
    ModelNode& node = model.nodes[j];
    // The node's marginal, the fallback for a parent configuration never seen in the data.
    std::vector<uint64_t> marginal(static_cast<size_t>(node.states), 0);
    for (int64_t conf = 0; conf < configurations_of[j]; ++conf)
      for (int32_t x = 0; x < node.states; ++x)
        marginal[static_cast<size_t>(x)] += static_cast<uint64_t>(family[static_cast<size_t>(family_offset[j] + conf * node.states + x)]);
    std::vector<bool> allowed(static_cast<size_t>(node.states), true);
    if (has_category_states(node.kind))
      for (int32_t x = 0; x < node.binned_states; ++x) allowed[static_cast<size_t>(x)] = category_counts[j][static_cast<size_t>(x)] > 0;
    node.thresholds.clear();
    for (int64_t conf = 0; conf < configurations_of[j]; ++conf) {
      std::vector<uint64_t> weights(static_cast<size_t>(node.states), 0);
      uint64_t total = 0;
      for (int32_t x = 0; x < node.states; ++x) {
        uint64_t w = allowed[static_cast<size_t>(x)] ? static_cast<uint64_t>(family[static_cast<size_t>(family_offset[j] + conf * node.states + x)]) : 0;
        weights[static_cast<size_t>(x)] = w;
        total += w;
      }
      if (total == 0)
        for (int32_t x = 0; x < node.states; ++x) {
          weights[static_cast<size_t>(x)] = allowed[static_cast<size_t>(x)] ? marginal[static_cast<size_t>(x)] : 0;
          total += weights[static_cast<size_t>(x)];
        }
      // Nothing seen at all (an empty table): every allowed state alike; a suppressed one never.
      if (total == 0)
        for (int32_t x = 0; x < node.states; ++x) weights[static_cast<size_t>(x)] = allowed[static_cast<size_t>(x)] ? 1 : 0;
      auto t = kernels::thresholds_from_weights(weights);
      node.thresholds.insert(node.thresholds.end(), t.begin(), t.end());
    }
  }
  if (dp) {
    // The exact count is not released: the model and its report carry the noisy estimate.
    model.rows_fit = rows_estimate;
    model.private_fit = true;
  }
  model.report = {{"parents", structure}, {"suppressed_by_min_cell", suppressed}, {"rows_fit", model.rows_fit},
                  {"order_by", model.order_by},
                  {"sibling_times", table.order_column < 0 ? "none" : visit_model ? "visits" : "gaps"}};
}

}  // namespace sc
