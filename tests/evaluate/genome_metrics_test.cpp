// The genome metric kernels (stages/evaluate/metrics/genome_*.hpp) against plain loops over
// dosages on random panels, hand-computed cases, and invariance to how variants are cut into windows.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <cmath>
#include <iostream>
#include <tuple>
#include <limits>
#include <memory>
#include <random>

#include "stages/evaluate/metrics/genome_frequency.hpp"
#include "stages/evaluate/metrics/genome_ld.hpp"
#include "stages/evaluate/metrics/genome_pca.hpp"
#include "stages/evaluate/metrics/genome_relatedness.hpp"

namespace sc::metrics {
namespace {

// A random panel: `individuals` x `variants`, ALT probability varying by variant.
struct TestPanel {
  std::int64_t individuals, variants;
  std::vector<std::uint64_t> bits;
  HaplotypeBits view() const { return {bits, 2 * individuals, variants}; }
};

TestPanel random_panel(std::int64_t individuals, std::int64_t variants, unsigned seed) {
  TestPanel p{individuals, variants, {}};
  const std::int64_t words = (variants + 63) / 64;
  p.bits.assign(static_cast<std::size_t>(2 * individuals * words), 0);
  std::mt19937_64 rng(seed);
  std::vector<double> freq(static_cast<std::size_t>(variants));
  for (auto& f : freq) f = std::uniform_real_distribution<double>(0.0, 0.6)(rng);
  for (std::int64_t h = 0; h < 2 * individuals; ++h)
    for (std::int64_t v = 0; v < variants; ++v)
      if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) < freq[static_cast<std::size_t>(v)])
        p.bits[static_cast<std::size_t>(h * words + v / 64)] |= std::uint64_t{1} << (v % 64);
  return p;
}

// Sets individual i's genotypes at every variant to kind(i): 0 = homozygous reference, 1 =
// heterozygous, 2 = homozygous ALT, -1 = left as drawn. Whole words of equal genotypes fill the
// AVX2 kernels' byte tallies at their largest (8 per byte and step), so that a tally widened too
// late would overflow and fail the comparisons below.
template <class Kind>
void set_genotypes(TestPanel& p, Kind kind) {
  const std::int64_t words = (p.variants + 63) / 64;
  for (std::int64_t i = 0; i < p.individuals; ++i) {
    const int k = kind(i);
    if (k < 0) continue;
    for (std::int64_t v = 0; v < p.variants; ++v)
      for (std::int64_t h = 0; h < 2; ++h) {
        auto& word = p.bits[static_cast<std::size_t>((2 * i + h) * words + v / 64)];
        const std::uint64_t bit = std::uint64_t{1} << (v % 64);
        word = (k == 2 || (k == 1 && h == 0)) ? word | bit : word & ~bit;
      }
  }
}

TEST(GenomeMetrics, KinshipAndDistanceEqualPlainLoops) {
  const TestPanel p = random_panel(23, 300, 1);
  const HaplotypeBits bits = p.view();
  const GenotypePlanes planes = genotype_planes(bits, 0, p.individuals);
  const std::int64_t n = p.individuals;
  std::vector<std::int32_t> hethet(static_cast<std::size_t>(n * n), 0), ibs0(hethet.size(), 0);
  add_pair_counts(planes, 0, n, hethet, ibs0);
  const auto het = heterozygote_counts(planes);
  for (std::int64_t a = 0; a < n; ++a) {
    std::int64_t het_a = 0;
    for (std::int64_t v = 0; v < p.variants; ++v) het_a += bits.dosage(a, v) == 1;
    EXPECT_EQ(het[static_cast<std::size_t>(a)], het_a);
    for (std::int64_t b = a + 1; b < n; ++b) {
      std::int64_t hh = 0, i0 = 0, l1 = 0, het_b = 0;
      for (std::int64_t v = 0; v < p.variants; ++v) {
        const int x = bits.dosage(a, v), y = bits.dosage(b, v);
        hh += x == 1 && y == 1;
        i0 += std::abs(x - y) == 2;
        l1 += std::abs(x - y);
        het_b += y == 1;
      }
      const auto k = static_cast<std::size_t>(a * n + b);
      ASSERT_EQ(hethet[k], hh);
      ASSERT_EQ(ibs0[k], i0);
      EXPECT_EQ(genotype_distance(hh, i0, het_a, het_b), l1);
      const double expected = 0.5 - static_cast<double>(het_a + het_b - 2 * hh + 4 * i0) / (4.0 * std::min(het_a, het_b));
      EXPECT_NEAR(king_robust(hh, i0, het_a, het_b), expected, 1e-15);
    }
  }
}

TEST(GenomeMetrics, KingRobustHandCases) {
  // A duplicate: HETHET = het, IBS0 = 0 -> 1/2. No heterozygote: undefined.
  EXPECT_EQ(king_robust(40, 0, 40, 40), 0.5);
  EXPECT_TRUE(std::isnan(king_robust(0, 3, 0, 12)));
  // plink2's pair HG00097/HG00096 of the shared chr20 panel: the counts behind KINSHIP -0.238728.
  // HG00096 has 1,863 heterozygous sites, HG00097 2,470; HETHET 436, IBS0 511 (24,990 sites).
  EXPECT_NEAR(king_robust(436, 511, 1863, 2470), -0.238728, 5e-7);
}

TEST(GenomeMetrics, BlocksOfRowsGiveTheSameCounts) {
  const TestPanel p = random_panel(17, 130, 2);
  const GenotypePlanes planes = genotype_planes(p.view(), 0, p.individuals);
  const std::int64_t n = p.individuals;
  std::vector<std::int32_t> whole_hh(static_cast<std::size_t>(n * n), 0), whole_i0(whole_hh.size(), 0);
  add_pair_counts(planes, 0, n, whole_hh, whole_i0);
  for (std::int64_t begin = 0; begin < n; begin += 5) {
    const std::int64_t end = std::min(n, begin + 5);
    std::vector<std::int32_t> hh(static_cast<std::size_t>((end - begin) * n), 0), i0(hh.size(), 0);
    add_pair_counts(planes, begin, end, hh, i0);
    for (std::int64_t r = begin; r < end; ++r)
      for (std::int64_t c = r + 1; c < n; ++c) {
        EXPECT_EQ(hh[static_cast<std::size_t>((r - begin) * n + c)], whole_hh[static_cast<std::size_t>(r * n + c)]);
        EXPECT_EQ(i0[static_cast<std::size_t>((r - begin) * n + c)], whole_i0[static_cast<std::size_t>(r * n + c)]);
      }
  }
}

TEST(GenomeMetrics, GenotypeR2EqualsPearsonOfDosages) {
  const TestPanel p = random_panel(41, 70, 3);
  std::vector<bool> keep(static_cast<std::size_t>(p.individuals), true);
  keep[3] = keep[10] = keep[40] = false;
  const VariantPlanes planes = variant_planes(p.view(), keep);
  EXPECT_EQ(planes.individuals, 38);
  for (std::int64_t a = 0; a < p.variants; ++a)
    for (std::int64_t b = a; b < p.variants; ++b) {
      double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (std::int64_t i = 0; i < p.individuals; ++i) {
        if (!keep[static_cast<std::size_t>(i)]) continue;
        const double x = p.view().dosage(i, a), y = p.view().dosage(i, b);
        n += 1; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
      }
      const DosageSums s = dosage_sums(planes, a, planes, b);
      ASSERT_EQ(s.sx, sx);
      ASSERT_EQ(s.sxx, sxx);
      ASSERT_EQ(s.sxy, sxy);
      const double cov = n * sxy - sx * sy, vx = n * sxx - sx * sx, vy = n * syy - sy * sy;
      const double r2 = genotype_r2(s);
      if (vx == 0 || vy == 0) EXPECT_TRUE(std::isnan(r2));
      else EXPECT_NEAR(r2, cov * cov / (vx * vy), 1e-14);
    }
}

TEST(GenomeMetrics, AlleleFrequencyAgreementHandCase) {
  // p = (0, 1/2, 1), q = (1/4, 1/2, 3/4): r = 1, mean |p - q| = 1/6.
  FrequencyPairPiece piece;
  add_variants(piece, {0, 2, 4}, 4, {1, 2, 3}, 4, {true, true, true});
  const auto agreement = frequency_agreement(piece, 4, 4);
  EXPECT_EQ(agreement.variants, 3);
  EXPECT_DOUBLE_EQ(agreement.r2, 1.0);
  EXPECT_DOUBLE_EQ(agreement.mean_abs_diff, 1.0 / 6.0);
  // One constant side: no correlation.
  FrequencyPairPiece flat;
  add_variants(flat, {1, 1}, 4, {0, 3}, 4, {true, true});
  EXPECT_TRUE(std::isnan(frequency_agreement(flat, 4, 4).r2));
}

TEST(GenomeMetrics, AlleleCountsEqualPlainLoop) {
  const TestPanel p = random_panel(9, 200, 4);
  std::vector<bool> keep(9, true);
  keep[0] = keep[5] = false;
  const auto counts = alt_allele_counts(p.view(), keep);
  for (std::int64_t v = 0; v < p.variants; ++v) {
    std::int64_t c = 0;
    for (std::int64_t i = 0; i < 9; ++i) c += keep[static_cast<std::size_t>(i)] ? p.view().dosage(i, v) : 0;
    EXPECT_EQ(counts[static_cast<std::size_t>(v)], c);
  }
}

// The variants of `planes` from `first` on, as one side of an LD span.
LdSide tail_side(const std::shared_ptr<const VariantPlanes>& planes, std::int64_t first) {
  LdSide side;
  side.append(planes);
  side.variant.erase(side.variant.begin(), side.variant.begin() + first);
  return side;
}

// LD pieces of a panel cut into windows at different places merge to the same bits.
LdPiece ld_of(const TestPanel& real, const TestPanel& synth, const std::vector<double>& cm, std::int64_t cut,
              const LdOptions& options) {
  LdPiece total(options.bins());
  const std::vector<bool> all_real(static_cast<std::size_t>(real.individuals), true);
  const std::vector<bool> all_synth(static_cast<std::size_t>(synth.individuals), true);
  const auto real_planes = std::make_shared<const VariantPlanes>(variant_planes(real.view(), all_real));
  const auto synth_planes = std::make_shared<const VariantPlanes>(variant_planes(synth.view(), all_synth));
  for (std::int64_t first = 0; first < real.variants; first += cut) {
    // The span: this "window" and every later variant (a window's own pairs reach forward only).
    LdSpan span;
    span.own_variants = std::min(cut, real.variants - first);
    for (std::int64_t v = first; v < real.variants; ++v) {
      span.cm.push_back(cm[static_cast<std::size_t>(v)]);
      span.contig.push_back(0);
      span.use.push_back(true);
    }
    span.real = tail_side(real_planes, first);
    span.synthetic = tail_side(synth_planes, first);
    LdPiece piece(options.bins());
    add_ld_pairs(piece, span, options);
    merge(total, deserialize_ld(serialize(piece)));
  }
  return total;
}

TEST(GenomeMetrics, LdDecayIsTheSameForAnyWindowCut) {
  const TestPanel real = random_panel(30, 150, 5), synth = random_panel(25, 150, 6);
  std::vector<double> cm;
  for (int v = 0; v < 150; ++v) cm.push_back(v * 0.007);
  const LdOptions options{0.1, 0.5};
  ASSERT_EQ(options.bins(), 5);
  const LdPiece one = ld_of(real, synth, cm, 150, options);
  for (std::int64_t cut : {1, 7, 64, 100}) {
    const LdPiece other = ld_of(real, synth, cm, cut, options);
    for (int b = 0; b < 5; ++b) {
      EXPECT_EQ(one.real_pairs[static_cast<std::size_t>(b)], other.real_pairs[static_cast<std::size_t>(b)]);
      EXPECT_EQ(one.real_sum[static_cast<std::size_t>(b)].value(), other.real_sum[static_cast<std::size_t>(b)].value());
      EXPECT_EQ(one.synthetic_sum[static_cast<std::size_t>(b)].value(), other.synthetic_sum[static_cast<std::size_t>(b)].value());
    }
  }
  // Bin 0 holds the pairs closer than 0.1 cM whose r^2 is defined (neither variant constant).
  const VariantPlanes planes = variant_planes(real.view(), std::vector<bool>(30, true));
  std::int64_t expected = 0;
  for (int i = 0; i < 150; ++i)
    for (int j = i + 1; j < 150 && cm[static_cast<std::size_t>(j)] - cm[static_cast<std::size_t>(i)] < 0.1; ++j)
      expected += std::isnan(genotype_r2(dosage_sums(planes, i, planes, j))) ? 0 : 1;
  EXPECT_GT(expected, 1000);
  EXPECT_EQ(one.real_pairs[0], expected);
}

// The popcount loops are built per instruction set; every build present counts the same.
TEST(GenomeMetrics, EveryPopcountBuildGivesTheSameResults) {
  const TestPanel real = random_panel(40, 500, 8), synth = random_panel(35, 500, 9);
  std::vector<double> cm;
  for (int v = 0; v < 500; ++v) cm.push_back(v * 0.004);
  const LdOptions options{0.1, 0.5};
  const GenotypePlanes planes = genotype_planes(real.view(), 0, real.individuals);
  auto run = [&] {
    std::vector<std::int32_t> hh(static_cast<std::size_t>(40 * 40), 0), i0(hh.size(), 0);
    add_pair_counts(planes, 0, 40, hh, i0);
    const LdPiece ld = ld_of(real, synth, cm, 128, options);
    return std::make_tuple(hh, i0, serialize(ld));
  };
  const int best = supported_popcount_level();
  const auto reference = run();
  for (int level = 0; level < best; ++level) {
    const int previous = force_popcount_level(level);
    EXPECT_EQ(popcount_level(), level);
    EXPECT_TRUE(run() == reference) << "popcount build " << level << " differs from build " << best;
    force_popcount_level(previous);
  }
  std::cout << "popcount builds compared: 0 to " << best << "\n";
}

// The pair kernels of every popcount build against a plain loop over dosages, on sizes that hit
// every edge of the AVX-512 micro-tiles (rows not a multiple of 4, columns of 2, words of 8,
// variants of 64) and blocks of rows that start and end inside tiles and cells.
TEST(GenomeMetrics, PairKernelsEqualPlainLoopsOnOddSizes) {
  const std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> shapes = {
      {1, 1, 1}, {2, 63, 1}, {5, 64, 2}, {7, 65, 3}, {37, 511, 11}, {70, 577, 33}, {131, 1000, 200}, {203, 130, 67},
      // Past the AVX2 kernel's widening (every 15 x 512 variants), with whole rows of
      // heterozygotes (individuals 0 and 1) and of opposite homozygotes (2 and 3).
      {6, 16000, 4}};
  unsigned seed = 20;
  for (const auto& [n, variants, block] : shapes) {
    TestPanel p = random_panel(n, variants, seed++);
    if (variants > 7680) set_genotypes(p, [](std::int64_t i) { return i < 2 ? 1 : i == 2 ? 2 : i == 3 ? 0 : -1; });
    const HaplotypeBits bits = p.view();
    // The planes of two parts (the evaluation's real and synthetic panels) split unevenly.
    const std::int64_t first = n / 3, words = bits.words();
    const HaplotypeBits parts[] = {
        {std::span<const std::uint64_t>(p.bits).first(static_cast<std::size_t>(2 * first * words)), 2 * first, variants},
        {std::span<const std::uint64_t>(p.bits).subspan(static_cast<std::size_t>(2 * first * words)), 2 * (n - first), variants}};
    const GenotypePlanes planes = genotype_planes(parts);
    ASSERT_TRUE(planes.bits == genotype_planes(bits, 0, n).bits);
    std::vector<std::int32_t> expected_hh(static_cast<std::size_t>(n * n), 0), expected_i0(expected_hh.size(), 0);
    for (std::int64_t a = 0; a < n; ++a)
      for (std::int64_t b = a + 1; b < n; ++b)
        for (std::int64_t v = 0; v < variants; ++v) {
          const int x = bits.dosage(a, v), y = bits.dosage(b, v);
          expected_hh[static_cast<std::size_t>(a * n + b)] += x == 1 && y == 1;
          expected_i0[static_cast<std::size_t>(a * n + b)] += std::abs(x - y) == 2;
        }
    for (int level = 0; level <= supported_popcount_level(); ++level) {
      const int previous = force_popcount_level(level);
      for (std::int64_t begin = 0; begin < n; begin += block) {
        const std::int64_t end = std::min(n, begin + block);
        std::vector<std::int32_t> hh(static_cast<std::size_t>((end - begin) * n), 0), i0(hh.size(), 0);
        add_pair_counts(planes, begin, end, hh, i0);
        for (std::int64_t r = begin; r < end; ++r)
          for (std::int64_t c = 0; c < n; ++c) {
            const auto k = static_cast<std::size_t>((r - begin) * n + c);
            const auto whole = static_cast<std::size_t>(r * n + c);
            ASSERT_EQ(hh[k], c > r ? expected_hh[whole] : 0) << "build " << level << ", n " << n << ", pair " << r << "," << c;
            ASSERT_EQ(i0[k], c > r ? expected_i0[whole] : 0) << "build " << level << ", n " << n << ", pair " << r << "," << c;
          }
      }
      force_popcount_level(previous);
    }
  }
}

TEST(GenomeMetrics, BitTransposeEqualsPlainLoop) {
  std::mt19937_64 rng(31);
  std::uint64_t rows[64], original[64];
  for (auto& row : rows) row = rng();
  std::copy(std::begin(rows), std::end(rows), original);
  transpose_bits64(rows);
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 64; ++c) ASSERT_EQ((rows[r] >> c) & 1u, (original[c] >> r) & 1u) << r << "," << c;
}

// Variant-major planes against the dosages, on kept sets that end inside words and vectors of
// individuals and windows that end inside words of variants.
TEST(GenomeMetrics, VariantPlanesEqualPlainLoopsOnOddSizes) {
  const std::vector<std::pair<std::int64_t, std::int64_t>> shapes = {{1, 1}, {3, 64}, {65, 65}, {130, 127}, {600, 200}};
  unsigned seed = 40;
  VariantPlanes::Storage reuse(7, ~std::uint64_t{0});  // lent storage holding stale bits
  for (const auto& [n, variants] : shapes) {
    const TestPanel p = random_panel(n, variants, seed);
    std::vector<bool> keep(static_cast<std::size_t>(n));
    std::mt19937 rng(seed++);
    for (std::size_t i = 0; i < keep.size(); ++i) keep[i] = i == 0 || rng() % 5 != 0;
    const VariantPlanes planes = variant_planes(p.view(), keep, std::move(reuse));
    ASSERT_EQ(planes.variants, variants);
    for (std::int64_t v = 0; v < variants; ++v) {
      std::int64_t slot = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        if (!keep[static_cast<std::size_t>(i)]) continue;
        const int dosage = p.view().dosage(i, v);
        ASSERT_EQ((planes.het(v, slot / 64) >> (slot % 64)) & 1u, dosage == 1 ? 1u : 0u) << "n " << n << ", variant " << v;
        ASSERT_EQ((planes.alt(v, slot / 64) >> (slot % 64)) & 1u, dosage == 2 ? 1u : 0u) << "n " << n << ", variant " << v;
        ++slot;
      }
      ASSERT_EQ(slot, planes.individuals);
      for (std::int64_t w = 0; w < 8 * planes.vectors; ++w) {
        const std::uint64_t beyond = w * 64 >= slot ? ~std::uint64_t{0} : slot - w * 64 >= 64 ? 0 : ~std::uint64_t{0} << (slot - w * 64);
        ASSERT_EQ(planes.het(v, w) & beyond, 0u) << "padding of variant " << v;
        ASSERT_EQ(planes.alt(v, w) & beyond, 0u) << "padding of variant " << v;
      }
    }
    reuse = planes.bits;
  }
}

// LD pairs of every popcount build against plain loops over dosages (per variant, its pairs'
// r^2 added in order into per-bin doubles, as the kernel does), on sizes that hit the edges of
// the micro-tiles (rows of 3, columns of 2), the cells (64 x 128 used variants), the 512
// individuals of a vector, unused variants and pairs reaching past the window.
TEST(GenomeMetrics, LdPairKernelsEqualPlainLoopsOnOddSizes) {
  const std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> shapes = {
      {1, 2, 5, 3}, {9, 70, 130, 64}, {37, 513, 400, 197}, {130, 65, 300, 300},
      // Past the AVX2 kernel's widening (every 15 x 512 individuals), with most individuals
      // heterozygous everywhere (bytes 1 to 7 of every word fill the byte tallies) and every 64th
      // (byte 0) as drawn.
      {16000, 20, 24, 24}};
  unsigned seed = 60;
  for (const auto& [n_real, n_synth, variants, own] : shapes) {
    TestPanel real = random_panel(n_real, variants, seed++);
    const TestPanel synth = random_panel(n_synth, variants, seed++);
    if (n_real > 15000) set_genotypes(real, [](std::int64_t i) { return i % 64 == 0 ? -1 : 1; });
    std::vector<double> cm;
    std::vector<bool> use;
    std::mt19937 rng(seed++);
    for (std::int64_t v = 0; v < variants; ++v) {
      cm.push_back(v * 0.003 + (v > variants / 2 ? 0.2 : 0.0));  // a gap in the middle
      use.push_back(rng() % 7 != 0);
    }
    const LdOptions options{0.1, 0.45};
    LdSpan span;
    span.own_variants = own;
    span.cm = cm;
    span.contig.assign(static_cast<std::size_t>(variants), 0);
    for (std::int64_t v = variants - 3; v < variants; ++v) span.contig[static_cast<std::size_t>(v)] = 1;  // a last contig
    span.use = use;
    span.real.append(std::make_shared<const VariantPlanes>(variant_planes(real.view(), std::vector<bool>(static_cast<std::size_t>(n_real), true))));
    span.synthetic.append(std::make_shared<const VariantPlanes>(variant_planes(synth.view(), std::vector<bool>(static_cast<std::size_t>(n_synth), true))));
    // Plain: integer sums over dosages, then r^2 by pair.
    LdPiece expected(options.bins());
    auto sums = [](const TestPanel& p, std::int64_t a, std::int64_t b) {
      DosageSums s;
      s.n = p.individuals;
      for (std::int64_t i = 0; i < p.individuals; ++i) {
        const int x = p.view().dosage(i, a), y = p.view().dosage(i, b);
        s.sx += x; s.sy += y; s.sxx += x * x; s.syy += y * y; s.sxy += x * y;
      }
      return s;
    };
    const auto b = static_cast<std::size_t>(options.bins());
    for (std::int64_t i = 0; i < own; ++i) {
      if (!use[static_cast<std::size_t>(i)]) continue;
      std::vector<double> real_part(b, 0.0), synth_part(b, 0.0);
      std::vector<std::int64_t> real_pairs(b, 0), synth_pairs(b, 0);
      for (std::int64_t j = i + 1; j < variants; ++j) {
        const double d = cm[static_cast<std::size_t>(j)] - cm[static_cast<std::size_t>(i)];
        if (span.contig[static_cast<std::size_t>(j)] != span.contig[static_cast<std::size_t>(i)] || d >= options.max_cm) break;
        if (!use[static_cast<std::size_t>(j)]) continue;
        const auto bin = static_cast<std::size_t>(std::min<int>(options.bins() - 1, static_cast<int>(std::floor(d / options.bin_cm))));
        const double r = genotype_r2(sums(real, i, j)), s = genotype_r2(sums(synth, i, j));
        if (!std::isnan(r)) { real_part[bin] += r; ++real_pairs[bin]; }
        if (!std::isnan(s)) { synth_part[bin] += s; ++synth_pairs[bin]; }
      }
      for (std::size_t k = 0; k < b; ++k) {
        if (real_pairs[k]) expected.real_sum[k].add(real_part[k]);
        if (synth_pairs[k]) expected.synthetic_sum[k].add(synth_part[k]);
        expected.real_pairs[k] += real_pairs[k];
        expected.synthetic_pairs[k] += synth_pairs[k];
      }
    }
    for (int level = 0; level <= supported_popcount_level(); ++level) {
      const int previous = force_popcount_level(level);
      LdPiece piece(options.bins());
      add_ld_pairs(piece, span, options);
      EXPECT_TRUE(serialize(piece) == serialize(expected)) << "build " << level << ", " << n_real << " x " << n_synth << " x " << variants;
      force_popcount_level(previous);
    }
  }
}

TEST(GenomeMetrics, AdversarialAccuracyHandCase) {
  // Two training individuals and two synthetic ones; distances set directly.
  const std::vector<GenomeRole> roles = {GenomeRole::training, GenomeRole::training, GenomeRole::synthetic,
                                         GenomeRole::synthetic};
  NearestRelatives nearest(4);
  nearest.nearest_same_role = {5, 5, 2, 2};   // T-T at 5, S-S at 2
  nearest.nearest_synthetic = {6, 4, 0, 0};   // t0 farther from S than from T, t1 not
  nearest.nearest_training = {0, 0, 3, 1};    // s0 farther from T than from S, s1 not
  const auto aa = adversarial_accuracy(nearest, roles, GenomeRole::training);
  EXPECT_DOUBLE_EQ(aa.aa_truth, 0.5);
  EXPECT_DOUBLE_EQ(aa.aa_synthetic, 0.5);
  EXPECT_DOUBLE_EQ(aa.aats, 0.5);
}

TEST(GenomeMetrics, QuantilesAndSharesHandCases) {
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 0.5), 2.5);             // numpy.percentile(.., 50)
  EXPECT_DOUBLE_EQ(quantile({0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.95), 95.0);
  EXPECT_TRUE(std::isnan(quantile({}, 0.5)));
  EXPECT_DOUBLE_EQ(share_greater({1, 2, 3}, {2}), 0.5);           // 0 + 1/2 + 1 over 3
  EXPECT_DOUBLE_EQ(share_greater({5}, {1, 2, 5, 9}), 2.5 / 4.0);
}

// Standardized blocks (dosage bytes, then a table of three values per column) against
// (g - 2p) * scale element by element: the same doubles, for subsets of individuals in any
// order, blocks that start inside the columns and end short of a thread's share.
TEST(GenomeMetrics, StandardizedBlockEqualsPlainLoopOnOddSizes) {
  const TestPanel p = random_panel(301, 333, 12);
  const std::vector<std::int64_t> counts = alt_allele_counts(p.view(), std::vector<bool>(301, true));
  const PcaColumns columns = pca_columns(p.view(), 3, counts, 602, 0.05);
  const auto selected = static_cast<std::int64_t>(columns.variants.size());
  ASSERT_GT(selected, 40);
  std::vector<std::int64_t> individuals;
  for (std::int64_t i = 300; i >= 0; i -= 3) individuals.push_back(i);
  for (const auto& [first, count] : std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 1}, {5, 17}, {0, selected}, {selected - 3, 3}}) {
    const Eigen::MatrixXd block = standardized_block(columns, individuals, first, count);
    ASSERT_EQ(block.rows(), static_cast<Eigen::Index>(individuals.size()));
    ASSERT_EQ(block.cols(), count);
    for (std::int64_t k = 0; k < count; ++k) {
      const auto j = static_cast<std::size_t>(first + k);
      for (std::size_t i = 0; i < individuals.size(); ++i) {
        const double g = p.view().dosage(individuals[i], columns.variants[j]);
        ASSERT_EQ(block(static_cast<Eigen::Index>(i), k), (g - columns.mean[j]) * columns.scale[j]) << i << "," << k;
      }
    }
  }
}

TEST(GenomeMetrics, RandomizedSvdFindsTheLeadingSingularValues) {
  const TestPanel p = random_panel(60, 400, 7);
  std::vector<std::int64_t> counts = alt_allele_counts(p.view(), std::vector<bool>(60, true));
  const PcaColumns columns = pca_columns(p.view(), 0, counts, 120, 0.05);
  std::vector<std::int64_t> individuals(60);
  for (int i = 0; i < 60; ++i) individuals[static_cast<std::size_t>(i)] = i;
  const Eigen::MatrixXd x = standardized_block(columns, individuals, 0, static_cast<std::int64_t>(columns.variants.size()));
  const Eigen::JacobiSVD<Eigen::MatrixXd> exact(x);
  // Width 60 spans the whole row space: the singular values are exact up to rounding (a random
  // panel's flat spectrum is the slowest case for a narrower range finder).
  Eigen::MatrixXd y = times(columns, individuals, rademacher_rows(9, columns, 60));
  for (int it = 0; it < 2; ++it) y = times(columns, individuals, transpose_times(columns, individuals, orthonormal_basis(y)));
  const Eigen::MatrixXd q = orthonormal_basis(y);
  const Eigen::MatrixXd z = transpose_times(columns, individuals, q);
  const PcaAxes axes = pca_axes(z.transpose() * z, 3);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(axes.singular(c) / exact.singularValues()(c), 1.0, 1e-10);
  EXPECT_NEAR(squared_norm(columns, individuals), x.squaredNorm(), 1e-9 * x.squaredNorm());
  // The matrix bytes round-trip.
  EXPECT_EQ(deserialize_matrix(serialize(q)), q);
}

}  // namespace
}  // namespace sc::metrics
