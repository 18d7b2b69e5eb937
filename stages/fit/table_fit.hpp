// Fitting one registry table's network from its ingested shards (DESIGN.md, decision 3): every
// pass reads the shards this rank owns, counts (ranges, category counts, fine histograms, pairwise
// contingency tables, family tables) and reduces the counts exactly across ranks, so the model is
// the same for any rank count. Memory holds the counts and one shard at a time: what the passes
// need per row (inclusion, sibling order, children counts, the parent's node states) is read per
// shard from the fit's scratch area, where it was put together in bounded memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/schema.hpp"
#include "stages/fit/dp_noise.hpp"
#include "stages/fit/family_rows.hpp"
#include "stages/fit/fit_scratch.hpp"
#include "pipeline/table_model.hpp"
#include "pipeline/table_store.hpp"
#include "pipeline/table_layout.hpp"

namespace sc {

struct FitOptions {
  int fine_bins = 256;                  // fit.fine_bins
  int max_states = 32;                  // fit.bins
  int max_parents = 2;                  // fit.max_parents
  int64_t min_rows_per_configuration = 20;  // fit.min_rows_per_configuration
  int64_t min_parent_groups = 4;        // fit.min_parent_groups (0 or 1: numeric parents never read coarsely)
  int64_t min_rows_per_coarse_configuration = 60;  // fit.min_rows_per_coarse_configuration
  double min_mutual_information = 0.002;    // fit.min_mutual_information (nats)
  int64_t min_cell = 0;                 // fit.min_cell
  bool sibling_gaps = true;             // fit.sibling_gaps
  bool visits = true;                   // fit.visits (with sibling_gaps: the visit model)
  double min_visit_share = 0.05;        // fit.min_visit_share
  bool previous_sibling = true;         // fit.previous_sibling (with sibling_gaps)
  uint64_t seed = 1;
  double holdout_fraction = 0.0;
  // Differential privacy (fit.epsilon > 0): the table's budget, the cap on children per parent
  // row, and the schema's declared domains, which replace every range and category set that
  // would otherwise come from the data.
  bool private_fit = false;
  int64_t max_children = 0;                      // fit.dp_max_children
  TableDpBudget dp;                              // this table's share
  std::map<std::string, ColumnDomain> domains;   // this table's declared domains
  nlohmann::json* accounting = nullptr;          // the queries' records are appended here
};

// What the tables of one fit know about each other: their layout and per-row facts in the fit's
// scratch area (stages/fit/family_rows.hpp), and the fitted model.
struct FittedTable : FamilyTable {
  TableModel model;
};

// Inclusion, parents, sibling order and (on the parent) children counts, in the scratch area;
// `parent` is null for a root table. Collective.
void prepare_table(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FittedTable& table,
                   FittedTable* parent, const FitOptions& options);
// Fits the network of `table` (with `parent`'s node states as context for a child table); a table
// with children leaves its rows' node states in the scratch area for them. Collective.
void fit_table(const Communicator& comm, const StageReader& stage, const FitScratch& scratch, FittedTable& table,
               const FittedTable* parent, const std::vector<std::pair<std::string, std::string>>& reference_targets,
               const FitOptions& options);

}  // namespace sc
