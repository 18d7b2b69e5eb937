// Writing a large dataset's bytes around the page cache, in the background. On the benchmark's
// VM the kernel's copy of a store window into the page cache ran at about 0.3 GB/s and took 62%
// of the uncompressed sample stage's CPU (docs/benchmarks.md, "Uncompressed store writes against
// dd"); O_DIRECT writes hand the pages to the device without that copy. The bytes are copied into
// a reused aligned buffer and written by a writer thread, so the device writes one dataset while
// the caller computes the next; the shard's fsync (store.cpp) first waits for its file's writes.
// Used by h5::File for large contiguous uncompressed datasets, whose file space HDF5 allocates,
// aligned, when the dataset is created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sc {

// File offsets and lengths that O_DIRECT writes use: 4 KiB, the page size and a multiple of
// every usual logical block size.
constexpr size_t kDirectWriteAlignment = 4096;

// Queues a write of `bytes` bytes of `data` into the existing file `path` at `offset` (a
// multiple of kDirectWriteAlignment) and returns once `data` has been copied: the aligned body
// with O_DIRECT, the last partial block through the page cache. Returns false, having written
// nothing, where the file system refuses O_DIRECT (probed on the first block, synchronously); the
// caller then writes as usual. At most two writes are in flight; a third waits for a buffer.
bool write_around_page_cache(const std::string& path, uint64_t offset, const void* data, size_t bytes);

// Waits for every queued write into `path`; throws IoError if one of them failed.
void finish_direct_writes(const std::string& path);

}  // namespace sc
