// The hand-off of genome windows from rank 0's decoding thread to its main thread, which writes
// each window of its own into a shard file or keeps it for its owner rank (MPI stays on the main
// thread: FUNNELED). Decoding, writing and digesting overlap, with a bound on the bytes queued in
// between.
//
// The queue also says when windows may be committed (renamed into place) or sent: once the
// decoder has finished the whole file, or once the windows decoded so far exceed `budget_bytes`
// (released()). Until then the consumer writes its windows to sealed temporary files and holds
// the others, so a panel that fits in the budget is checked completely (every site, every
// genotype) before any window is committed, and bad input leaves no window behind; a larger panel
// streams, and an error found late leaves the windows committed so far in the stage's partial
// directory only (never published; `run.restart` discards them).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

#include "stages/ingest/genome_store.hpp"

namespace sc {

struct DecodedWindow {
  GenomeWindow window;
  double fraction_read = 0.0;  // of the input file when the window was complete (progress estimate)
};

class GenomeWindowQueue {
 public:
  explicit GenomeWindowQueue(size_t budget_bytes) : budget_(budget_bytes) {}

  // Decoder side. Blocks while more than `budget_bytes` are queued; false when the consumer has
  // cancelled (the decoder should stop).
  bool push(DecodedWindow item);
  // The decoder is done: `complete` when the whole file was read and checked, false after an
  // error. Windows still queued after an error are dropped: nothing more of a bad input is written.
  void finish(bool complete);

  // Consumer side. The next window in decode order as soon as it is decoded, or nothing when the
  // decoder has finished (or failed) and no window may be handed out any more.
  std::optional<DecodedWindow> pop();
  // The consumer stops early (its own error): push() returns false from now on.
  void cancel();

  // Whether windows may be committed or sent: the decoder finished the whole file, or the windows
  // decoded so far exceed the budget. Never true after a failure.
  bool released() const;
  // Blocks until released() or the decoder has failed; returns released().
  bool wait_for_release();
  // True when the decoder finished before release came from the budget: the whole input was
  // checked before the first commit.
  bool held_whole_input() const;

 private:
  const size_t budget_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<DecodedWindow> items_;
  size_t queued_bytes_ = 0, pushed_bytes_ = 0;
  bool released_ = false, released_early_ = false, finished_ = false, failed_ = false, cancelled_ = false;
};

}  // namespace sc
