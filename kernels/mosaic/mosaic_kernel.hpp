// The batch interface of the haplotype-mosaic kernels, one signature for both backends: draw the
// segment lists of haplotypes [0, haplotypes), and copy one reference window into the synthetic
// haplotypes' rows. The CPU backend (TBB) is the reference and always built; the CUDA backend is
// built when nvcc is present and gives the same bits (the bodies are shared: mosaic_body.hpp).
#pragma once

#include <cstdint>
#include <memory>
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

// Gives `window` the cM index of its variants (cm_bucket_first, one bucket per variant on average;
// the entries live in `bucket_first`), unless it has one: a segment end's search is then a lookup
// and a few steps, in place of a binary search over the window. Both backends index each window.
void index_window_cm(ReferenceWindowView& window, std::vector<int32_t>& bucket_first);

// Whether a CUDA device answers for the mosaic kernels (false without the CUDA backend).
bool mosaic_cuda_available();
// The same on the GPU; throw std::runtime_error naming the CUDA call that failed.
SegmentLists draw_segments_cuda(const MosaicArrays& model);
std::vector<uint64_t> copy_window_cuda(const MosaicArrays& model, const SegmentLists& lists,
                                       const ReferenceWindowView& window);

// Copies window after window on the GPU with the model, the segment lists and each haplotype's
// cursor (as copy_window_cpu's `cursors`) kept in device memory: a window's copy then moves only the
// reference window in and the synthetic rows out, where copy_window_cuda moves all the segment
// lists for every window (at 20,000 individuals on the long bench panel, 97% of its time).
// `model` and `lists` must outlive the copier. Throws std::runtime_error naming a failed CUDA call.
class MosaicCudaCopier {
 public:
  MosaicCudaCopier(const MosaicArrays& model, const SegmentLists& lists);
  ~MosaicCudaCopier();
  MosaicCudaCopier(const MosaicCudaCopier&) = delete;
  MosaicCudaCopier& operator=(const MosaicCudaCopier&) = delete;
  // haplotypes x window.words words into `out` (resized; its storage reused from call to call).
  void copy(const ReferenceWindowView& window, std::vector<uint64_t>& out);

 private:
  struct Device;
  std::unique_ptr<Device> device_;
};

}  // namespace sc::kernels
