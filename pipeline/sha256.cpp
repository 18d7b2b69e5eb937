#include "pipeline/sha256.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "pipeline/error.hpp"

namespace sc {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
};

namespace {

// SHA-256 fetched from OpenSSL's provider once: EVP_sha256() makes every EVP_DigestInit_ex look the
// algorithm up again (an implicit fetch), and a stage digests every dataset it writes.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!algorithm) throw InternalError("OpenSSL has no SHA-256");
  return algorithm;
}

}  // namespace

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, sha256_algorithm(), nullptr) != 1)
    throw InternalError("OpenSSL could not initialise SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->ctx); }

void Sha256::update(const void* data, size_t size) {
  if (size && EVP_DigestUpdate(state_->ctx, data, size) != 1) throw InternalError("SHA-256 update failed");
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx, digest, &length) != 1) throw InternalError("SHA-256 final failed");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
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
