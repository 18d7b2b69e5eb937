#include "stages/ingest/genome_window_queue.hpp"

namespace sc {

bool GenomeWindowQueue::push(DecodedWindow item) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return cancelled_ || queued_bytes_ <= budget_; });
  if (cancelled_) return false;
  const size_t bytes = item.window.bytes();
  queued_bytes_ += bytes;
  pushed_bytes_ += bytes;
  items_.push_back(std::move(item));
  if (pushed_bytes_ > budget_ && !released_) released_ = released_early_ = true;
  changed_.notify_all();
  return true;
}

void GenomeWindowQueue::finish(bool complete) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  if (complete) {
    released_ = true;
  } else {
    failed_ = true;
    released_ = false;
    items_.clear();
    queued_bytes_ = 0;
  }
  changed_.notify_all();
}

std::optional<DecodedWindow> GenomeWindowQueue::pop() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failed_ || finished_ || !items_.empty(); });
  if (failed_ || items_.empty()) return std::nullopt;
  DecodedWindow item = std::move(items_.front());
  items_.pop_front();
  queued_bytes_ -= item.window.bytes();
  changed_.notify_all();
  return item;
}

void GenomeWindowQueue::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  changed_.notify_all();
}

bool GenomeWindowQueue::released() const {
  std::lock_guard lock(mutex_);
  return released_ && !failed_;
}

bool GenomeWindowQueue::wait_for_release() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failed_ || released_; });
  return released_ && !failed_;
}

bool GenomeWindowQueue::held_whole_input() const {
  std::lock_guard lock(mutex_);
  return !released_early_;
}

}  // namespace sc
