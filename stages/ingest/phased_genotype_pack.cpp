#include "stages/ingest/phased_genotype_pack.hpp"

#include <cstring>

#include "stages/ingest/bit_transpose.hpp"

namespace sc {
namespace {

constexpr uint64_t kLowBit = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0xF8F8F8F8F8F8F8F8ull;
constexpr uint64_t kSecondAllele = 0x0100010001000100ull;  // bit 0 of the odd bytes (little endian)

// Bit 2 of each of the 8 bytes of `bytes`, as the 8 bits of the result (byte i -> bit i): the
// allele bits sit one per byte at bit 8i, and the multiplier moves bit 8i to bit 56+i without
// two partial products meeting (8i + 7j + 7 is distinct for all i, j < 8).
inline uint64_t allele_bits(uint64_t bytes) { return (((bytes >> 2) & kLowBit) * 0x0102040810204080ull) >> 56; }

// Non-zero unless every byte is 2..5, i.e. 0b00000_01x or 0b00000_10x: high five bits clear and
// bits 1 and 2 different.
inline uint64_t not_an_allele(uint64_t bytes) { return (bytes & kHighBits) | (~((bytes >> 1) ^ (bytes >> 2)) & kLowBit); }

}  // namespace

bool pack_phased_gt_bytes(const int8_t* gt, int64_t haplotypes, uint64_t* row) {
  static_assert(sizeof(uint64_t) == 8);
  uint64_t bad = 0;
  const int64_t words = words_for_bits(haplotypes);
  for (int64_t word = 0; word < words; ++word) {
    const int64_t first = word * 64;
    const int64_t count = haplotypes - first < 64 ? haplotypes - first : 64;
    uint64_t bits = 0;
    int64_t h = 0;
    for (; h + 8 <= count; h += 8) {  // haplotypes come in pairs and first is even: odd bytes are second alleles
      uint64_t bytes;
      std::memcpy(&bytes, gt + first + h, 8);
      bad |= not_an_allele(bytes) | (~bytes & kSecondAllele);
      bits |= allele_bits(bytes) << h;
    }
    for (; h < count; ++h) {  // the last few haplotypes of the panel
      const uint8_t value = static_cast<uint8_t>(gt[first + h]);
      bad |= static_cast<uint8_t>(value - 2) > 3u;
      if (h & 1) bad |= ~value & 1u;
      bits |= static_cast<uint64_t>((value >> 2) & 1u) << h;
    }
    row[word] = bits;
  }
  return bad == 0;
}

}  // namespace sc
