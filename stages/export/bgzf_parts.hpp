// Joining BGZF files written apart into one BGZF file. A BGZF file is a series of independent
// gzip members ending with an empty member, the EOF marker (SAM/BAM specification, section 4.1),
// so files written by separate BGZF streams join by concatenation once every one loses its EOF
// marker and one marker ends the whole. Used by the VCF export (genome_export.cpp): each rank
// compresses its share of the sites into a part, and every rank copies its part into the output
// at an offset given by the sizes of the parts before it, so the copies run side by side.
#pragma once

#include <cstdint>
#include <string>

namespace sc {

// Removes the EOF marker that ends the finished BGZF file `path` (as htslib's bgzf_close writes
// it); returns the bytes left. Throws IoError if the file does not end with the marker.
int64_t strip_bgzf_eof(const std::string& path);

// Creates (or truncates) `path` as `data_bytes` bytes to be filled by copy_part_into, followed by
// the EOF marker.
void create_joined_bgzf(const std::string& path, int64_t data_bytes);

// Copies the whole of `part` into the existing file `joined` at `offset` and syncs it to disk.
void copy_part_into(const std::string& part, const std::string& joined, int64_t offset);

}  // namespace sc
