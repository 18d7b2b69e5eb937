// The share of rows that satisfy each constraint a table declares (pipeline/constraints.hpp), for
// the real and the synthetic table. Synthetic rows should satisfy all of them (the sampler
// repairs those that do not); real extracts break some (nafld has events after the end of
// follow-up), and the steward sees how many. A row whose compared value is missing on either side
// is not compared. Counts are integers reduced exactly: the same for any rank count.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pipeline/constraints.hpp"
#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

// [{constraint, real: {rows_compared, violations, share_satisfied}, synthetic: {...}}, ...]
nlohmann::json evaluate_constraints(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                    const std::string& table, const std::vector<Constraint>& constraints);

}  // namespace sc
