#include "stages/evaluate/metrics/tv_complement.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

std::int64_t CategoryCounts::present() const {
  return std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
}

CategoryCounts compute_category_counts(const ColumnView& column) {
  SC_EXPECTS(column.kind == ColumnKind::categorical, InternalError, "TVComplement: expected a categorical column");
  CategoryCounts piece;
  for (std::int32_t code : column.codes) {
    if (code < 0) {
      ++piece.missing;
      continue;
    }
    if (static_cast<std::size_t>(code) >= piece.counts.size()) piece.counts.resize(code + 1, 0);
    ++piece.counts[code];
  }
  return piece;
}

void merge(CategoryCounts& into, const CategoryCounts& from) {
  if (from.counts.size() > into.counts.size()) into.counts.resize(from.counts.size(), 0);
  for (std::size_t k = 0; k < from.counts.size(); ++k) into.counts[k] += from.counts[k];
  into.missing += from.missing;
}

double finish_tv_complement(const CategoryCounts& real, const CategoryCounts& synthetic) {
  const std::int64_t real_total = real.present();
  const std::int64_t synthetic_total = synthetic.present();
  if (real_total == 0 || synthetic_total == 0) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t categories = std::max(real.counts.size(), synthetic.counts.size());
  auto count = [](const CategoryCounts& piece, std::size_t k) {
    return k < piece.counts.size() ? piece.counts[k] : std::int64_t{0};
  };
  std::int64_t synthetic_only = 0;
  for (std::size_t k = 0; k < categories; ++k)
    if (count(real, k) == 0 && count(synthetic, k) > 0) ++synthetic_only;
  const double regularised_real_total = static_cast<double>(real_total) + 1e-6 * static_cast<double>(synthetic_only);
  double total_variation = 0.0;
  for (std::size_t k = 0; k < categories; ++k) {
    const std::int64_t r = count(real, k);
    const std::int64_t s = count(synthetic, k);
    if (r == 0 && s == 0) continue;
    const double real_count = r > 0 ? static_cast<double>(r) : 1e-6;
    total_variation += std::fabs(static_cast<double>(s) / static_cast<double>(synthetic_total) -
                                 real_count / regularised_real_total);
  }
  return 1.0 - 0.5 * total_variation;
}

namespace {
constexpr char kTag[5] = "CATC";
constexpr std::uint32_t kVersion = 1;
}  // namespace

std::vector<std::uint8_t> serialize(const CategoryCounts& piece) {
  ByteWriter out(kTag, kVersion);
  out.put_vector(piece.counts);
  out.put(piece.missing);
  return out.take();
}

CategoryCounts deserialize_category_counts(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, kTag, kVersion);
  CategoryCounts piece;
  piece.counts = in.get_vector<std::int64_t>();
  piece.missing = in.get<std::int64_t>();
  in.expect_end();
  return piece;
}

}  // namespace sc::metrics
