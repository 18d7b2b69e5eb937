// Pieces travel between ranks as bytes; a wrong or damaged buffer must be refused, not misread.
#include "stages/evaluate/metrics/byte_codec.hpp"

#include <gtest/gtest.h>

#include "stages/evaluate/metrics/ks_complement.hpp"
#include "stages/evaluate/metrics/tv_complement.hpp"

namespace sc::metrics {
namespace {

TEST(ByteCodec, RoundTripsValuesAndVectors) {
  ByteWriter out("ABCD", 3);
  out.put<std::int32_t>(-7);
  out.put(2.5);
  out.put_vector(std::vector<std::int64_t>{1, 2, 3});
  const auto bytes = out.take();
  ByteReader in(bytes, "ABCD", 3);
  EXPECT_EQ(in.get<std::int32_t>(), -7);
  EXPECT_EQ(in.get<double>(), 2.5);
  EXPECT_EQ(in.get_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3}));
  in.expect_end();
}

TEST(ByteCodec, RefusesAnotherPieceTypeOrVersion) {
  const auto ks = serialize(KsPiece{{1.0}, {2}});
  EXPECT_THROW(deserialize_category_counts(ks), InternalError);
  ByteWriter out("KSCP", 99);
  const auto future = out.take();
  EXPECT_THROW(deserialize_ks(future), InternalError);
}

TEST(ByteCodec, RefusesTruncatedAndTrailingBytes) {
  auto bytes = serialize(KsPiece{{1.0, 2.0}, {2, 3}});
  auto truncated = bytes;
  truncated.resize(bytes.size() - 3);
  EXPECT_THROW(deserialize_ks(truncated), InternalError);
  auto trailing = bytes;
  trailing.push_back(0);
  EXPECT_THROW(deserialize_ks(trailing), InternalError);
  EXPECT_NO_THROW(deserialize_ks(bytes));
}

}  // namespace
}  // namespace sc::metrics
