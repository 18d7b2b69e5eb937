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
  static const int level = __builtin_cpu_supports("avx512vpopcntdq")                          ? 3
                           : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") ? 2
                           : __builtin_cpu_supports("popcnt")                                   ? 1
                                                                                                : 0;
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

void transpose_bits64(std::uint64_t* rows) {
  // Six rounds of block swaps (Hacker's Delight, 7-3, with bit 0 as column 0): round j swaps
  // the j x j blocks above and below the diagonal of every 2j x 2j block, 32 pairs of rows each.
  std::uint64_t low = 0x00000000FFFFFFFFull;
  for (int j = 32; j != 0; j >>= 1, low ^= low << j) {
    for (int base = 0; base < 64; base += 2 * j)
      for (int r = base; r < base + j; ++r) {
        const std::uint64_t t = ((rows[r] >> j) ^ rows[r + j]) & low;
        rows[r + j] ^= t;
        rows[r] ^= t << j;
      }
  }
}

VariantPlanes variant_planes(const HaplotypeBits& window, const std::vector<bool>& keep, VariantPlanes::Storage reuse) {
  SC_EXPECTS(static_cast<std::int64_t>(keep.size()) * 2 == window.haplotypes, InternalError,
             "variant planes: one flag per individual expected");
  std::vector<std::int64_t> kept;
  for (std::size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) kept.push_back(static_cast<std::int64_t>(i));
  VariantPlanes out;
  out.variants = window.variants;
  out.individuals = static_cast<std::int64_t>(kept.size());
  out.words = (out.individuals + 63) / 64;
  out.vectors = (out.words + 7) / 8;
  out.bits = std::move(reuse);
  // Every word is written below (padding words too), so the storage needs no clearing.
  out.bits.resize(static_cast<std::size_t>(out.variants * out.vectors * VariantPlanes::kBlockWords));
  const std::int64_t stride = out.vectors * VariantPlanes::kBlockWords;  // words from one variant to the next
  const std::int64_t variant_words = window.words();
  // Per 8-word vector of individuals (512 of them, padding words included): each 64 x 64 block of
  // `het` and `alt` bits is gathered from the haplotype rows, transposed and written to its variants.
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, out.vectors, 1), [&](const auto& range) {
    alignas(64) std::uint64_t het[64], alt[64];
    for (std::int64_t vec = range.begin(); vec < range.end(); ++vec)
      for (std::int64_t vw = 0; vw < variant_words; ++vw) {
        const std::int64_t first_variant = 64 * vw, last_variant = std::min(out.variants, first_variant + 64);
        for (std::int64_t k = 0; k < 8; ++k) {
          const std::int64_t w = 8 * vec + k;  // 64-individual word
          for (std::int64_t b = 0; b < 64; ++b) {
            const std::int64_t slot = 64 * w + b;
            if (slot < out.individuals) {
              const std::int64_t i = kept[static_cast<std::size_t>(slot)];
              const std::uint64_t h0 = window.row(2 * i)[vw], h1 = window.row(2 * i + 1)[vw];
              het[b] = h0 ^ h1;
              alt[b] = h0 & h1;
            } else {
              het[b] = alt[b] = 0;
            }
          }
          transpose_bits64(het);
          transpose_bits64(alt);
          std::uint64_t* to = out.bits.data() + first_variant * stride + vec * VariantPlanes::kBlockWords + k;
          for (std::int64_t v = 0; v < last_variant - first_variant; ++v, to += stride) {
            to[0] = het[v];
            to[8] = alt[v];
          }
        }
      }
  });
  return out;
}

}  // namespace sc::metrics
