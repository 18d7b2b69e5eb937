// The genome half of `sample`: genome.individuals synthetic diploid individuals, each haplotype a
// mosaic of the donor haplotypes in fit/genome/model (kernels/mosaic), written to
// `sample/genomes/synthetic` in the reference panel's window layout (genome_store.hpp) and with
// every haplotype's segment list in `sample/genomes/segments` (docs/store.md). Every rank draws
// every segment list (they depend on nothing but the haplotype) and copies the windows dealt to
// it, so the store is the same for any rank count, thread count, backend and window size.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct GenomeSampleSummary {
  nlohmann::json summary;  // the stage summary's "genomes" entry
  std::string line;        // for the one-line stage summary
};

// Writes the synthetic genomes through `writer`, appending their shard names to `expected`.
GenomeSampleSummary sample_genomes(const StageContext& context, const StageReader& ingest, const StageReader& fit,
                                   StageWriter& writer, std::vector<std::string>& expected);

}  // namespace sc
