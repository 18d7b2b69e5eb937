// Evaluation of one registry table: real (the ingest stage) against synthetic (the sample stage).
// Column shapes and pair trends (SDMetrics' definitions, and our shared-bin variant) from pieces
// computed per shard by the shards' owners and merged in shard order; for root tables (persons),
// distance to closest record of every synthetic row to the real training rows and, with a
// hold-out, to the held-out rows (DCROverfittingProtection), exact over all pairs.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct TableEvaluationOptions {
  uint64_t seed = 1;
  double holdout_fraction = 0.0;  // persons held out of the fit (pipeline/holdout.hpp)
  bool privacy = true;            // DCR for tables with a primary key and no parent
};

nlohmann::json evaluate_table(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                              const std::string& table, const TableEvaluationOptions& options);

}  // namespace sc
