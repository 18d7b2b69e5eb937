// Where a table's rows are in a stage: its shards in order, the rows of each (read from the
// store's index, without opening the files) and the first global row of each, and which rank
// owns which shard (round-robin, the same rule for any stage). Fit and sample walk tables through
// this so that every rank agrees on global row numbers whatever the rank count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/table_store.hpp"

namespace sc {

struct TableLayout {
  std::vector<std::string> shards;
  std::vector<int64_t> rows, first_row;
  int64_t total_rows = 0;
  bool owns(const Communicator& comm, size_t shard) const {
    return static_cast<int>(shard % static_cast<size_t>(comm.size())) == comm.rank();
  }
};

TableLayout table_layout(const StageReader& stage, const TableMeta& meta);

}  // namespace sc
