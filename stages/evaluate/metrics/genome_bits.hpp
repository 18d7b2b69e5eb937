// Views of one genome window's bit-packed haplotypes (the store's haplotype-major layout,
// stages/ingest/genome_store.hpp: row h = haplotype h, bit v of a row = ALT allele at variant v,
// rows 2i and 2i+1 are individual i) turned into the layouts the genome metrics count in:
//  - genotype planes, individual-major (kinship and distances): per individual and 64-variant
//    word, `het` (one ALT allele) and `alt` (two) bits, so that a pair's
//    heterozygous-both and opposite-homozygote counts are AND + popcount over words;
//  - the same planes variant-major (LD): per variant, `het` and `alt` bits of the chosen
//    individuals, so that the sum of dosage products of two variants is three popcounts per word.
// Pure computation on spans: no store, no MPI (the evaluate stage feeds it windows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

// The popcount loops (kinship pair counts, LD cross sums) are compiled for several instruction
// sets and SC_POPCOUNT_DISPATCH picks one at run time: AVX-512 with VPOPCNTQ (eight words per
// instruction), AVX2 with the nibble-table popcount of Mula et al. (per-byte counts from two
// VPSHUFB lookups, summed by VPSADBW: twice POPCNT's rate on a Zen 2 EPYC, for CPUs without
// AVX-512 such as the Zen 2 and Zen 3 EPYCs of many supercomputers), POPCNT on one word at a time,
// and the baseline. All count the same integers.
#if defined(__x86_64__)
#define SC_POPCOUNT_VECTOR __attribute__((target("avx512f,avx512vpopcntdq,popcnt")))
#define SC_POPCOUNT_AVX2 __attribute__((target("avx2,popcnt")))
#define SC_POPCOUNT_SCALAR __attribute__((target("popcnt")))
#else
#define SC_POPCOUNT_VECTOR
#define SC_POPCOUNT_AVX2
#define SC_POPCOUNT_SCALAR
#endif
#define SC_POPCOUNT_DISPATCH(vector_call, avx2_call, scalar_call, fallback_call) \
  do {                                                                          \
    const int sc_popcount_level_ = ::sc::metrics::popcount_level();             \
    if (sc_popcount_level_ == 3) vector_call;                                   \
    else if (sc_popcount_level_ == 2) avx2_call;                                \
    else if (sc_popcount_level_ == 1) scalar_call;                              \
    else fallback_call;                                                         \
  } while (0)

namespace sc::metrics {

// Allocates on 64-byte cache lines (the AVX-512 loads of GenotypePlanes).
template <class T>
struct LineAlignedAllocator {
  using value_type = T;
  LineAlignedAllocator() = default;
  template <class U>
  LineAlignedAllocator(const LineAlignedAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
  bool operator==(const LineAlignedAllocator&) const { return true; }
};

// The popcount build in use: 3 = AVX-512 VPOPCNTQ, 2 = AVX2, 1 = POPCNT, 0 = baseline; the best the CPU
// has unless a test forced a lower one (force_popcount_level, which returns the previous level).
int popcount_level();
int supported_popcount_level();
int force_popcount_level(int level);

// One window's haplotypes as stored: `haplotypes` rows of `words` words each.
struct HaplotypeBits {
  std::span<const std::uint64_t> bits;
  std::int64_t haplotypes = 0;
  std::int64_t variants = 0;
  std::int64_t words() const { return (variants + 63) / 64; }
  const std::uint64_t* row(std::int64_t h) const { return bits.data() + h * words(); }
  int allele(std::int64_t h, std::int64_t v) const { return static_cast<int>((row(h)[v / 64] >> (v % 64)) & 1u); }
  // ALT alleles of individual i at variant v: 0, 1 or 2.
  int dosage(std::int64_t i, std::int64_t v) const { return allele(2 * i, v) + allele(2 * i + 1, v); }
};

// Genotype planes of a list of individuals over one window, laid out for the pair kernel
// (genome_relatedness.cpp): per individual, `vectors` blocks of 16 words, the first 8 the `het`
// bits (one ALT allele) of 8 consecutive 64-variant words, the next 8 the `alt` bits (two ALT
// alleles) of the same words; homozygous-reference is neither. Blocks start on 64-byte lines, so
// that one aligned AVX-512 load reads a plane's 8 words. Bits past the last variant (and the
// words past the last in the last block) are zero in both planes, so they never count.
// Two planes, not three: the pair kernel's opposite homozygotes are
// (alt_a XOR alt_b) AND NOT (het_a OR het_b), as many operations as with a `ref` plane and a
// third less memory.
struct GenotypePlanes {
  static constexpr std::int64_t kBlockWords = 16;
  std::int64_t individuals = 0;
  std::int64_t words = 0;    // 64-variant words
  std::int64_t vectors = 0;  // blocks of 8 words: (words + 7) / 8
  std::vector<std::uint64_t, LineAlignedAllocator<std::uint64_t>> bits;  // individuals x vectors x 16
  const std::uint64_t* individual(std::int64_t i) const { return bits.data() + i * vectors * kBlockWords; }
  std::uint64_t het(std::int64_t i, std::int64_t w) const { return individual(i)[(w / 8) * kBlockWords + w % 8]; }
  std::uint64_t alt(std::int64_t i, std::int64_t w) const { return individual(i)[(w / 8) * kBlockWords + 8 + w % 8]; }
};

// Planes of the individuals `first` .. `first + count - 1` of `window`.
GenotypePlanes genotype_planes(const HaplotypeBits& window, std::int64_t first, std::int64_t count);

// Planes of every individual of each part in turn (parts of one window: same variants): the
// evaluation's combined list of real and synthetic individuals. Built in parallel.
GenotypePlanes genotype_planes(std::span<const HaplotypeBits> parts);

// Variant-major genotype planes of the individuals flagged in `keep` (one flag per individual of
// the window), for LD: per variant, `vectors` blocks of 16 words, the first 8 the `het` bits of
// 8 consecutive 64-individual words (bit k of word w: the (64 w + k)-th kept individual is
// heterozygous), the next 8 the `alt` bits (homozygous ALT). The dosage of individual k is
// het + 2 alt, so a sum of dosage products over individuals is three popcounts per word
// (genome_ld.cpp). Bits past the last kept individual are zero in both planes.
struct VariantPlanes {
  static constexpr std::int64_t kBlockWords = 16;
  using Storage = std::vector<std::uint64_t, LineAlignedAllocator<std::uint64_t>>;
  std::int64_t variants = 0;
  std::int64_t individuals = 0;  // kept individuals
  std::int64_t words = 0;        // 64-individual words
  std::int64_t vectors = 0;      // blocks of 8 words: (words + 7) / 8
  Storage bits;                  // variants x vectors x 16
  const std::uint64_t* variant(std::int64_t v) const { return bits.data() + v * vectors * kBlockWords; }
  std::uint64_t het(std::int64_t v, std::int64_t w) const { return variant(v)[(w / 8) * kBlockWords + w % 8]; }
  std::uint64_t alt(std::int64_t v, std::int64_t w) const { return variant(v)[(w / 8) * kBlockWords + 8 + w % 8]; }
};

// Built by 64 x 64 bit-matrix transposes of the individual-major planes (each block of 64 kept
// individuals x 64 variants once), in parallel over blocks of individuals. `reuse` lends the
// storage of planes no longer needed, so that a long run does not clear fresh pages per window.
VariantPlanes variant_planes(const HaplotypeBits& window, const std::vector<bool>& keep,
                             VariantPlanes::Storage reuse = {});

// Transposes a 64 x 64 bit matrix in place: afterwards bit c of rows[r] is what bit r of rows[c]
// was.
void transpose_bits64(std::uint64_t* rows);

}  // namespace sc::metrics
