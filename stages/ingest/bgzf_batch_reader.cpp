#include "stages/ingest/bgzf_batch_reader.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "pipeline/error.hpp"

namespace sc {
namespace {

// A batch: at most blocks_per_batch blocks (256 by default: each inflates to at most 64 KiB, so
// at most 16 MiB, enough to spread a task's start over 256 inflates while two batches stay small
// beside the rank's windows), read from at most this many compressed bytes.
constexpr size_t kCompressedPerBatch = size_t{4} << 20;  // a block is at most 64 KiB compressed
constexpr size_t kMaxBlockBytes = size_t{1} << 16;
// Blocks per batch past the read-ahead bound: enough for the record that ends a region (a record
// of a few thousand samples spans one or two blocks), without inflating the next region's data.
constexpr size_t kBlocksPastBound = 4;

uint32_t le16(const uint8_t* p) { return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8; }
uint32_t le32(const uint8_t* p) { return le16(p) | le16(p + 2) << 16; }

struct BlockSpan {
  size_t in_offset, in_bytes;  // the raw deflate data inside the compressed chunk
  size_t out_offset;           // where its inflated bytes go in the batch
  uint32_t out_bytes, crc;
  int64_t file_offset;         // of the block's first byte, for messages
};

std::string at_block(const std::string& path, int64_t offset) {
  return path + ": BGZF block at byte " + std::to_string(offset) + ": ";
}

}  // namespace

void BgzfBatchReader::FreeDecompressor::operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }

BgzfBatchReader::BgzfBatchReader(const std::string& path, uint64_t start, size_t blocks_per_batch)
    : path_(path), blocks_per_batch_(std::max<size_t>(1, blocks_per_batch)), skip_(static_cast<size_t>(start & 0xffff)), next_from_(static_cast<int64_t>(start >> 16)) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    throw IoError("cannot stat " + path + ": " + std::strerror(errno));
  }
  file_bytes_ = static_cast<int64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

BgzfBatchReader::~BgzfBatchReader() {
  try {
    arena_.execute([this] { inflating_.wait(); });
  } catch (...) {  // the batch nobody will read could not be read: nothing to report any more
  }
  ::close(fd_);
}

libdeflate_decompressor* BgzfBatchReader::local_decompressor() {
  auto& decompressor = decompressors_.local();
  if (!decompressor) decompressor.reset(libdeflate_alloc_decompressor());
  if (!decompressor) throw std::bad_alloc();
  return decompressor.get();
}

void BgzfBatchReader::fill(Batch& batch, int64_t from) {
  // Read the compressed chunk: a whole batch's worth while reading ahead, a few blocks past the
  // read-ahead bound.
  const bool ahead = from < read_ahead_below_;
  const size_t max_blocks = ahead ? blocks_per_batch_ : std::min(blocks_per_batch_, kBlocksPastBound);
  int64_t want_bytes = std::min<int64_t>(kCompressedPerBatch, file_bytes_ - from);
  // (read_ahead_below_ - from is positive here; the block that starts just below the bound may
  // end past it, so a block's worth more is read. No overflow when the bound is INT64_MAX.)
  if (ahead && read_ahead_below_ - from < want_bytes - static_cast<int64_t>(kMaxBlockBytes))
    want_bytes = read_ahead_below_ - from + static_cast<int64_t>(kMaxBlockBytes);
  else if (!ahead) want_bytes = std::min<int64_t>(want_bytes, static_cast<int64_t>(max_blocks * kMaxBlockBytes));
  const size_t want = static_cast<size_t>(std::max<int64_t>(0, want_bytes));
  if (compressed_.size() < want) compressed_.resize(want);
  size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd_, compressed_.data() + got, want - got, from + static_cast<int64_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError("cannot read " + path_ + ": " + std::strerror(errno));
    if (n == 0) break;  // the file shrank under us: the block checks below report the cut
    got += static_cast<size_t>(n);
  }
  const bool chunk_reaches_end = got < want || from + static_cast<int64_t>(got) >= file_bytes_;

  // Lay the blocks out: each header gives the block's length, its trailer the inflated length. A
  // block that cannot be laid out ends the batch, with its damage kept for when it is reached.
  std::vector<BlockSpan> blocks;
  std::string damage;
  size_t pos = 0, out = 0;
  while (blocks.size() < max_blocks && pos < got && damage.empty()) {
    if (ahead && !blocks.empty() && from + static_cast<int64_t>(pos) >= read_ahead_below_) break;
    const uint8_t* b = compressed_.data() + pos;
    const int64_t offset = from + static_cast<int64_t>(pos);
    const size_t left = got - pos;
    if (left < 18) {
      if (chunk_reaches_end) damage = at_block(path_, offset) + "the file ends inside the block's header";
      break;
    }
    if (b[0] != 31 || b[1] != 139 || b[2] != 8 || !(b[3] & 4)) {
      damage = at_block(path_, offset) + "not a BGZF block header (gzip magic, deflate, extra field)";
      break;
    }
    const size_t xlen = le16(b + 10);
    size_t total = 0;
    for (size_t x = 12; x + 4 <= 12 + xlen && x + 4 <= left; x += 4 + le16(b + x + 2))
      if (b[x] == 'B' && b[x + 1] == 'C' && le16(b + x + 2) == 2 && x + 6 <= left) total = le16(b + x + 4) + size_t{1};
    if (total == 0) damage = at_block(path_, offset) + "no BC field giving the block size";
    else if (total < 12 + xlen + 8) damage = at_block(path_, offset) + "block size smaller than its header and trailer";
    if (!damage.empty()) break;
    if (total > left) {
      if (chunk_reaches_end) damage = at_block(path_, offset) + "the file ends inside the block";
      break;  // else the block continues in the next batch's chunk
    }
    const uint32_t inflated = le32(b + total - 4);
    if (inflated > kMaxBlockBytes) {
      damage = at_block(path_, offset) + "inflated size over 64 KiB";
      break;
    }
    blocks.push_back({pos + 12 + xlen, total - 12 - xlen - 8, out, inflated, le32(b + total - 8), offset});
    pos += total;
    out += inflated;
  }
  // Every chunk holds at least one whole block (a block is at most 64 KiB), so an empty batch
  // that is neither damaged nor at the end would make the reader spin: say so instead.
  if (blocks.empty() && damage.empty() && !chunk_reaches_end)
    throw InternalError(at_block(path_, from) + "a batch read no block (" + std::to_string(got) + " bytes read)");
  if (batch.capacity < out) {
    batch.data.reset(new uint8_t[out]);
    batch.capacity = out;
  }
  batch.block_starts.clear();
  if (hook_) {
    for (const BlockSpan& block : blocks) batch.block_starts.push_back(block.out_offset);
    if (batch.notes.size() < blocks.size()) batch.notes.resize(blocks.size());
  }

  // Inflate them, any block on any thread: each knows its place in the batch. A block that fails
  // cuts the batch before it (the first such block, whichever thread saw it first).
  std::atomic<size_t> first_bad{blocks.size()};
  tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks.size(), 8), [&](const tbb::blocked_range<size_t>& range) {
    libdeflate_decompressor* decompressor = local_decompressor();
    for (size_t i = range.begin(); i != range.end(); ++i) {
      const BlockSpan& block = blocks[i];
      uint8_t* into = batch.data.get() + block.out_offset;
      size_t actual = 0;
      const libdeflate_result rc = libdeflate_deflate_decompress(decompressor, compressed_.data() + block.in_offset,
                                                                 block.in_bytes, into, block.out_bytes, &actual);
      if (rc != LIBDEFLATE_SUCCESS || actual != block.out_bytes || libdeflate_crc32(0, into, block.out_bytes) != block.crc) {
        size_t seen = first_bad.load();
        while (i < seen && !first_bad.compare_exchange_weak(seen, i)) {
        }
      } else if (hook_) {
        batch.notes[i].clear();
        hook_(into, block.out_bytes, batch.notes[i]);
      }
    }
  });
  if (const size_t bad = first_bad.load(); bad < blocks.size()) {
    const BlockSpan& block = blocks[bad];
    size_t actual = 0;  // inflated again, on one thread, to say which check failed
    const bool inflates = libdeflate_deflate_decompress(local_decompressor(), compressed_.data() + block.in_offset,
                                                        block.in_bytes, batch.data.get() + block.out_offset,
                                                        block.out_bytes, &actual) == LIBDEFLATE_SUCCESS &&
                          actual == block.out_bytes;
    damage = at_block(path_, block.file_offset) +
             (inflates ? "CRC-32 mismatch" : "its deflate data does not inflate to the size its trailer gives");
    out = block.out_offset;
    pos = static_cast<size_t>(block.file_offset - from);
    if (hook_) batch.block_starts.resize(bad);  // the batch ends before the damaged block
  }
  batch.size = out;
  batch.begin = 0;
  batch.compressed_end = from + static_cast<int64_t>(pos);
  batch.damage = std::move(damage);
  batch.last = !batch.damage.empty() || batch.compressed_end >= file_bytes_;
}

void BgzfBatchReader::launch() {
  const int64_t from = next_from_;
  next_pending_ = true;
  arena_.execute([this, from] { inflating_.run([this, from] { fill(next_, from); }); });
}

bool BgzfBatchReader::advance() {
  for (;;) {
    if (!next_pending_) {
      if (finished_) {
        if (!damage_.empty()) throw BgzfDamage(damage_);
        return false;
      }
      launch();
    }
    arena_.execute([this] { inflating_.wait(); });  // rethrows a read error of the batch's task
    next_pending_ = false;
    std::swap(current_, next_);
    next_from_ = current_.compressed_end;
    finished_ = current_.last;
    damage_ = current_.damage;
    // The following batch inflates while the caller reads this one, up to the read-ahead bound.
    if (!finished_ && next_from_ < read_ahead_below_) launch();
    if (skip_ > 0) {
      if (skip_ > current_.size) {
        if (!damage_.empty()) throw BgzfDamage(damage_);
        throw BgzfDamage(path_ + ": the start offset lies beyond its block's data");
      }
      current_.begin = skip_;
      skip_ = 0;
    }
    if (current_.begin < current_.size) return true;
  }
}

void BgzfBatchReader::restart(uint64_t start, int64_t read_ahead_below) {
  try {
    arena_.execute([this] { inflating_.wait(); });
  } catch (const std::exception&) {  // a batch read ahead that the new start does not need
  }
  next_pending_ = finished_ = false;
  current_.size = current_.begin = 0;
  current_.compressed_end = static_cast<int64_t>(start >> 16);
  damage_.clear();
  carry_.clear();
  leftover_ = 0;
  skip_ = static_cast<size_t>(start & 0xffff);
  next_from_ = static_cast<int64_t>(start >> 16);
  read_ahead_below_ = read_ahead_below;
}

const uint8_t* BgzfBatchReader::take(size_t n) {
  auto in_place = [&] {
    const uint8_t* p = current_.data.get() + current_.begin;
    current_.begin += n;
    return p;
  };
  if (current_.size - current_.begin >= n) return in_place();
  if (current_.begin == current_.size) {  // the value starts in the next batch: served from there
    if (!advance()) {
      leftover_ = 0;
      return nullptr;
    }
    if (current_.size - current_.begin >= n) return in_place();
  }
  carry_.assign(current_.data.get() + current_.begin, current_.data.get() + current_.size);
  current_.begin = current_.size;
  while (carry_.size() < n) {
    if (!advance()) {
      leftover_ = carry_.size();
      return nullptr;
    }
    const size_t k = std::min(n - carry_.size(), current_.size - current_.begin);
    carry_.insert(carry_.end(), current_.data.get() + current_.begin, current_.data.get() + current_.begin + k);
    current_.begin += k;
  }
  return carry_.data();
}

const std::vector<uint64_t>* BgzfBatchReader::notes_for(const uint8_t* p, size_t& offset_in_block) const {
  const auto at = reinterpret_cast<uintptr_t>(p), data = reinterpret_cast<uintptr_t>(current_.data.get());
  if (!hook_ || data == 0 || at < data || at >= data + current_.size) return nullptr;  // carried, or no notes
  const size_t offset = at - data;
  const std::vector<size_t>& starts = current_.block_starts;
  const auto after = std::upper_bound(starts.begin(), starts.end(), offset);
  if (after == starts.begin()) return nullptr;
  offset_in_block = offset - *(after - 1);
  return &current_.notes[static_cast<size_t>(after - starts.begin()) - 1];
}

}  // namespace sc
