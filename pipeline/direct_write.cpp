#include "pipeline/direct_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/error.hpp"

namespace sc {
namespace {

constexpr size_t kBuffers = 2;

struct FreeAligned {
  void operator()(char* p) const { std::free(p); }
};
// An aligned buffer kept between writes: its pages are faulted in once.
struct Buffer {
  std::unique_ptr<char, FreeAligned> bytes;
  size_t capacity = 0;
  void reserve(size_t n) {
    if (n <= capacity) return;
    const size_t rounded = (n + kDirectWriteAlignment - 1) / kDirectWriteAlignment * kDirectWriteAlignment;
    bytes.reset(static_cast<char*>(std::aligned_alloc(kDirectWriteAlignment, rounded)));
    if (!bytes) throw IoError("cannot allocate an aligned write buffer of " + std::to_string(rounded) + " bytes");
    capacity = rounded;
  }
};

struct Descriptor {
  int fd = -1;
  explicit Descriptor(int f) : fd(f) {}
  Descriptor(Descriptor&& other) noexcept : fd(other.fd) { other.fd = -1; }
  Descriptor(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const char* data, size_t bytes, uint64_t offset, const std::string& path) {
  while (bytes > 0) {
    const ssize_t n = ::pwrite(fd, data, bytes, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw IoError("cannot write " + path + ": " + std::strerror(n < 0 ? errno : EIO));
    data += n;
    bytes -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
}

struct Job {
  std::string path;
  Descriptor direct;
  uint64_t offset;
  size_t from, bytes;  // the part of the buffer still to write (the first block went synchronously)
  Buffer* buffer;
};

// The writer thread and the bookkeeping of what is in flight per file.
class DirectWriter {
 public:
  ~DirectWriter() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Buffer* take_buffer() {
    std::unique_lock lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    changed_.wait(lock, [&] { return !free_.empty(); });
    Buffer* b = free_.back();
    free_.pop_back();
    return b;
  }
  void give_back(Buffer* b) {
    std::lock_guard lock(mutex_);
    free_.push_back(b);
    changed_.notify_all();
  }
  void queue(Job job) {
    std::lock_guard lock(mutex_);
    ++pending_[job.path];
    jobs_.push_back(std::move(job));
    changed_.notify_all();
  }
  void finish(const std::string& path) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pending_.count(path) == 0; });
    auto failed = errors_.find(path);
    if (failed == errors_.end()) return;
    const std::string message = failed->second;
    errors_.erase(failed);
    throw IoError(message);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      std::string problem;
      try {
        write_job(job);
      } catch (const std::exception& e) {
        problem = e.what();
      }
      lock.lock();
      if (!problem.empty() && !errors_.count(job.path)) errors_[job.path] = problem;
      if (--pending_[job.path] == 0) pending_.erase(job.path);
      free_.push_back(job.buffer);
      changed_.notify_all();
    }
  }
  static void write_job(const Job& job) {
    const char* data = job.buffer->bytes.get();
    const size_t end = job.from + job.bytes;
    const size_t body = end / kDirectWriteAlignment * kDirectWriteAlignment;
    if (body > job.from) write_all(job.direct.fd, data + job.from, body - job.from, job.offset + job.from, job.path);
    if (body < end) {
      Descriptor buffered(::open(job.path.c_str(), O_WRONLY));
      if (buffered.fd < 0) throw IoError("cannot open " + job.path + " for writing: " + std::strerror(errno));
      write_all(buffered.fd, data + body, end - body, job.offset + body, job.path);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  std::map<std::string, int> pending_;
  std::map<std::string, std::string> errors_;
  Buffer buffers_[kBuffers];
  std::vector<Buffer*> free_ = {&buffers_[0], &buffers_[1]};
  bool stop_ = false;
  std::thread thread_;
};

DirectWriter& writer() {
  static DirectWriter instance;
  return instance;
}

}  // namespace

bool write_around_page_cache(const std::string& path, uint64_t offset, const void* data, size_t bytes) {
  if (offset % kDirectWriteAlignment != 0 || bytes < kDirectWriteAlignment) return false;
  Descriptor direct(::open(path.c_str(), O_WRONLY | O_DIRECT));
  if (direct.fd < 0) {
    if (errno == EINVAL || errno == EOPNOTSUPP) return false;
    throw IoError("cannot open " + path + " for writing: " + std::strerror(errno));
  }
  Buffer* buffer = writer().take_buffer();
  try {
    buffer->reserve(bytes);
    std::memcpy(buffer->bytes.get(), data, bytes);
    // The first block synchronously: a file system that takes the open but not the write says so
    // here, before anything was queued.
    ssize_t n;
    do n = ::pwrite(direct.fd, buffer->bytes.get(), kDirectWriteAlignment, static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EINVAL) {
      writer().give_back(buffer);
      return false;
    }
    if (n != static_cast<ssize_t>(kDirectWriteAlignment))
      throw IoError("cannot write " + path + ": " + std::strerror(n < 0 ? errno : EIO));
  } catch (...) {
    writer().give_back(buffer);
    throw;
  }
  writer().queue({path, std::move(direct), offset, kDirectWriteAlignment, bytes - kDirectWriteAlignment, buffer});
  return true;
}

void finish_direct_writes(const std::string& path) { writer().finish(path); }

}  // namespace sc
