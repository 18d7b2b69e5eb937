#include "pipeline/shard_committer.hpp"

namespace sc {

ShardCommitter::ShardCommitter(StageWriter& writer) : writer_(writer), thread_([this] { run(); }) {}

ShardCommitter::~ShardCommitter() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ShardCommitter::commit(ShardFile shard) {
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  queue_.push_back(std::move(shard));
  changed_.notify_all();
}

void ShardCommitter::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || (queue_.empty() && !busy_); });
  if (error_) std::rethrow_exception(error_);
}

void ShardCommitter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (closing_ || error_) {  // after an error anywhere: what is left stays uncommitted
      queue_.clear();          // (sealed shards: removing their temporary files needs no HDF5)
      changed_.notify_all();
      if (closing_) return;
      continue;
    }
    ShardFile shard = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      writer_.commit(shard);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (error && !error_) error_ = error;
    changed_.notify_all();
  }
}

}  // namespace sc
