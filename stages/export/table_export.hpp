// CSV export of one table of a completed stage. Each rank formats the shards it owns; shard text
// sizes are shared so that each shard is written at its final offset of one file (written under a
// temporary name and renamed when complete).
#pragma once

#include <string>

#include "pipeline/schema.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct CsvFormat {
  char delimiter = ',';
  char quote = '"';
  std::string missing = "NA";
};

// Returns the number of rows written. Collective.
int64_t export_table_csv(const Communicator& comm, const StageReader& stage, const std::string& table,
                         const CsvFormat& format, const std::string& out_path);

}  // namespace sc
