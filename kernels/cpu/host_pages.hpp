// Fresh host memory for a GPU backend's results, faulted in by every thread TBB has before a copy
// from the device writes it. A copy into pageable memory that nobody has touched takes the page
// faults (and the kernel's clearing of each page) one after another on the copying thread: on the
// H200 node that was 80% of a 10-column table draw of 2^24 rows (1.39 s against 0.15 s into touched
// memory, docs/benchmarks.md), where the CPU backend's threads fault their own rows in parallel.
#pragma once

#include <cstddef>

namespace sc::kernels {

// Writes one byte in each 4 KiB page of [data, data + bytes), pages split across TBB's threads (on
// one thread where the kernels were built without TBB). The contents are left unspecified: callers
// overwrite all of it.
void touch_pages(void* data, size_t bytes);

}  // namespace sc::kernels
