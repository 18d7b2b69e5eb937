#include "stages/export/bgzf_parts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "pipeline/error.hpp"

namespace sc {
namespace {

// The empty BGZF member (BSIZE 27, an empty deflate block, CRC 0, ISIZE 0).
constexpr unsigned char kEofMarker[28] = {0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
                                          0x06, 0x00, 0x42, 0x43, 0x02, 0x00, 0x1b, 0x00, 0x03, 0x00,
                                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

// A file descriptor closed whatever happens.
struct Descriptor {
  int fd = -1;
  Descriptor(const std::string& path, int flags) : fd(::open(path.c_str(), flags, 0644)) {
    if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
};

void fail(const std::string& what, const std::string& path) {
  throw IoError("cannot " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

int64_t strip_bgzf_eof(const std::string& path) {
  Descriptor file(path, O_RDWR);
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) fail("read the size of", path);
  const int64_t size = info.st_size;
  unsigned char tail[sizeof kEofMarker] = {};
  if (size < static_cast<int64_t>(sizeof tail) ||
      ::pread(file.fd, tail, sizeof tail, size - static_cast<int64_t>(sizeof tail)) != static_cast<ssize_t>(sizeof tail) ||
      std::memcmp(tail, kEofMarker, sizeof tail) != 0)
    throw IoError(path + " does not end with a BGZF EOF marker: it was not closed by a BGZF writer");
  const int64_t data = size - static_cast<int64_t>(sizeof tail);
  if (::ftruncate(file.fd, data) != 0) fail("truncate", path);
  return data;
}

void create_joined_bgzf(const std::string& path, int64_t data_bytes) {
  Descriptor file(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (::pwrite(file.fd, kEofMarker, sizeof kEofMarker, data_bytes) != static_cast<ssize_t>(sizeof kEofMarker))
    fail("write the EOF marker of", path);
}

void copy_part_into(const std::string& part, const std::string& joined, int64_t offset) {
  Descriptor in(part, O_RDONLY), out(joined, O_WRONLY);
  struct stat info {};
  if (::fstat(in.fd, &info) != 0) fail("read the size of", part);
  off64_t from = 0, to = offset;
  int64_t left = info.st_size;
  // copy_file_range copies inside the kernel (or shares extents where the file system can);
  // pread/pwrite where it is not supported between these files.
  while (left > 0) {
    const ssize_t n = ::copy_file_range(in.fd, &from, out.fd, &to, static_cast<size_t>(left), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) break;
    if (n < 0) fail("copy " + part + " into", joined);
    if (n == 0) throw IoError(part + " ended early while being copied into " + joined);
    left -= n;
  }
  std::vector<char> buffer(left > 0 ? size_t{1} << 22 : 0);
  while (left > 0) {
    const ssize_t n = ::pread(in.fd, buffer.data(), std::min<size_t>(buffer.size(), static_cast<size_t>(left)), from);
    if (n <= 0) fail("read", part);
    if (::pwrite(out.fd, buffer.data(), static_cast<size_t>(n), to) != n) fail("write", joined);
    from += n;
    to += n;
    left -= n;
  }
  if (::fdatasync(out.fd) != 0) fail("sync", joined);
}

}  // namespace sc
