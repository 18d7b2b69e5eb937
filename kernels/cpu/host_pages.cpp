// See host_pages.hpp.
#include "kernels/cpu/host_pages.hpp"

#include <cstdint>

#if defined(SC_KERNELS_HAVE_TBB)
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#endif

namespace sc::kernels {

void touch_pages(void* data, size_t bytes) {
  constexpr size_t kPage = 4096;
  if (bytes == 0) return;
  auto* base = static_cast<volatile unsigned char*>(data);
  const size_t pages = (bytes + kPage - 1) / kPage;
  auto touch = [&](size_t first, size_t last) {
    for (size_t p = first; p < last; ++p) base[p * kPage < bytes ? p * kPage : bytes - 1] = 0;
  };
#if defined(SC_KERNELS_HAVE_TBB)
  tbb::parallel_for(tbb::blocked_range<size_t>(0, pages, 256),
                    [&](const tbb::blocked_range<size_t>& r) { touch(r.begin(), r.end()); });
#else
  touch(0, pages);
#endif
}

}  // namespace sc::kernels
