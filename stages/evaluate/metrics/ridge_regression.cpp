#include "stages/evaluate/metrics/ridge_regression.hpp"

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

NormalEquationsPiece compute_normal_equations_piece(const MlDesign& shard) {
  const int width = static_cast<int>(shard.x.cols());
  NormalEquationsPiece piece;
  piece.width = width;
  piece.rows = shard.x.rows();
  piece.gram.resize(static_cast<std::size_t>(width) * (width + 1) / 2);
  piece.moment.resize(width);
  for (Eigen::Index r = 0; r < shard.x.rows(); ++r) {
    const double y = shard.y(r);
    std::size_t k = 0;
    for (int i = 0; i < width; ++i) {
      const double xi = shard.x(r, i);
      // Indicator columns are mostly zero; zero terms add nothing to an exact sum.
      if (xi == 0.0) {
        k += width - i;
        continue;
      }
      piece.moment[i].add(xi * y);
      for (int j = i; j < width; ++j, ++k) {
        const double xj = shard.x(r, j);
        if (xj != 0.0) piece.gram[k].add(xi * xj);
      }
    }
  }
  return piece;
}

void merge(NormalEquationsPiece& into, const NormalEquationsPiece& from) {
  SC_EXPECTS(into.width == from.width, InternalError, "ridge regression: pieces differ in width");
  into.rows += from.rows;
  for (std::size_t k = 0; k < into.gram.size(); ++k) into.gram[k].add(from.gram[k]);
  for (std::size_t k = 0; k < into.moment.size(); ++k) into.moment[k].add(from.moment[k]);
}

std::vector<std::uint8_t> serialize(const NormalEquationsPiece& piece) {
  ByteWriter out("RIDG", 1);
  out.put<std::int32_t>(piece.width);
  out.put(piece.rows);
  for (const auto& sum : piece.gram) sum.write(out);
  for (const auto& sum : piece.moment) sum.write(out);
  return out.take();
}

NormalEquationsPiece deserialize_normal_equations(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "RIDG", 1);
  NormalEquationsPiece piece;
  piece.width = in.get<std::int32_t>();
  SC_EXPECTS(piece.width > 0 && piece.width < 100000, InternalError, "metric piece 'RIDG': bad width");
  piece.rows = in.get<std::int64_t>();
  for (int k = 0; k < piece.width * (piece.width + 1) / 2; ++k) piece.gram.push_back(ExactSum::read(in));
  for (int k = 0; k < piece.width; ++k) piece.moment.push_back(ExactSum::read(in));
  in.expect_end();
  return piece;
}

Eigen::VectorXd solve_ridge(const NormalEquationsPiece& total, double lambda) {
  const int width = total.width;
  Eigen::MatrixXd gram(width, width);
  Eigen::VectorXd moment(width);
  std::size_t k = 0;
  for (int i = 0; i < width; ++i) {
    moment(i) = total.moment[i].value();
    for (int j = i; j < width; ++j) gram(i, j) = gram(j, i) = total.gram[k++].value();
  }
  for (int j = 1; j < width; ++j) gram(j, j) += lambda;
  // LDLT with pivoting: an unused indicator column leaves a zero row that only lambda fills.
  return gram.ldlt().solve(moment);
}

}  // namespace sc::metrics
