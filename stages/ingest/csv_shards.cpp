#include "stages/ingest/csv_shards.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pipeline/error.hpp"
#include "stages/ingest/csv_line_scanner.hpp"

namespace sc {
namespace {

constexpr int kShardTag = 7101;

// Line starts: `first`, where the data begin, and every byte right after a newline, up to `size`.
// Those in [lo, hi) are `lo` itself when lo == first, then one after each newline q with
// q in [scan, last): scan = lo == first ? lo : lo - 1 and last = min(hi, size) - 1.
struct LineStartRange {
  bool first_start = false;  // lo == first opens a line
  size_t scan = 0, last = 0;
};

LineStartRange line_start_range(size_t first, size_t size, size_t lo, size_t hi) {
  LineStartRange range;
  range.first_start = lo == first && lo < hi && lo < size;
  range.scan = lo == first ? lo : lo - 1;
  const size_t end = std::min(hi, size);
  range.last = end > range.scan ? end - 1 : range.scan;
  return range;
}

int64_t count_line_starts(const char* data, size_t first, size_t size, size_t lo, size_t hi) {
  const LineStartRange range = line_start_range(first, size, lo, hi);
  int64_t left = INT64_MAX;
  find_kth_newline(data, range.scan, range.last, left);
  return (range.first_start ? 1 : 0) + (INT64_MAX - left);
}

// The line starts numbered from `first_index` whose number is a multiple of `per_shard` open a
// shard: appends (shard index, byte offset) pairs to `starts`.
void find_shard_starts(const char* data, size_t first, size_t size, size_t lo, size_t hi, int64_t first_index,
                       int64_t per_shard, std::vector<int64_t>& starts) {
  const LineStartRange range = line_start_range(first, size, lo, hi);
  int64_t index = first_index;
  if (range.first_start) {
    if (index % per_shard == 0) {
      starts.push_back(index / per_shard);
      starts.push_back(static_cast<int64_t>(lo));
    }
    ++index;
  }
  for (size_t from = range.scan;;) {
    // The j-th newline from here opens line start number index + j: skip to the next multiple.
    const int64_t skip = (per_shard - index % per_shard) % per_shard;
    int64_t k = skip;
    const size_t newline = find_kth_newline(data, from, range.last, k);
    if (newline >= range.last) break;
    index += skip;
    starts.push_back(index / per_shard);
    starts.push_back(static_cast<int64_t>(newline + 1));
    ++index;
    from = newline + 1;
  }
}

bool has_gzip_magic(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  unsigned char magic[2] = {0, 0};
  ssize_t n = ::read(fd, magic, 2);
  ::close(fd);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::string inflate_whole(const std::string& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  gzbuffer(in, 1 << 20);
  std::string text;
  std::vector<char> buffer(1 << 20);
  while (true) {
    int n = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      std::string reason = gzerror(in, &code);
      gzclose(in);
      throw InputError(path + ": corrupt gzip data after " + std::to_string(text.size()) +
                       " decompressed bytes (" + reason + ")");
    }
    if (n == 0) break;
    text.append(buffer.data(), static_cast<size_t>(n));
  }
  int code = 0;
  const char* reason = gzerror(in, &code);
  std::string why = reason ? reason : "";
  gzclose(in);
  // zlib reports a stream cut short as Z_BUF_ERROR at the end.
  if (code != Z_OK && code != Z_STREAM_END)
    throw InputError(path + ": truncated or corrupt gzip file after " + std::to_string(text.size()) +
                     " decompressed bytes (expected a complete gzip stream: " + why + ")");
  return text;
}

}  // namespace

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

CsvShardReader::CsvShardReader(const Communicator& comm, std::string path, bool header, int64_t lines_per_shard,
                               bool latin1)
    : path_(std::move(path)), header_(header), latin1_(latin1) {
  if (lines_per_shard <= 0) throw ConfigError("ingest.rows_per_shard must be positive");
  std::string problem;
  int exists = 0;
  if (comm.is_root()) {
    struct stat st{};
    if (::stat(path_.c_str(), &st) != 0) problem = "cannot open " + path_ + ": " + std::strerror(errno);
    else if (!S_ISREG(st.st_mode)) problem = path_ + " is not a regular file";
    else gzip_ = has_gzip_magic(path_);
    exists = problem.empty();
  }
  comm.agree_on_error(problem.empty() ? "" : problem, ExitCode::input);
  int32_t gz = gzip_ ? 1 : 0;
  comm.broadcast_value(gz);
  gzip_ = gz != 0;
  (void)exists;
  if (gzip_) distribute_gzip(comm, lines_per_shard);
  else split_plain(comm, lines_per_shard);
  if (latin1_) {
    header_line_ = latin1_to_utf8(header_line_);
    for (auto& shard : shards_) {
      shard.owned = latin1_to_utf8(shard.bytes);
      shard.bytes = shard.owned;
    }
  }
}

CsvShardReader::~CsvShardReader() {
  if (map_) ::munmap(const_cast<char*>(map_), map_size_);
}

void CsvShardReader::split_plain(const Communicator& comm, int64_t lines_per_shard) {
  int fd = ::open(path_.c_str(), O_RDONLY);
  if (fd < 0) throw IoError("cannot open " + path_ + ": " + std::strerror(errno));
  struct stat st{};
  ::fstat(fd, &st);
  map_size_ = static_cast<size_t>(st.st_size);
  file_bytes_ = st.st_size;
  if (map_size_ > 0) {
    void* map = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      throw IoError("cannot map " + path_ + ": " + std::strerror(errno));
    }
    ::madvise(map, map_size_, MADV_SEQUENTIAL);
    map_ = static_cast<const char*>(map);
  }
  ::close(fd);
  // The header is the bytes up to the first newline.
  size_t data_start = 0;
  if (header_) {
    const void* nl = map_size_ ? std::memchr(map_, '\n', map_size_) : nullptr;
    size_t end = nl ? static_cast<const char*>(nl) - map_ : map_size_;
    header_line_.assign(map_ ? map_ : "", end);
    data_start = nl ? end + 1 : map_size_;
  }
  size_t span = map_size_ - data_start;
  size_t lo = data_start + span * static_cast<size_t>(comm.rank()) / static_cast<size_t>(comm.size());
  size_t hi = data_start + span * static_cast<size_t>(comm.rank() + 1) / static_cast<size_t>(comm.size());
  int64_t mine = count_line_starts(map_, data_start, map_size_, lo, hi);
  int64_t first_index = comm.exscan_sum<int64_t>(mine);
  data_lines_ = comm.allreduce_sum<int64_t>(mine);
  std::vector<int64_t> starts;
  find_shard_starts(map_, data_start, map_size_, lo, hi, first_index, lines_per_shard, starts);
  std::vector<int64_t> all = comm.allgatherv(starts);
  shard_count_ = (data_lines_ + lines_per_shard - 1) / lines_per_shard;
  std::vector<int64_t> offset(static_cast<size_t>(shard_count_) + 1, static_cast<int64_t>(map_size_));
  for (size_t i = 0; i + 1 < all.size(); i += 2) offset[static_cast<size_t>(all[i])] = all[i + 1];
  int64_t header_lines = header_ ? 1 : 0;
  for (int64_t s = comm.rank(); s < shard_count_; s += comm.size()) {
    CsvShard shard;
    shard.index = s;
    shard.first_line = header_lines + s * lines_per_shard + 1;
    shard.lines = std::min(lines_per_shard, data_lines_ - s * lines_per_shard);
    shard.bytes = std::string_view(map_ + offset[s], static_cast<size_t>(offset[s + 1] - offset[s]));
    shards_.push_back(std::move(shard));
  }
}

void CsvShardReader::distribute_gzip(const Communicator& comm, int64_t lines_per_shard) {
  std::string text;
  std::string problem;
  if (comm.is_root()) {
    try {
      text = inflate_whole(path_);
    } catch (const Error& e) {
      problem = e.what();
    }
  }
  comm.agree_on_error(problem, ExitCode::input);
  std::vector<int64_t> offset;
  int64_t header_lines = header_ ? 1 : 0;
  if (comm.is_root()) {
    file_bytes_ = static_cast<int64_t>(text.size());
    size_t data_start = 0;
    if (header_) {
      size_t nl = text.find('\n');
      header_line_ = text.substr(0, nl == std::string::npos ? text.size() : nl);
      data_start = nl == std::string::npos ? text.size() : nl + 1;
    }
    std::vector<int64_t> starts;
    find_shard_starts(text.data(), data_start, text.size(), data_start, text.size(), 0, lines_per_shard, starts);
    data_lines_ = count_line_starts(text.data(), data_start, text.size(), data_start, text.size());
    shard_count_ = (data_lines_ + lines_per_shard - 1) / lines_per_shard;
    offset.assign(static_cast<size_t>(shard_count_) + 1, static_cast<int64_t>(text.size()));
    for (size_t i = 0; i + 1 < starts.size(); i += 2) offset[static_cast<size_t>(starts[i])] = starts[i + 1];
  }
  comm.broadcast(header_line_);
  comm.broadcast_value(data_lines_);
  comm.broadcast_value(shard_count_);
  comm.broadcast_value(file_bytes_);
  for (int64_t s = 0; s < shard_count_; ++s) {
    int owner = static_cast<int>(s % comm.size());
    CsvShard shard;
    shard.index = s;
    shard.first_line = header_lines + s * lines_per_shard + 1;
    shard.lines = std::min(lines_per_shard, data_lines_ - s * lines_per_shard);
    if (comm.is_root()) {
      std::string_view bytes(text.data() + offset[s], static_cast<size_t>(offset[s + 1] - offset[s]));
      if (owner == 0) {
        shard.owned.assign(bytes);
      } else {
        comm.send_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), owner, kShardTag);
        continue;
      }
    } else if (owner == comm.rank()) {
      std::vector<uint8_t> bytes = comm.recv_bytes(0, kShardTag);
      shard.owned.assign(bytes.begin(), bytes.end());
    } else {
      continue;
    }
    shards_.push_back(std::move(shard));
  }
  for (auto& shard : shards_) shard.bytes = shard.owned;
}

}  // namespace sc
