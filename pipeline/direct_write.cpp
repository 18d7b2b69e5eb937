#include "pipeline/direct_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "pipeline/error.hpp"

namespace sc {
namespace {

constexpr size_t kBufferBytes = size_t{8} << 20;

struct FreeAligned {
  void operator()(void* p) const { std::free(p); }
};

// One aligned buffer per thread, kept between calls: its pages are faulted in once.
char* aligned_buffer() {
  thread_local std::unique_ptr<void, FreeAligned> buffer(std::aligned_alloc(kDirectWriteAlignment, kBufferBytes));
  if (!buffer) throw IoError("cannot allocate an aligned write buffer");
  return static_cast<char*>(buffer.get());
}

struct Descriptor {
  int fd;
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

}  // namespace

bool write_around_page_cache(const std::string& path, uint64_t offset, const void* data, size_t bytes) {
  if (offset % kDirectWriteAlignment != 0) return false;
  Descriptor direct{::open(path.c_str(), O_WRONLY | O_DIRECT)};
  if (direct.fd < 0) {
    if (errno == EINVAL || errno == EOPNOTSUPP) return false;
    throw IoError("cannot open " + path + " for writing: " + std::strerror(errno));
  }
  const char* from = static_cast<const char*>(data);
  const size_t body = bytes / kDirectWriteAlignment * kDirectWriteAlignment;
  char* buffer = aligned_buffer();
  for (size_t done = 0; done < body;) {
    const size_t n = std::min(kBufferBytes, body - done);
    std::memcpy(buffer, from + done, n);
    const ssize_t written = ::pwrite(direct.fd, buffer, n, static_cast<off_t>(offset + done));
    if (written < 0 && errno == EINVAL && done == 0) return false;  // O_DIRECT refused at the first write
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0 || static_cast<size_t>(written) % kDirectWriteAlignment != 0)
      throw IoError("cannot write " + path + ": " + std::strerror(written < 0 ? errno : EIO));
    done += static_cast<size_t>(written);
  }
  if (body < bytes) {
    Descriptor buffered{::open(path.c_str(), O_WRONLY)};
    if (buffered.fd < 0) throw IoError("cannot open " + path + " for writing: " + std::strerror(errno));
    write_all(buffered.fd, from + body, bytes - body, offset + body, path);
  }
  return true;
}

}  // namespace sc
