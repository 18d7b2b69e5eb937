// What the report's charts need from the stores that metrics.json does not hold: per-column
// histograms of the real and the synthetic table, category counts, and children-per-parent counts.
// Each rank reads its shards (shard s on rank s % size); only integer counts and minima/maxima
// cross ranks, so every number is the same for any rank count (docs/metrics.md, "How a metric is
// computed across ranks"). Bin edges are made from the reduced minima and maxima, the same on
// every rank.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc::report {

constexpr int kFineBinsPerBin = 50;

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
  // Numeric and date columns: `shared_edges` (`bins` bins) span real and synthetic (the steward's
  // overlay); `synthetic_fine_edges` (kFineBinsPerBin times as many) span the synthetic values
  // alone, zoomed past thin tails (kept_span), so that the public view shows the bulk of the
  // synthetic distribution and never a real extreme (chart_list.cpp).
  std::vector<double> shared_edges, synthetic_fine_edges;
  SideCounts real, synthetic;       // on shared_edges, or per category
  SideCounts synthetic_alone;       // on synthetic_fine_edges
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

// The bins kept when thin tails are cut: from each end, bins go while fewer than `min_count` rows
// lie beyond the cut. Returns [from, to); from == to when nothing is kept.
std::pair<size_t, size_t> kept_span(const std::vector<int64_t>& counts, int64_t min_count);

// `public_min_count`: the tail rule of the public view (kept_span); up to kZoomRounds passes zoom
// the synthetic fine bins in, each cutting fewer than `public_min_count` rows from either tail.
constexpr int kZoomRounds = 4;
std::vector<ColumnDistribution> column_distributions(const Communicator& comm, const StageReader& real,
                                                     const StageReader& synthetic, const std::string& table,
                                                     int bins, int64_t public_min_count, ShardTally& tally);

ChildrenHistogram children_per_parent(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                      const std::string& child_table, ShardTally& tally);

}  // namespace sc::report
