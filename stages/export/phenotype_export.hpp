// Export of every trait's genetic architecture as `phenotype_<trait>.effects.tsv`, so that an
// independent tool can recompute the genetic values from the exported genomes: one line per causal
// variant with its site (CHROM, POS, ID, REF, ALT as in the VCF), VARIANT (CHROM:POS:REF:ALT, unique
// even where the panel repeats an ID; plink2 --set-all-var-ids @:#:\$r:\$a names variants alike),
// the donors' ALT frequency and BETA, the effect per ALT allele. Sum of BETA x ALT count is the
// individual's genetic value plus the trait's offset (docs/phenotypes.md), e.g.
// `plink2 --bfile synthetic --set-all-var-ids @:#:\$r:\$a --score phenotype_T.effects.tsv 6 5 8 header cols=+scoresums`.
// Rank 0 writes, in variant order; the file appears under its final name only when complete.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

// Collective. Writes one file per trait of the stage's sample/phenotypes into `out_dir`; returns
// trait -> {file, causal_variants, offset} (empty when the stage has no traits).
nlohmann::json export_trait_effects(const StageContext& context, const StageReader& stage, const std::string& out_dir);

}  // namespace sc
