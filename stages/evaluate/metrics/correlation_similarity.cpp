#include "stages/evaluate/metrics/correlation_similarity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
}

CorrelationPiece compute_correlation_piece(const ColumnView& x, const ColumnView& y) {
  SC_EXPECTS(x.is_numeric_like() && y.is_numeric_like(), InternalError,
             "CorrelationSimilarity: expected two numeric or date columns");
  SC_EXPECTS(x.rows() == y.rows(), InternalError, "CorrelationSimilarity: columns differ in length");
  CorrelationPiece piece;
  for (std::int64_t row = 0; row < x.rows(); ++row) {
    if (x.is_missing(row) || y.is_missing(row)) continue;
    const double a = x.number(row) + 0.0;
    const double b = y.number(row) + 0.0;
    if (piece.rows == 0) {
      piece.min_x = piece.max_x = a;
      piece.min_y = piece.max_y = b;
    } else {
      piece.min_x = std::min(piece.min_x, a);
      piece.max_x = std::max(piece.max_x, a);
      piece.min_y = std::min(piece.min_y, b);
      piece.max_y = std::max(piece.max_y, b);
    }
    ++piece.rows;
    piece.sum_x.add(a);
    piece.sum_y.add(b);
    piece.sum_xx.add_product(a, a);
    piece.sum_yy.add_product(b, b);
    piece.sum_xy.add_product(a, b);
  }
  return piece;
}

void merge(CorrelationPiece& into, const CorrelationPiece& from) {
  if (from.rows == 0) return;
  if (into.rows == 0) {
    into.min_x = from.min_x;
    into.max_x = from.max_x;
    into.min_y = from.min_y;
    into.max_y = from.max_y;
  } else {
    into.min_x = std::min(into.min_x, from.min_x);
    into.max_x = std::max(into.max_x, from.max_x);
    into.min_y = std::min(into.min_y, from.min_y);
    into.max_y = std::max(into.max_y, from.max_y);
  }
  into.rows += from.rows;
  into.sum_x.add(from.sum_x);
  into.sum_y.add(from.sum_y);
  into.sum_xx.add(from.sum_xx);
  into.sum_yy.add(from.sum_yy);
  into.sum_xy.add(from.sum_xy);
}

double pearson(const CorrelationPiece& piece) {
  if (piece.rows < 2 || piece.min_x == piece.max_x || piece.min_y == piece.max_y) return kNan;
  // n^2 cov = n Sxy - Sx Sy and n^2 var = n Sxx - Sx^2: the sums are exact, so the only rounding
  // before the cancellation is double-double's (about 2^-104 relative), far below scipy's.
  const DoubleDouble n{static_cast<double>(piece.rows), 0.0};
  const DoubleDouble sx = piece.sum_x.value_dd();
  const DoubleDouble sy = piece.sum_y.value_dd();
  const double cov = (n * piece.sum_xy.value_dd() - sx * sy).value();
  const double var_x = (n * piece.sum_xx.value_dd() - sx * sx).value();
  const double var_y = (n * piece.sum_yy.value_dd() - sy * sy).value();
  if (!(var_x > 0.0) || !(var_y > 0.0)) return kNan;
  // One square root of the product keeps exact cases exact (y = 2x gives r = 1, not 1 - 2^-53);
  // two roots only where the product would overflow.
  const double product = var_x * var_y;
  const double r = std::isfinite(product) ? cov / std::sqrt(product) : cov / (std::sqrt(var_x) * std::sqrt(var_y));
  return std::clamp(r, -1.0, 1.0);
}

CorrelationResult finish_correlation_similarity(const CorrelationPiece& real, const CorrelationPiece& synthetic,
                                                bool constant_column) {
  if (constant_column) return {kNan, kNan, kNan};
  const double r_real = pearson(real);
  const double r_synthetic = pearson(synthetic);
  if (std::isnan(r_real) || std::isnan(r_synthetic)) return {kNan, r_real, r_synthetic};
  return {1.0 - std::fabs(r_real - r_synthetic) / 2.0, r_real, r_synthetic};
}

namespace {
constexpr char kTag[5] = "CORR";
constexpr std::uint32_t kVersion = 1;
}  // namespace

std::vector<std::uint8_t> serialize(const CorrelationPiece& piece) {
  ByteWriter out(kTag, kVersion);
  out.put(piece.rows);
  for (const ExactSum* sum : {&piece.sum_x, &piece.sum_y, &piece.sum_xx, &piece.sum_yy, &piece.sum_xy})
    sum->write(out);
  for (double bound : {piece.min_x, piece.max_x, piece.min_y, piece.max_y}) out.put(bound);
  return out.take();
}

CorrelationPiece deserialize_correlation(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, kTag, kVersion);
  CorrelationPiece piece;
  piece.rows = in.get<std::int64_t>();
  for (ExactSum* sum : {&piece.sum_x, &piece.sum_y, &piece.sum_xx, &piece.sum_yy, &piece.sum_xy})
    *sum = ExactSum::read(in);
  for (double* bound : {&piece.min_x, &piece.max_x, &piece.min_y, &piece.max_y}) *bound = in.get<double>();
  in.expect_end();
  return piece;
}

}  // namespace sc::metrics
