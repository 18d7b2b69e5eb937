// Cutting an indexed BCF panel into regions that the ranks decode in parallel (genome ingest with
// more than one rank). A region is a range of positions of one contig, chosen from the CSI index so
// that the regions hold about equal compressed bytes; together they tile every contig, so each
// record falls in exactly one region (by its POS). Windows are fixed by variant count, so a region
// does not know where its windows start until every region before it is decoded: the ranks pass
// that on from region to region (genome_region_ingest.hpp).
//
// Only a BGZF-compressed BCF with a CSI index beside it (`FILE.csi`, not older than the file) is cut;
// anything else (VCF text, a missing or stale index) is read in one stream by rank 0. Building an
// index here would cost a full inflate of the panel, which is what the regions are meant to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sc {

struct PanelRegion {
  int32_t rid = 0;                  // header contig id
  int64_t begin = 0, end = 0;       // 0-based POS range [begin, end)
};

struct PanelRegionPlan {
  std::string index;                // path of the CSI index
  std::vector<PanelRegion> regions; // in file order
  int64_t records = 0;              // records the index counts (checked against those read)
};

// The regions for `ranks` ranks, or nothing when the panel cannot be cut (see above). Up to four
// per rank, but no more than the panel has windows of `variants_per_window` records (a region
// much shorter than a window completes none, and then the ranks with such regions write none),
// and none above 32 MiB compressed, so that a rank holds little of the panel at a time.
std::optional<PanelRegionPlan> plan_panel_regions(const std::string& path, int ranks, int64_t variants_per_window);

}  // namespace sc
