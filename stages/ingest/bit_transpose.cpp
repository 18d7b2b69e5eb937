#include "stages/ingest/bit_transpose.hpp"

#include <algorithm>

namespace sc {
namespace {

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

void transpose_64x64(uint64_t block[64]) {
  // Recursive block swap (Hacker's Delight, 7-3, for LSB-first bit order): at width w the
  // off-diagonal w x w sub-blocks of every 2w x 2w block trade places; six rounds of 32 word
  // operations, no branches.
  uint64_t mask = 0x00000000FFFFFFFFull;
  for (int width = 32; width != 0; width >>= 1, mask ^= mask << width) {
    for (int k = 0; k < 64; k = (k + width + 1) & ~width) {
      uint64_t t = ((block[k] >> width) ^ block[k + width]) & mask;
      block[k] ^= t << width;
      block[k + width] ^= t;
    }
  }
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
