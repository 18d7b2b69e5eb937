// What the report's charts need from the stores that metrics.json does not hold: per-column
// histograms of the real and the synthetic table, category counts, and children-per-parent counts.
// Each rank reads its shards (shard s on rank s % size); only integer counts and minima/maxima
// cross ranks, so every number is the same for any rank count (docs/metrics.md, "How a metric is
// computed across ranks"). Bin edges are made from the reduced minima and maxima, the same on
// every rank.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc::report {

// Counts of one side (real or synthetic) over bins or categories.
struct SideCounts {
  std::vector<int64_t> counts;
  int64_t missing = 0;
  int64_t total() const;  // present rows (the counts' sum)
};

// One scored column (keys and references are identities and are not charted).
struct ColumnDistribution {
  std::string column;
  bool categorical = false;
  bool date = false;  // numbers are days since 1970-01-01
  // Numeric and date columns: `shared_edges` span real and synthetic (the steward's overlay);
  // `synthetic_edges` span the synthetic values alone (the public view never sees a real extreme).
  std::vector<double> shared_edges, synthetic_edges;
  SideCounts real, synthetic;       // on shared_edges, or per category
  SideCounts synthetic_alone;       // on synthetic_edges
  std::vector<std::string> categories;  // categorical: the union of both dictionaries, sorted
};

// Parents by number of children: counts[k] = parents with k children (every parent row counts,
// those with none too); child rows whose parent is absent are not counted here.
struct ChildrenHistogram {
  SideCounts real, synthetic;
};

// Shards this rank read, so that a run can show that every rank did work.
struct ShardTally {
  int64_t shards_read = 0;
};

std::vector<ColumnDistribution> column_distributions(const Communicator& comm, const StageReader& real,
                                                     const StageReader& synthetic, const std::string& table,
                                                     int bins, ShardTally& tally);

ChildrenHistogram children_per_parent(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                      const std::string& child_table, ShardTally& tally);

}  // namespace sc::report
