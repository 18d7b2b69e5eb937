// Cutting a CSV file into shards of a fixed number of lines, independent of the rank count.
// Plain files are memory-mapped and split across ranks by byte ranges: each rank counts the line
// starts in its range, an exclusive scan numbers them globally, and the line starts that open a
// shard are shared, so every rank knows every shard's bytes and reads only its own. Gzip input
// cannot be split, so rank 0 inflates it and sends each shard to its owner. Shard s belongs to
// rank s % size.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/mpi_comm.hpp"

namespace sc {

struct CsvShard {
  int64_t index = 0;
  int64_t first_line = 0;  // file line number (1-based) of the shard's first line
  int64_t lines = 0;       // lines in the shard (blank ones included)
  std::string_view bytes;  // the shard's lines, into the mapping or `owned`
  std::string owned;       // the bytes themselves when they came from rank 0 (gzip)
};

class CsvShardReader {
 public:
  // Collective. `header` says whether line 1 names the columns; `latin1` converts to UTF-8.
  CsvShardReader(const Communicator& comm, std::string path, bool header, int64_t lines_per_shard, bool latin1);
  ~CsvShardReader();
  CsvShardReader(const CsvShardReader&) = delete;
  CsvShardReader& operator=(const CsvShardReader&) = delete;

  const std::string& header_line() const { return header_line_; }  // "" without a header
  int64_t shard_count() const { return shard_count_; }
  int64_t data_lines() const { return data_lines_; }
  int64_t bytes() const { return file_bytes_; }
  bool gzip() const { return gzip_; }
  // The shards this rank owns, in shard order.
  std::vector<CsvShard>& owned_shards() { return shards_; }

 private:
  void split_plain(const Communicator& comm, int64_t lines_per_shard);
  void distribute_gzip(const Communicator& comm, int64_t lines_per_shard);

  std::string path_;
  bool header_, latin1_;
  std::string header_line_;
  int64_t shard_count_ = 0, data_lines_ = 0, file_bytes_ = 0;
  bool gzip_ = false;
  const char* map_ = nullptr;
  size_t map_size_ = 0;
  std::vector<CsvShard> shards_;
};

// Latin-1 to UTF-8 (every byte >= 0x80 becomes two bytes).
std::string latin1_to_utf8(std::string_view bytes);

}  // namespace sc
