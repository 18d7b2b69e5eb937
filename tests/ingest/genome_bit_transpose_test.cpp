// The 64x64 bit-block transpose and the window transposition built on it, against a bit-by-bit
// reference, for shapes that are and are not multiples of 64 (padding bits must stay zero: the
// store's digests cover them).
#include <gtest/gtest.h>

#include <random>

#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/haplotype_window_bits.hpp"

namespace {

bool bit(const std::vector<uint64_t>& m, int64_t row, int64_t col, int64_t words_per_row) {
  return (m[static_cast<size_t>(row * words_per_row + col / 64)] >> (col % 64)) & 1u;
}

std::vector<uint64_t> random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t words = sc::words_for_bits(cols);
  std::vector<uint64_t> m(static_cast<size_t>(rows * words));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t w = 0; w < words; ++w) {
      uint64_t x = rng();
      const int64_t used = std::min<int64_t>(64, cols - 64 * w);
      if (used < 64) x &= (uint64_t{1} << used) - 1;  // the writer's padding is zero too
      m[static_cast<size_t>(r * words + w)] = x;
    }
  return m;
}

}  // namespace

TEST(BitTranspose, Block64MatchesBitByBit) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    uint64_t block[64], original[64];
    for (auto& w : original) w = rng();
    std::copy(original, original + 64, block);
    sc::transpose_64x64(block);
    for (int i = 0; i < 64; ++i)
      for (int j = 0; j < 64; ++j)
        ASSERT_EQ((block[j] >> i) & 1u, (original[i] >> j) & 1u) << "row " << i << " col " << j;
    sc::transpose_64x64(block);
    EXPECT_TRUE(std::equal(block, block + 64, original)) << "transposing twice gives the block back";
  }
}

TEST(BitTranspose, SingleBitsLandWhereExpected) {
  // A lone set bit at (i, j) must move to (j, i): catches a transpose of the wrong diagonal.
  for (int i : {0, 1, 31, 32, 63})
    for (int j : {0, 5, 32, 62, 63}) {
      uint64_t block[64] = {};
      block[i] = uint64_t{1} << j;
      sc::transpose_64x64(block);
      for (int k = 0; k < 64; ++k) EXPECT_EQ(block[k], k == j ? uint64_t{1} << i : 0u) << i << "," << j;
    }
}

TEST(BitTranspose, WindowsOfAnyShapeRoundTrip) {
  const std::pair<int64_t, int64_t> shapes[] = {{1, 1}, {1, 130}, {64, 64}, {63, 65}, {65, 63}, {200, 130}, {1000, 7}};
  uint64_t seed = 1;
  for (auto [sites, haplotypes] : shapes) {
    const auto site_major = random_matrix(sites, haplotypes, seed++);
    const auto hap_major = sc::site_major_to_haplotype_major(site_major, sites, haplotypes);
    const int64_t hw = sc::words_for_bits(haplotypes), sw = sc::words_for_bits(sites);
    ASSERT_EQ(hap_major.size(), static_cast<size_t>(haplotypes * sw));
    for (int64_t s = 0; s < sites; ++s)
      for (int64_t h = 0; h < haplotypes; ++h)
        ASSERT_EQ(bit(hap_major, h, s, sw), bit(site_major, s, h, hw)) << sites << "x" << haplotypes;
    // Padding past the last site of each haplotype row is zero.
    if (sites % 64) {
      for (int64_t h = 0; h < haplotypes; ++h) EXPECT_EQ(hap_major[static_cast<size_t>(h * sw + sw - 1)] >> (sites % 64), 0u);
    }
    EXPECT_EQ(sc::haplotype_major_to_site_major(hap_major, sites, haplotypes), site_major);
  }
}

TEST(BitTranspose, EverySimdPathAgreesWithPortable) {
  std::mt19937_64 rng(9);
  for (sc::SimdPath path : sc::available_simd_paths())
    for (int trial = 0; trial < 50; ++trial) {
      uint64_t block[64], expected[64];
      for (auto& w : block) w = trial % 5 == 0 ? uint64_t{1} << (rng() % 64) : rng();
      std::copy(block, block + 64, expected);
      sc::transpose_64x64(sc::SimdPath::portable, expected);
      sc::transpose_64x64(path, block);
      ASSERT_TRUE(std::equal(block, block + 64, expected)) << sc::to_string(path) << " trial " << trial;
    }
}

TEST(BitTranspose, WindowBitsBuiltTileByTileMatchTheWholeTranspose) {
  // HaplotypeWindowBits (the decoder's path) against site_major_to_haplotype_major, for window
  // lengths around the 64-site tile and the first allocation, with a site packed for the next
  // window pending at each take().
  uint64_t seed = 100;
  for (int64_t haplotypes : {2, 64, 70, 130})
    for (int64_t expected_sites : {1, 64, 100})
      for (int64_t sites : {1, 63, 64, 65, 128, 129, 300, 511, 512, 513, 1100}) {
        sc::HaplotypeWindowBits bits(haplotypes, expected_sites);
        for (int round = 0; round < 2; ++round) {
          const std::vector<uint64_t> site_major = random_matrix(sites, haplotypes, ++seed);
          const int64_t words = sc::words_for_bits(haplotypes);
          for (int64_t s = 0; s < sites; ++s) {
            uint64_t* row = bits.next_row();
            if (s == 0 && round > 0) {  // the pending site of the last round must be this one
              for (int64_t w = 0; w < words; ++w)
                ASSERT_EQ(row[w * sc::HaplotypeWindowBits::kRowStride], site_major[static_cast<size_t>(w)]);
            }
            for (int64_t w = 0; w < words; ++w)
              row[w * sc::HaplotypeWindowBits::kRowStride] = site_major[static_cast<size_t>(s * words + w)];
            bits.accept();
          }
          EXPECT_EQ(bits.sites(), sites);
          // Pack the first site of the next round before taking: it must survive the take().
          const std::vector<uint64_t> next = random_matrix(sites, haplotypes, seed + 1);
          uint64_t* pending = bits.next_row();
          for (int64_t w = 0; w < words; ++w) pending[w * sc::HaplotypeWindowBits::kRowStride] = next[static_cast<size_t>(w)];
          ASSERT_EQ(bits.take(), sc::site_major_to_haplotype_major(site_major, sites, haplotypes))
              << haplotypes << " haplotypes, " << sites << " sites, sized for " << expected_sites;
          EXPECT_EQ(bits.sites(), 0);
        }
      }
}
