// Differential privacy of the fit (`fit.epsilon`): the Laplace mechanism on the count vectors the
// fit reduces, with the person as the unit of privacy. Two extracts are neighbours when one holds
// a person (a root row) that the other lacks, together with all of that person's descendant rows;
// each person's contribution is bounded by using at most `fit.dp_max_children` children per
// parent row, so a table at depth d holds at most C^d rows of one person. A count vector to which
// every row adds at most k (k ones, in k cells) then changes by at most rows_per_person * k in L1,
// and Laplace noise of scale L1 / epsilon_query makes its release epsilon_query-DP (Dwork, McSherry,
// Nissim, Smith 2006). Queries compose sequentially: the total is the sum of the parts, which the
// budget plan makes equal to fit.epsilon and the manifest lists. The noise is counter-based
// (Philox keyed by run.seed, counted by table, query and cell), so it is the same on every rank.
// Everything after the noise (clamping at 0, rounding, quantile states, parent choice by mutual
// information, sampling thresholds) is post-processing and costs nothing more.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sc {

// The queries of one table's fit, each with its own share of the budget.
enum class DpQuery : uint32_t {
  histograms = 1,  // per node: fine histogram or category counts, and the missing count
  references = 2,  // per reference column: rows where it is missing
  pairs = 3,       // per node pair: contingency table (parent choice)
  families = 4,    // per node: states by parent configuration (sampling thresholds)
};

struct TableDpBudget {
  uint32_t stream = 0;          // the table's index: its own noise stream
  int64_t rows_per_person = 1;  // at most this many rows of one person in the table
  double histograms = 0, references = 0, pairs = 0, families = 0;  // epsilon of each query
  double total() const { return histograms + references + pairs + families; }
};

// Splits `epsilon` equally over the tables, and a table's share over its queries: 30% histograms
// (5% of which goes to references when the table has any), 30% pairs, 40% family tables.
std::vector<TableDpBudget> plan_dp_budget(double epsilon, const std::vector<int64_t>& rows_per_person,
                                          const std::vector<bool>& has_references);

// A Laplace(0, scale) variate for (seed, table stream, query, cell): the inverse CDF of a 53-bit
// uniform strictly inside (0, 1). Variance 2 scale^2.
double laplace_noise(uint64_t seed, uint32_t stream, DpQuery query, uint64_t cell, double scale);

// Adds Laplace noise of scale sensitivity / epsilon to every cell (cells numbered from
// `first_cell` within the query) and returns the noisy counts, rounded, with those under one
// noise scale set to 0 (post-processing).
std::vector<int64_t> noisy_counts(const std::vector<int64_t>& counts, uint64_t seed, uint32_t stream, DpQuery query,
                                  uint64_t first_cell, double sensitivity, double epsilon);

// The accounting line of one query, for the manifest: epsilon, L1 sensitivity, Laplace scale.
nlohmann::json dp_query_record(const std::string& table, DpQuery query, double epsilon, double sensitivity);

}  // namespace sc
