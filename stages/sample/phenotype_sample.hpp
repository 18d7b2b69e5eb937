// The phenotype steps of `sample`, in the order the stage runs them: the genomes are sampled with
// every synthetic window also feeding the traits' genetic value sums, which are combined across
// ranks into genetic values, liabilities and cases (written to sample/phenotypes/<trait>); the
// registry tables then carry them (phenotype_registry.hpp, phenotype_events.hpp); at the end the
// stage summary gets a `phenotypes` entry.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"
#include "stages/sample/genome_sample.hpp"
#include "stages/sample/phenotype_events.hpp"
#include "stages/sample/phenotype_registry.hpp"

namespace sc {

// sample_genomes(), plus the traits of `plan` (plan.values filled, the same on every rank).
GenomeSampleSummary sample_genomes_with_traits(const StageContext& context, const StageReader& ingest,
                                               const GenomeSamplePlan& genome_plan, PhenotypePlan& plan, StageWriter& writer,
                                               std::vector<std::string>& expected);

// Per trait: causal variants, configured and realized heritability, cases and events; the link.
nlohmann::json phenotype_summary(const PhenotypePlan& plan, const PhenotypeEventRows& events);

}  // namespace sc
