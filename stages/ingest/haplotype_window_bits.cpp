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
      tiles_(static_cast<size_t>(kGroupTiles * blocks_ * 64), 0) {}

void HaplotypeWindowBits::accept() {
  if (++in_tile_ < 64) return;
  const int64_t slot = full_tiles_ % kGroupTiles;
  transpose_tile(slot);
  ++full_tiles_;
  in_tile_ = 0;
  if (slot == kGroupTiles - 1) flush_group(full_tiles_ - kGroupTiles, kGroupTiles);
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

void HaplotypeWindowBits::transpose_tile(int64_t slot) {
  uint64_t* blocks = tile(slot);
  for (int64_t b = 0; b < blocks_; ++b) transpose_64x64(blocks + 64 * b);
}

void HaplotypeWindowBits::flush_group(int64_t first, int64_t count) {
  reserve_columns(first + count, first);
  const int64_t tile_words = blocks_ * 64;
  const uint64_t* in = tiles_.data();
  uint64_t* out = bits_.data() + first;
  if (count == kGroupTiles) {  // the usual case: a whole cache line per row, gathered from the tiles
    for (int64_t h = 0; h < haplotypes_; ++h, out += columns_) {
      const uint64_t* word = in + (h / 64) * 64 + h % 64;
      uint64_t line[kGroupTiles];
      for (int64_t k = 0; k < kGroupTiles; ++k) line[k] = word[k * tile_words];
      std::memcpy(out, line, sizeof line);
    }
  } else {
    for (int64_t h = 0; h < haplotypes_; ++h, out += columns_) {
      const uint64_t* word = in + (h / 64) * 64 + h % 64;
      for (int64_t k = 0; k < count; ++k) out[k] = word[k * tile_words];
    }
  }
}

std::vector<uint64_t> HaplotypeWindowBits::take() {
  const int64_t sites = this->sites();
  const int64_t slot = full_tiles_ % kGroupTiles;
  uint64_t* current = tile(slot);
  // The row at next_row() may hold a site packed for the next window: it moves to the first row
  // of the first tile, where the next window starts.
  std::vector<uint64_t> pending(static_cast<size_t>(blocks_));
  for (int64_t b = 0; b < blocks_; ++b) pending[static_cast<size_t>(b)] = current[64 * b + in_tile_];
  if (in_tile_ > 0) {
    // The last, partial tile: sites past the window's end must read as zero (padding bits).
    for (int64_t b = 0; b < blocks_; ++b) std::fill(current + 64 * b + in_tile_, current + 64 * b + 64, uint64_t{0});
    transpose_tile(slot);
    flush_group(full_tiles_ - slot, slot + 1);
  } else if (slot != 0) {
    flush_group(full_tiles_ - slot, slot);
  }
  for (int64_t b = 0; b < blocks_; ++b) tile(0)[64 * b] = pending[static_cast<size_t>(b)];
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
