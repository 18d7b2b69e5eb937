// Writing a large dataset's bytes around the page cache. On the benchmark's VM the kernel's copy
// of a store window into the page cache ran at about 0.3 GB/s and took 61% of the uncompressed
// sample stage's CPU (docs/benchmarks.md, "Uncompressed store writes against dd"); O_DIRECT
// writes hand the pages to the device without that copy. Used by h5::File for large contiguous
// uncompressed datasets, whose file space HDF5 allocates, aligned, when the dataset is created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sc {

// File offsets and lengths that O_DIRECT writes use: 4 KiB, the page size and a multiple of
// every usual logical block size.
constexpr size_t kDirectWriteAlignment = 4096;

// Writes `bytes` bytes of `data` into the existing file `path` at `offset` (a multiple of
// kDirectWriteAlignment): the aligned body with O_DIRECT through a reused aligned buffer, the
// last partial block through the page cache. Returns false, having written nothing, where the
// file system refuses O_DIRECT (then the caller writes as usual); throws IoError on a failed write.
bool write_around_page_cache(const std::string& path, uint64_t offset, const void* data, size_t bytes);

}  // namespace sc
