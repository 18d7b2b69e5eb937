// CPU backend of the mosaic kernels (the reference): TBB over blocks of haplotypes, each running
// the shared body. Segment lists are drawn in one pass into per-block buffers and joined in
// haplotype order: the same layout as the GPU's count-then-fill passes.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "kernels/mosaic/mosaic_cpu_simd.hpp"
#include "kernels/mosaic/mosaic_kernel.hpp"

#if defined(SC_KERNELS_HAVE_TBB)
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#endif

namespace sc::kernels {
namespace {

// A block's segments in a buffer that grows without value-initialising what it has not written
// (std::vector::resize wrote zeros into every room handed to the body: more bytes than the
// segments themselves). MosaicSegment is an aggregate of numbers, so malloc'd storage holds it.
class SegmentBuffer {
 public:
  MosaicSegment* room(int64_t count) {
    if (size_ + count > capacity_) {
      const int64_t capacity = std::max(size_ + count, 2 * capacity_);
      void* grown = std::realloc(data_.get(), static_cast<size_t>(capacity) * sizeof(MosaicSegment));
      if (grown == nullptr) throw std::bad_alloc();
      data_.release();
      data_.reset(static_cast<MosaicSegment*>(grown));
      capacity_ = capacity;
    }
    return data_.get() + size_;
  }
  void grow(int64_t count) { size_ += count; }
  void clear() { size_ = 0; }  // keeps the storage for the next block
  int64_t size() const { return size_; }
  const MosaicSegment* data() const { return data_.get(); }

 private:
  struct Free {
    void operator()(MosaicSegment* p) const { std::free(p); }
  };
  std::unique_ptr<MosaicSegment, Free> data_;
  int64_t size_ = 0, capacity_ = 0;
};

}  // namespace

MosaicView MosaicArrays::view() const {
  MosaicView v;
  v.seed = seed;
  v.populations = populations.data();
  v.population_count = static_cast<int32_t>(populations.size());
  v.donors = donors.data();
  v.individual_population = individual_population.data();
  v.contigs = contigs.data();
  v.contig_count = static_cast<int32_t>(contigs.size());
  v.max_segment_cm = max_segment_cm;
  v.max_donor_cm = max_donor_cm;
  v.mutation_rate = mutation_rate;
  v.log_keep = mutation_rate > 0 ? mosaic_log(1.0 - mutation_rate) : 0.0;
  for (const auto& c : contigs) v.total_variants = std::max(v.total_variants, c.first_variant + c.variants);
  return v;
}

int64_t MosaicArrays::ledger_slots() const {
  int64_t slots = 0;
  if (max_donor_cm > 0)
    for (const auto& p : populations) slots = std::max(slots, p.donor_count);
  return slots;
}

std::string mosaic_caps_problem(const MosaicArrays& model) {
  double genome_cm = 0;
  for (const auto& c : model.contigs)
    if (c.variants > 0) genome_cm += c.last_cm - c.first_cm;
  for (size_t p = 0; p < model.populations.size(); ++p) {
    const auto& population = model.populations[p];
    if (population.donor_count < 2)
      return "population " + std::to_string(p) + " has " + std::to_string(population.donor_count) +
             " donor haplotypes; the mosaic needs at least 2 (a segment never copies its predecessor's donor)";
    if (population.donor_count > int64_t{1} << 31) return "more than 2^31 donor haplotypes in one population";
    if (model.max_donor_cm > 0 && model.max_donor_cm * static_cast<double>(population.donor_count - 1) <= genome_cm)
      return "max_donor_cm times the donors but one (" + std::to_string(population.donor_count - 1) +
             ") must exceed the genome's length of " + std::to_string(genome_cm) + " cM";
  }
  return "";
}


SegmentLists draw_segments_cpu(const MosaicArrays& model) { return draw_segments_cpu(model, 0, model.haplotypes()); }

SegmentLists draw_segments_cpu(const MosaicArrays& model, int64_t first_haplotype, int64_t haplotypes) {
  const std::string problem = mosaic_caps_problem(model);
  if (!problem.empty()) throw std::invalid_argument(problem);
  if (first_haplotype < 0 || haplotypes < 0 || first_haplotype + haplotypes > model.haplotypes())
    throw std::invalid_argument("haplotype range outside the model");
  const MosaicView v = model.view();
  // Blocks of haplotypes draw into their own buffers (a haplotype's count is not known before it
  // is drawn), appended in haplotype order: the layout of the GPU's two passes. They go in rounds
  // of kRound blocks whose buffers are reused from round to round: fresh buffers for every block
  // were each written once and freed, so every page of them was faulted in and zeroed by the
  // kernel, which took about half the draw's time at 100,000 individuals.
  constexpr int64_t kBlock = 256, kRound = 64;
  const int64_t blocks = (haplotypes + kBlock - 1) / kBlock;
  std::vector<SegmentBuffer> drawn(static_cast<size_t>(std::min(blocks, kRound)));
  SegmentLists lists;
  lists.offsets.assign(static_cast<size_t>(haplotypes) + 1, 0);
  const size_t slots = static_cast<size_t>(model.ledger_slots());
  auto draw_block = [&](int64_t b, SegmentBuffer& out, std::vector<double>& ledger) {
    out.clear();
    for (int64_t h = b * kBlock; h < std::min(haplotypes, (b + 1) * kBlock); ++h) {
      const DonorLedger book{slots ? ledger.data() : nullptr};
      // Room for twice the block's mean so far; a longer list is drawn again into enough room.
      const int64_t done = h - b * kBlock;
      const int64_t room = done > 0 ? 2 * out.size() / done + 64 : 4096;
      const int64_t haplotype = first_haplotype + h;
      const int64_t count = draw_haplotype_segments<VectorSegmentBatch>(v, haplotype, out.room(room), room, book);
      if (count > room) draw_haplotype_segments<VectorSegmentBatch>(v, haplotype, out.room(count), count, book);
      out.grow(count);
      lists.offsets[static_cast<size_t>(h) + 1] = count;
    }
  };
#if defined(SC_KERNELS_HAVE_TBB)
  tbb::enumerable_thread_specific<std::vector<double>> ledgers([slots] { return std::vector<double>(slots); });
#else
  std::vector<double> ledger(slots);
#endif
  for (int64_t round = 0; round < blocks; round += kRound) {
    const int64_t count = std::min(kRound, blocks - round);
#if defined(SC_KERNELS_HAVE_TBB)
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, count, 1), [&](const tbb::blocked_range<int64_t>& r) {
      for (int64_t b = r.begin(); b < r.end(); ++b) draw_block(round + b, drawn[static_cast<size_t>(b)], ledgers.local());
    });
#else
    for (int64_t b = 0; b < count; ++b) draw_block(round + b, drawn[static_cast<size_t>(b)], ledger);
#endif
    if (round == 0) {
      // Room for all lists at the first round's mean plus a quarter: pages not written stay
      // unmapped, and a longer total only regrows the vector.
      int64_t drawn_segments = 0;
      for (int64_t b = 0; b < count; ++b) drawn_segments += drawn[static_cast<size_t>(b)].size();
      const int64_t done = std::min(haplotypes, count * kBlock);
      lists.segments.reserve(static_cast<size_t>(drawn_segments / done * haplotypes * 5 / 4 + drawn_segments + 64));
    }
    for (int64_t b = 0; b < count; ++b) {
      const SegmentBuffer& block = drawn[static_cast<size_t>(b)];
      lists.segments.insert(lists.segments.end(), block.data(), block.data() + block.size());
    }
  }
  for (int64_t h = 0; h < haplotypes; ++h) lists.offsets[static_cast<size_t>(h) + 1] += lists.offsets[static_cast<size_t>(h)];
  return lists;
}

void index_window_cm(ReferenceWindowView& window, std::vector<int32_t>& bucket_first) {
  if (window.variants <= 0 || window.cm_bucket_first != nullptr) return;
  window.cm_buckets = window.variants;
  window.cm_bucket_scale = bucket_scale(window.cm_buckets, window.cm[0], window.cm[window.variants - 1]);
  bucket_first.resize(static_cast<size_t>(window.cm_buckets) + 1);
  fill_bucket_first(window.cm, window.variants, window.cm[0], window.cm_bucket_scale, window.cm_buckets, bucket_first.data());
  window.cm_bucket_first = bucket_first.data();
}

std::vector<uint64_t> copy_window_cpu(const MosaicArrays& model, const SegmentLists& lists,
                                      const ReferenceWindowView& window) {
  std::vector<uint64_t> out;
  copy_window_cpu(model, lists, window, out);
  return out;
}

void copy_window_cpu(const MosaicArrays& model, const SegmentLists& lists, const ReferenceWindowView& reference,
                     std::vector<uint64_t>& out, std::vector<int64_t>* cursors) {
  const MosaicView v = model.view();
  ReferenceWindowView window = reference;
  std::vector<int32_t> bucket_first;
  index_window_cm(window, bucket_first);
  const int64_t haplotypes = model.haplotypes();
  // The body writes every word of every row; a buffer kept from the previous window is reused as
  // it is (a fresh one costs a page fault per 4 KiB).
  out.resize(static_cast<size_t>(haplotypes * window.words));
  if (cursors != nullptr && static_cast<int64_t>(cursors->size()) != haplotypes) cursors->assign(static_cast<size_t>(haplotypes), -1);
  auto one = [&](int64_t h) {
    // Ask for a haplotype a few ahead at the segment where the body's search will start: the
    // lists do not fit in cache, and that first read is otherwise a wait for memory.
    constexpr int64_t kAhead = 4;
    if (h + kAhead < haplotypes && v.total_variants > 0) {
      const int64_t ahead = lists.offsets[static_cast<size_t>(h + kAhead)];
      const int64_t count = lists.offsets[static_cast<size_t>(h + kAhead) + 1] - ahead;
      const int64_t cursor = cursors != nullptr ? (*cursors)[static_cast<size_t>(h + kAhead)] : -1;
      const int64_t guess = cursor >= 0 ? cursor : count * window.first_variant / v.total_variants;
      if (guess < count) __builtin_prefetch(lists.segments.data() + ahead + guess);
    }
    const int64_t first = lists.offsets[static_cast<size_t>(h)];
    const int64_t guess = cursors != nullptr ? (*cursors)[static_cast<size_t>(h)] : -1;
    const int64_t last = copy_haplotype_window(v, window, lists.segments.data() + first,
                                               lists.offsets[static_cast<size_t>(h) + 1] - first, h,
                                               out.data() + h * window.words, guess);
    if (cursors != nullptr) (*cursors)[static_cast<size_t>(h)] = last;
  };
#if defined(SC_KERNELS_HAVE_TBB)
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, haplotypes, 16), [&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t h = r.begin(); h < r.end(); ++h) one(h);
  });
#else
  for (int64_t h = 0; h < haplotypes; ++h) one(h);
#endif
}

#if !defined(SC_KERNELS_HAVE_CUDA)
bool mosaic_cuda_available() { return false; }
SegmentLists draw_segments_cuda(const MosaicArrays&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
std::vector<uint64_t> copy_window_cuda(const MosaicArrays&, const SegmentLists&, const ReferenceWindowView&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
struct MosaicCudaCopier::Device {};
MosaicCudaCopier::MosaicCudaCopier(const MosaicArrays&, const SegmentLists&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
MosaicCudaCopier::~MosaicCudaCopier() = default;
void MosaicCudaCopier::copy(const ReferenceWindowView&, std::vector<uint64_t>&) {}
#endif

}  // namespace sc::kernels
