// Reading a BGZF file's decompressed stream in large batches whose blocks are inflated in
// parallel on TBB's threads, the next batch while the caller reads the current one.
//
// Why not htslib's own threads: htslib hands every 64 KiB block to its thread pool as one job, and
// on a 2-core machine the kernel's time, mostly those jobs' wake-ups and hand-offs, was 31.5% of
// the CPU against the inflate's 36.8% (docs/benchmarks.md, "BCF ingest on the Intel Xeon VM"). A
// BGZF block says how long it is and how many bytes it inflates to, so a batch of blocks can be
// laid out in one buffer before any of them is inflated, and inflated block by block in any
// order: one task per batch of up to 256 blocks instead of one per block. Every block's CRC-32 and length are checked.
//
// Damage is reported where the stream reaches it, not where the batch holding it is inflated:
// the bytes before a damaged block are served as usual, and the error comes with the first take()
// that needs the block. So the record that meets the damage is the same whatever the batch size
// and wherever reading started, which keeps errors identical for any number of ranks.
#pragma once

#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct libdeflate_decompressor;

namespace sc {

// A block that is not BGZF, fails to inflate, or whose CRC-32 or length does not match; or a
// file that ends inside a block. The message says which block (its byte offset in the file).
class BgzfDamage : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BgzfBatchReader {
 public:
  // Opens `path` and starts at htslib's virtual offset `start` (block offset << 16 | offset of
  // the byte inside the block's inflated data), e.g. bgzf_tell() after the header was read.
  // `blocks_per_batch` is for tests, which make batches small to cut values across them.
  BgzfBatchReader(const std::string& path, uint64_t start, size_t blocks_per_batch = 256);
  ~BgzfBatchReader();
  BgzfBatchReader(const BgzfBatchReader&) = delete;
  BgzfBatchReader& operator=(const BgzfBatchReader&) = delete;

  // Starts over at virtual offset `start` (reusing the buffers). Batches are read ahead only while
  // they start before file offset `read_ahead_below`: past it (the end of a region, as the index
  // gives it) the reader inflates a few blocks at a time, when asked.
  void restart(uint64_t start, int64_t read_ahead_below = INT64_MAX);

  // The next `n` bytes of the stream, contiguous, valid until the next call. nullptr when fewer
  // than n bytes are left: then at_end() says whether none were (a clean end) or some (a cut).
  const uint8_t* take(size_t n);
  bool at_end() const { return leftover_ == 0; }

  // Work on each block's inflated bytes right after the block is inflated and checked, on the
  // thread that inflated it, while they are in that core's cache: genome ingest packs there the
  // genotypes of the records that lie whole inside the block, which the decoding thread would
  // otherwise read back from memory (docs/benchmarks.md, "BCF ingest"). `notes` are the block's
  // own (blocks inflate concurrently), cleared before the call, and read back with notes_for().
  // Set before the first take().
  using BlockHook = std::function<void(const uint8_t* data, size_t bytes, std::vector<uint64_t>& notes)>;
  void set_block_hook(BlockHook hook) { hook_ = std::move(hook); }
  // For `p`, a pointer the last take() returned: the notes of the block whose data holds it, and
  // p's offset in that data. nullptr when no hook is set or p is a value carried across batches.
  // Valid until the next take().
  const std::vector<uint64_t>* notes_for(const uint8_t* p, size_t& offset_in_block) const;
  // Compressed bytes of the file read so far (for progress).
  int64_t compressed_offset() const { return current_.compressed_end; }

 private:
  struct Batch {
    std::unique_ptr<uint8_t[]> data;  // not zeroed: every byte up to size is inflated into
    size_t capacity = 0, size = 0, begin = 0;
    int64_t compressed_end = 0;  // file offset after the batch's last block
    bool last = false;           // the file has no block after this batch
    std::string damage;          // why the block after the batch's last cannot be read, if so
    // With a block hook: where each block's data starts in `data`, and what the hook noted.
    std::vector<size_t> block_starts;
    std::vector<std::vector<uint64_t>> notes;
  };
  struct FreeDecompressor {
    void operator()(libdeflate_decompressor* d) const;
  };
  libdeflate_decompressor* local_decompressor();  // this thread's, made at its first use
  void fill(Batch& batch, int64_t from);  // inflates the blocks from file offset `from` (a task)
  void launch();                          // starts inflating the batch at next_from_ into next_
  bool advance();                         // the next non-empty batch becomes current

  std::string path_;
  int fd_ = -1;
  int64_t file_bytes_ = 0;
  size_t blocks_per_batch_;
  size_t skip_ = 0;        // bytes of the first block's data before the start
  int64_t next_from_ = 0;  // file offset of the next batch's first block
  int64_t read_ahead_below_ = INT64_MAX;
  std::string damage_;     // the current batch's damage, thrown when the stream reaches it
  Batch current_, next_;
  std::vector<uint8_t> compressed_;  // the chunk of the batch being inflated
  tbb::enumerable_thread_specific<std::unique_ptr<libdeflate_decompressor, FreeDecompressor>> decompressors_;
  bool next_pending_ = false, finished_ = false;
  BlockHook hook_;
  std::vector<uint8_t> carry_;  // a value that spans two batches, copied together
  size_t leftover_ = 0;
  // The batches inflate in an arena of their own, so that any thread can wait for them: genome
  // ingest reads on a decoding thread, and when that thread stops at an error the reader is
  // destroyed on another, which could not reach a task left in the decoding thread's own arena.
  tbb::task_arena arena_;
  tbb::task_group inflating_;
};

}  // namespace sc
