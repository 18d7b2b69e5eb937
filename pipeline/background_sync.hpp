// Making files and directories durable (fsync) while the caller goes on. On the benchmark VM an
// fsync that commits the file system's journal waits 1-4 ms for the disk, and a small stage made
// five or more of them one after the other: as long as the stage's own CPU work. A
// BackgroundSync issues its fsyncs on a helper thread, so the wait overlaps the work that does
// not depend on them (the store's commit protocol, docs/store.md, says which waits must come
// first).
#pragma once

#include <future>
#include <string>
#include <vector>

namespace sc {

// fsync of a file (after its queued direct writes, direct_write.hpp) or of a directory; throws
// IoError naming the path.
void fsync_path(const std::string& path, bool directory);

struct SyncTarget {
  std::string path;
  bool directory = false;
};

class BackgroundSync {
 public:
  BackgroundSync() = default;
  BackgroundSync(BackgroundSync&&) = default;
  BackgroundSync& operator=(BackgroundSync&&) = delete;
  ~BackgroundSync();  // waits, dropping an error nobody asked for

  // Starts fsyncing `targets`, in order, on a helper thread (after any earlier batch finished).
  void start(std::vector<SyncTarget> targets);
  // Waits until every started fsync returned; throws the first error. Any one thread may wait.
  void wait();

 private:
  std::future<void> pending_;
};

}  // namespace sc
