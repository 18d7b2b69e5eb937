#include "pipeline/background_sync.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pipeline/direct_write.hpp"
#include "pipeline/error.hpp"

namespace sc {

void fsync_path(const std::string& path, bool directory) {
  if (!directory) finish_direct_writes(path);  // a large dataset's bytes may still be on their way
  int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw IoError("cannot open " + path + " to sync it: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw IoError("cannot sync " + path + ": " + std::strerror(err));
}

BackgroundSync::~BackgroundSync() {
  try {
    wait();
  } catch (...) {
  }
}

void BackgroundSync::start(std::vector<SyncTarget> targets) {
  wait();
  if (targets.empty()) return;
  pending_ = std::async(std::launch::async, [targets = std::move(targets)] {
    for (const SyncTarget& target : targets) fsync_path(target.path, target.directory);
  });
}

void BackgroundSync::wait() {
  if (pending_.valid()) pending_.get();  // get() leaves the future empty: a second wait returns at once
}

}  // namespace sc
