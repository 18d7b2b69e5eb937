// CUDA backend of the mosaic kernels: one thread per synthetic haplotype running the very same
// bodies as the CPU backend (mosaic_body.hpp), compiled with --fmad=false; the per-haplotype donor
// ledgers (max_donor_cm) live in device memory, one slice per thread of a batch. The copier keeps
// the segment lists on the device from window to window (MosaicCudaCopier).
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/mosaic/mosaic_kernel.hpp"

namespace sc::kernels {
namespace {

void check(cudaError_t rc, const char* call) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string("CUDA call failed: ") + call + ": " + cudaGetErrorString(rc));
}
#define SC_MOSAIC_CUDA_CHECK(call) check((call), #call)

template <class T>
struct DeviceBuffer {
  T* ptr = nullptr;
  size_t size = 0;
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t n) : size(n), capacity(n) {
    if (n) SC_MOSAIC_CUDA_CHECK(cudaMalloc(&ptr, n * sizeof(T)));
  }
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) {
    if (size) SC_MOSAIC_CUDA_CHECK(cudaMemcpy(ptr, host.data(), size * sizeof(T), cudaMemcpyHostToDevice));
  }
  DeviceBuffer(const T* host, size_t n) : DeviceBuffer(n) {
    if (size) SC_MOSAIC_CUDA_CHECK(cudaMemcpy(ptr, host, size * sizeof(T), cudaMemcpyHostToDevice));
  }
  ~DeviceBuffer() { if (ptr) cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void to_host(T* host) const {
    if (size) SC_MOSAIC_CUDA_CHECK(cudaMemcpy(host, ptr, size * sizeof(T), cudaMemcpyDeviceToHost));
  }
  // Holds n elements (their old contents lost when it grows): buffers reused window after window.
  void resize(size_t n) {
    if (n > capacity) {
      if (ptr) SC_MOSAIC_CUDA_CHECK(cudaFree(ptr));
      ptr = nullptr;
      capacity = 0;
      SC_MOSAIC_CUDA_CHECK(cudaMalloc(&ptr, n * sizeof(T)));
      capacity = n;
    }
    size = n;
  }
  // The n elements at host, or null when n is 0 (a view's absent array).
  T* upload(const T* host, size_t n) {
    resize(n);
    if (n) SC_MOSAIC_CUDA_CHECK(cudaMemcpy(ptr, host, n * sizeof(T), cudaMemcpyHostToDevice));
    return n ? ptr : nullptr;
  }
  size_t capacity = 0;
};

// The model's arrays copied to the device, and a view pointing at them.
struct DeviceModel {
  DeviceBuffer<MosaicPopulation> populations;
  DeviceBuffer<int32_t> donors, individual_population;
  DeviceBuffer<MosaicContig> contigs;
  MosaicView view;
  explicit DeviceModel(const MosaicArrays& model)
      : populations(model.populations), donors(model.donors), individual_population(model.individual_population),
        contigs(model.contigs), view(model.view()) {
    view.populations = populations.ptr;
    view.donors = donors.ptr;
    view.individual_population = individual_population.ptr;
    view.contigs = contigs.ptr;
  }
};

// Haplotypes [first, first + count); counts_out[h - first] gets the count, or the segments go to
// segments_out + offsets[h] when offsets is given.
__global__ void draw_kernel(MosaicView v, int64_t first, int64_t count, int64_t slots, double* ledgers,
                            const int64_t* offsets, int64_t* counts_out, MosaicSegment* segments_out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const int64_t h = first + i;
  DonorLedger ledger{slots ? ledgers + i * slots : nullptr};
  if (offsets == nullptr) counts_out[i] = draw_haplotype_segments(v, h, nullptr, 0, ledger);
  else draw_haplotype_segments(v, h, segments_out + offsets[h], offsets[h + 1] - offsets[h], ledger);
}

// cursors[h]: where haplotype h's copy of the previous window ended (-1 before the first).
__global__ void copy_kernel(MosaicView v, ReferenceWindowView window, const MosaicSegment* segments,
                            const int64_t* offsets, int64_t* cursors, int64_t haplotypes, uint64_t* out) {
  const int64_t h = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (h >= haplotypes) return;
  cursors[h] = copy_haplotype_window(v, window, segments + offsets[h], offsets[h + 1] - offsets[h], h,
                                     out + h * window.words, cursors[h]);
}

constexpr int kThreads = 128;
unsigned blocks_for(int64_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

}  // namespace

bool mosaic_cuda_available() {
  int devices = 0;
  return cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
}

SegmentLists draw_segments_cuda(const MosaicArrays& model) {
  const std::string problem = mosaic_caps_problem(model);
  if (!problem.empty()) throw std::invalid_argument(problem);
  DeviceModel device(model);
  const int64_t haplotypes = model.haplotypes();
  const int64_t slots = model.ledger_slots();
  // Ledgers bound the batch: at most 1 GiB of them at a time.
  const int64_t batch = slots ? std::max<int64_t>(1, std::min<int64_t>(haplotypes, (int64_t{1} << 27) / slots))
                              : std::max<int64_t>(1, haplotypes);
  DeviceBuffer<double> ledgers(static_cast<size_t>(slots * std::min(batch, haplotypes)));
  SegmentLists lists;
  lists.offsets.assign(static_cast<size_t>(haplotypes) + 1, 0);
  {
    DeviceBuffer<int64_t> counts(static_cast<size_t>(batch));
    for (int64_t first = 0; first < haplotypes; first += batch) {
      const int64_t n = std::min(batch, haplotypes - first);
      draw_kernel<<<blocks_for(n), kThreads>>>(device.view, first, n, slots, ledgers.ptr, nullptr, counts.ptr, nullptr);
      SC_MOSAIC_CUDA_CHECK(cudaGetLastError());
      SC_MOSAIC_CUDA_CHECK(cudaMemcpy(lists.offsets.data() + first + 1, counts.ptr, static_cast<size_t>(n) * sizeof(int64_t),
                                      cudaMemcpyDeviceToHost));
    }
  }
  for (int64_t h = 0; h < haplotypes; ++h) lists.offsets[static_cast<size_t>(h) + 1] += lists.offsets[static_cast<size_t>(h)];
  lists.segments.resize(static_cast<size_t>(lists.offsets.back()));
  DeviceBuffer<int64_t> offsets(lists.offsets);
  DeviceBuffer<MosaicSegment> segments(lists.segments.size());
  for (int64_t first = 0; first < haplotypes; first += batch) {
    const int64_t n = std::min(batch, haplotypes - first);
    draw_kernel<<<blocks_for(n), kThreads>>>(device.view, first, n, slots, ledgers.ptr, offsets.ptr, nullptr, segments.ptr);
    SC_MOSAIC_CUDA_CHECK(cudaGetLastError());
  }
  SC_MOSAIC_CUDA_CHECK(cudaDeviceSynchronize());
  segments.to_host(lists.segments.data());
  return lists;
}

struct MosaicCudaCopier::Device {
  DeviceModel model;
  DeviceBuffer<MosaicSegment> segments;
  DeviceBuffer<int64_t> offsets, cursors;
  // The window's arrays, grown to the largest window and reused.
  DeviceBuffer<uint64_t> reference, ancestral, out;
  DeviceBuffer<double> cm, allele_age;
  DeviceBuffer<int32_t> bucket_first;
  int64_t haplotypes;
  Device(const MosaicArrays& arrays, const SegmentLists& lists)
      : model(arrays), segments(lists.segments), offsets(lists.offsets),
        cursors(static_cast<size_t>(arrays.haplotypes())), haplotypes(arrays.haplotypes()) {
    // Every byte 0xFF is the int64 -1: no cursor yet.
    if (haplotypes > 0) SC_MOSAIC_CUDA_CHECK(cudaMemset(cursors.ptr, 0xFF, cursors.size * sizeof(int64_t)));
  }
};

MosaicCudaCopier::MosaicCudaCopier(const MosaicArrays& model, const SegmentLists& lists)
    : device_(std::make_unique<Device>(model, lists)) {}

MosaicCudaCopier::~MosaicCudaCopier() = default;

void MosaicCudaCopier::copy(const ReferenceWindowView& reference, std::vector<uint64_t>& out) {
  Device& d = *device_;
  ReferenceWindowView window = reference;
  std::vector<int32_t> bucket_first;
  index_window_cm(window, bucket_first);
  const bool aged = window.allele_age != nullptr;
  const size_t variants = static_cast<size_t>(std::max<int64_t>(window.variants, 0));
  ReferenceWindowView on_device = window;
  on_device.bits = d.reference.upload(window.bits, static_cast<size_t>(window.rows * window.words));
  on_device.cm = d.cm.upload(window.cm, variants);
  on_device.allele_age = aged ? d.allele_age.upload(window.allele_age, variants) : nullptr;
  on_device.ancestral = aged ? d.ancestral.upload(window.ancestral, static_cast<size_t>(window.words)) : nullptr;
  on_device.cm_bucket_first = window.cm_bucket_first != nullptr
                                  ? d.bucket_first.upload(window.cm_bucket_first, static_cast<size_t>(window.cm_buckets) + 1)
                                  : nullptr;
  const size_t words = static_cast<size_t>(d.haplotypes * window.words);
  d.out.resize(words);
  if (d.haplotypes > 0 && words > 0) {
    copy_kernel<<<blocks_for(d.haplotypes), kThreads>>>(d.model.view, on_device, d.segments.ptr, d.offsets.ptr,
                                                         d.cursors.ptr, d.haplotypes, d.out.ptr);
    SC_MOSAIC_CUDA_CHECK(cudaGetLastError());
    SC_MOSAIC_CUDA_CHECK(cudaDeviceSynchronize());
  }
  out.resize(words);
  d.out.to_host(out.data());
}

std::vector<uint64_t> copy_window_cuda(const MosaicArrays& model, const SegmentLists& lists,
                                       const ReferenceWindowView& window) {
  std::vector<uint64_t> host;
  MosaicCudaCopier(model, lists).copy(window, host);
  return host;
}

}  // namespace sc::kernels
