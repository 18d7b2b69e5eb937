#include "stages/sample/phenotype_sample.hpp"

#include <cstdio>

#include "pipeline/progress.hpp"
#include "stages/sample/phenotype_values.hpp"

namespace sc {

GenomeSampleSummary sample_genomes_with_traits(const StageContext& context, const StageReader& ingest,
                                               const GenomeSamplePlan& genome_plan, PhenotypePlan& plan, StageWriter& writer,
                                               std::vector<std::string>& expected) {
  if (plan.traits.empty()) return sample_genomes(context, ingest, genome_plan, writer, expected);
  const Communicator& comm = context.comm;
  GeneticValueSums sums(plan.effects, plan.individuals);
  GenomeSampleSummary genomes = sample_genomes(context, ingest, genome_plan, writer, expected,
                                               [&](int64_t first_variant, const GenomeWindow& window) { sums.add_window(first_variant, window); });
  sums.combine(comm);
  const uint64_t seed = static_cast<uint64_t>(context.config.integer("run.seed"));
  plan.values = trait_values(plan.traits, plan.effects, sums, seed);
  write_trait_shards(writer, comm, plan.traits, plan.effects, plan.values,
                     static_cast<int>(context.config.integer("store.compression")), expected);
  for (size_t t = 0; t < plan.traits.size(); ++t) {
    char line[256];
    std::snprintf(line, sizeof line, "phenotype %s: %zu causal variants, h2 %.3f (realized %.4f)%s", plan.traits[t].name.c_str(),
                  plan.effects[t].variant.size(), plan.traits[t].heritability, plan.values[t].realized_heritability,
                  plan.traits[t].binary ? (", " + std::to_string(plan.values[t].cases) + " cases").c_str() : "");
    log_root(comm, "sample", line);
  }
  return genomes;
}

nlohmann::json phenotype_summary(const PhenotypePlan& plan, const PhenotypeEventRows& events) {
  nlohmann::json traits = nlohmann::json::object();
  for (size_t t = 0; t < plan.traits.size(); ++t) {
    const TraitSpec& spec = plan.traits[t];
    const TraitValues& values = plan.values[t];
    nlohmann::json entry = {{"causal_variants", plan.effects[t].variant.size()},
                            {"heritability", spec.heritability},
                            {"realized_heritability", values.realized_heritability},
                            {"kind", spec.binary ? "binary" : "quantitative"}};
    if (spec.binary) {
      entry["prevalence"] = spec.prevalence;
      entry["cases"] = values.cases;
      entry["threshold"] = values.threshold;
    }
    if (!plan.events[t].table.empty()) {
      entry["event_table"] = plan.events[t].table;
      entry["events"] = events.events.empty() ? 0 : events.events[t];
      entry["cases_without_event"] = events.cases_without_event.empty() ? 0 : events.cases_without_event[t];
    }
    traits[spec.name] = entry;
  }
  return {{"person_table", plan.person_table},
          {"genome_id_column", plan.keys.genome_id_column},
          {"persons_with_genome", plan.individuals},
          {"traits", traits}};
}

}  // namespace sc
