// The genome half of the evaluate stage: the synthetic panel (default group genomes/synthetic of
// the sample stage) against the real reference panel (genomes/reference of ingest), both in the
// store's genome layout (stages/ingest/genome_store.hpp) with the same variant windows. Measured
// against the real individuals the fit used (training); the individuals genome.holdout_samples
// held out (pipeline/genome_holdout.hpp) are the real baseline. Metrics: allele-frequency
// agreement, LD decay, PCA with projection, KING-robust kinship to the closest training
// individual, nearest-neighbour adversarial accuracy, and the longest copied segment that the
// generator reports. Each rank takes the windows w with w % ranks == rank; integer counts are
// allreduced, floating-point pieces gathered and added in window order, so metrics.json is the
// same for any rank count. docs/metrics.md, "Genomes", gives every formula.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "pipeline/config.hpp"
#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct GenomeEvaluationOptions {
  std::uint64_t seed = 1;
  std::int64_t holdout_samples = 0;
  std::string real_group = "genomes/reference", synthetic_group = "genomes/synthetic";
  double af_maf_min = 0.0;
  double ld_maf_min = 0.05, ld_bin_cm = 0.1, ld_max_cm = 1.0;
  std::int64_t pca_components = 10;
  double pca_maf_min = 0.05;
  int pca_power_iterations = 4;
  std::int64_t pair_block_bytes = std::int64_t{512} << 20;
  // Which metrics to compute (evaluate.genome_metrics); the others are absent from metrics.json.
  bool allele_frequency = true, ld_decay = true, pca = true, kinship = true, aats = true;
};

// The [evaluate] keys of the genome metrics, added to the stage's options.
void add_genome_evaluate_options(po::options_description& options);
GenomeEvaluationOptions read_genome_evaluation_options(const Config& config);

// Whether `reader`'s stage holds a genome panel in `group` (windows and the sample table).
bool stage_has_genomes(const StageReader& reader, const std::string& group);

struct GenomeEvaluation {
  nlohmann::json metrics;                          // metrics.json's `genomes` section
  nlohmann::json timings = nlohmann::json::object();  // seconds per metric (provenance only)
  std::vector<std::int64_t> windows_per_rank;      // windows each rank evaluated
  std::string summary_line;
};

GenomeEvaluation evaluate_genomes(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                  const GenomeEvaluationOptions& options);

}  // namespace sc
