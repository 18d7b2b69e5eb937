// Commits sealed shards on a second thread, in the order they are handed over, so that waiting
// for one shard's fsync (the disk, not the CPU: docs/benchmarks.md, "Ingest of registry tables")
// overlaps writing the next one. HDF5 calls stay on the writing thread: the shards arrive sealed
// without fsync (StageWriter::seal(shard, false)), and a commit is then an fsync and a rename (the
// directory's fsync waits for StageWriter::finish). The writing thread may go on using the
// StageWriter meanwhile (its shard lists are locked); a committer handed to StageWriter::finish
// may still be committing the last shards there.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "pipeline/store.hpp"

namespace sc {

class ShardCommitter {
 public:
  explicit ShardCommitter(StageWriter& writer);
  // Waits for the queued commits; after an error (here or on the writing thread) the shards not
  // yet committed are dropped and their temporary files removed.
  ~ShardCommitter();
  ShardCommitter(const ShardCommitter&) = delete;
  ShardCommitter& operator=(const ShardCommitter&) = delete;

  // Queues a sealed shard; raises the error of an earlier commit, if any.
  void commit(ShardFile shard);
  // Waits until every queued shard is committed; raises the first commit error.
  void finish();

 private:
  void run();
  StageWriter& writer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ShardFile> queue_;
  bool closing_ = false, busy_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace sc
