#include "stages/evaluate/metrics/genome_ld.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "pipeline/error.hpp"
#include "stages/evaluate/metrics/genome_bits.hpp"
#include "stages/evaluate/metrics/popcount_avx2.hpp"

namespace sc::metrics {

int LdOptions::bins() const { return static_cast<int>(std::ceil(max_cm / bin_cm - 1e-9)); }

double genotype_r2(const DosageSums& s) {
  const std::int64_t cov = s.n * s.sxy - s.sx * s.sy;
  const std::int64_t var_x = s.n * s.sxx - s.sx * s.sx;
  const std::int64_t var_y = s.n * s.syy - s.sy * s.sy;
  if (var_x == 0 || var_y == 0) return std::numeric_limits<double>::quiet_NaN();
  return (static_cast<double>(cov) * static_cast<double>(cov)) / (static_cast<double>(var_x) * static_cast<double>(var_y));
}

DosageSums dosage_sums(const VariantPlanes& x, std::int64_t a, const VariantPlanes& y, std::int64_t b) {
  SC_EXPECTS(x.individuals == y.individuals, InternalError, "dosage sums: planes of different individuals");
  // Dosage = het + 2 alt with het and alt disjoint, so over individuals
  // x y = het_a het_b + 2 (het_a alt_b + alt_a het_b) + 4 alt_a alt_b and x x = het + 4 alt.
  DosageSums s;
  s.n = x.individuals;
  for (std::int64_t w = 0; w < x.words; ++w) {
    const std::uint64_t ha = x.het(a, w), aa = x.alt(a, w), hb = y.het(b, w), ab = y.alt(b, w);
    s.sx += __builtin_popcountll(ha) + 2 * __builtin_popcountll(aa);
    s.sy += __builtin_popcountll(hb) + 2 * __builtin_popcountll(ab);
    s.sxx += __builtin_popcountll(ha) + 4 * __builtin_popcountll(aa);
    s.syy += __builtin_popcountll(hb) + 4 * __builtin_popcountll(ab);
    s.sxy += __builtin_popcountll(ha & hb) + 2 * (__builtin_popcountll(ha & ab) + __builtin_popcountll(aa & hb)) +
             4 * __builtin_popcountll(aa & ab);
  }
  return s;
}

void LdSide::append(std::shared_ptr<const VariantPlanes> planes) {
  SC_EXPECTS(windows.empty() || (planes->individuals == individuals && planes->vectors == vectors), InternalError,
             "LD span: planes of different individuals");
  individuals = planes->individuals;
  vectors = planes->vectors;
  for (std::int64_t v = 0; v < planes->variants; ++v) variant.push_back(planes->variant(v));
  windows.push_back(std::move(planes));
}

void LdSpan::append(const std::vector<double>& window_cm, const std::vector<std::int32_t>& window_contig,
                    const std::vector<bool>& window_use, std::shared_ptr<const VariantPlanes> real_planes,
                    std::shared_ptr<const VariantPlanes> synthetic_planes) {
  cm.insert(cm.end(), window_cm.begin(), window_cm.end());
  contig.insert(contig.end(), window_contig.begin(), window_contig.end());
  use.insert(use.end(), window_use.begin(), window_use.end());
  real.append(std::move(real_planes));
  synthetic.append(std::move(synthetic_planes));
}

bool LdSpan::reaches(std::int32_t first_contig, double first_cm, double max_cm) const {
  return own_variants > 0 && first_contig == contig.back() && first_cm - cm[static_cast<std::size_t>(own_variants - 1)] < max_cm;
}

namespace {

// The used variants of a span are counted in cells of kCellRows rows (variants of the window)
// x kCellColumns columns (later variants): a cell's columns, 7.4 KB each for 20,000 synthetic
// individuals, stay in L2 while the rows pass over them three at a time.
constexpr std::int64_t kCellRows = 64;
constexpr std::int64_t kCellColumns = 128;

// One side's cross sums of a cell: cross[(r - r0) * kCellColumns + (c - c0)] = sum over
// individuals of the dosage products of used variants r and c, for r < c < reach[r] (other
// entries are scratch).
struct CrossCell {
  const std::uint64_t* const* planes;  // per used variant
  std::int64_t vectors;
  const std::int64_t* reach;
  std::int32_t* cross;
  std::int64_t r0, c0;
  void put(std::int64_t r, std::int64_t c, std::int64_t value) const {
    cross[(r - r0) * kCellColumns + (c - c0)] = static_cast<std::int32_t>(value);
  }
};

// Moments and cross sums one 64-individual word at a time: inlined into one function per
// instruction set (POPCNT, baseline).
__attribute__((always_inline)) inline void moments_plain(const std::uint64_t* planes, std::int64_t vectors, std::int64_t& sx,
                                                          std::int64_t& sxx) {
  std::int64_t het = 0, alt = 0;
  for (std::int64_t v = 0; v < vectors * VariantPlanes::kBlockWords; v += VariantPlanes::kBlockWords)
    for (std::int64_t k = 0; k < 8; ++k) {
      het += __builtin_popcountll(planes[v + k]);
      alt += __builtin_popcountll(planes[v + 8 + k]);
    }
  sx = het + 2 * alt;
  sxx = het + 4 * alt;
}

__attribute__((always_inline)) inline void cross_cell_plain(const CrossCell& cell, std::int64_t r1, std::int64_t c1) {
  for (std::int64_t r = cell.r0; r < r1; ++r) {
    const std::uint64_t* a = cell.planes[r];
    for (std::int64_t c = std::max(cell.c0, r + 1); c < std::min(c1, cell.reach[r]); ++c) {
      const std::uint64_t* b = cell.planes[c];
      std::int64_t both_het = 0, mixed = 0, both_alt = 0;
      for (std::int64_t v = 0; v < cell.vectors * VariantPlanes::kBlockWords; v += VariantPlanes::kBlockWords)
        for (std::int64_t k = 0; k < 8; ++k) {
          const std::uint64_t ha = a[v + k], aa = a[v + 8 + k], hb = b[v + k], ab = b[v + 8 + k];
          both_het += __builtin_popcountll(ha & hb);
          mixed += __builtin_popcountll((ha & ab) | (aa & hb));  // disjoint: ha and aa never both set
          both_alt += __builtin_popcountll(aa & ab);
        }
      cell.put(r, c, both_het + 2 * mixed + 4 * both_alt);
    }
  }
}

SC_POPCOUNT_SCALAR void moments_scalar(const std::uint64_t* planes, std::int64_t vectors, std::int64_t& sx, std::int64_t& sxx) {
  moments_plain(planes, vectors, sx, sxx);
}
void moments_baseline(const std::uint64_t* planes, std::int64_t vectors, std::int64_t& sx, std::int64_t& sxx) {
  moments_plain(planes, vectors, sx, sxx);
}
SC_POPCOUNT_SCALAR void cross_cell_scalar(const CrossCell& cell, std::int64_t r1, std::int64_t c1) {
  cross_cell_plain(cell, r1, c1);
}
void cross_cell_baseline(const CrossCell& cell, std::int64_t r1, std::int64_t c1) { cross_cell_plain(cell, r1, c1); }

#if defined(__x86_64__)
SC_POPCOUNT_VECTOR __attribute__((always_inline)) inline std::int64_t lane_sum(__m512i v) {
  alignas(64) std::int64_t lanes[8];
  _mm512_store_si512(lanes, v);
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

SC_POPCOUNT_VECTOR void moments_vector(const std::uint64_t* planes, std::int64_t vectors, std::int64_t& sx, std::int64_t& sxx) {
  __m512i het = _mm512_setzero_si512(), alt = _mm512_setzero_si512();
  for (std::int64_t v = 0; v < vectors; ++v) {
    het = _mm512_add_epi64(het, _mm512_popcnt_epi64(_mm512_load_si512(planes + v * VariantPlanes::kBlockWords)));
    alt = _mm512_add_epi64(alt, _mm512_popcnt_epi64(_mm512_load_si512(planes + v * VariantPlanes::kBlockWords + 8)));
  }
  sx = lane_sum(het) + 2 * lane_sum(alt);
  sxx = lane_sum(het) + 4 * lane_sum(alt);
}

// The AVX-512 micro-tile: R rows x C columns over 8-word vectors, each row's and column's two
// planes loaded once for the R x C pairs, three counters per pair in registers. Per pair and
// vector: both_het = popcount(het_a & het_b), mixed = popcount((het_a & alt_b) | (alt_a & het_b))
// (an AND, then a vpternlogq), both_alt = popcount(alt_a & alt_b).
template <int R, int C>
SC_POPCOUNT_VECTOR __attribute__((always_inline)) inline void cross_micro(const CrossCell& cell, std::int64_t r, std::int64_t c) {
  constexpr std::int64_t block = VariantPlanes::kBlockWords;
  __m512i both_het[R][C], mixed[R][C], both_alt[R][C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) both_het[i][j] = mixed[i][j] = both_alt[i][j] = _mm512_setzero_si512();
  for (std::int64_t v = 0; v < cell.vectors; ++v) {
    __m512i het_c[C], alt_c[C];
    for (int j = 0; j < C; ++j) {
      het_c[j] = _mm512_load_si512(cell.planes[c + j] + v * block);
      alt_c[j] = _mm512_load_si512(cell.planes[c + j] + v * block + 8);
    }
    for (int i = 0; i < R; ++i) {
      const __m512i het_r = _mm512_load_si512(cell.planes[r + i] + v * block);
      const __m512i alt_r = _mm512_load_si512(cell.planes[r + i] + v * block + 8);
      for (int j = 0; j < C; ++j) {
        both_het[i][j] = _mm512_add_epi64(both_het[i][j], _mm512_popcnt_epi64(_mm512_and_si512(het_r, het_c[j])));
        // 0xF8 = a | (b & c) with a = het_r & alt_c, b = alt_r, c = het_c.
        const __m512i mix = _mm512_ternarylogic_epi64(_mm512_and_si512(het_r, alt_c[j]), alt_r, het_c[j], 0xF8);
        mixed[i][j] = _mm512_add_epi64(mixed[i][j], _mm512_popcnt_epi64(mix));
        both_alt[i][j] = _mm512_add_epi64(both_alt[i][j], _mm512_popcnt_epi64(_mm512_and_si512(alt_r, alt_c[j])));
      }
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      const __m512i weighted = _mm512_add_epi64(_mm512_add_epi64(both_het[i][j], _mm512_slli_epi64(mixed[i][j], 1)),
                                                _mm512_slli_epi64(both_alt[i][j], 2));
      cell.put(r + i, c + j, lane_sum(weighted));
    }
}

// Rows r .. r + R - 1 against the columns of [c0, c1) that any of them pairs with.
template <int R>
SC_POPCOUNT_VECTOR __attribute__((always_inline)) inline void cross_row_tile(const CrossCell& cell, std::int64_t r, std::int64_t c1) {
  std::int64_t reach = 0;
  for (int i = 0; i < R; ++i) reach = std::max(reach, cell.reach[r + i]);
  const std::int64_t end = std::min(c1, reach);
  std::int64_t c = std::max(cell.c0, r + 1);
  for (; c + 2 <= end; c += 2) cross_micro<R, 2>(cell, r, c);
  if (c < end) cross_micro<R, 1>(cell, r, c);
}

SC_POPCOUNT_VECTOR void cross_cell_vector(const CrossCell& cell, std::int64_t r1, std::int64_t c1) {
  std::int64_t r = cell.r0;
  for (; r + 3 <= r1; r += 3) cross_row_tile<3>(cell, r, c1);
  if (r1 - r == 2) cross_row_tile<2>(cell, r, c1);
  else if (r1 - r == 1) cross_row_tile<1>(cell, r, c1);
}

// The AVX2 micro-tile: R rows against one column over half-vectors of 4 words, the three counts
// of each pair as per-byte tallies (popcount_avx2.hpp) widened every kTallyVectors vectors. Tiles
// are smaller than AVX-512's (16 registers, three tallies per pair); the moments use POPCNT (once
// per variant).
template <int R>
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline void cross_micro_avx2(const CrossCell& cell, std::int64_t r, std::int64_t c) {
  constexpr std::int64_t block = VariantPlanes::kBlockWords;
  std::int64_t total[R] = {};
  for (std::int64_t v0 = 0; v0 < cell.vectors; v0 += avx2::kTallyVectors) {
    const std::int64_t v1 = std::min(cell.vectors, v0 + avx2::kTallyVectors);
    __m256i both_het[R], mixed[R], both_alt[R];
    for (int i = 0; i < R; ++i) both_het[i] = mixed[i] = both_alt[i] = _mm256_setzero_si256();
    for (std::int64_t v = v0; v < v1; ++v)
      for (std::int64_t at = v * block; at < v * block + 8; at += 4) {
        const __m256i het_c = avx2::load(cell.planes[c] + at), alt_c = avx2::load(cell.planes[c] + at + 8);
        for (int i = 0; i < R; ++i) {
          const __m256i het_r = avx2::load(cell.planes[r + i] + at), alt_r = avx2::load(cell.planes[r + i] + at + 8);
          both_het[i] = _mm256_add_epi8(both_het[i], avx2::byte_counts(_mm256_and_si256(het_r, het_c)));
          const __m256i mix = _mm256_or_si256(_mm256_and_si256(het_r, alt_c), _mm256_and_si256(alt_r, het_c));
          mixed[i] = _mm256_add_epi8(mixed[i], avx2::byte_counts(mix));
          both_alt[i] = _mm256_add_epi8(both_alt[i], avx2::byte_counts(_mm256_and_si256(alt_r, alt_c)));
        }
      }
    for (int i = 0; i < R; ++i)
      total[i] += avx2::lane_sum(avx2::widen(both_het[i])) + 2 * avx2::lane_sum(avx2::widen(mixed[i])) +
                  4 * avx2::lane_sum(avx2::widen(both_alt[i]));
  }
  for (int i = 0; i < R; ++i) cell.put(r + i, c, total[i]);
}

// Rows r .. r + R - 1 against the columns of [c0, c1) that any of them pairs with.
template <int R>
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline void cross_row_tile_avx2(const CrossCell& cell, std::int64_t r, std::int64_t c1) {
  std::int64_t reach = 0;
  for (int i = 0; i < R; ++i) reach = std::max(reach, cell.reach[r + i]);
  const std::int64_t end = std::min(c1, reach);
  for (std::int64_t c = std::max(cell.c0, r + 1); c < end; ++c) cross_micro_avx2<R>(cell, r, c);
}

SC_POPCOUNT_AVX2 void cross_cell_avx2(const CrossCell& cell, std::int64_t r1, std::int64_t c1) {
  std::int64_t r = cell.r0;
  for (; r + 2 <= r1; r += 2) cross_row_tile_avx2<2>(cell, r, c1);
  if (r < r1) cross_row_tile_avx2<1>(cell, r, c1);
}
#else
void moments_vector(const std::uint64_t* planes, std::int64_t vectors, std::int64_t& sx, std::int64_t& sxx) {
  moments_plain(planes, vectors, sx, sxx);
}
void cross_cell_vector(const CrossCell& cell, std::int64_t r1, std::int64_t c1) { cross_cell_plain(cell, r1, c1); }
void cross_cell_avx2(const CrossCell& cell, std::int64_t r1, std::int64_t c1) { cross_cell_plain(cell, r1, c1); }
#endif

// Per used variant of a side: its own sums (Sx, Sxx), computed once rather than per pair.
struct VariantMoments {
  std::vector<std::int64_t> sx, sxx;
};

VariantMoments moments(const LdSide& side, const std::vector<std::int64_t>& used) {
  VariantMoments m;
  m.sx.resize(used.size());
  m.sxx.resize(used.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, used.size(), 512), [&](const auto& range) {
    for (std::size_t p = range.begin(); p < range.end(); ++p) {
      const std::uint64_t* planes = side.variant[static_cast<std::size_t>(used[p])];
      SC_POPCOUNT_DISPATCH(moments_vector(planes, side.vectors, m.sx[p], m.sxx[p]),
                           moments_scalar(planes, side.vectors, m.sx[p], m.sxx[p]),
                           moments_scalar(planes, side.vectors, m.sx[p], m.sxx[p]),
                           moments_baseline(planes, side.vectors, m.sx[p], m.sxx[p]));
    }
  });
  return m;
}

// For each used variant i of the window: the used variants j > i before the first span variant
// (used or not) on another contig or at least max_cm away, as a position `reach` in `used`.
std::vector<std::int64_t> pair_reach(const LdSpan& span, const std::vector<std::int64_t>& used, std::int64_t own_used,
                                     double max_cm) {
  const auto variants = static_cast<std::int64_t>(span.cm.size());
  bool sorted = true;  // cM non-decreasing within each contig: the ends move forward with i
  for (std::int64_t j = 1; j < variants; ++j)
    sorted = sorted && (span.contig[static_cast<std::size_t>(j)] != span.contig[static_cast<std::size_t>(j - 1)] ||
                        span.cm[static_cast<std::size_t>(j)] >= span.cm[static_cast<std::size_t>(j - 1)]);
  std::vector<std::int64_t> reach(static_cast<std::size_t>(own_used));
  std::int64_t end = 0, position = 0;
  for (std::int64_t p = 0; p < own_used; ++p) {
    const auto i = static_cast<std::size_t>(used[static_cast<std::size_t>(p)]);
    if (!sorted || end <= static_cast<std::int64_t>(i)) end = static_cast<std::int64_t>(i) + 1;
    while (end < variants && span.contig[static_cast<std::size_t>(end)] == span.contig[i] &&
           span.cm[static_cast<std::size_t>(end)] - span.cm[i] < max_cm)
      ++end;
    if (!sorted) position = p + 1;
    while (position < static_cast<std::int64_t>(used.size()) && used[static_cast<std::size_t>(position)] < end) ++position;
    reach[static_cast<std::size_t>(p)] = position;
  }
  return reach;
}

// Per row of a cell block: plain double partial sums per bin, in column (j) order.
struct RowBins {
  std::vector<double> real_part, synthetic_part;
  std::vector<std::int64_t> real_pairs, synthetic_pairs;
  explicit RowBins(std::size_t size) : real_part(size), synthetic_part(size), real_pairs(size), synthetic_pairs(size) {}
  void clear() {
    std::fill(real_part.begin(), real_part.end(), 0.0);
    std::fill(synthetic_part.begin(), synthetic_part.end(), 0.0);
    std::fill(real_pairs.begin(), real_pairs.end(), 0);
    std::fill(synthetic_pairs.begin(), synthetic_pairs.end(), 0);
  }
};

void cross_cell(const CrossCell& cell, std::int64_t r1, std::int64_t c1) {
  SC_POPCOUNT_DISPATCH(cross_cell_vector(cell, r1, c1), cross_cell_avx2(cell, r1, c1), cross_cell_scalar(cell, r1, c1),
                       cross_cell_baseline(cell, r1, c1));
}

}  // namespace

void add_ld_pairs(LdPiece& piece, const LdSpan& span, const LdOptions& options) {
  const int bins = options.bins();
  SC_EXPECTS(static_cast<int>(piece.real_sum.size()) == bins, InternalError, "LD piece has the wrong bin count");
  const auto variants = span.cm.size();
  SC_EXPECTS(span.contig.size() == variants && span.use.size() == variants && span.real.variant.size() == variants &&
                 span.synthetic.variant.size() == variants && span.own_variants <= static_cast<std::int64_t>(variants),
             InternalError, "LD span: variant lists of different lengths");
  std::vector<std::int64_t> used;
  std::int64_t own_used = 0;
  for (std::size_t v = 0; v < variants; ++v)
    if (span.use[v]) {
      used.push_back(static_cast<std::int64_t>(v));
      own_used += static_cast<std::int64_t>(v) < span.own_variants ? 1 : 0;
    }
  const std::vector<std::int64_t> reach = pair_reach(span, used, own_used, options.max_cm);
  const VariantMoments real_moments = moments(span.real, used), synthetic_moments = moments(span.synthetic, used);
  std::vector<const std::uint64_t*> real_planes, synthetic_planes;  // per used variant
  for (std::int64_t v : used) {
    real_planes.push_back(span.real.variant[static_cast<std::size_t>(v)]);
    synthetic_planes.push_back(span.synthetic.variant[static_cast<std::size_t>(v)]);
  }
  const auto b = static_cast<std::size_t>(bins);
  struct Scratch {
    std::vector<std::int32_t> real_cross, synthetic_cross;
    std::vector<RowBins> rows;
  };
  tbb::enumerable_thread_specific<LdPiece> local([bins] { return LdPiece(bins); });
  tbb::enumerable_thread_specific<Scratch> scratch([b] {
    return Scratch{std::vector<std::int32_t>(kCellRows * kCellColumns), std::vector<std::int32_t>(kCellRows * kCellColumns),
                   std::vector<RowBins>(kCellRows, RowBins(b))};
  });
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, (own_used + kCellRows - 1) / kCellRows, 1), [&](const auto& range) {
    LdPiece& mine = local.local();
    Scratch& work = scratch.local();
    for (std::int64_t block = range.begin(); block < range.end(); ++block) {
      const std::int64_t r0 = block * kCellRows, r1 = std::min(own_used, r0 + kCellRows);
      std::int64_t columns_end = 0;
      for (std::int64_t r = r0; r < r1; ++r) {
        columns_end = std::max(columns_end, reach[static_cast<std::size_t>(r)]);
        work.rows[static_cast<std::size_t>(r - r0)].clear();
      }
      // Per row, its pairs are added in column order into plain doubles (the same pairs in the
      // same order wherever the row is computed), then each bin's partial joins the exact sum.
      for (std::int64_t c0 = r0 + 1; c0 < columns_end; c0 += kCellColumns) {
        const std::int64_t c1 = std::min(columns_end, c0 + kCellColumns);
        cross_cell({real_planes.data(), span.real.vectors, reach.data(), work.real_cross.data(), r0, c0}, r1, c1);
        cross_cell({synthetic_planes.data(), span.synthetic.vectors, reach.data(), work.synthetic_cross.data(), r0, c0}, r1, c1);
        for (std::int64_t r = r0; r < r1; ++r) {
          RowBins& row = work.rows[static_cast<std::size_t>(r - r0)];
          const auto pr = static_cast<std::size_t>(r), i = static_cast<std::size_t>(used[pr]);
          for (std::int64_t c = std::max(c0, r + 1); c < std::min(c1, reach[pr]); ++c) {
            const auto pc = static_cast<std::size_t>(c), j = static_cast<std::size_t>(used[pc]);
            const double distance = span.cm[j] - span.cm[i];
            if (distance < 0.0) continue;
            const auto bin = static_cast<std::size_t>(std::min(bins - 1, static_cast<int>(std::floor(distance / options.bin_cm))));
            const auto k = static_cast<std::size_t>((r - r0) * kCellColumns + (c - c0));
            const double real = genotype_r2({span.real.individuals, real_moments.sx[pr], real_moments.sx[pc],
                                             real_moments.sxx[pr], real_moments.sxx[pc], work.real_cross[k]});
            if (!std::isnan(real)) {
              row.real_part[bin] += real;
              ++row.real_pairs[bin];
            }
            const double synthetic =
                genotype_r2({span.synthetic.individuals, synthetic_moments.sx[pr], synthetic_moments.sx[pc],
                             synthetic_moments.sxx[pr], synthetic_moments.sxx[pc], work.synthetic_cross[k]});
            if (!std::isnan(synthetic)) {
              row.synthetic_part[bin] += synthetic;
              ++row.synthetic_pairs[bin];
            }
          }
        }
      }
      for (std::int64_t r = r0; r < r1; ++r) {
        const RowBins& row = work.rows[static_cast<std::size_t>(r - r0)];
        for (std::size_t k = 0; k < b; ++k) {
          if (row.real_pairs[k] != 0) mine.real_sum[k].add(row.real_part[k]);
          if (row.synthetic_pairs[k] != 0) mine.synthetic_sum[k].add(row.synthetic_part[k]);
          mine.real_pairs[k] += row.real_pairs[k];
          mine.synthetic_pairs[k] += row.synthetic_pairs[k];
        }
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
