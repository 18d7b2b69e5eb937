// Genome ingest with every rank decoding: an indexed BCF panel is cut into regions
// (genome_regions.hpp), region i decoded by rank i % ranks, all ranks at once. Windows are fixed
// by variant count from the start of the panel, so a rank cannot number the windows of its region
// until the regions before it are decoded. The regions therefore pass a cursor along, from region
// i's rank to region i+1's: the records, kept sites, windows and skips so far, the contigs in
// order, the first problem in file order, and the window left unfinished at the end of region i
// (fewer sites than a window, as site-major rows). A rank decodes its next region while the cursor
// travels, completes the windows that end in its region (those that started earlier come with the
// cursor), writes them, and passes the rest on; the last region's rank writes the last window.
//
// The result is the stream decoder's (genome_panel_decoder.hpp) bit for bit: the same windows,
// contigs, counts and first error, whose record number counts from the start of the file. Windows
// are written to sealed temporary files and committed only once the whole panel is checked (or
// once the panel checked so far exceeds the same budget as the stream path's).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "pipeline/error.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"
#include "stages/ingest/genome_options.hpp"
#include "stages/ingest/genome_regions.hpp"

namespace sc {

struct RegionIngestResult {
  nlohmann::json summary;  // as the stream path's (genome_ingest.cpp), on rank 0
  std::string problem;     // this rank's error, "" when none
  ExitCode code = ExitCode::ok;
};

// Collective. `group` is the store group of the panel ("genomes/reference"); `budget_bytes` the
// packed bytes that must be checked before anything is committed; `bgzf_threads` inflate each
// rank's regions.
RegionIngestResult ingest_panel_by_regions(const StageContext& context, const GenomeOptions& options,
                                           const PanelRegionPlan& plan, StageWriter& writer,
                                           const std::string& group, size_t budget_bytes, int bgzf_threads);

}  // namespace sc
