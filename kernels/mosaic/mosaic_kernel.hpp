// The batch interface of the haplotype-mosaic kernels, one signature for both backends: draw the
// segment lists of haplotypes [0, haplotypes), and copy one reference window into the synthetic
// haplotypes' rows. The CPU backend (TBB) is the reference and always built; the CUDA backend is
// built when nvcc is present and gives the same bits (the bodies are shared: mosaic_body.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/mosaic/mosaic_body.hpp"

namespace sc::kernels {

// The arrays behind a MosaicView, owned in host memory.
struct MosaicArrays {
  std::vector<MosaicPopulation> populations;
  std::vector<int32_t> donors;
  std::vector<int32_t> individual_population;
  std::vector<MosaicContig> contigs;
  uint64_t seed = 0;
  double max_segment_cm = 0, max_donor_cm = 0, mutation_rate = 0;
  int64_t haplotypes() const { return 2 * static_cast<int64_t>(individual_population.size()); }
  MosaicView view() const;
  // Donor slots the largest population needs in a per-haplotype ledger (max_donor_cm).
  int64_t ledger_slots() const;
};

// Every haplotype's segments, haplotype after haplotype: haplotype h has
// segments[offsets[h], offsets[h + 1]).
struct SegmentLists {
  std::vector<int64_t> offsets;
  std::vector<MosaicSegment> segments;
};

// Why the caps cannot cover every contig ("" when they can): each population needs at least two
// donors, and with max_donor_cm its donors but one must hold the genome's whole length.
std::string mosaic_caps_problem(const MosaicArrays& model);

SegmentLists draw_segments_cpu(const MosaicArrays& model);
// Only haplotypes [first_haplotype, first_haplotype + count): offsets start at 0 with the first of
// them, and each list is the one the whole draw gives (a list depends only on its haplotype).
SegmentLists draw_segments_cpu(const MosaicArrays& model, int64_t first_haplotype, int64_t count);
// haplotypes x window.words words, haplotype-major like the store.
std::vector<uint64_t> copy_window_cpu(const MosaicArrays& model, const SegmentLists& lists,
                                      const ReferenceWindowView& window);
// The same into `out` (resized; its storage is reused from window to window). With `cursors`, the
// search for each haplotype's first segment starts where its copy of the previous window ended
// (one entry per haplotype, filled on the first call; empty or stale entries only cost time):
// windows of a contig copied in order then read each list once instead of searching it.
void copy_window_cpu(const MosaicArrays& model, const SegmentLists& lists, const ReferenceWindowView& window,
                     std::vector<uint64_t>& out, std::vector<int64_t>* cursors = nullptr);

// Whether a CUDA device answers for the mosaic kernels (false without the CUDA backend).
bool mosaic_cuda_available();
// The same on the GPU; throw std::runtime_error naming the CUDA call that failed.
SegmentLists draw_segments_cuda(const MosaicArrays& model);
std::vector<uint64_t> copy_window_cuda(const MosaicArrays& model, const SegmentLists& lists,
                                       const ReferenceWindowView& window);

}  // namespace sc::kernels
