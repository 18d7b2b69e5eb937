// Kinship and nearest-neighbour adversarial accuracy of the genome evaluation: every pair of the
// panel's and the synthetic individuals counted over this rank's windows by blocks of rows
// (metrics/genome_relatedness.hpp), the counts summed over ranks as integers, and each
// individual's closest relatives kept by role. Writes metrics.json's `kinship` and `aats`.
#pragma once

#include <nlohmann/json.hpp>

#include "stages/evaluate/genome_panels.hpp"

namespace sc {

struct RelatednessMetrics {
  nlohmann::json kinship, aats;
};
RelatednessMetrics evaluate_relatedness(const Communicator& comm, const Panels& p);

}  // namespace sc
