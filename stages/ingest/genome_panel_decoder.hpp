// Cutting a phased panel into variant windows: the kept sites of the VCF/BCF reader, each given
// its cM position from the genetic map, gathered `variants_per_window` at a time (a new contig
// starts a new window, so no window spans two), transposed to haplotype-major bits and handed to
// the window queue in order. Runs on rank 0's decoding thread; windows depend only on the input
// and the window size, never on the rank count.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stages/ingest/genetic_map.hpp"
#include "stages/ingest/genome_vcf_reader.hpp"
#include "stages/ingest/genome_window_queue.hpp"

namespace sc {

struct PanelTally {
  int64_t records = 0;   // VCF/BCF records read
  int64_t variants = 0;  // sites kept
  int64_t windows = 0;
  std::map<std::string, int64_t> skipped;  // by problem
  std::vector<std::string> contigs;        // of the kept sites, in order
};

// Reads the whole panel. Checks that need the whole file (a map for a contig the panel does not
// have, when the VCF header declares no contigs; no site kept at all) run before the last window
// is queued, so they too come before any commit for a panel within the queue's budget. Returns
// early (with a partial tally) when the consumer cancels the queue.
PanelTally decode_panel(PhasedVcfReader& reader, const GeneticMap& map, int64_t variants_per_window,
                        GenomeWindowQueue& queue);

}  // namespace sc
