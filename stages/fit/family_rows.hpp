// What fit derives per row of a registry table before counting, computed in bounded memory through
// the fit's scratch area (stages/fit/fit_scratch.hpp) and kept as one small file per shard:
// whether the row is used (not held out, its parent used, within the per-parent cap under
// differential privacy), its parent row, its place among its siblings in time (first child, gap
// to the previous sibling, the previous sibling's category), on the parent each row's children count per child table, and, once
// the parent is fitted, the parent's node states for every child row. Families are put together
// by partitioning child rows by a hash of the parent key; each partition, processed whole by one
// rank, sorts its rows by (key, time, row), so the results are the same for any rank count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/table_layout.hpp"
#include "pipeline/table_store.hpp"
#include "stages/fit/fit_scratch.hpp"

namespace sc {

// One row's facts, as stored (zero bytes: a row not used, without a parent and a gap).
struct RowFacts {
  int64_t parent_row = -1;  // -1: a root table, a missing foreign key or no such parent row
  int64_t gap = 0;          // time since the previous sibling, when has_gap
  uint8_t included = 0;     // used by the fit
  uint8_t first_child = 0;  // the parent's first child along the time column
  uint8_t has_gap = 0;      // a later sibling with a time (first children and rows without one: 0)
  uint8_t has_previous = 0;  // the row has a previous sibling (in time order, ties in store order)
  int32_t previous_code = 0;  // that sibling's code in the table's category column (-1: missing)
};
static_assert(sizeof(RowFacts) == 24);

// A table's place in the scratch area and what prepare learnt of it.
struct FamilyTable {
  TableMeta meta;
  TableLayout layout;
  std::vector<std::string> child_tables;  // tables whose children counts are kept per row, in order
  int order_column = -1;                  // the sibling time column (child tables with one)
  // With a time column and fit.previous_sibling: the categorical column whose previous-sibling
  // value each row carries (the first categorical column in schema order; -1: none).
  int category_column = -1;
  int64_t used_rows = 0;                  // rows with included = 1 (every rank)
  int64_t later_siblings = 0, same_time = 0;  // included later siblings; those at their previous sibling's time
  int64_t family_partitions = 0;          // partitions the families were processed in (child tables)
};

struct FamilyOptions {
  uint64_t seed = 1;
  double holdout_fraction = 0.0;
  bool order_siblings = true;  // fit.sibling_gaps
  bool previous_sibling = true;  // fit.previous_sibling: carry the previous sibling's category
  bool cap_children = false;   // under differential privacy
  int64_t max_children = 0;    // the cap
};

// Scratch directories of a table's per-shard files.
std::string facts_directory(const std::string& table);
std::string children_directory(const std::string& table, const std::string& child);
std::string states_directory(const std::string& table);
std::string parent_states_directory(const std::string& table);

// A root table: inclusion (the hold-out) per row. Collective.
void prepare_root_rows(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FamilyTable& table,
                       const FamilyOptions& options);
// A child table: its rows' parents, inclusion, cap and sibling order; the parent's children
// counts of this table (appended to parent.child_tables). Collective.
void prepare_child_rows(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FamilyTable& table,
                        FamilyTable& parent, const FamilyOptions& options);
// Node states in the scratch files take the fewest bytes (1, 2 or 4) that hold the largest
// state count of the table's nodes: the states of a row are read once per pass of each child table.
size_t state_bytes(const std::vector<int32_t>& state_counts);
void encode_states(const int32_t* states, size_t count, size_t bytes, uint8_t* out);
void decode_states(const uint8_t* in, size_t count, size_t bytes, int32_t* out);

// After the parent's fit wrote its node states (`parent_nodes` per row, `bytes` each): the
// parent's states for every used row of `table`, in the same encoding. Collective.
void join_parent_states(const Communicator& comm, const FitScratch& scratch, const FamilyTable& table,
                        const FamilyTable& parent, int32_t parent_nodes, size_t bytes);

}  // namespace sc
