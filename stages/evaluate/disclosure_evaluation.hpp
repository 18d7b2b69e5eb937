// Attribute disclosure and singling out for a root table, given the columns an attacker is
// assumed to know about a real person (evaluate.known_columns) and those to protect
// (evaluate.sensitive_columns):
// - DisclosureProtection, SDMetrics' CAP method (metrics/disclosure_protection.hpp), of the real
//   training persons against the synthetic table; and the same for the held-out persons, whom the
//   fit never saw: the level a generator that learnt nothing about individuals would reach;
// - the singling-out rate: the share of real persons whose combination of known values (numbers
//   in the same 10 bins) is unique among them and appears in the synthetic table, so that the
//   release shows that combination to someone who knows it is unique. Computed for the training
//   persons and, as the baseline, for the held-out persons (unique among the held-out).
// Counts of value combinations add exactly over shards: the same for any rank count.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct DisclosureOptions {
  uint64_t seed = 1;
  double holdout_fraction = 0.0;
  std::vector<std::string> known, sensitive;  // column names of the table
};

nlohmann::json evaluate_disclosure(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                   const std::string& table, const DisclosureOptions& options);

}  // namespace sc
