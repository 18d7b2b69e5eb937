#include "stages/ingest/haplotype_window_bits.hpp"

#include <algorithm>
#include <cstring>

#include "stages/ingest/bit_transpose.hpp"

namespace sc {

HaplotypeWindowBits::HaplotypeWindowBits(int64_t haplotypes, int64_t expected_sites)
    : haplotypes_(haplotypes),
      blocks_(words_for_bits(haplotypes)),
      // At most 64 MiB up front whatever the window length; a longer window grows.
      initial_columns_(std::clamp<int64_t>(words_for_bits(expected_sites), 1, std::max<int64_t>(1, (int64_t{8} << 20) / haplotypes))),
      tile_(static_cast<size_t>(blocks_ * 64), 0),
      staged_(static_cast<size_t>(blocks_ * 64 * kStagedTiles), 0) {}

void HaplotypeWindowBits::accept() {
  if (++in_tile_ < 64) return;
  transpose_tile();
  ++full_tiles_;
  in_tile_ = 0;
}

void HaplotypeWindowBits::reserve_columns(int64_t columns, int64_t keep) {
  if (columns <= columns_) return;
  const int64_t grown = std::max({columns, 2 * columns_, initial_columns_});
  std::vector<uint64_t> bits(static_cast<size_t>(haplotypes_ * grown));
  for (int64_t h = 0; h < haplotypes_ && columns_ > 0 && keep > 0; ++h)
    std::memcpy(&bits[static_cast<size_t>(h * grown)], &bits_[static_cast<size_t>(h * columns_)],
                static_cast<size_t>(keep) * sizeof(uint64_t));
  bits_ = std::move(bits);
  columns_ = grown;
}

void HaplotypeWindowBits::transpose_tile() {
  const int64_t slot = full_tiles_ % kStagedTiles;
  for (int64_t b = 0; b < blocks_; ++b) {
    uint64_t* block = &tile_[static_cast<size_t>(64 * b)];
    transpose_64x64(block);
    const int64_t rows = std::min<int64_t>(64, haplotypes_ - 64 * b);
    uint64_t* out = &staged_[static_cast<size_t>(64 * b * kStagedTiles + slot)];
    for (int64_t j = 0; j < rows; ++j) out[j * kStagedTiles] = block[j];
  }
  if (slot == kStagedTiles - 1) flush_staged(full_tiles_ - slot, kStagedTiles);
}

void HaplotypeWindowBits::flush_staged(int64_t first, int64_t count) {
  reserve_columns(first + count, first);
  const uint64_t* in = staged_.data();
  uint64_t* out = bits_.data() + first;
  if (count == kStagedTiles) {  // the usual case: a whole cache line per row, a fixed-size copy
    for (int64_t h = 0; h < haplotypes_; ++h, in += kStagedTiles, out += columns_)
      std::memcpy(out, in, kStagedTiles * sizeof(uint64_t));
  } else {
    for (int64_t h = 0; h < haplotypes_; ++h, in += kStagedTiles, out += columns_)
      std::memcpy(out, in, static_cast<size_t>(count) * sizeof(uint64_t));
  }
}

std::vector<uint64_t> HaplotypeWindowBits::take() {
  const int64_t sites = this->sites();
  if (in_tile_ > 0) {
    // The last, partial tile: sites past the window's end must read as zero (padding bits), but
    // the row at next_row() may hold a site packed for the next window; it moves to row 0 after.
    std::vector<uint64_t> pending(static_cast<size_t>(blocks_));
    for (int64_t b = 0; b < blocks_; ++b) {
      pending[static_cast<size_t>(b)] = tile_[static_cast<size_t>(64 * b + in_tile_)];
      std::fill(&tile_[static_cast<size_t>(64 * b + in_tile_)], &tile_[static_cast<size_t>(64 * b + 64)], uint64_t{0});
    }
    transpose_tile();
    for (int64_t b = 0; b < blocks_; ++b) tile_[static_cast<size_t>(64 * b)] = pending[static_cast<size_t>(b)];
    const int64_t slot = full_tiles_ % kStagedTiles;
    if (slot != kStagedTiles - 1) flush_staged(full_tiles_ - slot, slot + 1);  // else transpose_tile did
  } else if (full_tiles_ % kStagedTiles != 0) {
    flush_staged(full_tiles_ - full_tiles_ % kStagedTiles, full_tiles_ % kStagedTiles);
  }
  const int64_t words = words_for_bits(sites);
  std::vector<uint64_t> bits = std::move(bits_);
  if (words < columns_) {  // shorter than the room made: close up the rows (each moves down)
    for (int64_t h = 0; h < haplotypes_; ++h)
      std::memmove(&bits[static_cast<size_t>(h * words)], &bits[static_cast<size_t>(h * columns_)],
                   static_cast<size_t>(words) * sizeof(uint64_t));
  }
  bits.resize(static_cast<size_t>(haplotypes_ * words));
  bits_ = {};
  columns_ = full_tiles_ = in_tile_ = 0;
  return bits;
}

}  // namespace sc
