#include "stages/evaluate/metrics/genome_relatedness.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "pipeline/error.hpp"

namespace sc::metrics {

constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();

namespace {

// Rows are taken in tiles: each column's planes (three words per 64 variants) are loaded once
// for the whole tile and stay in L1 while its rows are counted, so memory traffic is a tile's
// worth of rows per column rather than one row's.
constexpr std::int64_t kTileRows = 16;

// Rows [tile_begin, tile_end) against the columns above each row; row r's counters start at
// hethet + (r - row_begin) * n. Inlined into one function per instruction set.
__attribute__((always_inline)) inline void pair_counts_tile(const GenotypePlanes& planes, std::int64_t row_begin,
                                                             std::int64_t tile_begin, std::int64_t tile_end,
                                                             std::int32_t* hethet, std::int32_t* ibs0) {
  const std::int64_t n = planes.individuals, words = planes.words;
  for (std::int64_t c = tile_begin + 1; c < n; ++c) {
    const std::uint64_t* het_c = planes.het_row(c);
    const std::uint64_t* alt_c = planes.alt_row(c);
    const std::uint64_t* ref_c = planes.ref_row(c);
    for (std::int64_t r = tile_begin; r < std::min(tile_end, c); ++r) {
      const std::uint64_t* het_r = planes.het_row(r);
      const std::uint64_t* alt_r = planes.alt_row(r);
      const std::uint64_t* ref_r = planes.ref_row(r);
      std::int64_t hh = 0, i0 = 0;
      for (std::int64_t w = 0; w < words; ++w) {
        hh += __builtin_popcountll(het_r[w] & het_c[w]);
        i0 += __builtin_popcountll((alt_r[w] & ref_c[w]) | (ref_r[w] & alt_c[w]));
      }
      hethet[(r - row_begin) * n + c] += static_cast<std::int32_t>(hh);
      ibs0[(r - row_begin) * n + c] += static_cast<std::int32_t>(i0);
    }
  }
}

SC_POPCOUNT_VECTOR void pair_counts_tile_vector(const GenotypePlanes& planes, std::int64_t row_begin, std::int64_t begin,
                                                std::int64_t end, std::int32_t* hh, std::int32_t* i0) {
  pair_counts_tile(planes, row_begin, begin, end, hh, i0);
}
SC_POPCOUNT_SCALAR void pair_counts_tile_scalar(const GenotypePlanes& planes, std::int64_t row_begin, std::int64_t begin,
                                                std::int64_t end, std::int32_t* hh, std::int32_t* i0) {
  pair_counts_tile(planes, row_begin, begin, end, hh, i0);
}
void pair_counts_tile_baseline(const GenotypePlanes& planes, std::int64_t row_begin, std::int64_t begin,
                               std::int64_t end, std::int32_t* hh, std::int32_t* i0) {
  pair_counts_tile(planes, row_begin, begin, end, hh, i0);
}

}  // namespace

void add_pair_counts(const GenotypePlanes& planes, std::int64_t row_begin, std::int64_t row_end,
                     std::span<std::int32_t> hethet, std::span<std::int32_t> ibs0) {
  const std::int64_t n = planes.individuals;
  SC_EXPECTS(0 <= row_begin && row_begin <= row_end && row_end <= n &&
                 hethet.size() >= static_cast<std::size_t>((row_end - row_begin) * n) && ibs0.size() == hethet.size(),
             InternalError, "pair counts: block outside the individuals");
  // Tiles of rows are independent (each row writes its own counters), so any thread split gives
  // the same counts.
  const std::int64_t tiles = (row_end - row_begin + kTileRows - 1) / kTileRows;
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, tiles, 1), [&](const auto& range) {
    for (std::int64_t t = range.begin(); t < range.end(); ++t) {
      const std::int64_t begin = row_begin + t * kTileRows, end = std::min(row_end, begin + kTileRows);
      SC_POPCOUNT_DISPATCH(pair_counts_tile_vector(planes, row_begin, begin, end, hethet.data(), ibs0.data()),
                           pair_counts_tile_scalar(planes, row_begin, begin, end, hethet.data(), ibs0.data()),
                           pair_counts_tile_baseline(planes, row_begin, begin, end, hethet.data(), ibs0.data()));
    }
  });
}

std::vector<std::int64_t> heterozygote_counts(const GenotypePlanes& planes) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(planes.individuals), 0);
  for (std::int64_t i = 0; i < planes.individuals; ++i)
    for (std::int64_t w = 0; w < planes.words; ++w) counts[static_cast<std::size_t>(i)] += __builtin_popcountll(planes.het_row(i)[w]);
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
