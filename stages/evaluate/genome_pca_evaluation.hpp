// PCA of the genome evaluation: randomized SVD of the training individuals' standardized
// genotypes (metrics/genome_pca.hpp), every product with the genotype matrix a sum of the
// windows' products added in window order, then the held-out and synthetic individuals
// projected onto the axes. Writes metrics.json's `pca`.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "stages/evaluate/genome_panels.hpp"

namespace sc {

nlohmann::json evaluate_pca(const Communicator& comm, const Panels& p, const std::vector<WindowCounts>& counts);

}  // namespace sc
