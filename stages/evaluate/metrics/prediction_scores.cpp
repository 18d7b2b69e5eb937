#include "stages/evaluate/metrics/prediction_scores.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
}

AucPiece compute_auc_piece(const Eigen::VectorXd& scores, const Eigen::VectorXd& labels) {
  SC_EXPECTS(scores.size() == labels.size(), InternalError, "AUC: scores and labels differ in length");
  std::vector<Eigen::Index> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return scores(a) < scores(b); });
  AucPiece piece;
  for (Eigen::Index r : order) {
    SC_EXPECTS(labels(r) == 0.0 || labels(r) == 1.0, InputError, "AUC: a label other than 0 and 1");
    const double score = scores(r) + 0.0;  // one run for -0.0 and +0.0
    if (piece.scores.empty() || piece.scores.back() != score) {
      piece.scores.push_back(score);
      piece.positives.push_back(0);
      piece.negatives.push_back(0);
    }
    ++(labels(r) == 1.0 ? piece.positives : piece.negatives).back();
  }
  return piece;
}

void merge(AucPiece& into, const AucPiece& from) {
  AucPiece merged;
  std::size_t i = 0, j = 0;
  while (i < into.scores.size() || j < from.scores.size()) {
    const bool take_into = j == from.scores.size() || (i < into.scores.size() && into.scores[i] <= from.scores[j]);
    const bool take_from = i == into.scores.size() || (j < from.scores.size() && from.scores[j] <= into.scores[i]);
    merged.scores.push_back(take_into ? into.scores[i] : from.scores[j]);
    merged.positives.push_back((take_into ? into.positives[i] : 0) + (take_from ? from.positives[j] : 0));
    merged.negatives.push_back((take_into ? into.negatives[i] : 0) + (take_from ? from.negatives[j] : 0));
    if (take_into) ++i;
    if (take_from) ++j;
  }
  into = std::move(merged);
}

double finish_auc(const AucPiece& piece) {
  // Twice the Mann-Whitney U, in integers: each positive beats the negatives below its score and
  // ties half of those at its score.
  std::int64_t twice_u = 0, negatives_below = 0, positives = 0;
  for (std::size_t k = 0; k < piece.scores.size(); ++k) {
    twice_u += piece.positives[k] * (2 * negatives_below + piece.negatives[k]);
    negatives_below += piece.negatives[k];
    positives += piece.positives[k];
  }
  if (positives == 0 || negatives_below == 0) return kNan;
  return static_cast<double>(twice_u) / (2.0 * static_cast<double>(positives) * static_cast<double>(negatives_below));
}

std::vector<std::uint8_t> serialize(const AucPiece& piece) {
  ByteWriter out("AUCP", 1);
  out.put_vector(piece.scores);
  out.put_vector(piece.positives);
  out.put_vector(piece.negatives);
  return out.take();
}

AucPiece deserialize_auc(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "AUCP", 1);
  AucPiece piece;
  piece.scores = in.get_vector<double>();
  piece.positives = in.get_vector<std::int64_t>();
  piece.negatives = in.get_vector<std::int64_t>();
  in.expect_end();
  SC_EXPECTS(piece.positives.size() == piece.scores.size() && piece.negatives.size() == piece.scores.size(),
             InternalError, "metric piece 'AUCP': vectors differ in length");
  return piece;
}

RSquaredPiece compute_r_squared_piece(const Eigen::VectorXd& predictions, const Eigen::VectorXd& targets) {
  SC_EXPECTS(predictions.size() == targets.size(), InternalError, "R^2: predictions and targets differ in length");
  RSquaredPiece piece;
  piece.rows = targets.size();
  for (Eigen::Index r = 0; r < targets.size(); ++r) {
    const double y = targets(r);
    const double residual = y - predictions(r);
    piece.sum_y.add(y);
    piece.sum_y2.add_product(y, y);
    piece.sum_residual2.add_product(residual, residual);
  }
  return piece;
}

void merge(RSquaredPiece& into, const RSquaredPiece& from) {
  into.rows += from.rows;
  into.sum_y.add(from.sum_y);
  into.sum_y2.add(from.sum_y2);
  into.sum_residual2.add(from.sum_residual2);
}

double finish_r_squared(const RSquaredPiece& piece) {
  if (piece.rows < 2) return kNan;
  // SS_tot = Sy2 - Sy^2 / n = (n Sy2 - Sy^2) / n, in double-double.
  const DoubleDouble n{static_cast<double>(piece.rows), 0.0};
  const DoubleDouble sy = piece.sum_y.value_dd();
  const double total = (n * piece.sum_y2.value_dd() - sy * sy).value() / static_cast<double>(piece.rows);
  if (!(total > 0.0)) return kNan;
  return 1.0 - piece.sum_residual2.value() / total;
}

std::vector<std::uint8_t> serialize(const RSquaredPiece& piece) {
  ByteWriter out("RSQR", 1);
  out.put(piece.rows);
  piece.sum_y.write(out);
  piece.sum_y2.write(out);
  piece.sum_residual2.write(out);
  return out.take();
}

RSquaredPiece deserialize_r_squared(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "RSQR", 1);
  RSquaredPiece piece;
  piece.rows = in.get<std::int64_t>();
  piece.sum_y = ExactSum::read(in);
  piece.sum_y2 = ExactSum::read(in);
  piece.sum_residual2 = ExactSum::read(in);
  in.expect_end();
  return piece;
}

}  // namespace sc::metrics
