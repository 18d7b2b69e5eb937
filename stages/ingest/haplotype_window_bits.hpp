// The haplotype-major bit matrix of one genome window, built while the panel is decoded. The
// reader packs each site's haplotypes straight into a tile of 64 sites (one 64-word block per 64
// haplotypes, a word per site), and every full tile is transposed in place at once, 64x64 bits
// at a time, while it is still in cache: no site-major copy of the whole window is kept, and the
// transpose reads contiguous blocks (bit_transpose.hpp). Eight tiles are kept side by side, and
// when the eighth is transposed each row of the window gets its eight words (one 64-byte cache
// line) from them in one store: the rows lie 1-2 KiB apart, so word stores touched every row's
// page once per tile, and a staging copy of the transposed words cost a second pass over them.
#pragma once

#include <cstdint>
#include <vector>

namespace sc {

class HaplotypeWindowBits {
 public:
  // `expected_sites` sizes the first allocation (the window length); more sites still fit.
  HaplotypeWindowBits(int64_t haplotypes, int64_t expected_sites);

  // Where the reader packs the next site: words_for_bits(haplotypes) words at stride kRowStride.
  static constexpr int64_t kRowStride = 64;
  uint64_t* next_row() { return tile(full_tiles_ % kGroupTiles) + in_tile_; }
  // The site packed at next_row() joins the window.
  void accept();
  int64_t sites() const { return 64 * full_tiles_ + in_tile_; }

  // The window so far as haplotypes rows of words_for_bits(sites()) words (padding bits zero),
  // and a new empty window. A site packed at next_row() but not accepted stays there, for the
  // next window.
  std::vector<uint64_t> take();

 private:
  static constexpr int64_t kGroupTiles = 8;  // 8 words: one cache line of each row
  uint64_t* tile(int64_t slot) { return tiles_.data() + slot * blocks_ * 64; }
  void transpose_tile(int64_t slot);  // each 64x64 block of the tile in place
  // Writes the `count` transposed tiles of the group that starts at column `first` into the rows.
  void flush_group(int64_t first, int64_t count);
  void reserve_columns(int64_t columns, int64_t keep);  // `keep` words of each row survive
  const int64_t haplotypes_, blocks_;
  int64_t columns_ = 0;  // words per row of bits_ (capacity in tiles)
  int64_t initial_columns_;
  // kGroupTiles tiles of blocks_ x 64 words: tile k, block b, site s at [64 (k blocks_ + b) + s];
  // once transposed, [64 (k blocks_ + b) + j] holds 64 sites of haplotype 64 b + j.
  std::vector<uint64_t> tiles_;
  std::vector<uint64_t> bits_;  // haplotypes_ x columns_
  int64_t full_tiles_ = 0, in_tile_ = 0;
};

}  // namespace sc
