#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

ByteWriter::ByteWriter(const char (&tag)[5], std::uint32_t version) {
  // push_back, not insert of a range: GCC 12 warns falsely (-Wstringop-overflow) on the latter.
  bytes_.reserve(64);
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<std::uint8_t>(tag[i]));
  put<std::uint32_t>(version);
}

ByteReader::ByteReader(std::span<const std::uint8_t> bytes, const char (&tag)[5], std::uint32_t version)
    : bytes_(bytes), tag_(tag, 4) {
  SC_EXPECTS(bytes_.size() >= 8 && std::memcmp(bytes_.data(), tag, 4) == 0, InternalError,
             "metric piece: expected a '" + tag_ + "' piece, found " +
                 (bytes_.size() >= 4 ? "'" + std::string(reinterpret_cast<const char*>(bytes_.data()), 4) + "'"
                                     : std::string("a buffer of ") + std::to_string(bytes_.size()) + " bytes"));
  pos_ = 4;
  const auto found = get<std::uint32_t>();
  SC_EXPECTS(found == version, InternalError,
             "metric piece '" + tag_ + "': expected format version " + std::to_string(version) +
                 ", found " + std::to_string(found));
}

void ByteReader::need(std::size_t count) const {
  SC_EXPECTS(count <= bytes_.size() - pos_, InternalError,
             "metric piece '" + tag_ + "': truncated at byte " + std::to_string(pos_) + " of " +
                 std::to_string(bytes_.size()));
}

void ByteReader::expect_end() const {
  SC_EXPECTS(pos_ == bytes_.size(), InternalError,
             "metric piece '" + tag_ + "': " + std::to_string(bytes_.size() - pos_) +
                 " unexpected bytes after the end");
}

}  // namespace sc::metrics
