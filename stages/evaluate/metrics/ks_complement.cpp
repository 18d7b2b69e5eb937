#include "stages/evaluate/metrics/ks_complement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

// pandas Series.round(14) on float64: numpy multiplies by 10^14, rounds half to even, divides.
double round_14_decimals(double x) { return std::nearbyint(x * 1e14) / 1e14; }

}  // namespace

std::int64_t KsPiece::total() const { return std::accumulate(counts.begin(), counts.end(), std::int64_t{0}); }

KsPiece compute_ks_piece(const ColumnView& column) {
  SC_EXPECTS(column.is_numeric_like(), InternalError, "KSComplement: expected a numeric or date column");
  std::vector<double> present;
  present.reserve(column.rows());
  for (std::int64_t row = 0; row < column.rows(); ++row) {
    if (column.is_missing(row)) continue;
    const double x = column.number(row);
    // +0.0 turns -0.0 into +0.0: equal values must share one run whatever their sign of zero.
    present.push_back((column.kind == ColumnKind::numeric ? round_14_decimals(x) : x) + 0.0);
  }
  std::sort(present.begin(), present.end());
  KsPiece piece;
  for (double x : present) {
    if (!piece.values.empty() && piece.values.back() == x) {
      ++piece.counts.back();
    } else {
      piece.values.push_back(x);
      piece.counts.push_back(1);
    }
  }
  return piece;
}

void merge(KsPiece& into, const KsPiece& from) {
  KsPiece merged;
  merged.values.reserve(into.values.size() + from.values.size());
  merged.counts.reserve(into.values.size() + from.values.size());
  std::size_t i = 0, j = 0;
  while (i < into.values.size() || j < from.values.size()) {
    if (j == from.values.size() || (i < into.values.size() && into.values[i] < from.values[j])) {
      merged.values.push_back(into.values[i]);
      merged.counts.push_back(into.counts[i++]);
    } else if (i == into.values.size() || from.values[j] < into.values[i]) {
      merged.values.push_back(from.values[j]);
      merged.counts.push_back(from.counts[j++]);
    } else {
      merged.values.push_back(into.values[i]);
      merged.counts.push_back(into.counts[i++] + from.counts[j++]);
    }
  }
  into = std::move(merged);
}

double ks_statistic(const KsPiece& real, const KsPiece& synthetic) {
  const double n1 = static_cast<double>(real.total());
  const double n2 = static_cast<double>(synthetic.total());
  // scipy: cdf1 = searchsorted(data1, data_all, 'right') / n1, likewise cdf2, at every pooled
  // value; D = the largest |cdf1 - cdf2|. Walking the merged distinct values visits the same
  // differences (a pooled value repeated only repeats its difference).
  std::int64_t c1 = 0, c2 = 0;
  double d = 0.0;
  std::size_t i = 0, j = 0;
  while (i < real.values.size() || j < synthetic.values.size()) {
    double x;
    if (j == synthetic.values.size() || (i < real.values.size() && real.values[i] <= synthetic.values[j])) {
      x = real.values[i];
    } else {
      x = synthetic.values[j];
    }
    if (i < real.values.size() && real.values[i] == x) c1 += real.counts[i++];
    if (j < synthetic.values.size() && synthetic.values[j] == x) c2 += synthetic.counts[j++];
    const double diff = static_cast<double>(c1) / n1 - static_cast<double>(c2) / n2;
    d = std::max(d, std::fabs(diff));
  }
  return d;
}

double finish_ks_complement(const KsPiece& real, const KsPiece& synthetic) {
  if (real.values.empty() || synthetic.values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - ks_statistic(real, synthetic);
}

namespace {
constexpr char kTag[5] = "KSCP";
constexpr std::uint32_t kVersion = 1;
}  // namespace

std::vector<std::uint8_t> serialize(const KsPiece& piece) {
  ByteWriter out(kTag, kVersion);
  out.put_vector(piece.values);
  out.put_vector(piece.counts);
  return out.take();
}

KsPiece deserialize_ks(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, kTag, kVersion);
  KsPiece piece;
  piece.values = in.get_vector<double>();
  piece.counts = in.get_vector<std::int64_t>();
  in.expect_end();
  SC_EXPECTS(piece.values.size() == piece.counts.size(), InternalError,
             "metric piece 'KSCP': values and counts differ in length");
  return piece;
}

}  // namespace sc::metrics
