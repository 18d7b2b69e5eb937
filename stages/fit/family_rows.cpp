#include "stages/fit/family_rows.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <tuple>

#include "pipeline/error.hpp"
#include "pipeline/holdout.hpp"

namespace sc {

namespace {

// A parent row as the join sees it.
struct ParentKey {
  int64_t key, row, included;
};
// A child row with a foreign key: its time (time_missing 1 when it has none) and row number.
// Sorted as a tuple, a family's rows with a time come first, in (time, row) order.
struct ChildRow {
  int64_t key, time_missing, time, row;
  int64_t category;  // code in the table's category column (-1: missing or no such column)
  auto tie() const { return std::tie(key, time_missing, time, row); }
};
// A used child row and its parent row, for the join with the parent's node states.
struct ParentLink {
  int64_t parent_row, row;
};

// Spreads keys evenly over the partitions whatever their pattern (splitmix64's finaliser).
int64_t partition_of(int64_t key, int64_t partitions) {
  uint64_t z = static_cast<uint64_t>(key) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<int64_t>(z % static_cast<uint64_t>(partitions));
}

bool is_time_column(ColumnType type) { return type == ColumnType::day_offset || type == ColumnType::date; }

}  // namespace

std::string facts_directory(const std::string& table) { return table + "/facts"; }
std::string children_directory(const std::string& table, const std::string& child) { return table + "/children." + child; }
std::string states_directory(const std::string& table) { return table + "/states"; }
std::string parent_states_directory(const std::string& table) { return table + "/parent_states"; }

void prepare_root_rows(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FamilyTable& table,
                       const FamilyOptions& options) {
  const int key_column = table.meta.primary_key.empty() ? -1 : table.meta.column_index(table.meta.primary_key);
  const std::string directory = scratch.dir() + "/" + facts_directory(table.meta.name);
  make_scratch_directory(directory);
  int64_t used = 0;
  for (size_t s = 0; s < table.layout.shards.size(); ++s) {
    if (!table.layout.owns(comm, s)) continue;
    std::vector<RowFacts> facts(static_cast<size_t>(table.layout.rows[s]));
    if (key_column >= 0) {
      // The keys alone: the passes of fit_table read the whole shard later.
      const TableShard data = read_table_columns(stage, table.layout.shards[s], table.meta, {key_column});
      const ColumnValues& keys = data.columns[static_cast<size_t>(key_column)];
      for (size_t r = 0; r < facts.size(); ++r) facts[r].included = !held_out(options.seed, keys.i64[r], options.holdout_fraction);
    } else {
      for (auto& f : facts) f.included = 1;
    }
    for (const auto& f : facts) used += f.included;
    write_record_file(row_values_path(directory, s), facts.data(), facts.size() * sizeof(RowFacts));
  }
  table.used_rows = comm.allreduce_sum(used);
}

void prepare_child_rows(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FamilyTable& table,
                        FamilyTable& parent, const FamilyOptions& options) {
  const TableMeta& meta = table.meta;
  if (options.order_siblings)
    for (size_t c = 0; c < meta.columns.size() && table.order_column < 0; ++c)
      if (is_time_column(meta.types[c])) table.order_column = static_cast<int>(c);
  if (table.order_column >= 0 && options.previous_sibling)
    for (size_t c = 0; c < meta.columns.size() && table.category_column < 0; ++c)
      if (meta.types[c] != ColumnType::key && stored_as_code(meta.types[c])) table.category_column = static_cast<int>(c);
  const int fk = meta.column_index(meta.foreign_key);
  const int parent_key = parent.meta.column_index(parent.meta.primary_key);
  const std::string prefix = meta.name + "/join";
  const int64_t partitions = scratch.partitions_for(parent.layout.total_rows * static_cast<int64_t>(sizeof(ParentKey)) +
                                                    table.layout.total_rows * static_cast<int64_t>(sizeof(ChildRow)));
  PartitionSpill parents(scratch, comm, prefix + "/parents", partitions, sizeof(ParentKey));
  PartitionSpill children(scratch, comm, prefix + "/children", partitions, sizeof(ChildRow));
  RowValuesWriter facts(scratch, comm, table.layout, facts_directory(meta.name), sizeof(RowFacts));
  RowValuesWriter counts(scratch, comm, parent.layout, children_directory(parent.meta.name, meta.name), sizeof(int64_t));

  // Spill: the parent's keys and inclusion, the child rows' keys and times.
  const std::string parent_facts = scratch.dir() + "/" + facts_directory(parent.meta.name);
  for (size_t s = 0; s < parent.layout.shards.size(); ++s) {
    if (!parent.layout.owns(comm, s)) continue;
    const TableShard data = read_table_columns(stage, parent.layout.shards[s], parent.meta, {parent_key});
    const std::vector<RowFacts> rows = read_records<RowFacts>(row_values_path(parent_facts, s), parent.layout.rows[s]);
    const ColumnValues& keys = data.columns[static_cast<size_t>(parent_key)];
    for (size_t r = 0; r < rows.size(); ++r) {
      if (keys.missing[r]) continue;
      ParentKey record{keys.i64[r], parent.layout.first_row[s] + static_cast<int64_t>(r), rows[r].included};
      parents.append(partition_of(record.key, partitions), &record);
    }
  }
  for (size_t s = 0; s < table.layout.shards.size(); ++s) {
    if (!table.layout.owns(comm, s)) continue;
    std::vector<int> needed{fk};
    for (int c : {table.order_column, table.category_column})
      if (c >= 0) needed.push_back(c);
    const TableShard data = read_table_columns(stage, table.layout.shards[s], meta, needed);
    const ColumnValues& keys = data.columns[static_cast<size_t>(fk)];
    for (int64_t r = 0; r < table.layout.rows[s]; ++r) {
      const int64_t g = table.layout.first_row[s] + r;
      if (keys.missing[static_cast<size_t>(r)]) {
        RowFacts orphan;
        facts.set(g, &orphan);
        continue;
      }
      ChildRow record{keys.i64[static_cast<size_t>(r)], 1, 0, g, -1};
      if (table.order_column >= 0) {
        const ColumnValues& t = data.columns[static_cast<size_t>(table.order_column)];
        if (!t.missing[static_cast<size_t>(r)]) record = {record.key, 0, t.i64[static_cast<size_t>(r)], g, -1};
      }
      if (table.category_column >= 0) {
        const ColumnValues& category = data.columns[static_cast<size_t>(table.category_column)];
        if (!category.missing[static_cast<size_t>(r)]) record.category = category.codes[static_cast<size_t>(r)];
      }
      children.append(partition_of(record.key, partitions), &record);
    }
  }
  parents.finish();
  children.finish();
  comm.barrier();  // every rank's partition files are complete

  // Partition k (whole families, in key order) is processed by rank k % size, which reads every
  // rank's file of it and sends each row's facts and each parent's count to the rank that owns
  // the row (through the writers' partitions): each row's values are derived once, from its
  // whole family, whatever the rank count.
  int64_t used = 0, later_siblings = 0, same_time = 0;
  std::vector<int64_t> family_rows;
  for (int64_t k = comm.rank(); k < partitions; k += comm.size()) {
    std::vector<ParentKey> keys = parents.read<ParentKey>(k, true);
    std::sort(keys.begin(), keys.end(), [](const ParentKey& a, const ParentKey& b) { return a.key < b.key; });
    std::vector<ChildRow> rows = children.read<ChildRow>(k, true);
    std::sort(rows.begin(), rows.end(), [](const ChildRow& a, const ChildRow& b) { return a.tie() < b.tie(); });
    for (size_t begin = 0, end = 0; begin < rows.size(); begin = end) {
      end = begin;
      while (end < rows.size() && rows[end].key == rows[begin].key) ++end;
      // The parent row (primary keys are unique after ingest) and whether it is used.
      auto it = std::lower_bound(keys.begin(), keys.end(), rows[begin].key,
                                 [](const ParentKey& a, int64_t key) { return a.key < key; });
      const bool found = it != keys.end() && it->key == rows[begin].key;
      const int64_t parent_row = found ? it->row : -1;
      const bool parent_used = found && it->included;
      // Under differential privacy only a parent's first max_children rows in store order count.
      int64_t cap_row = std::numeric_limits<int64_t>::max();
      if (parent_used && options.cap_children && static_cast<int64_t>(end - begin) > options.max_children) {
        family_rows.clear();
        for (size_t i = begin; i < end; ++i) family_rows.push_back(rows[i].row);
        std::nth_element(family_rows.begin(), family_rows.begin() + (options.max_children - 1), family_rows.end());
        cap_row = family_rows[static_cast<size_t>(options.max_children - 1)];
      }
      int64_t family_used = 0;
      for (size_t i = begin; i < end; ++i) {
        RowFacts f;
        f.parent_row = parent_row;
        f.included = parent_used && rows[i].row <= cap_row;
        // Rows without a time follow those with one, in store order: their previous sibling too.
        if (table.category_column >= 0 && i > begin) {
          f.has_previous = 1;
          f.previous_code = static_cast<int32_t>(rows[i - 1].category);
        }
        if (!rows[i].time_missing) {
          const bool first = i == begin;  // rows with a time come first in their family
          f.first_child = first;
          f.has_gap = !first;
          f.gap = first ? 0 : rows[i].time - rows[i - 1].time;
          if (f.included && !first) {
            ++later_siblings;
            same_time += f.gap == 0;
          }
        }
        family_used += f.included;
        facts.set(rows[i].row, &f);
      }
      used += family_used;
      if (family_used > 0) counts.set(parent_row, &family_used);
    }
  }
  facts.finish();  // collective: every rank is past its partitions
  counts.finish();
  for (int64_t k = 0; k < partitions; ++k) {
    parents.remove(k);
    children.remove(k);
  }
  table.used_rows = comm.allreduce_sum(used);
  table.later_siblings = comm.allreduce_sum(later_siblings);
  table.same_time = comm.allreduce_sum(same_time);
  table.family_partitions = partitions;
  parent.child_tables.push_back(meta.name);
}

size_t state_bytes(const std::vector<int32_t>& state_counts) {
  const int32_t most = state_counts.empty() ? 0 : *std::max_element(state_counts.begin(), state_counts.end());
  return most <= 256 ? 1 : most <= 65536 ? 2 : 4;
}

void encode_states(const int32_t* states, size_t count, size_t bytes, uint8_t* out) {
  for (size_t i = 0; i < count; ++i) {
    const auto v = static_cast<uint32_t>(states[i]);
    if (bytes == 1) out[i] = static_cast<uint8_t>(v);
    else if (bytes == 2) {
      const auto w = static_cast<uint16_t>(v);
      std::memcpy(out + 2 * i, &w, 2);
    } else std::memcpy(out + 4 * i, &v, 4);
  }
}

void decode_states(const uint8_t* in, size_t count, size_t bytes, int32_t* out) {
  for (size_t i = 0; i < count; ++i) {
    if (bytes == 1) out[i] = in[i];
    else if (bytes == 2) {
      uint16_t w = 0;
      std::memcpy(&w, in + 2 * i, 2);
      out[i] = w;
    } else std::memcpy(out + i, in + 4 * i, 4);
  }
}

void join_parent_states(const Communicator& comm, const FitScratch& scratch, const FamilyTable& table,
                        const FamilyTable& parent, int32_t parent_nodes, size_t bytes) {
  comm.barrier();  // the parent's node states are written by every rank
  const size_t width = static_cast<size_t>(parent_nodes) * bytes;
  RowValuesWriter writer(scratch, comm, table.layout, parent_states_directory(table.meta.name), width);
  if (width == 0) {
    writer.finish();
    return;
  }
  // Groups of neighbouring parent shards: a group's states in memory, with the child rows whose
  // parent is in it.
  const int64_t groups = std::min<int64_t>(
      static_cast<int64_t>(std::max<size_t>(1, parent.layout.shards.size())),
      scratch.partitions_for(parent.layout.total_rows * static_cast<int64_t>(width) +
                             table.layout.total_rows * static_cast<int64_t>(sizeof(ParentLink))));
  std::vector<int64_t> group_of_shard(parent.layout.shards.size(), 0);
  for (size_t s = 0; s < parent.layout.shards.size(); ++s)  // the part of the rows (cut into equal parts) its first row is in
    group_of_shard[s] = parent.layout.first_row[s] * groups / std::max<int64_t>(1, parent.layout.total_rows);
  std::vector<size_t> group_begin(static_cast<size_t>(groups) + 1);
  for (int64_t g = 0; g <= groups; ++g)
    group_begin[static_cast<size_t>(g)] =
        static_cast<size_t>(std::lower_bound(group_of_shard.begin(), group_of_shard.end(), g) - group_of_shard.begin());

  PartitionSpill links(scratch, comm, table.meta.name + "/parent_join", groups, sizeof(ParentLink));
  const std::string facts_dir = scratch.dir() + "/" + facts_directory(table.meta.name);
  for (size_t s = 0; s < table.layout.shards.size(); ++s) {
    if (!table.layout.owns(comm, s)) continue;
    const std::vector<RowFacts> facts = read_records<RowFacts>(row_values_path(facts_dir, s), table.layout.rows[s]);
    for (size_t r = 0; r < facts.size(); ++r) {
      if (!facts[r].included) continue;
      ParentLink link{facts[r].parent_row, table.layout.first_row[s] + static_cast<int64_t>(r)};
      links.append(group_of_shard[shard_of_row(parent.layout, link.parent_row)], &link);
    }
  }
  links.finish();
  const std::string states_dir = scratch.dir() + "/" + states_directory(parent.meta.name);
  for (int64_t g = 0; g < groups; ++g) {
    const size_t first = group_begin[static_cast<size_t>(g)], last = group_begin[static_cast<size_t>(g) + 1];
    if (first == last) continue;
    // The parent's states of the group's shards, written by whichever ranks own them.
    std::vector<uint8_t> states;
    for (size_t s = first; s < last; ++s) append_records(row_values_path(states_dir, s), width, parent.layout.rows[s], states);
    const int64_t base = parent.layout.first_row[first];
    for (const ParentLink& link : links.read<ParentLink>(g, false))
      writer.set(link.row, states.data() + static_cast<size_t>(link.parent_row - base) * width);
    links.remove(g);
  }
  writer.finish();
}

}  // namespace sc
