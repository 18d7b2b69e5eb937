#include "stages/ingest/phased_genotype_pack.hpp"

#include <immintrin.h>

#include <algorithm>
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

// Haplotypes first .. first+count-1 (count <= 64, first a multiple of 64) eight at a time, then one
// by one; adds any problem to `bad`.
inline uint64_t pack_word_portable(const int8_t* gt, int64_t count, uint64_t& bad) {
  uint64_t bits = 0;
  int64_t h = 0;
  for (; h + 8 <= count; h += 8) {  // haplotypes come in pairs and first is even: odd bytes are second alleles
    uint64_t bytes;
    std::memcpy(&bytes, gt + h, 8);
    bad |= not_an_allele(bytes) | (~bytes & kSecondAllele);
    bits |= allele_bits(bytes) << h;
  }
  for (; h < count; ++h) {  // the last few haplotypes of the panel
    const uint8_t value = static_cast<uint8_t>(gt[h]);
    bad |= static_cast<uint8_t>(value - 2) > 3u;
    if (h & 1) bad |= ~value & 1u;
    bits |= static_cast<uint64_t>((value >> 2) & 1u) << h;
  }
  return bits;
}

bool pack_portable(const int8_t* gt, int64_t haplotypes, uint64_t* row, int64_t stride) {
  uint64_t bad = 0;
  for (int64_t word = 0; word < words_for_bits(haplotypes); ++word) {
    const int64_t first = word * 64;
    row[word * stride] = pack_word_portable(gt + first, std::min<int64_t>(64, haplotypes - first), bad);
  }
  return bad == 0;
}

// 32 haplotypes per step: bit 2 of each byte moved to bit 7 for movemask; a byte is an allele
// when value - 2 <= 3 (unsigned), and the odd bytes need bit 0 (phased).
__attribute__((target("avx2"))) bool pack_avx2(const int8_t* gt, int64_t haplotypes, uint64_t* row, int64_t stride) {
  const __m256i two = _mm256_set1_epi8(2), three = _mm256_set1_epi8(3);
  __m256i bad = _mm256_setzero_si256();
  uint32_t unphased = 0;
  uint64_t tail_bad = 0;
  const int64_t words = words_for_bits(haplotypes);
  for (int64_t word = 0; word < words; ++word) {
    const int64_t first = word * 64;
    if (haplotypes - first < 64) {
      row[word * stride] = pack_word_portable(gt + first, haplotypes - first, tail_bad);
      break;
    }
    uint64_t bits = 0;
    for (int half = 0; half < 2; ++half) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(gt + first + 32 * half));
      const __m256i d = _mm256_sub_epi8(x, two);
      bad = _mm256_or_si256(bad, _mm256_xor_si256(_mm256_max_epu8(d, three), three));
      unphased |= ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(x, 7))) & 0xAAAAAAAAu;
      bits |= static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(x, 5)))) << (32 * half);
    }
    row[word * stride] = bits;
  }
  return _mm256_testz_si256(bad, bad) && unphased == 0 && tail_bad == 0;
}

// 64 haplotypes per step, the last ones through a masked load.
__attribute__((target("avx512f,avx512bw"))) bool pack_avx512(const int8_t* gt, int64_t haplotypes, uint64_t* row,
                                                               int64_t stride) {
  const __m512i two = _mm512_set1_epi8(2), three = _mm512_set1_epi8(3), four = _mm512_set1_epi8(4),
                one = _mm512_set1_epi8(1);
  __mmask64 bad = 0;
  const int64_t words = words_for_bits(haplotypes);
  for (int64_t word = 0; word < words; ++word) {
    const int64_t first = word * 64, count = std::min<int64_t>(64, haplotypes - first);
    const __mmask64 valid = count == 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(valid, gt + first);
    bad |= _mm512_mask_cmpgt_epu8_mask(valid, _mm512_sub_epi8(x, two), three);
    bad |= _mm512_mask_testn_epi8_mask(valid & 0xAAAAAAAAAAAAAAAAull, x, one);
    row[word * stride] = _mm512_test_epi8_mask(x, four);
  }
  return bad == 0;
}

}  // namespace

bool pack_phased_gt_bytes(SimdPath path, const int8_t* gt, int64_t haplotypes, uint64_t* row, int64_t stride) {
  switch (path) {
    case SimdPath::avx512: return pack_avx512(gt, haplotypes, row, stride);
    case SimdPath::avx2: return pack_avx2(gt, haplotypes, row, stride);
    case SimdPath::portable: break;
  }
  return pack_portable(gt, haplotypes, row, stride);
}

bool pack_phased_gt_bytes(const int8_t* gt, int64_t haplotypes, uint64_t* row, int64_t stride) {
  return pack_phased_gt_bytes(best_simd_path(), gt, haplotypes, row, stride);
}

}  // namespace sc
