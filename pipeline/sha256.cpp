#include "pipeline/sha256.hpp"

// OpenSSL's low-level SHA-256 (deprecated since 3.0, still built): the EVP interface makes the
// first digest of a process fetch the algorithm from a provider, which loads OpenSSL's config and
// providers first: 95% of the 1 ms that digesting the input index took, 5% of the CPU of fitting
// or sampling an 8,000-row table. The bytes and the digests are the same.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "pipeline/error.hpp"

namespace sc {

struct Sha256::State {
  SHA256_CTX ctx;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  if (SHA256_Init(&state_->ctx) != 1) throw InternalError("OpenSSL could not initialise SHA-256");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
  if (size && SHA256_Update(&state_->ctx, data, size) != 1) throw InternalError("SHA-256 update failed");
}

std::string Sha256::hex() {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  if (SHA256_Final(digest, &state_->ctx) != 1) throw InternalError("SHA-256 final failed");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 15];
  }
  return out;
}

std::string sha256_hex(const void* data, size_t size) {
  Sha256 hash;
  hash.update(data, size);
  return hash.hex();
}

std::string sha256_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  Sha256 hash;
  // Not zero-filled: filling a megabyte cost more than digesting a small index file.
  constexpr size_t kBufferBytes = 1 << 20;
  const std::unique_ptr<char[]> buffer(new char[kBufferBytes]);
  size_t n;
  while ((n = std::fread(buffer.get(), 1, kBufferBytes, file)) > 0) hash.update(buffer.get(), n);
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed) throw IoError("cannot read " + path);
  return hash.hex();
}

}  // namespace sc
