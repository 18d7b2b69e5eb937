// From the store's tables to what the metrics compute on: the scored columns of a table (keys and
// references are identities and never scored), each as categorical, numeric or date, with the
// real and synthetic categorical codes mapped into one dictionary (the sorted union of both), so
// that a code means the same category on both sides.
#pragma once

#include <string>
#include <vector>

#include "pipeline/store.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/metrics/column_view.hpp"

namespace sc {

struct ScoredColumns {
  std::vector<int> index;                          // column indices in the table
  std::vector<std::string> names;
  std::vector<metrics::ColumnKind> kinds;
  // Per scored categorical column: real code -> unified code, synthetic code -> unified code.
  std::vector<std::vector<int32_t>> real_remap, synthetic_remap;
  std::vector<std::vector<std::string>> dictionaries;  // unified, per scored column (empty if not categorical)
};

// Fails (InputError) when the real and synthetic tables do not have the same columns and types.
ScoredColumns scored_columns(const TableMeta& real, const TableMeta& synthetic);

// The scored columns of one shard, owned, codes in the unified dictionaries.
metrics::TableData shard_table_data(const TableShard& shard, const ScoredColumns& scored, bool synthetic);

// Appends the rows of `from` flagged in `keep` to `into` (same columns; `into` may be empty).
void append_rows(metrics::TableData& into, const metrics::TableData& from, const std::vector<uint8_t>& keep);

// Which rows of a real table a metric reads: all of them, the persons the fit saw (training), or
// the held-out ones (pipeline/holdout.hpp). A synthetic table is always read whole.
enum class RowSelection { all, training, holdout };

struct TableRows {
  const StageReader& reader;
  TableMeta meta;
  std::vector<std::string> shards;
  bool synthetic;
  RowSelection rows;
  uint64_t seed = 1;              // run.seed, for the hold-out split
  double holdout_fraction = 0.0;  // evaluate.holdout_fraction
};

// The shards of `table` in `reader`, with the rows to select.
TableRows select_rows(const StageReader& reader, const std::string& table, bool synthetic, RowSelection rows,
                      uint64_t seed, double holdout_fraction);

// Shard s of `rows`, its scored columns, keeping only the selected rows.
metrics::TableData load_selected_rows(const TableRows& rows, int64_t s, const ScoredColumns& scored);

}  // namespace sc
