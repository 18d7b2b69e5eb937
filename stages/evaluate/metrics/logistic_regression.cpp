#include "stages/evaluate/metrics/logistic_regression.hpp"

#include <cmath>
#include <string>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

// Symmetric matrix from its upper triangle, for the solve.
Eigen::MatrixXd unpack_upper(const std::vector<ExactSum>& upper, int width) {
  Eigen::MatrixXd matrix(width, width);
  std::size_t k = 0;
  for (int i = 0; i < width; ++i)
    for (int j = i; j < width; ++j) matrix(i, j) = matrix(j, i) = upper[k++].value();
  return matrix;
}

}  // namespace

NewtonPiece compute_newton_piece(const MlDesign& shard, const Eigen::VectorXd& beta) {
  const int width = static_cast<int>(shard.x.cols());
  SC_EXPECTS(beta.size() == width, InternalError, "logistic regression: coefficients do not match the design");
  NewtonPiece piece;
  piece.width = width;
  piece.rows = shard.x.rows();
  piece.gradient.resize(width);
  piece.hessian.resize(static_cast<std::size_t>(width) * (width + 1) / 2);
  for (Eigen::Index r = 0; r < shard.x.rows(); ++r) {
    const double y = shard.y(r);
    SC_EXPECTS(y == 0.0 || y == 1.0, InputError, "logistic regression: the target holds a value other than 0 and 1");
    double eta = 0.0;
    for (int j = 0; j < width; ++j) eta += shard.x(r, j) * beta(j);
    const double p = 1.0 / (1.0 + std::exp(-eta));
    const double weight = p * (1.0 - p);
    std::size_t k = 0;
    for (int i = 0; i < width; ++i) {
      const double xi = shard.x(r, i);
      piece.gradient[i].add((p - y) * xi);
      // Indicator columns are mostly zero; zero terms add nothing to an exact sum.
      if (xi == 0.0) {
        k += width - i;
        continue;
      }
      const double wxi = weight * xi;
      for (int j = i; j < width; ++j, ++k) {
        const double xj = shard.x(r, j);
        if (xj != 0.0) piece.hessian[k].add(wxi * xj);
      }
    }
  }
  return piece;
}

void merge(NewtonPiece& into, const NewtonPiece& from) {
  SC_EXPECTS(into.width == from.width, InternalError, "logistic regression: pieces differ in width");
  into.rows += from.rows;
  for (std::size_t k = 0; k < into.gradient.size(); ++k) into.gradient[k].add(from.gradient[k]);
  for (std::size_t k = 0; k < into.hessian.size(); ++k) into.hessian[k].add(from.hessian[k]);
}

std::vector<std::uint8_t> serialize(const NewtonPiece& piece) {
  ByteWriter out("NEWT", 1);
  out.put<std::int32_t>(piece.width);
  out.put(piece.rows);
  for (const auto& sum : piece.gradient) sum.write(out);
  for (const auto& sum : piece.hessian) sum.write(out);
  return out.take();
}

NewtonPiece deserialize_newton(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "NEWT", 1);
  NewtonPiece piece;
  piece.width = in.get<std::int32_t>();
  SC_EXPECTS(piece.width > 0 && piece.width < 100000, InternalError, "metric piece 'NEWT': bad width");
  piece.rows = in.get<std::int64_t>();
  for (int k = 0; k < piece.width; ++k) piece.gradient.push_back(ExactSum::read(in));
  for (int k = 0; k < piece.width * (piece.width + 1) / 2; ++k) piece.hessian.push_back(ExactSum::read(in));
  in.expect_end();
  return piece;
}

Eigen::VectorXd newton_step(const Eigen::VectorXd& beta, const NewtonPiece& total, double lambda) {
  const int width = total.width;
  Eigen::MatrixXd hessian = unpack_upper(total.hessian, width);
  Eigen::VectorXd gradient(width);
  for (int j = 0; j < width; ++j) gradient(j) = total.gradient[j].value();
  for (int j = 1; j < width; ++j) {
    hessian(j, j) += lambda;
    gradient(j) += lambda * beta(j);
  }
  // LDLT with pivoting: an unused indicator column leaves a zero row that only lambda fills.
  return beta - hessian.ldlt().solve(gradient);
}

LogisticFit fit_logistic(std::span<const MlDesign> shards, double lambda, double tolerance, int max_iterations) {
  SC_EXPECTS(!shards.empty(), InternalError, "logistic regression: no training shards");
  const auto width = shards.front().x.cols();
  LogisticFit fit;
  fit.beta = Eigen::VectorXd::Zero(width);
  for (fit.iterations = 1; fit.iterations <= max_iterations; ++fit.iterations) {
    NewtonPiece total = compute_newton_piece(shards.front(), fit.beta);
    for (std::size_t s = 1; s < shards.size(); ++s) merge(total, compute_newton_piece(shards[s], fit.beta));
    const Eigen::VectorXd next = newton_step(fit.beta, total, lambda);
    const double change = (next - fit.beta).cwiseAbs().maxCoeff();
    fit.beta = next;
    if (change < tolerance) {
      fit.converged = true;
      return fit;
    }
  }
  fit.iterations = max_iterations;
  return fit;
}

Eigen::VectorXd linear_predictor(const MlDesign& shard, const Eigen::VectorXd& beta) {
  // Row by row in a fixed order, not Eigen's blocked product, so that a row's score does not
  // depend on how many rows share its shard.
  Eigen::VectorXd eta(shard.x.rows());
  for (Eigen::Index r = 0; r < shard.x.rows(); ++r) {
    double sum = 0.0;
    for (Eigen::Index j = 0; j < shard.x.cols(); ++j) sum += shard.x(r, j) * beta(j);
    eta(r) = sum;
  }
  return eta;
}

}  // namespace sc::metrics
