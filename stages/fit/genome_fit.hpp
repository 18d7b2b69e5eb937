// The genome half of `fit`: the haplotype-mosaic model of the reference panel in
// `ingest/genomes/reference`, written to `fit/genome/`. Per population: HAPNEST's recombination
// scaling rho and effective size Ne (published posterior means unless genome.rho / genome.ne say
// otherwise), the donor individuals N (the panel minus the genome.holdout_samples held out) and
// their haplotype rows; per contig its genetic span; per variant window the donors' ALT allele
// counts, and with genome.allele_ages the age of every variant's derived allele. The sample stage reads the model back (read_genome_model) and draws from it. Also holds
// the genome generator's config keys (genome_generator_options), shared by fit and sample.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

po::options_description genome_generator_options();

struct GenomePopulationModel {
  std::string name;
  double rho = 0, ne = 0;
  int64_t individuals = 0;        // donor individuals N (held-out ones excluded)
  std::vector<int32_t> donors;    // reference haplotype rows (2i, 2i+1 of each donor individual)
  nlohmann::json ne_search;       // the search's outcome when genome.estimate_ne (else null)
};

struct GenomeContigModel {
  std::string name;
  double first_cm = 0, last_cm = 0;
  int64_t first_variant = 0, variants = 0;
};

struct GenomeModel {
  std::vector<GenomePopulationModel> populations;
  std::vector<GenomeContigModel> contigs;  // every contig of the panel's sample table, in its order
  std::vector<int64_t> window_variants;    // variants per reference window, in window order
  int64_t reference_individuals = 0, held_out = 0;
  // HAPNEST's allele-age rule: the file genome.allele_ages ("" = off) and how many panel variants
  // it dates; fit also holds each window's ages (generations, +inf undated) and ancestral alleles
  // (1 = ALT), written to fit/genome/allele_ages (not read back into the model).
  std::string allele_age_file;
  std::string allele_age_sha256;  // of the file's bytes: the model records what, not where
  int64_t variants_with_age = 0;
  std::vector<std::vector<double>> window_allele_age;
  std::vector<std::vector<uint8_t>> window_alt_ancestral;
  nlohmann::json to_json() const;  // everything but the donor lists and the per-window ages
};

// Whether the ingest stage holds a genome reference panel.
bool has_genome_reference(const StageReader& ingest);

// Reads the panel's samples and variant tables and checks the genome keys: the model, before
// anything is written (a bad key leaves no partial stage behind).
GenomeModel plan_genome_fit(const StageContext& context, const StageReader& ingest);

// Writes the model and the genome/frequencies shards through `writer` (appending their names to
// `expected`); returns the stage summary's "genomes" entry.
nlohmann::json fit_genomes(const StageContext& context, const StageReader& ingest, const GenomeModel& model,
                           StageWriter& writer, std::vector<std::string>& expected);

GenomeModel read_genome_model(const StageReader& fit);

}  // namespace sc

namespace sc {

// A per-population config value: "" (none given), one number for every population, or a list
// "POP:value,POP:value" naming populations of the panel. Values must be finite and > 0 (>= 0 with
// allow_zero). Returns population name -> value for those given.
std::map<std::string, double> population_values(const Config& config, const std::string& key,
                                                const std::vector<std::string>& populations, bool allow_zero);

}  // namespace sc
