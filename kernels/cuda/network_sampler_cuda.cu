// CUDA backend of the table sampling kernel: one thread per row running the very same row body
// as the CPU backend (kernels/sampling/network_row.hpp), compiled with --fmad=false.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/cpu/host_pages.hpp"
#include "kernels/sampling/network_row.hpp"
#include "kernels/sampling/network_sampler.hpp"

namespace sc::kernels {
namespace {

void check(cudaError_t rc, const char* call) {
  if (rc != cudaSuccess) throw std::runtime_error(std::string("CUDA call failed: ") + call + ": " + cudaGetErrorString(rc));
}
#define SC_CUDA_CHECK(call) check((call), #call)

template <class T>
struct DeviceArray {
  T* ptr = nullptr;
  explicit DeviceArray(const std::vector<T>& host) {
    if (host.empty()) return;
    SC_CUDA_CHECK(cudaMalloc(&ptr, host.size() * sizeof(T)));
    SC_CUDA_CHECK(cudaMemcpy(ptr, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  explicit DeviceArray(size_t n) {
    if (n) SC_CUDA_CHECK(cudaMalloc(&ptr, n * sizeof(T)));
  }
  ~DeviceArray() { if (ptr) cudaFree(ptr); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
};

__global__ void sample_rows_kernel(NetworkView view, uint64_t first_entity, int64_t rows, const int32_t* context,
                                   int32_t* states_out, double* values_out) {
  int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const int32_t width = view.context_count + view.node_count;
  int32_t* states = states_out + r * width;
  for (int32_t c = 0; c < view.context_count; ++c) states[c] = context[r * view.context_count + c];
  sample_network_row(view, first_entity + static_cast<uint64_t>(r), states, values_out + r * view.node_count);
}

}  // namespace

bool cuda_backend_available() {
  int devices = 0;
  return cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
}

SampledRows sample_rows_cuda(const NetworkArrays& net, uint64_t first_entity, int64_t rows,
                             const std::vector<int32_t>& context) {
  return sample_rows_cuda(net, net.key, first_entity, rows, context);
}

SampledRows sample_rows_cuda(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                             const std::vector<int32_t>& context) {
  SampledRows out;
  sample_rows_cuda(net, key, first_entity, rows, context, out);
  return out;
}

void sample_rows_cuda(const NetworkArrays& net, const DrawKey& key, uint64_t first_entity, int64_t rows,
                      const std::vector<int32_t>& context, SampledRows& out) {
  NetworkView host = net.view();
  host.key = key;
  const int32_t width = host.context_count + host.node_count;
  DeviceArray<NetworkNode> nodes(net.nodes);
  DeviceArray<int32_t> parent_states(net.parent_states);
  DeviceArray<uint64_t> thresholds(net.thresholds);
  DeviceArray<uint64_t> fine_thresholds(net.fine_thresholds);
  DeviceArray<double> fine_edges(net.fine_edges);
  DeviceArray<uint8_t> guides8(net.guides8);
  DeviceArray<uint16_t> guides(net.guides);
  DeviceArray<uint32_t> last_words(net.last_words);
  DeviceArray<uint32_t> fine_last_words(net.fine_last_words);
  DeviceArray<int32_t> device_context(context);
  DeviceArray<int32_t> states(static_cast<size_t>(rows * width));
  DeviceArray<double> values(static_cast<size_t>(rows * host.node_count));
  NetworkView view = host;
  view.nodes = nodes.ptr;
  view.parent_states = parent_states.ptr;
  view.thresholds = thresholds.ptr;
  view.fine_thresholds = fine_thresholds.ptr;
  view.fine_edges = fine_edges.ptr;
  view.guides8 = guides8.ptr;  // each nullptr when the network has none
  view.guides = guides.ptr;
  view.last_words = last_words.ptr;
  view.fine_last_words = fine_last_words.ptr;
  out.rows = rows;
  out.width = width;
  // Where the output grows, its new pages are faulted in by all threads before the copy writes them.
  const size_t old_states = out.states.size(), old_values = out.values.size();
  out.states.resize(static_cast<size_t>(rows * width));
  out.values.resize(static_cast<size_t>(rows * host.node_count));
  if (out.states.size() > old_states)
    touch_pages(out.states.data() + old_states, (out.states.size() - old_states) * sizeof(int32_t));
  if (out.values.size() > old_values)
    touch_pages(out.values.data() + old_values, (out.values.size() - old_values) * sizeof(double));
  if (rows > 0) {
    const int threads = 256;
    const unsigned blocks = static_cast<unsigned>((rows + threads - 1) / threads);
    sample_rows_kernel<<<blocks, threads>>>(view, first_entity, rows, device_context.ptr, states.ptr, values.ptr);
    SC_CUDA_CHECK(cudaGetLastError());
    SC_CUDA_CHECK(cudaDeviceSynchronize());
    SC_CUDA_CHECK(cudaMemcpy(out.states.data(), states.ptr, out.states.size() * sizeof(int32_t), cudaMemcpyDeviceToHost));
    if (!out.values.empty())
      SC_CUDA_CHECK(cudaMemcpy(out.values.data(), values.ptr, out.values.size() * sizeof(double), cudaMemcpyDeviceToHost));
  }
}

}  // namespace sc::kernels
