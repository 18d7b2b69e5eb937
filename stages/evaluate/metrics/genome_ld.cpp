#include "stages/evaluate/metrics/genome_ld.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <limits>

#include "pipeline/error.hpp"
#include "stages/evaluate/metrics/genome_bits.hpp"

namespace sc::metrics {

int LdOptions::bins() const { return static_cast<int>(std::ceil(max_cm / bin_cm - 1e-9)); }

double genotype_r2(const DosageSums& s) {
  const std::int64_t cov = s.n * s.sxy - s.sx * s.sy;
  const std::int64_t var_x = s.n * s.sxx - s.sx * s.sx;
  const std::int64_t var_y = s.n * s.syy - s.sy * s.sy;
  if (var_x == 0 || var_y == 0) return std::numeric_limits<double>::quiet_NaN();
  return (static_cast<double>(cov) * static_cast<double>(cov)) / (static_cast<double>(var_x) * static_cast<double>(var_y));
}

DosageSums dosage_sums(const AlleleRows& rows, std::int64_t a, std::int64_t b) {
  // Row bits are haplotypes; the swapped row pairs each haplotype with its partner, so
  // x_a . (y_b + swap y_b) = sum over individuals of (a0 + a1)(b0 + b1).
  const std::uint64_t* xa = rows.row(a);
  const std::uint64_t* sa = rows.swapped_row(a);
  const std::uint64_t* xb = rows.row(b);
  const std::uint64_t* sb = rows.swapped_row(b);
  DosageSums s;
  s.n = rows.individuals;
  for (std::int64_t w = 0; w < rows.words; ++w) {
    s.sx += __builtin_popcountll(xa[w]);
    s.sy += __builtin_popcountll(xb[w]);
    s.sxx += __builtin_popcountll(xa[w] & sa[w]);
    s.syy += __builtin_popcountll(xb[w] & sb[w]);
    s.sxy += __builtin_popcountll(xa[w] & xb[w]) + __builtin_popcountll(xa[w] & sb[w]);
  }
  s.sxx += s.sx;
  s.syy += s.sy;
  return s;
}

namespace {

// Per variant of a side: its own sums (Sx, Sxx), computed once rather than per pair.
struct VariantMoments {
  std::vector<std::int64_t> sx, sxx;
};

VariantMoments moments(const AlleleRows& rows) {
  VariantMoments m;
  m.sx.resize(static_cast<std::size_t>(rows.variants));
  m.sxx.resize(m.sx.size());
  for (std::int64_t v = 0; v < rows.variants; ++v) {
    const DosageSums s = dosage_sums(rows, v, v);
    m.sx[static_cast<std::size_t>(v)] = s.sx;
    m.sxx[static_cast<std::size_t>(v)] = s.sxx;
  }
  return m;
}

// Sum over individuals of the dosage products of variants a and b: two popcounts per word.
__attribute__((always_inline)) inline std::int64_t cross_sum(const AlleleRows& rows, std::int64_t a, std::int64_t b) {
  const std::uint64_t* xa = rows.row(a);
  const std::uint64_t* xb = rows.row(b);
  const std::uint64_t* sb = rows.swapped_row(b);
  std::int64_t sum = 0;
  for (std::int64_t w = 0; w < rows.words; ++w) sum += __builtin_popcountll(xa[w] & xb[w]) + __builtin_popcountll(xa[w] & sb[w]);
  return sum;
}

// The pairs (i, j > i) of one variant: plain double partial sums per bin, in j order.
struct VariantPairs {
  std::vector<double> real_part, synthetic_part;
  std::vector<std::int64_t> real_pairs, synthetic_pairs;
};

__attribute__((always_inline)) inline void variant_pairs(const LdSpan& span, const VariantMoments& real_moments,
                                                          const VariantMoments& synthetic_moments,
                                                          const LdOptions& options, int bins, std::int64_t i,
                                                          VariantPairs& out) {
  const auto variants = static_cast<std::int64_t>(span.cm.size());
  const auto ki = static_cast<std::size_t>(i);
  for (std::int64_t j = i + 1; j < variants; ++j) {
    const auto kj = static_cast<std::size_t>(j);
    if (span.contig[kj] != span.contig[ki]) break;
    const double distance = span.cm[kj] - span.cm[ki];
    if (distance >= options.max_cm) break;  // cM is sorted within a contig
    if (!span.use[kj] || distance < 0.0) continue;
    const auto bin = static_cast<std::size_t>(std::min(bins - 1, static_cast<int>(std::floor(distance / options.bin_cm))));
    const double real = genotype_r2({span.real.individuals, real_moments.sx[ki], real_moments.sx[kj], real_moments.sxx[ki],
                                     real_moments.sxx[kj], cross_sum(span.real, i, j)});
    if (!std::isnan(real)) {
      out.real_part[bin] += real;
      ++out.real_pairs[bin];
    }
    const double synthetic =
        genotype_r2({span.synthetic.individuals, synthetic_moments.sx[ki], synthetic_moments.sx[kj],
                     synthetic_moments.sxx[ki], synthetic_moments.sxx[kj], cross_sum(span.synthetic, i, j)});
    if (!std::isnan(synthetic)) {
      out.synthetic_part[bin] += synthetic;
      ++out.synthetic_pairs[bin];
    }
  }
}

SC_POPCOUNT_VECTOR void variant_pairs_vector(const LdSpan& span, const VariantMoments& rm, const VariantMoments& sm,
                                             const LdOptions& options, int bins, std::int64_t i, VariantPairs& out) {
  variant_pairs(span, rm, sm, options, bins, i, out);
}
SC_POPCOUNT_SCALAR void variant_pairs_scalar(const LdSpan& span, const VariantMoments& rm, const VariantMoments& sm,
                                             const LdOptions& options, int bins, std::int64_t i, VariantPairs& out) {
  variant_pairs(span, rm, sm, options, bins, i, out);
}
void variant_pairs_baseline(const LdSpan& span, const VariantMoments& rm, const VariantMoments& sm,
                            const LdOptions& options, int bins, std::int64_t i, VariantPairs& out) {
  variant_pairs(span, rm, sm, options, bins, i, out);
}

}  // namespace

void add_ld_pairs(LdPiece& piece, const LdSpan& span, const LdOptions& options) {
  const int bins = options.bins();
  SC_EXPECTS(static_cast<int>(piece.real_sum.size()) == bins, InternalError, "LD piece has the wrong bin count");
  const VariantMoments real_moments = moments(span.real), synthetic_moments = moments(span.synthetic);
  tbb::enumerable_thread_specific<LdPiece> local([bins] { return LdPiece(bins); });
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, span.own_variants, 16), [&](const auto& range) {
    LdPiece& mine = local.local();
    // Per variant i, its pairs are added in j order into plain doubles (the same pairs in the
    // same order wherever i is computed), then each bin's partial joins the exact sum.
    const auto b = static_cast<std::size_t>(bins);
    VariantPairs pairs{std::vector<double>(b), std::vector<double>(b), std::vector<std::int64_t>(b), std::vector<std::int64_t>(b)};
    for (std::int64_t i = range.begin(); i < range.end(); ++i) {
      if (!span.use[static_cast<std::size_t>(i)]) continue;
      std::fill(pairs.real_part.begin(), pairs.real_part.end(), 0.0);
      std::fill(pairs.synthetic_part.begin(), pairs.synthetic_part.end(), 0.0);
      std::fill(pairs.real_pairs.begin(), pairs.real_pairs.end(), 0);
      std::fill(pairs.synthetic_pairs.begin(), pairs.synthetic_pairs.end(), 0);
      SC_POPCOUNT_DISPATCH(variant_pairs_vector(span, real_moments, synthetic_moments, options, bins, i, pairs),
                           variant_pairs_scalar(span, real_moments, synthetic_moments, options, bins, i, pairs),
                           variant_pairs_baseline(span, real_moments, synthetic_moments, options, bins, i, pairs));
      for (std::size_t k = 0; k < b; ++k) {
        if (pairs.real_pairs[k] != 0) mine.real_sum[k].add(pairs.real_part[k]);
        if (pairs.synthetic_pairs[k] != 0) mine.synthetic_sum[k].add(pairs.synthetic_part[k]);
        mine.real_pairs[k] += pairs.real_pairs[k];
        mine.synthetic_pairs[k] += pairs.synthetic_pairs[k];
      }
    }
  });
  // Exact sums: the threads' parts add to the same bits in any order.
  for (const LdPiece& part : local) merge(piece, part);
}

void merge(LdPiece& into, const LdPiece& other) {
  SC_EXPECTS(into.real_sum.size() == other.real_sum.size(), InternalError, "LD pieces with different bins");
  for (std::size_t b = 0; b < into.real_sum.size(); ++b) {
    into.real_sum[b].add(other.real_sum[b]);
    into.synthetic_sum[b].add(other.synthetic_sum[b]);
    into.real_pairs[b] += other.real_pairs[b];
    into.synthetic_pairs[b] += other.synthetic_pairs[b];
  }
}

std::vector<std::uint8_t> serialize(const LdPiece& piece) {
  ByteWriter out("GLDB", 1);
  out.put<std::uint64_t>(piece.real_sum.size());
  for (std::size_t b = 0; b < piece.real_sum.size(); ++b) {
    piece.real_sum[b].write(out);
    piece.synthetic_sum[b].write(out);
  }
  out.put_vector(piece.real_pairs);
  out.put_vector(piece.synthetic_pairs);
  return out.take();
}

LdPiece deserialize_ld(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "GLDB", 1);
  const auto bins = in.get<std::uint64_t>();
  SC_EXPECTS(bins < (std::uint64_t{1} << 20), InternalError, "LD piece: implausible bin count");
  LdPiece piece(static_cast<int>(bins));
  for (std::size_t b = 0; b < bins; ++b) {
    piece.real_sum[b] = ExactSum::read(in);
    piece.synthetic_sum[b] = ExactSum::read(in);
  }
  piece.real_pairs = in.get_vector<std::int64_t>();
  piece.synthetic_pairs = in.get_vector<std::int64_t>();
  in.expect_end();
  SC_EXPECTS(piece.real_pairs.size() == bins && piece.synthetic_pairs.size() == bins, InternalError,
             "LD piece: pair counts do not match the bins");
  return piece;
}

}  // namespace sc::metrics
