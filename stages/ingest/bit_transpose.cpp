#include "stages/ingest/bit_transpose.hpp"

#include <algorithm>
#include <cstring>

namespace sc {
namespace {

// Recursive block swap (Hacker's Delight, 7-3, for LSB-first bit order): at width w the
// off-diagonal w x w sub-blocks of every 2w x 2w block trade places; six rounds of 32 word
// operations, no branches.
void transpose_portable(uint64_t block[64]) {
  uint64_t mask = 0x00000000FFFFFFFFull;
  for (int width = 32; width != 0; width >>= 1, mask ^= mask << width) {
    for (int k = 0; k < 64; k = (k + width + 1) & ~width) {
      uint64_t t = ((block[k] >> width) ^ block[k + width]) & mask;
      block[k] ^= t << width;
      block[k + width] ^= t;
    }
  }
}

// The same rounds on eight vectors of eight words (GCC vector extensions, compiled below for
// AVX-512 and for AVX2). Widths 32, 16 and 8 pair words of different vectors; widths 4, 2 and 1
// pair lanes of one vector, brought together by a lane shuffle: the lower lane of a pair takes
// the partner's bits shifted down, the upper lane the lower's shifted up.
typedef uint64_t Lanes __attribute__((vector_size(64)));
typedef int64_t LaneIndex __attribute__((vector_size(64)));

__attribute__((always_inline)) inline void swap_across(Lanes& low, Lanes& high, int width, uint64_t mask) {
  const Lanes t = ((low >> width) ^ high) & mask;
  low ^= t << width;
  high ^= t;
}

__attribute__((always_inline)) inline void swap_within(Lanes& x, LaneIndex partner, Lanes lower, int width, uint64_t mask) {
  const Lanes y = __builtin_shuffle(x, partner);
  const Lanes from_lower = ((x >> width) ^ y) & mask;  // meaningful in the lower lanes
  const Lanes from_upper = ((y >> width) ^ x) & mask;  // in the upper lanes
  x ^= ((from_lower << width) & lower) | (from_upper & ~lower);
}

__attribute__((always_inline)) inline void transpose_lanes(uint64_t block[64]) {
  Lanes v[8];
  std::memcpy(v, block, sizeof v);
  for (int i = 0; i < 4; ++i) swap_across(v[i], v[i + 4], 32, 0x00000000FFFFFFFFull);
  for (int i : {0, 1, 4, 5}) swap_across(v[i], v[i + 2], 16, 0x0000FFFF0000FFFFull);
  for (int i : {0, 2, 4, 6}) swap_across(v[i], v[i + 1], 8, 0x00FF00FF00FF00FFull);
  const uint64_t all = ~uint64_t{0};
  for (Lanes& x : v) {
    swap_within(x, LaneIndex{4, 5, 6, 7, 0, 1, 2, 3}, Lanes{all, all, all, all, 0, 0, 0, 0}, 4, 0x0F0F0F0F0F0F0F0Full);
    swap_within(x, LaneIndex{2, 3, 0, 1, 6, 7, 4, 5}, Lanes{all, all, 0, 0, all, all, 0, 0}, 2, 0x3333333333333333ull);
    swap_within(x, LaneIndex{1, 0, 3, 2, 5, 4, 7, 6}, Lanes{all, 0, all, 0, all, 0, all, 0}, 1, 0x5555555555555555ull);
  }
  std::memcpy(block, v, sizeof v);
}

__attribute__((target("avx512f"))) void transpose_avx512(uint64_t block[64]) { transpose_lanes(block); }
__attribute__((target("avx2"))) void transpose_avx2(uint64_t block[64]) { transpose_lanes(block); }


// Transposes a rows x cols bit matrix (rows of words_for_bits(cols) words) into cols x rows.
// Blocks of 64 rows x 64 columns are gathered into registers, transposed and scattered; rows and
// columns past the matrix edge read as zero and are not written, so padding bits stay zero.
std::vector<uint64_t> transpose_bits(const std::vector<uint64_t>& in, int64_t rows, int64_t cols) {
  const int64_t in_words = words_for_bits(cols), out_words = words_for_bits(rows);
  std::vector<uint64_t> out(static_cast<size_t>(cols * out_words), 0);
  uint64_t block[64];
  for (int64_t row_block = 0; row_block < out_words; ++row_block) {
    const int64_t first_row = row_block * 64;
    const int64_t block_rows = std::min<int64_t>(64, rows - first_row);
    for (int64_t col_block = 0; col_block < in_words; ++col_block) {
      for (int64_t i = 0; i < block_rows; ++i) block[i] = in[static_cast<size_t>((first_row + i) * in_words + col_block)];
      std::fill(block + block_rows, block + 64, uint64_t{0});
      transpose_64x64(block);
      const int64_t first_col = col_block * 64;
      const int64_t block_cols = std::min<int64_t>(64, cols - first_col);
      for (int64_t j = 0; j < block_cols; ++j) out[static_cast<size_t>((first_col + j) * out_words + row_block)] = block[j];
    }
  }
  return out;
}

}  // namespace

void transpose_64x64(uint64_t block[64]) { transpose_64x64(best_simd_path(), block); }

void transpose_64x64(SimdPath path, uint64_t block[64]) {
  switch (path) {
    case SimdPath::avx512: transpose_avx512(block); return;
    case SimdPath::avx2: transpose_avx2(block); return;
    case SimdPath::portable: break;
  }
  transpose_portable(block);
}

std::vector<uint64_t> site_major_to_haplotype_major(const std::vector<uint64_t>& site_major, int64_t sites,
                                                    int64_t haplotypes) {
  return transpose_bits(site_major, sites, haplotypes);
}

std::vector<uint64_t> haplotype_major_to_site_major(const std::vector<uint64_t>& haplotype_major, int64_t sites,
                                                    int64_t haplotypes) {
  return transpose_bits(haplotype_major, haplotypes, sites);
}

}  // namespace sc
