#include "stages/evaluate/metrics/genome_relatedness.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "pipeline/error.hpp"
#include "stages/evaluate/metrics/popcount_avx2.hpp"

namespace sc::metrics {

constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();

namespace {

// Work is cut into cells of kChunkRows rows x kChunkColumns columns; a cell's columns (2.5 KB
// per individual for a 10,000-variant window) stay in L2 while the rows are counted against them
// four at a time from L1 and registers. Cells write disjoint counters, so any thread split gives
// the same counts.
constexpr std::int64_t kChunkRows = 64;
constexpr std::int64_t kChunkColumns = 128;

// Counters of pair (r, c), r < c: row r's counters start at hethet + (r - row_begin) * n.
struct PairCounters {
  std::int64_t row_begin, n;
  std::int32_t *hethet, *ibs0;
  void add(std::int64_t r, std::int64_t c, std::int64_t hh, std::int64_t i0) const {
    hethet[(r - row_begin) * n + c] += static_cast<std::int32_t>(hh);
    ibs0[(r - row_begin) * n + c] += static_cast<std::int32_t>(i0);
  }
};

// The portable kernel: pairs (r, c) of rows [r0, r1) and columns [c0, c1) with r < c, one
// 64-variant word at a time. Inlined into one function per instruction set (POPCNT, baseline).
__attribute__((always_inline)) inline void pair_counts_cell(const GenotypePlanes& planes, const PairCounters& out,
                                                            std::int64_t r0, std::int64_t r1, std::int64_t c0,
                                                            std::int64_t c1) {
  constexpr std::int64_t block = GenotypePlanes::kBlockWords;
  for (std::int64_t c = std::max(c0, r0 + 1); c < c1; ++c) {
    const std::uint64_t* col = planes.individual(c);
    for (std::int64_t r = r0; r < std::min(r1, c); ++r) {
      const std::uint64_t* row = planes.individual(r);
      std::int64_t hh = 0, i0 = 0;
      for (std::int64_t v = 0; v < planes.vectors; ++v)
        for (std::int64_t k = 0; k < 8; ++k) {
          const std::uint64_t het_r = row[v * block + k], alt_r = row[v * block + 8 + k];
          const std::uint64_t het_c = col[v * block + k], alt_c = col[v * block + 8 + k];
          hh += __builtin_popcountll(het_r & het_c);
          i0 += __builtin_popcountll((alt_r ^ alt_c) & ~(het_r | het_c));
        }
      out.add(r, c, hh, i0);
    }
  }
}

SC_POPCOUNT_SCALAR void pair_counts_cell_scalar(const GenotypePlanes& planes, const PairCounters& out, std::int64_t r0,
                                                std::int64_t r1, std::int64_t c0, std::int64_t c1) {
  pair_counts_cell(planes, out, r0, r1, c0, c1);
}
void pair_counts_cell_baseline(const GenotypePlanes& planes, const PairCounters& out, std::int64_t r0, std::int64_t r1,
                               std::int64_t c0, std::int64_t c1) {
  pair_counts_cell(planes, out, r0, r1, c0, c1);
}

#if defined(__x86_64__)
// Sum of the eight 64-bit lanes (stored and added: GCC 12's _mm512_reduce_add_epi64 warns about
// an undefined upper half it never reads).
SC_POPCOUNT_VECTOR __attribute__((always_inline)) inline std::int64_t lane_sum(__m512i v) {
  alignas(64) std::int64_t lanes[8];
  _mm512_store_si512(lanes, v);
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// The AVX-512 kernel: a micro-tile of R rows x C columns counted together, one 8-word vector at
// a time, each row's and column's two planes loaded once for the whole tile ((R + C) x 2 aligned
// loads for R x C pairs) and the 2 R C counts kept in registers as eight 64-bit lanes each. Per
// pair and vector: HETHET = popcount(het_r & het_c), IBS0 = popcount((alt_r ^ alt_c) &
// ~(het_r | het_c)), the AND-NOT-OR in one vpternlogq. Pairs with r >= c in the tile are counted
// and not written.
template <int R, int C>
SC_POPCOUNT_VECTOR __attribute__((always_inline)) inline void pair_counts_micro(const GenotypePlanes& planes,
                                                                                 const PairCounters& out,
                                                                                 std::int64_t r, std::int64_t c) {
  constexpr std::int64_t block = GenotypePlanes::kBlockWords;
  __m512i hh[R][C], i0[R][C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) hh[i][j] = i0[i][j] = _mm512_setzero_si512();
  const std::uint64_t* row = planes.individual(r);
  const std::uint64_t* col = planes.individual(c);
  const std::int64_t stride = planes.vectors * block;  // words from one individual to the next
  for (std::int64_t v = 0; v < planes.vectors; ++v) {
    __m512i het_c[C], alt_c[C];
    for (int j = 0; j < C; ++j) {
      het_c[j] = _mm512_load_si512(col + j * stride + v * block);
      alt_c[j] = _mm512_load_si512(col + j * stride + v * block + 8);
    }
    for (int i = 0; i < R; ++i) {
      const __m512i het_r = _mm512_load_si512(row + i * stride + v * block);
      const __m512i alt_r = _mm512_load_si512(row + i * stride + v * block + 8);
      for (int j = 0; j < C; ++j) {
        hh[i][j] = _mm512_add_epi64(hh[i][j], _mm512_popcnt_epi64(_mm512_and_si512(het_r, het_c[j])));
        // 0x10 = a & ~(b | c) with a = alt_r ^ alt_c, b = het_r, c = het_c.
        const __m512i opposite = _mm512_ternarylogic_epi64(_mm512_xor_si512(alt_r, alt_c[j]), het_r, het_c[j], 0x10);
        i0[i][j] = _mm512_add_epi64(i0[i][j], _mm512_popcnt_epi64(opposite));
      }
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      if (r + i < c + j) out.add(r + i, c + j, lane_sum(hh[i][j]), lane_sum(i0[i][j]));
}

// Rows r .. r + R - 1 against the columns of [c0, c1) above r: two columns at a time, then one.
template <int R>
SC_POPCOUNT_VECTOR __attribute__((always_inline)) inline void pair_counts_row_tile(const GenotypePlanes& planes,
                                                                                   const PairCounters& out,
                                                                                   std::int64_t r, std::int64_t c0,
                                                                                   std::int64_t c1) {
  std::int64_t c = std::max(c0, r + 1);
  for (; c + 2 <= c1; c += 2) pair_counts_micro<R, 2>(planes, out, r, c);
  if (c < c1) pair_counts_micro<R, 1>(planes, out, r, c);
}

SC_POPCOUNT_VECTOR void pair_counts_cell_vector(const GenotypePlanes& planes, const PairCounters& out, std::int64_t r0,
                                                std::int64_t r1, std::int64_t c0, std::int64_t c1) {
  std::int64_t r = r0;
  for (; r + 4 <= r1; r += 4) pair_counts_row_tile<4>(planes, out, r, c0, c1);
  switch (r1 - r) {
    case 3: pair_counts_row_tile<3>(planes, out, r, c0, c1); break;
    case 2: pair_counts_row_tile<2>(planes, out, r, c0, c1); break;
    case 1: pair_counts_row_tile<1>(planes, out, r, c0, c1); break;
    default: break;
  }
}

// The AVX2 kernel: R rows against one column over half-vectors of 4 words, with per-byte counts
// (popcount_avx2.hpp) summed in byte lanes for up to kTallyVectors vectors and then widened.
// Tiles of 3 rows x 1 column (AVX2 has 16 registers, and each pair needs two byte tallies): on a
// Zen 2 EPYC, 1.84e9 steps per second against 1.64e9 for 2 x 2 and 1.2e9 for 2 x 1
// (bench/evaluate/pair_kernel_bench 4000 10000 1 2).
template <int R>
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline void pair_counts_micro_avx2(const GenotypePlanes& planes,
                                                                                    const PairCounters& out,
                                                                                    std::int64_t r, std::int64_t c) {
  constexpr std::int64_t block = GenotypePlanes::kBlockWords;
  std::int64_t hh_total[R] = {}, i0_total[R] = {};
  const std::uint64_t* row = planes.individual(r);
  const std::uint64_t* col = planes.individual(c);
  const std::int64_t stride = planes.vectors * block;
  for (std::int64_t v0 = 0; v0 < planes.vectors; v0 += avx2::kTallyVectors) {
    const std::int64_t v1 = std::min(planes.vectors, v0 + avx2::kTallyVectors);
    __m256i hh[R], i0[R];
    for (int i = 0; i < R; ++i) hh[i] = i0[i] = _mm256_setzero_si256();
    for (std::int64_t v = v0; v < v1; ++v)
      for (std::int64_t at = v * block; at < v * block + 8; at += 4) {
        const __m256i het_c = avx2::load(col + at), alt_c = avx2::load(col + at + 8);
        for (int i = 0; i < R; ++i) {
          const __m256i het_r = avx2::load(row + i * stride + at), alt_r = avx2::load(row + i * stride + at + 8);
          hh[i] = _mm256_add_epi8(hh[i], avx2::byte_counts(_mm256_and_si256(het_r, het_c)));
          const __m256i opposite = _mm256_andnot_si256(_mm256_or_si256(het_r, het_c), _mm256_xor_si256(alt_r, alt_c));
          i0[i] = _mm256_add_epi8(i0[i], avx2::byte_counts(opposite));
        }
      }
    for (int i = 0; i < R; ++i) {
      hh_total[i] += avx2::lane_sum(avx2::widen(hh[i]));
      i0_total[i] += avx2::lane_sum(avx2::widen(i0[i]));
    }
  }
  for (int i = 0; i < R; ++i)
    if (r + i < c) out.add(r + i, c, hh_total[i], i0_total[i]);
}

// Rows r .. r + R - 1 against the columns of [c0, c1) above r.
template <int R>
SC_POPCOUNT_AVX2 __attribute__((always_inline)) inline void pair_counts_row_tile_avx2(const GenotypePlanes& planes,
                                                                                       const PairCounters& out,
                                                                                       std::int64_t r, std::int64_t c0,
                                                                                       std::int64_t c1) {
  for (std::int64_t c = std::max(c0, r + 1); c < c1; ++c) pair_counts_micro_avx2<R>(planes, out, r, c);
}

SC_POPCOUNT_AVX2 void pair_counts_cell_avx2(const GenotypePlanes& planes, const PairCounters& out, std::int64_t r0,
                                            std::int64_t r1, std::int64_t c0, std::int64_t c1) {
  std::int64_t r = r0;
  for (; r + 3 <= r1; r += 3) pair_counts_row_tile_avx2<3>(planes, out, r, c0, c1);
  if (r1 - r == 2) pair_counts_row_tile_avx2<2>(planes, out, r, c0, c1);
  else if (r1 - r == 1) pair_counts_row_tile_avx2<1>(planes, out, r, c0, c1);
}
#else
void pair_counts_cell_vector(const GenotypePlanes& planes, const PairCounters& out, std::int64_t r0, std::int64_t r1,
                             std::int64_t c0, std::int64_t c1) {
  pair_counts_cell(planes, out, r0, r1, c0, c1);
}
void pair_counts_cell_avx2(const GenotypePlanes& planes, const PairCounters& out, std::int64_t r0, std::int64_t r1,
                           std::int64_t c0, std::int64_t c1) {
  pair_counts_cell(planes, out, r0, r1, c0, c1);
}
#endif

}  // namespace

void add_pair_counts(const GenotypePlanes& planes, std::int64_t row_begin, std::int64_t row_end,
                     std::span<std::int32_t> hethet, std::span<std::int32_t> ibs0) {
  const std::int64_t n = planes.individuals;
  SC_EXPECTS(0 <= row_begin && row_begin <= row_end && row_end <= n &&
                 hethet.size() >= static_cast<std::size_t>((row_end - row_begin) * n) && ibs0.size() == hethet.size(),
             InternalError, "pair counts: block outside the individuals");
  const PairCounters out{row_begin, n, hethet.data(), ibs0.data()};
  // Cells (row chunk, column chunk) holding at least one pair r < c.
  std::vector<std::pair<std::int64_t, std::int64_t>> cells;
  for (std::int64_t r0 = row_begin; r0 < row_end; r0 += kChunkRows)
    for (std::int64_t c0 = r0 + 1; c0 < n; c0 += kChunkColumns) cells.emplace_back(r0, c0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, cells.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto [r0, c0] = cells[k];
      const std::int64_t r1 = std::min(row_end, r0 + kChunkRows), c1 = std::min(n, c0 + kChunkColumns);
      SC_POPCOUNT_DISPATCH(pair_counts_cell_vector(planes, out, r0, r1, c0, c1),
                           pair_counts_cell_avx2(planes, out, r0, r1, c0, c1),
                           pair_counts_cell_scalar(planes, out, r0, r1, c0, c1),
                           pair_counts_cell_baseline(planes, out, r0, r1, c0, c1));
    }
  });
}

std::vector<std::int64_t> heterozygote_counts(const GenotypePlanes& planes) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(planes.individuals), 0);
  for (std::int64_t i = 0; i < planes.individuals; ++i)
    for (std::int64_t w = 0; w < planes.words; ++w) counts[static_cast<std::size_t>(i)] += __builtin_popcountll(planes.het(i, w));
  return counts;
}

double king_robust(std::int64_t hethet, std::int64_t ibs0, std::int64_t het_a, std::int64_t het_b) {
  const std::int64_t smaller = std::min(het_a, het_b);
  if (smaller == 0) return std::numeric_limits<double>::quiet_NaN();
  // 2 HETHET - 4 IBS0 - |het_a - het_b| over 4 min: the same value, one rounding.
  const std::int64_t numerator = 2 * hethet - 4 * ibs0 - (het_a + het_b - 2 * smaller);
  return static_cast<double>(numerator) / static_cast<double>(4 * smaller);
}

std::int64_t genotype_distance(std::int64_t hethet, std::int64_t ibs0, std::int64_t het_a, std::int64_t het_b) {
  return het_a + het_b - 2 * hethet + 2 * ibs0;
}

NearestRelatives::NearestRelatives(std::size_t individuals)
    : max_kinship_to_training(individuals, -std::numeric_limits<double>::infinity()),
      nearest_same_role(individuals, kNone),
      nearest_synthetic(individuals, kNone),
      nearest_training(individuals, kNone),
      nearest_holdout(individuals, kNone) {}

namespace {

void keep_min(std::vector<std::int64_t>& v, std::int64_t i, std::int64_t d) {
  auto& slot = v[static_cast<std::size_t>(i)];
  slot = std::min(slot, d);
}

void keep_max(std::vector<double>& v, std::int64_t i, double k) {
  auto& slot = v[static_cast<std::size_t>(i)];
  if (k > slot) slot = k;  // NaN never replaces a value
}

// One pair, roles ordered so that role(a) <= role(b).
void update_pair(NearestRelatives& nearest, GenomeRole ra, GenomeRole rb, std::int64_t a, std::int64_t b,
                 std::int64_t distance, double kinship) {
  using R = GenomeRole;
  if (ra == rb) {
    keep_min(nearest.nearest_same_role, a, distance);
    keep_min(nearest.nearest_same_role, b, distance);
  } else if (ra == R::training && rb == R::holdout) {
    keep_max(nearest.max_kinship_to_training, b, kinship);
  } else if (ra == R::training && rb == R::synthetic) {
    keep_max(nearest.max_kinship_to_training, b, kinship);
    keep_min(nearest.nearest_training, b, distance);
    keep_min(nearest.nearest_synthetic, a, distance);
  } else {  // holdout, synthetic
    keep_min(nearest.nearest_holdout, b, distance);
    keep_min(nearest.nearest_synthetic, a, distance);
  }
}

}  // namespace

void update_nearest(NearestRelatives& nearest, std::span<const GenomeRole> roles, std::span<const std::int64_t> het,
                    std::int64_t row_begin, std::int64_t row_end, std::span<const std::int32_t> hethet,
                    std::span<const std::int32_t> ibs0) {
  const auto n = static_cast<std::int64_t>(roles.size());
  for (std::int64_t r = row_begin; r < row_end; ++r) {
    for (std::int64_t c = r + 1; c < n; ++c) {
      const auto k = static_cast<std::size_t>((r - row_begin) * n + c);
      const std::int64_t hr = het[static_cast<std::size_t>(r)], hc = het[static_cast<std::size_t>(c)];
      const std::int64_t distance = genotype_distance(hethet[k], ibs0[k], hr, hc);
      const GenomeRole role_r = roles[static_cast<std::size_t>(r)], role_c = roles[static_cast<std::size_t>(c)];
      const bool kinship_needed = (role_r == GenomeRole::training) != (role_c == GenomeRole::training);
      const double kinship = kinship_needed ? king_robust(hethet[k], ibs0[k], hr, hc) : 0.0;
      if (role_r <= role_c) update_pair(nearest, role_r, role_c, r, c, distance, kinship);
      else update_pair(nearest, role_c, role_r, c, r, distance, kinship);
    }
  }
}

AdversarialAccuracy adversarial_accuracy(const NearestRelatives& nearest, std::span<const GenomeRole> roles,
                                         GenomeRole real_role) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::int64_t real = 0, real_hits = 0, synthetic = 0, synthetic_hits = 0;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (roles[i] == real_role) {
      ++real;
      real_hits += nearest.nearest_synthetic[i] > nearest.nearest_same_role[i] ? 1 : 0;
    } else if (roles[i] == GenomeRole::synthetic) {
      ++synthetic;
      const std::int64_t to_real = real_role == GenomeRole::training ? nearest.nearest_training[i] : nearest.nearest_holdout[i];
      synthetic_hits += to_real > nearest.nearest_same_role[i] ? 1 : 0;
    }
  }
  AdversarialAccuracy out;
  out.aa_truth = real >= 2 && synthetic >= 1 ? static_cast<double>(real_hits) / static_cast<double>(real) : nan;
  out.aa_synthetic = synthetic >= 2 && real >= 1 ? static_cast<double>(synthetic_hits) / static_cast<double>(synthetic) : nan;
  out.aats = (out.aa_truth + out.aa_synthetic) / 2.0;
  return out;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

double share_greater(std::vector<double> first, std::vector<double> second) {
  if (first.empty() || second.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(second.begin(), second.end());
  // Twice the count, so that ties (one half each) stay integers.
  std::int64_t twice = 0;
  for (double a : first) {
    const auto below = std::lower_bound(second.begin(), second.end(), a) - second.begin();
    const auto not_above = std::upper_bound(second.begin(), second.end(), a) - second.begin();
    twice += 2 * below + (not_above - below);
  }
  return static_cast<double>(twice) / 2.0 / (static_cast<double>(first.size()) * static_cast<double>(second.size()));
}

}  // namespace sc::metrics
