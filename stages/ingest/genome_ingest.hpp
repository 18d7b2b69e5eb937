// Ingest of reference genomes: phased biallelic VCF/BCF through htslib, cut into windows of
// `ingest.variants_per_window` variants, stored bit-packed haplotype-major, with the variant table
// (contig, position, id, ref, alt, cM from the genetic map) and the sample table (optional
// population labels). See docs/store.md for the layout.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

// The input files the genome ingest reads (for the provenance digests and the fingerprint);
// empty when the config has no [genome] input.
std::vector<std::string> genome_input_files(const Config& config);

struct GenomeIngestOutcome {
  std::vector<std::string> shards;  // every shard name the stage must hold, in order
  nlohmann::json summary;           // counts: samples, variants, windows, skipped sites by reason
  std::string summary_line;
};

// Collective. Writes the genome shards of the ingest stage through `writer` (skipping committed ones).
GenomeIngestOutcome ingest_genomes(const StageContext& context, StageWriter& writer);

}  // namespace sc
