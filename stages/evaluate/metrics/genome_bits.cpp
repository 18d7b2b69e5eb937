#include "stages/evaluate/metrics/genome_bits.hpp"

#include <algorithm>
#include <atomic>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "pipeline/error.hpp"

namespace sc::metrics {
namespace {

std::atomic<int> forced_level{-1};

}  // namespace

int supported_popcount_level() {
#if defined(__x86_64__)
  static const int level = __builtin_cpu_supports("avx512vpopcntdq") ? 2 : __builtin_cpu_supports("popcnt") ? 1 : 0;
  return level;
#else
  return 0;
#endif
}

int popcount_level() {
  const int forced = forced_level.load(std::memory_order_relaxed);
  return forced >= 0 ? std::min(forced, supported_popcount_level()) : supported_popcount_level();
}

int force_popcount_level(int level) { return forced_level.exchange(level); }

namespace {

// Writes the planes of `count` individuals from `first` of `window` at `out` (zeroed).
void fill_planes(const HaplotypeBits& window, std::int64_t first, std::int64_t count, std::int64_t vectors,
                 std::uint64_t* out) {
  const std::int64_t words = window.words(), tail = window.variants % 64;
  const std::int64_t block = vectors * GenotypePlanes::kBlockWords;
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, count, 256), [&](const auto& range) {
    for (std::int64_t i = range.begin(); i < range.end(); ++i) {
      const std::uint64_t* h0 = window.row(2 * (first + i));
      const std::uint64_t* h1 = window.row(2 * (first + i) + 1);
      std::uint64_t* planes = out + i * block;
      for (std::int64_t w = 0; w < words; ++w) {
        const std::uint64_t valid = (w == words - 1 && tail != 0) ? (std::uint64_t{1} << tail) - 1 : ~std::uint64_t{0};
        const std::int64_t k = (w / 8) * GenotypePlanes::kBlockWords + w % 8;
        planes[k] = (h0[w] ^ h1[w]) & valid;
        planes[k + 8] = h0[w] & h1[w] & valid;
      }
    }
  });
}

GenotypePlanes empty_planes(std::int64_t individuals, std::int64_t words) {
  GenotypePlanes planes;
  planes.individuals = individuals;
  planes.words = words;
  planes.vectors = (words + 7) / 8;
  planes.bits.assign(static_cast<std::size_t>(individuals * planes.vectors * GenotypePlanes::kBlockWords), 0);
  return planes;
}

}  // namespace

GenotypePlanes genotype_planes(const HaplotypeBits& window, std::int64_t first, std::int64_t count) {
  SC_EXPECTS(first >= 0 && count >= 0 && 2 * (first + count) <= window.haplotypes, InternalError,
             "genotype planes: individuals past the window's haplotypes");
  GenotypePlanes planes = empty_planes(count, window.words());
  fill_planes(window, first, count, planes.vectors, planes.bits.data());
  return planes;
}

GenotypePlanes genotype_planes(std::span<const HaplotypeBits> parts) {
  std::int64_t individuals = 0;
  for (const auto& part : parts) {
    SC_EXPECTS(part.variants == parts.front().variants, InternalError, "genotype planes of different windows");
    individuals += part.haplotypes / 2;
  }
  GenotypePlanes planes = empty_planes(individuals, parts.empty() ? 0 : parts.front().words());
  std::int64_t first = 0;
  for (const auto& part : parts) {
    fill_planes(part, 0, part.haplotypes / 2, planes.vectors,
                planes.bits.data() + first * planes.vectors * GenotypePlanes::kBlockWords);
    first += part.haplotypes / 2;
  }
  return planes;
}

void append_variants(AlleleRows& rows, const AlleleRows& more) {
  if (rows.variants == 0) {
    rows = more;
    return;
  }
  SC_EXPECTS(rows.words == more.words && rows.individuals == more.individuals, InternalError,
             "allele rows of different individuals");
  rows.variants += more.variants;
  rows.rows.insert(rows.rows.end(), more.rows.begin(), more.rows.end());
  rows.swapped.insert(rows.swapped.end(), more.swapped.begin(), more.swapped.end());
}

AlleleRows allele_rows(const HaplotypeBits& window, const std::vector<bool>& keep) {
  SC_EXPECTS(static_cast<std::int64_t>(keep.size()) * 2 == window.haplotypes, InternalError,
             "allele rows: one flag per individual expected");
  AlleleRows out;
  out.variants = window.variants;
  for (bool k : keep) out.individuals += k ? 1 : 0;
  out.words = (2 * out.individuals + 63) / 64;
  out.rows.assign(static_cast<std::size_t>(out.variants * out.words), 0);
  out.swapped.assign(out.rows.size(), 0);
  // Individual by individual: each kept individual's two haplotype rows are walked word by word,
  // and their set bits scattered into the variant rows (cost proportional to ALT alleles).
  std::int64_t slot = 0;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(keep.size()); ++i) {
    if (!keep[static_cast<std::size_t>(i)]) continue;
    for (int copy = 0; copy < 2; ++copy) {
      const std::uint64_t* hap = window.row(2 * i + copy);
      const std::int64_t bit = 2 * slot + copy, partner = 2 * slot + (1 - copy);
      const std::uint64_t mask = std::uint64_t{1} << (bit % 64), partner_mask = std::uint64_t{1} << (partner % 64);
      for (std::int64_t w = 0; w < window.words(); ++w) {
        for (std::uint64_t word = hap[w]; word != 0; word &= word - 1) {
          const std::int64_t v = 64 * w + __builtin_ctzll(word);
          out.rows[static_cast<std::size_t>(v * out.words + bit / 64)] |= mask;
          out.swapped[static_cast<std::size_t>(v * out.words + partner / 64)] |= partner_mask;
        }
      }
    }
    ++slot;
  }
  return out;
}

}  // namespace sc::metrics
