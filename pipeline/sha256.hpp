// SHA-256 content digests: of input files (recorded in the provenance manifest so that an audit
// can tie a release to the exact extract it came from) and of every dataset of the store (recorded
// in the index, so that runs with different rank counts can be proved identical).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sc {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  void update(const std::string& text) { update(text.data(), text.size()); }
  // Hex digest; the object cannot be updated afterwards.
  std::string hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256_hex(const void* data, size_t size);
inline std::string sha256_hex(const std::vector<uint8_t>& bytes) { return sha256_hex(bytes.data(), bytes.size()); }
// Digest of a whole file; throws IoError naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace sc
