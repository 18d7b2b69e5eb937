// The batch interface of the table sampling kernel, one signature for both backends: rows
// [0, rows) with entities first_entity + r, their context states given, their node states and
// values filled. The CPU backend (TBB) is the reference and always built; the CUDA backend is
// built when nvcc is present (SC_KERNELS_HAVE_CUDA) and must return the same bits.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/sampling/network_model.hpp"

namespace sc::kernels {

// The arrays behind a NetworkView, owned in host memory.
struct NetworkArrays {
  std::vector<NetworkNode> nodes;
  int32_t context_count = 0;
  std::vector<int32_t> parent_states;
  std::vector<uint64_t> thresholds;
  std::vector<uint64_t> fine_thresholds;
  std::vector<double> fine_edges;
  // Filled by add_guide_tables (NetworkView's guide fields); empty last_words: draws search the thresholds.
  std::vector<uint8_t> guides8;
  std::vector<uint16_t> guides;
  std::vector<uint32_t> last_words;
  std::vector<uint32_t> fine_last_words;
  DrawKey key;
  NetworkView view() const;
};

// Builds the guide tables of every node's thresholds (states and fine bins): faster draws, the
// same bits. Call once after the thresholds are complete.
void add_guide_tables(NetworkArrays& net);

// An allocator whose resize leaves new elements uninitialised: the kernels write every state and
// every value of their output, so zeroing it first would only stream it through the cache once more
// (a tenth of the CPU backend's time on 2^20 rows of 10 columns).
template <class T>
struct KernelOutputAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = KernelOutputAllocator<U>;
  };
  KernelOutputAllocator() = default;
  template <class U>
  KernelOutputAllocator(const KernelOutputAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using KernelOutput = std::vector<T, KernelOutputAllocator<T>>;

struct SampledRows {
  int64_t rows = 0;
  int32_t width = 0;               // context_count + node_count states per row
  KernelOutput<int32_t> states;    // rows x width
  KernelOutput<double> values;     // rows x node_count
};

// context: rows x context_count states (empty when context_count is 0). Draws are keyed by
// net.key, or by `key`: the same tables under another stream (a constraint's retries), so that
// one network can serve many threads without a copy per stream.
SampledRows sample_rows_cpu(const NetworkArrays& net, uint64_t first_entity, int64_t rows,
                            const std::vector<int32_t>& context);
SampledRows sample_rows_cpu(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                            const std::vector<int32_t>& context);
// The same draws into `out`, whose arrays keep their capacity: a caller that draws block after block
// into one SampledRows touches fresh pages (a page fault and the kernel's clearing of each) once.
void sample_rows_cpu(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                     const std::vector<int32_t>& context, SampledRows& out);

// Whether a CUDA device answers (false when the CUDA backend was not built).
bool cuda_backend_available();
// The same draws on the GPU; throws std::runtime_error naming the CUDA call when one fails.
SampledRows sample_rows_cuda(const NetworkArrays& net, uint64_t first_entity, int64_t rows,
                             const std::vector<int32_t>& context);
SampledRows sample_rows_cuda(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                             const std::vector<int32_t>& context);
// The same draws into `out`, whose arrays keep their capacity (as sample_rows_cpu's): the copy back
// from the GPU then writes into pages touched before, where a fresh output takes a page fault per
// 4 KiB inside the copy.
void sample_rows_cuda(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                      const std::vector<int32_t>& context, SampledRows& out);

}  // namespace sc::kernels
