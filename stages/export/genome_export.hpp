// Export of a stage's genomes (a group such as genomes/reference or genomes/synthetic) as a
// bgzipped, indexed, phased VCF written through htslib.
#pragma once

#include <string>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

void export_genomes_vcf(const StageContext& context, const StageReader& stage, const std::string& group,
                        const std::string& out_path);

}  // namespace sc
