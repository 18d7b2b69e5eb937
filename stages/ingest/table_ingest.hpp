// Ingest of one registry table: shards cut from the CSV, parsed on their owner ranks, types and
// dictionaries settled across ranks, keys checked (duplicate primary keys, orphan child rows,
// dangling references), then each rank commits its shards. Parents are ingested before their
// children, so a child's foreign keys are checked against the parent's final key set.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/schema.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

// The primary keys of the tables ingested so far (sorted), for foreign-key and reference checks.
using KeySets = std::map<std::string, std::vector<int64_t>>;

struct TableIngestOutcome {
  std::vector<std::string> shards;  // schema shard first, then data shards in order
  nlohmann::json summary;
  std::string summary_line;
  nlohmann::json seconds;  // wall time of each phase on rank 0 (run-specific: provenance only)
};

TableIngestOutcome ingest_table(const StageContext& context, StageWriter& writer, const TableSpec& spec,
                                KeySets& keys);

}  // namespace sc
