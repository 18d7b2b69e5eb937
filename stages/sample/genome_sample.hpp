// The genome half of `sample`: genome.individuals synthetic diploid individuals, each haplotype a
// mosaic of the donor haplotypes in fit/genome/model (kernels/mosaic), written to
// `sample/genomes/synthetic` in the reference panel's window layout (genome_store.hpp) and with
// every haplotype's segment list in `sample/genomes/segments` (docs/store.md). Every rank draws
// every segment list (they depend on nothing but the haplotype) and copies the windows dealt to
// it, so the store is the same for any rank count, thread count, backend and window size.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "kernels/mosaic/mosaic_kernel.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"
#include "stages/fit/genome_fit.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {

struct GenomeSampleSummary {
  nlohmann::json summary;  // the stage summary's "genomes" entry
  std::string line;        // for the one-line stage summary
  nlohmann::json phases;   // seconds and bytes per phase: run-specific, so provenance.json only (not the index)
};

// What sampling needs, read and checked before anything is written (a bad key leaves no
// partial stage behind).
struct GenomeSamplePlan {
  int64_t individuals = 0;
  int64_t individuals_per_segment_shard = 0;
  bool use_cuda = false;
  bool split_draw = false;  // genome.split_segment_draw
  int deflate = 0;
  GenomeModel model;
  kernels::MosaicArrays arrays;
  std::vector<std::string> allele_age_paths;  // fit/genome/allele_ages per window (empty: rule off)
};
GenomeSamplePlan plan_genome_sample(const StageContext& context, const StageReader& fit);

// Called with every synthetic window this rank holds (its first variant's panel index, the window),
// also for windows an interrupted run committed (read back): phenotypes add up genetic values here.
using SyntheticWindowVisitor = std::function<void(int64_t first_variant, const GenomeWindow& window)>;

// Writes the synthetic genomes through `writer`, appending their shard names to `expected`.
GenomeSampleSummary sample_genomes(const StageContext& context, const StageReader& ingest, const GenomeSamplePlan& plan,
                                   StageWriter& writer, std::vector<std::string>& expected,
                                   const SyntheticWindowVisitor& visit = {});

// The sample name of synthetic individual i in the store and the VCF/PLINK exports (SYN00000001, ...).
std::string synthetic_sample_name(int64_t individual);

}  // namespace sc
