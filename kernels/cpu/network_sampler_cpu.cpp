// CPU backend of the table sampling kernel: rows are independent (each draws from its own
// counters), so TBB splits them freely and the thread count cannot change a bit.
#include <stdexcept>

#include "kernels/sampling/network_row.hpp"
#include "kernels/sampling/network_sampler.hpp"

#if defined(SC_KERNELS_HAVE_TBB)
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#endif

namespace sc::kernels {

NetworkView NetworkArrays::view() const {
  NetworkView v;
  v.nodes = nodes.data();
  v.node_count = static_cast<int32_t>(nodes.size());
  v.context_count = context_count;
  v.parent_states = parent_states.data();
  v.thresholds = thresholds.data();
  v.fine_thresholds = fine_thresholds.data();
  v.fine_edges = fine_edges.data();
  v.key = key;
  return v;
}

SampledRows sample_rows_cpu(const NetworkArrays& net, uint64_t first_entity, int64_t rows,
                            const std::vector<int32_t>& context) {
  const NetworkView view = net.view();
  const int32_t width = view.context_count + view.node_count;
  if (static_cast<int64_t>(context.size()) != rows * view.context_count)
    throw std::invalid_argument("sample_rows_cpu: context holds " + std::to_string(context.size()) +
                                " states, expected rows x context_count = " + std::to_string(rows * view.context_count));
  SampledRows out;
  out.rows = rows;
  out.width = width;
  out.states.assign(static_cast<size_t>(rows * width), 0);
  out.values.assign(static_cast<size_t>(rows * view.node_count), 0.0);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      int32_t* states = out.states.data() + r * width;
      for (int32_t c = 0; c < view.context_count; ++c) states[c] = context[r * view.context_count + c];
      sample_network_row(view, first_entity + static_cast<uint64_t>(r), states, out.values.data() + r * view.node_count);
    }
  };
#if defined(SC_KERNELS_HAVE_TBB)
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, 1024),
                    [&](const tbb::blocked_range<int64_t>& range) { body(range.begin(), range.end()); });
#else
  body(0, rows);
#endif
  return out;
}

#if !defined(SC_KERNELS_HAVE_CUDA)
bool cuda_backend_available() { return false; }
SampledRows sample_rows_cuda(const NetworkArrays&, uint64_t, int64_t, const std::vector<int32_t>&) {
  throw std::runtime_error("the CUDA backend was not built (no nvcc at configure time)");
}
#endif

}  // namespace sc::kernels
