// Lists of strings in the store (dictionaries, variant ids, alleles, sample names) as two plain
// datasets: `<path>/bytes` (the UTF-8 bytes, concatenated) and `<path>/offsets` (int64, n + 1
// entries). Plain numeric datasets keep every digest a digest of bytes that `h5dump -b` shows.
#pragma once

#include <string>
#include <vector>

#include "pipeline/hdf5_handles.hpp"
#include "pipeline/store.hpp"

namespace sc {

void write_strings(ShardFile& shard, const std::string& path, const std::vector<std::string>& values);
std::vector<std::string> read_strings(const h5::File& file, const std::string& path);

}  // namespace sc
