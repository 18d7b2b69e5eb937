// Bit-matrix transposition for genome windows. VCF delivers a window site by site, but the store
// keeps it haplotype-major (one row of bits per haplotype, so that copying a haplotype segment
// is a word copy; DESIGN.md, "Genomes"). Ingest packs each site into a row of bits, one per
// haplotype, and turns the window's site-major bit matrix into the haplotype-major one with a
// 64x64 bit-block transpose: 64 sites x 64 haplotypes at a time, in registers.
//
// Bit order everywhere is LSB first: bit j of word w is element 64*w + j.
#pragma once

#include <cstdint>
#include <vector>

#include "stages/ingest/simd_path.hpp"

namespace sc {

// Transposes a 64x64 bit matrix in place: afterwards bit i of block[j] is what bit j of
// block[i] was. With AVX-512 or AVX2 where the CPU has them (simd_path.hpp); the second form
// takes the given path (tests compare them).
void transpose_64x64(uint64_t block[64]);
void transpose_64x64(SimdPath path, uint64_t block[64]);

// Words needed for `bits` bits.
constexpr int64_t words_for_bits(int64_t bits) { return (bits + 63) / 64; }

// `site_major` holds `sites` rows of words_for_bits(haplotypes) words: bit h of row s is the
// allele of haplotype h at site s. Returns the haplotype-major matrix: `haplotypes` rows of
// words_for_bits(sites) words, bit s of row h set when site_major's bit h of row s is. Padding
// bits past the last site of a row are zero.
std::vector<uint64_t> site_major_to_haplotype_major(const std::vector<uint64_t>& site_major, int64_t sites,
                                                    int64_t haplotypes);

// The inverse, for export: haplotype-major rows back to one row of haplotype bits per site.
std::vector<uint64_t> haplotype_major_to_site_major(const std::vector<uint64_t>& haplotype_major, int64_t sites,
                                                    int64_t haplotypes);

}  // namespace sc
