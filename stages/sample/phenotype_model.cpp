#include "stages/sample/phenotype_model.hpp"

#include <cctype>
#include <cmath>
#include <set>

#include "pipeline/error.hpp"
#include "pipeline/schema.hpp"

namespace sc {

po::options_description phenotype_options() {
  po::options_description options("Phenotypes and the genome-person link ([phenotype], sample)");
  options.add_options()
      ("phenotype.person_table", po::value<std::string>()->default_value(""),
       "root table whose row i is synthetic genome individual i (default: the first root table)")
      ("phenotype.genome_id_column", po::value<std::string>()->default_value("genome_id"),
       "person column added to hold the individual's sample name in the VCF/PLINK exports (missing without a genome)")
      ("phenotype.age_column", po::value<std::string>()->default_value("age"),
       "person column with the age in years at entry, for ages at onset of diagnosis events")
      ("phenotype.followup_column", po::value<std::string>()->default_value("futime"),
       "person column with the follow-up in days since entry, for ages at onset of diagnosis events");
  return options;
}

DynamicSection phenotype_section_keys() {
  return {"phenotype",
          {{"heritability", "share h2 of the liability's variance that is genetic, in (0, 1); required"},
           {"causal_fraction", "share of the panel's variants with MAF >= min_maf that are causal, in (0, 1] (default 0.01)"},
           {"min_maf", "minor allele frequency (in the donors) below which a variant is never causal, [0, 0.5) (default 0.01)"},
           {"maf_alpha", "effect sizes beta ~ N(0, [2p(1-p)]^alpha) before scaling (default -0.25; GCTA's model is -1)"},
           {"prevalence", "makes the trait binary: share of cases K in (0, 1), cases above the (1 - K) quantile of the liability"},
           {"genetic_correlation", "OTHER:rg pairs, comma separated: correlation of effects with trait OTHER on shared causal variants"},
           {"event_table", "binary traits: child table of the person table that gets one diagnosis event row per case"},
           {"event_column", "categorical column of event_table that holds the event's category (required with event_table)"},
           {"event_code", "the category written in event_column (default: the trait's name; added to the dictionary if new)"},
           {"event_day_column", "column of event_table for the day offset since entry (default: the table's time column)"},
           {"onset_age_mean", "mean age at onset in years, for a case at the threshold (default 55)"},
           {"onset_age_sd", "standard deviation of the age at onset in years, > 0 (default 12)"},
           {"onset_age_per_liability", "years by which the mean age at onset falls per unit of liability above the threshold (default 5)"}}};
}

namespace {

// FNV-1a: a trait's draws depend on its name only, not on which other traits are configured.
uint32_t name_stream(const std::string& name) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  return hash & 0xFFFFFFu;
}

bool valid_trait_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '_') return false;
  return true;
}

// "A:0.5, B:-0.2" -> {A: 0.5, B: -0.2}.
std::map<std::string, double> parse_correlations(const Config& config, const std::string& key, const std::string& text) {
  std::map<std::string, double> out;
  for (const std::string& item : split_list(text)) {
    const size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) config.reject(key, "OTHER:rg pairs separated by commas (e.g. bmi:0.5)");
    const std::string other = trim(item.substr(0, colon)), number = trim(item.substr(colon + 1));
    double rg = NAN;
    try {
      size_t used = 0;
      rg = std::stod(number, &used);
      if (used != number.size()) rg = NAN;
    } catch (const std::exception&) {
    }
    if (!(rg > -1 && rg < 1)) config.reject(key, "a genetic correlation strictly between -1 and 1 after '" + other + ":'");
    if (out.count(other)) config.reject(key, "each other trait once ('" + other + "' is named twice)");
    out[other] = rg;
  }
  return out;
}

double number_in(const Config& config, const std::string& key, double low, double high, bool low_open, bool high_open,
                 const std::string& expected) {
  const double v = config.real(key);
  const bool above = low_open ? v > low : v >= low;
  const bool below = high_open ? v < high : v <= high;
  if (!(above && below) || !std::isfinite(v)) config.reject(key, expected);
  return v;
}

}  // namespace

std::vector<TraitSpec> read_trait_specs(const Config& config) {
  std::vector<TraitSpec> traits;
  std::map<uint32_t, std::string> streams;
  for (const std::string& name : config.section_names("phenotype")) {
    auto keys = config.section("phenotype." + name);
    TraitSpec t;
    t.name = name;
    const std::string where = config.file().empty() ? "command line" : config.file();
    if (!valid_trait_name(name))
      throw ConfigError(where + ": [phenotype." + name + "]: a trait name is letters, digits and '_' (it names a column and files)");
    t.stream = name_stream(name);
    if (streams.count(t.stream))
      throw ConfigError(where + ": [phenotype." + name + "] and [phenotype." + streams[t.stream] +
                        "] hash to the same random stream; rename one");
    streams[t.stream] = name;
    if (!keys.count("heritability"))
      throw ConfigError(where + ": key '" + t.key("heritability") + "' is required: every [phenotype.NAME] needs a heritability h2 in (0, 1)");
    t.heritability = number_in(config, t.key("heritability"), 0, 1, true, true, "a heritability h2 in (0, 1)");
    if (keys.count("causal_fraction"))
      t.causal_fraction = number_in(config, t.key("causal_fraction"), 0, 1, true, false, "a share of causal variants in (0, 1]");
    if (keys.count("min_maf")) t.min_maf = number_in(config, t.key("min_maf"), 0, 0.5, false, true, "a minor allele frequency in [0, 0.5)");
    if (keys.count("maf_alpha")) t.maf_alpha = number_in(config, t.key("maf_alpha"), -4, 4, false, false, "an exponent alpha from -4 to 4");
    if (keys.count("prevalence")) {
      t.binary = true;
      t.prevalence = number_in(config, t.key("prevalence"), 0, 1, true, true, "a prevalence K in (0, 1)");
    }
    if (keys.count("genetic_correlation"))
      t.genetic_correlation = parse_correlations(config, t.key("genetic_correlation"), keys["genetic_correlation"]);
    if (keys.count("event_table")) t.event_table = trim(keys["event_table"]);
    for (const char* leaf : {"event_table", "event_column", "event_code", "event_day_column", "onset_age_mean", "onset_age_sd",
                             "onset_age_per_liability"})
      if (keys.count(leaf) && !t.binary)
        config.reject(t.key(leaf), "no event keys on a quantitative trait (only a trait with a prevalence becomes a diagnosis event)");
    for (const char* leaf : {"event_column", "event_code", "event_day_column", "onset_age_mean", "onset_age_sd", "onset_age_per_liability"})
      if (keys.count(leaf) && t.event_table.empty()) config.reject(t.key(leaf), "an event_table beside it");
    if (!t.event_table.empty()) {
      if (!keys.count("event_column")) config.reject(t.key("event_table"), "an event_column beside it (the event's category column)");
      t.event_column = trim(keys["event_column"]);
      t.event_code = keys.count("event_code") ? trim(keys["event_code"]) : name;
      if (t.event_code.empty()) config.reject(t.key("event_code"), "a non-empty category");
      if (keys.count("event_day_column")) t.event_day_column = trim(keys["event_day_column"]);
      if (keys.count("onset_age_mean")) t.onset_age_mean = number_in(config, t.key("onset_age_mean"), 0, 200, false, false, "an age in years from 0 to 200");
      if (keys.count("onset_age_sd")) t.onset_age_sd = number_in(config, t.key("onset_age_sd"), 0, 200, true, false, "years, above 0 and at most 200");
      if (keys.count("onset_age_per_liability"))
        t.onset_age_per_liability = number_in(config, t.key("onset_age_per_liability"), -200, 200, false, false, "years per unit of liability, from -200 to 200");
    }
    traits.push_back(t);
  }
  // Correlations name configured traits, not the trait itself, and agree where both sides give one.
  std::map<std::string, const TraitSpec*> by_name;
  for (const auto& t : traits) by_name[t.name] = &t;
  for (const auto& t : traits)
    for (const auto& [other, rg] : t.genetic_correlation) {
      if (other == t.name) config.reject(t.key("genetic_correlation"), "other traits (a trait is not correlated with itself here)");
      if (!by_name.count(other)) config.reject(t.key("genetic_correlation"), "traits configured as [phenotype.NAME] ('" + other + "' is not one)");
      const auto& back = by_name[other]->genetic_correlation;
      if (back.count(t.name) && back.at(t.name) != rg)
        config.reject(t.key("genetic_correlation"), "the same rg as phenotype." + other + ".genetic_correlation gives for this pair");
    }
  return traits;
}

PhenotypeLinkKeys read_link_keys(const Config& config) {
  PhenotypeLinkKeys keys;
  keys.person_table = config.text("phenotype.person_table");
  keys.genome_id_column = config.text("phenotype.genome_id_column");
  if (keys.genome_id_column.empty()) config.reject("phenotype.genome_id_column", "a column name");
  keys.age_column = config.text("phenotype.age_column");
  keys.followup_column = config.text("phenotype.followup_column");
  return keys;
}

}  // namespace sc
