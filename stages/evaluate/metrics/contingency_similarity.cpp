#include "stages/evaluate/metrics/contingency_similarity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::uint64_t cell_key(std::int32_t a, std::int32_t b) {
  // Offsetting by 2^31 keeps the order of (a, b) as signed integers in the unsigned key.
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a) ^ 0x80000000u) << 32) |
         (static_cast<std::uint32_t>(b) ^ 0x80000000u);
}
std::int32_t key_first(std::uint64_t key) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(key >> 32) ^ 0x80000000u); }
std::int32_t key_second(std::uint64_t key) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(key) ^ 0x80000000u); }

}  // namespace

std::int32_t ContingencyAxis::level(const ColumnView& column, std::int64_t row) const {
  if (column.kind == ColumnKind::categorical) return column.codes[row];
  return numpy_digitize(column.is_missing(row) ? kNan : column.number(row), *edges);
}

std::int64_t ContingencyPiece::total() const { return std::accumulate(counts.begin(), counts.end(), std::int64_t{0}); }

ContingencyPiece compute_contingency_piece(const ColumnView& first, const ContingencyAxis& first_axis,
                                           const ColumnView& second, const ContingencyAxis& second_axis) {
  SC_EXPECTS(first.rows() == second.rows(), InternalError, "ContingencySimilarity: columns differ in length");
  SC_EXPECTS(first.kind == ColumnKind::categorical || first_axis.edges, InternalError,
             "ContingencySimilarity: a numeric column needs bin edges");
  SC_EXPECTS(second.kind == ColumnKind::categorical || second_axis.edges, InternalError,
             "ContingencySimilarity: a numeric column needs bin edges");
  std::unordered_map<std::uint64_t, std::int64_t> cells;
  for (std::int64_t row = 0; row < first.rows(); ++row)
    ++cells[cell_key(first_axis.level(first, row), second_axis.level(second, row))];
  std::vector<std::pair<std::uint64_t, std::int64_t>> sorted(cells.begin(), cells.end());
  std::sort(sorted.begin(), sorted.end());
  ContingencyPiece piece;
  for (const auto& [key, count] : sorted) {
    piece.a.push_back(key_first(key));
    piece.b.push_back(key_second(key));
    piece.counts.push_back(count);
  }
  return piece;
}

void merge(ContingencyPiece& into, const ContingencyPiece& from) {
  ContingencyPiece merged;
  std::size_t i = 0, j = 0;
  auto key = [](const ContingencyPiece& p, std::size_t k) { return cell_key(p.a[k], p.b[k]); };
  while (i < into.counts.size() || j < from.counts.size()) {
    const bool take_into = j == from.counts.size() || (i < into.counts.size() && key(into, i) <= key(from, j));
    const bool take_from = i == into.counts.size() || (j < from.counts.size() && key(from, j) <= key(into, i));
    const ContingencyPiece& source = take_into ? into : from;
    const std::size_t k = take_into ? i : j;
    merged.a.push_back(source.a[k]);
    merged.b.push_back(source.b[k]);
    merged.counts.push_back((take_into ? into.counts[i] : 0) + (take_from ? from.counts[j] : 0));
    if (take_into) ++i;
    if (take_from) ++j;
  }
  into = std::move(merged);
}

double finish_contingency_similarity(const ContingencyPiece& real, const ContingencyPiece& synthetic) {
  const double n_real = static_cast<double>(real.total());
  const double n_synthetic = static_cast<double>(synthetic.total());
  if (n_real == 0.0 || n_synthetic == 0.0) return kNan;
  double variation = 0.0;
  std::size_t i = 0, j = 0;
  auto key = [](const ContingencyPiece& p, std::size_t k) { return cell_key(p.a[k], p.b[k]); };
  while (i < real.counts.size() || j < synthetic.counts.size()) {
    const bool in_real = j == synthetic.counts.size() || (i < real.counts.size() && key(real, i) <= key(synthetic, j));
    const bool in_synthetic =
        i == real.counts.size() || (j < synthetic.counts.size() && key(synthetic, j) <= key(real, i));
    const double r = in_real ? static_cast<double>(real.counts[i++]) / n_real : 0.0;
    const double s = in_synthetic ? static_cast<double>(synthetic.counts[j++]) / n_synthetic : 0.0;
    variation += std::fabs(r - s) / 2.0;
  }
  return 1.0 - variation;
}

double cramers_v(const ContingencyPiece& table) {
  std::vector<std::int32_t> rows(table.a), columns(table.b);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  const std::int64_t n = table.total();
  if (n == 0 || std::min(rows.size(), columns.size()) < 2) return kNan;
  // The unstacked table (pandas unstack(fill_value=0)): every pair of occurring levels, zeros
  // included, so zero cells contribute their expected count to chi-square.
  std::vector<std::int64_t> observed(rows.size() * columns.size(), 0), row_sum(rows.size(), 0), column_sum(columns.size(), 0);
  for (std::size_t k = 0; k < table.counts.size(); ++k) {
    const auto r = std::lower_bound(rows.begin(), rows.end(), table.a[k]) - rows.begin();
    const auto c = std::lower_bound(columns.begin(), columns.end(), table.b[k]) - columns.begin();
    observed[r * columns.size() + c] += table.counts[k];
    row_sum[r] += table.counts[k];
    column_sum[c] += table.counts[k];
  }
  double chi2 = 0.0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      // scipy: expected = (row sum * column sum, in integers) / n; terms (O - E)^2 / E.
      const double expected = static_cast<double>(row_sum[r] * column_sum[c]) / static_cast<double>(n);
      const double difference = static_cast<double>(observed[r * columns.size() + c]) - expected;
      chi2 += difference * difference / expected;
    }
  }
  const double phi2 = chi2 / static_cast<double>(n);
  const double dof = static_cast<double>(std::min(rows.size(), columns.size()) - 1);
  return std::sqrt(phi2 / dof);
}

namespace {
constexpr char kTag[5] = "CTGY";
constexpr std::uint32_t kVersion = 1;
}  // namespace

std::vector<std::uint8_t> serialize(const ContingencyPiece& piece) {
  ByteWriter out(kTag, kVersion);
  out.put_vector(piece.a);
  out.put_vector(piece.b);
  out.put_vector(piece.counts);
  return out.take();
}

ContingencyPiece deserialize_contingency(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, kTag, kVersion);
  ContingencyPiece piece;
  piece.a = in.get_vector<std::int32_t>();
  piece.b = in.get_vector<std::int32_t>();
  piece.counts = in.get_vector<std::int64_t>();
  in.expect_end();
  SC_EXPECTS(piece.a.size() == piece.counts.size() && piece.b.size() == piece.counts.size(), InternalError,
             "metric piece 'CTGY': cell vectors differ in length");
  return piece;
}

}  // namespace sc::metrics
