// PLINK 1 binary export of a genome group (e.g. sample's genomes/synthetic): `<prefix>.bed`
// (SNP-major, 2 bits per individual), `.bim` (contig, ID, cM, position, A1 = ALT, A2 = REF) and
// `.fam` (FID = IID = sample name, no parents, sex 0, phenotype -9), written by our own writer
// from the bit-packed windows. Phase is not kept (PLINK 1 has none); the genotype is the ALT count.
// Rank 0 writes, window after window; the three files appear together under their final names.
#pragma once

#include <string>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

void export_genomes_plink(const StageContext& context, const StageReader& stage, const std::string& group,
                          const std::string& prefix);

}  // namespace sc
