#include "stages/evaluate/metrics/genome_frequency.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "pipeline/error.hpp"

namespace sc::metrics {

std::vector<bool> maf_at_least(const std::vector<std::int64_t>& counts, std::int64_t haplotypes, double maf_min) {
  std::vector<bool> use(counts.size());
  for (std::size_t v = 0; v < counts.size(); ++v) {
    const std::int64_t minor = std::min(counts[v], haplotypes - counts[v]);
    use[v] = static_cast<double>(minor) >= maf_min * static_cast<double>(haplotypes);
  }
  return use;
}

std::vector<std::int64_t> alt_allele_counts(const HaplotypeBits& window, const std::vector<bool>& keep) {
  SC_EXPECTS(static_cast<std::int64_t>(keep.size()) * 2 == window.haplotypes, InternalError,
             "allele counts: one flag per individual expected");
  std::vector<std::int64_t> counts(static_cast<std::size_t>(window.variants), 0);
  for (std::int64_t h = 0; h < window.haplotypes; ++h) {
    if (!keep[static_cast<std::size_t>(h / 2)]) continue;
    const std::uint64_t* row = window.row(h);
    for (std::int64_t w = 0; w < window.words(); ++w)
      for (std::uint64_t word = row[w]; word != 0; word &= word - 1) ++counts[static_cast<std::size_t>(64 * w + __builtin_ctzll(word))];
  }
  return counts;
}

void add_variants(FrequencyPairPiece& piece, const std::vector<std::int64_t>& c, std::int64_t n,
                  const std::vector<std::int64_t>& d, std::int64_t m, const std::vector<bool>& use) {
  for (std::size_t v = 0; v < c.size(); ++v) {
    if (!use[v]) continue;
    ++piece.variants;
    piece.sum_c += c[v];
    piece.sum_d += d[v];
    piece.sum_cc += c[v] * c[v];
    piece.sum_dd += d[v] * d[v];
    piece.sum_cd += c[v] * d[v];
    piece.sum_abs_cm_dn += std::llabs(c[v] * m - d[v] * n);
  }
}

void merge(FrequencyPairPiece& into, const FrequencyPairPiece& other) {
  into.variants += other.variants;
  into.sum_c += other.sum_c;
  into.sum_d += other.sum_d;
  into.sum_cc += other.sum_cc;
  into.sum_dd += other.sum_dd;
  into.sum_cd += other.sum_cd;
  into.sum_abs_cm_dn += other.sum_abs_cm_dn;
}

void write(ByteWriter& out, const FrequencyPairPiece& piece) {
  for (std::int64_t value : {piece.variants, piece.sum_c, piece.sum_d, piece.sum_cc, piece.sum_dd, piece.sum_cd,
                             piece.sum_abs_cm_dn})
    out.put(value);
}

FrequencyPairPiece read_frequency_pair(ByteReader& in) {
  FrequencyPairPiece piece;
  for (std::int64_t* value : {&piece.variants, &piece.sum_c, &piece.sum_d, &piece.sum_cc, &piece.sum_dd, &piece.sum_cd,
                              &piece.sum_abs_cm_dn})
    *value = in.get<std::int64_t>();
  return piece;
}

FrequencyAgreement frequency_agreement(const FrequencyPairPiece& piece, std::int64_t n, std::int64_t m) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  FrequencyAgreement out;
  out.variants = piece.variants;
  if (piece.variants == 0 || n == 0 || m == 0) {
    out.r2 = out.mean_abs_diff = nan;
    return out;
  }
  // Pearson's r is scale-free, so counts stand for frequencies; the centred sums are exact in
  // 128-bit integers and rounded once.
  __extension__ typedef __int128 wide;
  const wide v = piece.variants;
  const wide cov = v * piece.sum_cd - wide{piece.sum_c} * piece.sum_d;
  const wide var_c = v * piece.sum_cc - wide{piece.sum_c} * piece.sum_c;
  const wide var_d = v * piece.sum_dd - wide{piece.sum_d} * piece.sum_d;
  out.r2 = (var_c == 0 || var_d == 0)
               ? nan
               : (static_cast<double>(cov) * static_cast<double>(cov)) / (static_cast<double>(var_c) * static_cast<double>(var_d));
  out.mean_abs_diff = static_cast<double>(piece.sum_abs_cm_dn) / (static_cast<double>(n) * static_cast<double>(m)) /
                      static_cast<double>(piece.variants);
  return out;
}

}  // namespace sc::metrics
