// The per-haplotype bodies of the mosaic kernels, compiled unchanged by the host compiler (CPU
// backend, the reference) and by nvcc (CUDA backend), so that both give the same bits: drawing a
// haplotype's segment list, finding its allele flips, and copying one variant window of it from
// its donors word by word.
#pragma once

#include <cstdint>

#include "kernels/mosaic/mosaic_math.hpp"
#include "kernels/mosaic/mosaic_model.hpp"
#include "kernels/sampling/bucket_index.hpp"

namespace sc::kernels {

// A hint to load the cache line at `p` (host only; nothing on the GPU).
#if defined(__CUDA_ARCH__) || !defined(__GNUC__)
#define SC_MOSAIC_PREFETCH(p) ((void)(p))
#else
#define SC_MOSAIC_PREFETCH(p) __builtin_prefetch(p)
#endif

// Per-haplotype total cM taken from each donor of its population (only with max_donor_cm > 0):
// `used` has one slot per donor of the population and is zeroed by the body before use.
struct DonorLedger {
  double* used = nullptr;
};

// The draws of segments [first, first + N) of one haplotype that do not depend on the previous
// segment: from Philox block (haplotype, k) words 0 and 1 give the coalescent age
// T = theta (E1 + E2) ~ Gamma(2, theta) with E1 + E2 = -log(U1 U2), word 2 the uncapped length
// E3 / (2 rho T) ~ Exp(mean 1/(2 T rho)) cM, word 3 the donor (kept as the word).
template <uint32_t N>
struct SegmentBatch {
  static constexpr uint32_t size = N;
  double age[N];
  double length[N];
  uint32_t donor_word[N];
};

// Age and uncapped length from words 0-2 of a segment's block. `two_rho` is 2 rho (exact).
// The product U1 U2 is rounded once, identically on both sides, and is at least 2^-64: never
// subnormal, nor is U3 (mosaic_cpu_simd.cpp relies on that).
SC_HOST_DEVICE inline void segment_age_length(uint32_t w0, uint32_t w1, uint32_t w2, double theta, double two_rho,
                                              double& age, double& length) {
  age = theta * -mosaic_log(unit_open_closed(w0) * unit_open_closed(w1));
  length = standard_exponential(w2) / (two_rho * age);
}

// The reference batch draw, eight blocks at a time (the CUDA backend's, and the CPU's where no
// vector unit is used): all the Philox rounds first, then the arithmetic, so that the processor
// overlaps eight independent chains of logarithms and divisions (GCC keeps them scalar).
struct ScalarSegmentBatch {
  using Batch = SegmentBatch<8>;
  SC_HOST_DEVICE static void draw(const DrawKey& key, uint64_t haplotype, uint32_t first, double theta, double two_rho,
                                  Batch& out) {
    uint32_t words[3][Batch::size];
    for (uint32_t i = 0; i < Batch::size; ++i) {
      const DrawWords w = draw_words(key, haplotype, first + i);
      words[0][i] = w.w[0];
      words[1][i] = w.w[1];
      words[2][i] = w.w[2];
      out.donor_word[i] = w.w[3];
    }
    for (uint32_t i = 0; i < Batch::size; ++i)
      segment_age_length(words[0][i], words[1][i], words[2][i], theta, two_rho, out.age[i], out.length[i]);
  }
};

// Draws haplotype `haplotype`'s segments, contig by contig, writing the first `capacity` of them
// to `out` (nothing when it is null); returns how many there are. Segment k (counted across
// contigs) uses Philox block (haplotype, k) as SegmentBatch says. The donor is
// never the previous segment's (so that max_segment_cm caps one piece from one donor), nor one
// whose total in this haplotype has reached max_donor_cm: such a draw moves on to the next donor
// of the population in list order. A segment is cut to max_segment_cm and to what its donor has
// left under max_donor_cm. The host checks beforehand that the caps leave room to cover every
// contig (mosaic_caps_problem), so the loop always ends.
// The draws that do not depend on the previous segment are made a batch of blocks ahead by
// `Drawer` (ScalarSegmentBatch, or the CPU's vector version, which gives the same bits: the batch
// size changes only how many blocks are drawn past a haplotype's last segment, never used).
template <class Drawer = ScalarSegmentBatch>
SC_HOST_DEVICE inline int64_t draw_haplotype_segments(const MosaicView& v, int64_t haplotype, MosaicSegment* out,
                                                      int64_t capacity, DonorLedger ledger) {
  const MosaicPopulation population = v.populations[v.individual_population[haplotype / 2]];
  const uint32_t donor_count = static_cast<uint32_t>(population.donor_count);
  const bool capped = v.max_donor_cm > 0 && ledger.used != nullptr;
  if (capped)
    for (uint32_t d = 0; d < donor_count; ++d) ledger.used[d] = 0.0;
  const DrawKey key{v.seed, DrawPurpose::mosaic_segment, 0};
  const double two_rho = 2.0 * population.rho;  // exact: what 2.0 * rho * T computed first
  uint32_t k = 0, batch_first = 0, batch_end = 0;
  typename Drawer::Batch batch;
  int64_t count = 0;
  for (int32_t c = 0; c < v.contig_count; ++c) {
    const MosaicContig contig = v.contigs[c];
    if (contig.variants <= 0) continue;
    double position = contig.first_cm;
    uint32_t previous = donor_count;  // none
    do {
      if (k == batch_end) {
        batch_first = k;
        batch_end = k + Drawer::Batch::size;
        Drawer::draw(key, static_cast<uint64_t>(haplotype), batch_first, population.theta, two_rho, batch);
      }
      const uint32_t slot = k++ - batch_first;
      const double age = batch.age[slot];
      double length = batch.length[slot];
      if (v.max_segment_cm > 0 && length > v.max_segment_cm) length = v.max_segment_cm;
      uint32_t donor = scaled_index(batch.donor_word[slot], donor_count);
      for (uint32_t step = 0; step < donor_count; ++step) {
        const bool free_of_cap = !capped || ledger.used[donor] < v.max_donor_cm;
        if (donor != previous && free_of_cap) break;
        donor = donor + 1 == donor_count ? 0 : donor + 1;
      }
      if (capped) {
        const double left = v.max_donor_cm - ledger.used[donor];
        if (length > left) length = left;
        ledger.used[donor] += length;
      }
      const double end = position + length;
      if (out != nullptr && count < capacity) {
        MosaicSegment segment;
        segment.start_cm = position;
        segment.end_cm = end;
        segment.age = age;
        segment.donor = v.donors[population.donor_first + donor];
        segment.contig = c;
        out[count] = segment;
      }
      ++count;
      previous = donor;
      position = end;
    } while (position <= contig.last_cm);
  }
  return count;
}

// The global variant index of haplotype `haplotype`'s flip number `j`, given flip j-1 at
// `previous` (-1 before the first): previous + 1 + G with G ~ Geometric(mutation_rate) by
// inversion, floor(log U / log(1 - mu)). Returns total_variants once past the last variant.
SC_HOST_DEVICE inline int64_t next_flip(const MosaicView& v, int64_t haplotype, uint32_t j, int64_t previous) {
  if (!(v.mutation_rate > 0)) return v.total_variants;
  const DrawWords w = draw_words(DrawKey{v.seed, DrawPurpose::mosaic_mutation, 0}, static_cast<uint64_t>(haplotype), j);
  const double gap = mosaic_log(unit_open_closed_53(w.w[0], w.w[1])) / v.log_keep;
  if (!(gap < static_cast<double>(v.total_variants - previous))) return v.total_variants;
  const int64_t next = previous + 1 + static_cast<int64_t>(gap);
  return next < v.total_variants ? next : v.total_variants;
}

// One variant window of the reference panel: `rows` haplotype rows of `words` 64-bit words.
struct ReferenceWindowView {
  const uint64_t* bits = nullptr;
  int64_t rows = 0, words = 0, variants = 0;
  int64_t first_variant = 0;  // global index of the window's first variant
  int32_t contig = 0;         // a window holds one contig
  const double* cm = nullptr;  // variants genetic positions
  // HAPNEST's allele-age rule, off while null (see apply_allele_ages): per window variant the age
  // of its derived allele in generations (+infinity where the age file has none), and the
  // ancestral allele as bits laid out like a haplotype row (1 where ALT is the ancestral allele).
  const double* allele_age = nullptr;
  const uint64_t* ancestral = nullptr;
  // Optional cM -> variant index (null: a binary search over all of cm; see cm_bucket): entry b of
  // its cm_buckets + 1 entries is the first variant whose bucket is b or more.
  const int32_t* cm_bucket_first = nullptr;
  int64_t cm_buckets = 0;
  double cm_bucket_scale = 0;  // buckets per cM, > 0 and finite (0 with one bucket)
};

// The bucket of genetic position x in the window's cM index (bucket_index.hpp says why a search
// within it finds the variant a binary search over the whole window finds).
SC_HOST_DEVICE inline int64_t cm_bucket(const ReferenceWindowView& window, double x) {
  return bucket_of(x, window.cm[0], window.cm_bucket_scale, window.cm_buckets);
}

// HAPNEST's allele-age rule on window variants [first, last), copied from a segment whose
// coalescent age is T generations (Wharrie et al. 2023, Bioinformatics 39:btad535): where the
// derived allele is not older than T (age <= T) it arose on the donor's lineage after the
// synthetic haplotype split from it, so the synthetic haplotype carries the ancestral allele.
// Only comparisons of the stored doubles: the same bits on every backend.
SC_HOST_DEVICE inline void apply_allele_ages(const ReferenceWindowView& window, double coalescent_age, int64_t first,
                                             int64_t last, uint64_t* row) {
  if (window.allele_age == nullptr) return;
  for (int64_t i = first; i < last; ++i) {
    if (!(window.allele_age[i] <= coalescent_age)) continue;
    const uint64_t bit = uint64_t{1} << (i % 64);
    row[i / 64] = (row[i / 64] & ~bit) | (window.ancestral[i / 64] & bit);
  }
}

// Copies bits [first, last) of `source` into `target` (same bit positions), word by word.
SC_HOST_DEVICE inline void copy_bit_range(const uint64_t* source, uint64_t* target, int64_t first, int64_t last) {
  if (first >= last) return;
  const int64_t first_word = first / 64, last_word = (last - 1) / 64;
  const uint64_t head = ~uint64_t{0} << (first % 64);
  const uint64_t tail = ~uint64_t{0} >> (63 - (last - 1) % 64);
  if (first_word == last_word) {
    const uint64_t mask = head & tail;
    target[first_word] = (target[first_word] & ~mask) | (source[first_word] & mask);
    return;
  }
  target[first_word] = (target[first_word] & ~head) | (source[first_word] & head);
  for (int64_t w = first_word + 1; w < last_word; ++w) target[w] = source[w];
  target[last_word] = (target[last_word] & ~tail) | (source[last_word] & tail);
}

// Fills `row` (window.words words, zeroed beyond the window's variants) with haplotype
// `haplotype`'s alleles in the window: its segments' donor bits (with the allele-age rule where
// the window carries ages), then its flips. `start_guess` is where the search for the window's
// first segment starts (-1: the window's share of the list); returns the index of the last segment
// copied, a good guess for the next window of the contig. Any guess gives the same bits.
SC_HOST_DEVICE inline int64_t copy_haplotype_window(const MosaicView& v, const ReferenceWindowView& window,
                                                    const MosaicSegment* segments, int64_t segment_count,
                                                    int64_t haplotype, uint64_t* row, int64_t start_guess = -1) {
  // A local bound: with window.words the compiler must reload it after every store to row (they
  // could alias) and cannot turn the loop into vector stores.
  const int64_t words = window.words;
  for (int64_t w = 0; w < words; ++w) row[w] = 0;
  if (window.variants <= 0) return start_guess;
  // The first segment of this contig that ends after the window's first variant.
  // Both searches are branch-free (the halving is a select, not a jump): their outcomes are
  // unpredictable, and mispredicted branches were most of the copy's time.
  // The first one is found by galloping from a guess (where the previous window's copy ended, or
  // the window's share of all variants), not by halving the whole list: the lists do not fit in
  // cache, and halving fetches ~10 lines of memory per haplotype and window where the guess is
  // usually on the right line. Any guess gives the same segment.
  const double first_cm = window.cm[0];
  auto before = [&](int64_t k) {
    const MosaicSegment& s = segments[k];
    return (s.contig < window.contig) | ((s.contig == window.contig) & (s.end_cm <= first_cm));
  };
  int64_t lo = 0, span = segment_count;  // the answer lies in [lo, lo + span]
  const int64_t guess = start_guess >= 0 ? start_guess
                        : v.total_variants > 0 ? segment_count * window.first_variant / v.total_variants : 0;
  if (guess < segment_count) {
    int64_t step = 1;
    if (before(guess)) {
      int64_t known = guess;  // before(known) holds
      while (known + step < segment_count && before(known + step)) {
        known += step;
        step *= 2;
      }
      lo = known + 1;
      span = (known + step < segment_count ? known + step : segment_count) - lo;
    } else {
      int64_t known = guess;  // !before(known)
      while (known - step >= 0 && !before(known - step)) {
        known -= step;
        step *= 2;
      }
      lo = known - step >= 0 ? known - step + 1 : 0;
      span = known - lo;
    }
  }
  while (span > 0) {
    const int64_t half = span / 2;
    const bool is_before = before(lo + half);
    lo = is_before ? lo + half + 1 : lo;
    span = is_before ? span - half - 1 : half;
  }
  // The segments' variant ranges in chunks: first the searches for their ends (they touch only the
  // window's cM, which stays in cache) with a prefetch of the start of each range's donor row,
  // then the copies. The donor rows are random rows of a reference window larger than the caches:
  // prefetched together their loads overlap, where one copy after another waited for each in turn.
  constexpr int kChunk = 16;
  const bool indexed = window.cm_bucket_first != nullptr;
  int64_t first = 0, k = lo, last_copied = lo;
  while (k < segment_count && first < window.variants && segments[k].contig == window.contig) {
    int64_t range_first[kChunk], range_end[kChunk];
    const MosaicSegment* piece[kChunk];
    int n = 0;
    for (; n < kChunk && k < segment_count && first < window.variants && segments[k].contig == window.contig; ++n, ++k) {
      // The segment covers the variants before the first one at or beyond its end.
      const double end = segments[k].end_cm;
      int64_t a = first, count = window.variants - first;
      if (indexed) {  // only within the end's bucket (cm_bucket says why that is exact)
        const int64_t b = cm_bucket(window, end);
        const int64_t bucket_first = window.cm_bucket_first[b], bucket_last = window.cm_bucket_first[b + 1];
        a = bucket_first > first ? bucket_first : first;
        count = bucket_last > a ? bucket_last - a : 0;
      }
      while (count > 0) {
        const int64_t half = count / 2;
        const bool below = window.cm[a + half] < end;
        a = below ? a + half + 1 : a;
        count = below ? count - half - 1 : half;
      }
      const uint64_t* donor_row = window.bits + static_cast<int64_t>(segments[k].donor) * window.words;
      for (int64_t word = first / 64; word <= (a - 1) / 64 && word < first / 64 + 32; word += 8)
        SC_MOSAIC_PREFETCH(donor_row + word);
      range_first[n] = first;
      range_end[n] = a;
      piece[n] = &segments[k];
      first = a;
    }
    last_copied = k - 1;
    for (int i = 0; i < n; ++i) {
      copy_bit_range(window.bits + static_cast<int64_t>(piece[i]->donor) * window.words, row, range_first[i], range_end[i]);
      apply_allele_ages(window, piece[i]->age, range_first[i], range_end[i], row);
    }
  }
  const int64_t window_end = window.first_variant + window.variants;
  int64_t flip = -1;
  for (uint32_t j = 0;; ++j) {
    flip = next_flip(v, haplotype, j, flip);
    if (flip >= window_end) break;
    if (flip >= window.first_variant) {
      const int64_t local = flip - window.first_variant;
      row[local / 64] ^= uint64_t{1} << (local % 64);
    }
  }
  return last_copied;
}

}  // namespace sc::kernels
