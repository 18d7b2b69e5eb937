// The byte format of metric pieces. Each rank computes pieces over its shards, serializes them,
// and the evaluate stage gathers the bytes to rank 0, which deserializes and merges them in shard
// order. Every piece starts with a tag naming its type and a format version, so that bytes of one
// piece type are never read as another; values are fixed-width little-endian, so pieces travel
// between any ranks of a job unchanged. A truncated or mislabelled buffer is an internal error.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/error.hpp"

namespace sc::metrics {

static_assert(std::endian::native == std::endian::little, "pieces are serialized little-endian");

class ByteWriter {
 public:
  // `tag`: four characters naming the piece type; `version`: bumped when its layout changes.
  ByteWriter(const char (&tag)[5], std::uint32_t version);

  template <class T>
  void put(T value) {
    static_assert(std::is_arithmetic_v<T>);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&value);
    bytes_.insert(bytes_.end(), bytes, bytes + sizeof(T));
  }
  template <class T>
  void put_vector(std::span<const T> values) {
    static_assert(std::is_arithmetic_v<T>);
    put<std::uint64_t>(values.size());
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
    bytes_.insert(bytes_.end(), bytes, bytes + values.size_bytes());
  }
  template <class T>
  void put_vector(const std::vector<T>& values) {
    put_vector(std::span<const T>(values));
  }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

class ByteReader {
 public:
  // Checks the tag and version written by ByteWriter.
  ByteReader(std::span<const std::uint8_t> bytes, const char (&tag)[5], std::uint32_t version);

  template <class T>
  T get() {
    static_assert(std::is_arithmetic_v<T>);
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  template <class T>
  std::vector<T> get_vector() {
    static_assert(std::is_arithmetic_v<T>);
    const auto count = get<std::uint64_t>();
    SC_EXPECTS(count <= (bytes_.size() - pos_) / sizeof(T), InternalError,
               "metric piece '" + tag_ + "': vector of " + std::to_string(count) +
                   " elements runs past the end of the buffer");
    std::vector<T> values(count);
    std::memcpy(values.data(), bytes_.data() + pos_, count * sizeof(T));
    pos_ += count * sizeof(T);
    return values;
  }
  // Every piece reader ends with this, so that trailing bytes (a layout mismatch) are caught.
  void expect_end() const;

 private:
  void need(std::size_t count) const;

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  std::string tag_;
};

}  // namespace sc::metrics
