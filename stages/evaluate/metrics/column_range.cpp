#include "stages/evaluate/metrics/column_range.hpp"

#include <cmath>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

RangePiece compute_range(const ColumnView& column) {
  SC_EXPECTS(column.is_numeric_like(), InternalError, "column range: expected a numeric or date column");
  RangePiece piece;
  for (std::int64_t row = 0; row < column.rows(); ++row) {
    if (column.is_missing(row)) {
      ++piece.missing;
      continue;
    }
    const double x = column.number(row) + 0.0;  // -0.0 becomes +0.0: min/max must not depend on order
    if (piece.present == 0) {
      piece.min = piece.max = x;
    } else {
      piece.min = x < piece.min ? x : piece.min;
      piece.max = x > piece.max ? x : piece.max;
    }
    piece.all_whole = piece.all_whole && std::floor(x) == x;
    ++piece.present;
  }
  return piece;
}

void merge(RangePiece& into, const RangePiece& from) {
  if (from.present > 0) {
    if (into.present == 0) {
      into.min = from.min;
      into.max = from.max;
    } else {
      into.min = from.min < into.min ? from.min : into.min;
      into.max = from.max > into.max ? from.max : into.max;
    }
  }
  into.present += from.present;
  into.missing += from.missing;
  into.all_whole = into.all_whole && from.all_whole;
}

namespace {
constexpr char kTag[5] = "RNGE";
constexpr std::uint32_t kVersion = 1;
}  // namespace

std::vector<std::uint8_t> serialize(const RangePiece& piece) {
  ByteWriter out(kTag, kVersion);
  out.put(piece.present);
  out.put(piece.missing);
  out.put(piece.min);
  out.put(piece.max);
  out.put<std::uint8_t>(piece.all_whole ? 1 : 0);
  return out.take();
}

RangePiece deserialize_range(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, kTag, kVersion);
  RangePiece piece;
  piece.present = in.get<std::int64_t>();
  piece.missing = in.get<std::int64_t>();
  piece.min = in.get<double>();
  piece.max = in.get<double>();
  piece.all_whole = in.get<std::uint8_t>() != 0;
  in.expect_end();
  return piece;
}

}  // namespace sc::metrics
