// From the store's tables to what the metrics compute on: the scored columns of a table (keys and
// references are identities and never scored), each as categorical, numeric or date, with the
// real and synthetic categorical codes mapped into one dictionary (the sorted union of both), so
// that a code means the same category on both sides.
#pragma once

#include <string>
#include <vector>

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

}  // namespace sc
