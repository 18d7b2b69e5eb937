// The configured traits of the synthetic cohort: one `[phenotype.NAME]` section per trait
// (heritability, polygenicity, MAF-dependent effect sizes, a liability threshold for binary traits,
// genetic correlation with other traits, and for a binary trait the diagnosis event it becomes in a
// registry table), and the `[phenotype]` keys that link synthetic genomes to synthetic persons.
// Read and checked here, before `sample` writes anything; the other phenotype_* files draw from
// these specifications (docs/phenotypes.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/config.hpp"

namespace sc {

po::options_description phenotype_options();
DynamicSection phenotype_section_keys();

struct TraitSpec {
  std::string name;
  uint32_t stream = 0;  // the Philox stream of the trait's own draws: a hash of its name (24 bits)
  double heritability = 0.5;
  double causal_fraction = 0.01;  // share of the panel's variants with MAF >= min_maf that are causal
  double min_maf = 0.01;
  double maf_alpha = -0.25;  // beta ~ N(0, [2p(1-p)]^alpha) before scaling
  bool binary = false;
  double prevalence = 0;  // binary traits: share of cases, in (0, 1)
  std::map<std::string, double> genetic_correlation;  // other trait -> rg, as configured on this trait
  // Binary traits: the diagnosis event written for each case ("" = none).
  std::string event_table, event_column, event_code, event_day_column;
  double onset_age_mean = 55, onset_age_sd = 12, onset_age_per_liability = 5;

  std::string key(const std::string& leaf) const { return "phenotype." + name + "." + leaf; }
};

// Where genomes meet the registry: synthetic individual i is row i of `person_table`.
struct PhenotypeLinkKeys {
  std::string person_table;      // "" = the first root table
  std::string genome_id_column;  // person column holding the individual's VCF/PLINK sample name
  std::string age_column;        // person's age (years) at entry, for onset ages
  std::string followup_column;   // person's follow-up (days since entry), for onset ages
};

// Every [phenotype.NAME] section, sorted by name, with its numbers checked (ConfigError naming the
// key otherwise). Whether event tables and columns exist is checked later, against the schema.
std::vector<TraitSpec> read_trait_specs(const Config& config);
PhenotypeLinkKeys read_link_keys(const Config& config);

}  // namespace sc
