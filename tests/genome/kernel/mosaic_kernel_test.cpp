// The mosaic kernels on a small random panel (2 populations, 2 contigs, caps and allele flips on).
// "cpu": our log against the C library's; the CPU's vector segment batches against the scalar
// body that the GPU runs (ages and lengths on chosen and random words, whole segment lists);
// segment lists tile each contig and keep the caps; a contig copied as one window equals the same
// contig copied in windows of other sizes (also with cursors carried from window to window), and
// the CPU copy (with its cM index) equals the shared body's binary search; drawing twice gives the
// same lists; with allele ages, every allele equals HAPNEST's allele-age rule recomputed variant by
// variant from the segment list, and windows still join. "gpu": the CUDA backend's segment lists and window bits (with and without allele ages)
// equal the CPU backend's bit for bit (exit 77 where no GPU answers).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/mosaic/mosaic_cpu_simd.hpp"
#include "kernels/mosaic/mosaic_kernel.hpp"

using namespace sc::kernels;

namespace {

int failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok && ++failures <= 20) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

struct Panel {
  MosaicArrays model;
  std::vector<double> cm;           // per global variant
  std::vector<int32_t> contig;      // per global variant
  std::vector<uint64_t> alleles;    // rows x variants bits, one uint64 per allele for simplicity
  std::vector<double> allele_age;   // per global variant, generations (+inf: none); empty = rule off
  std::vector<uint64_t> ancestral;  // per global variant: 1 where ALT is the ancestral allele
  int64_t rows = 0, variants = 0;
};

uint64_t mix(uint64_t x) {  // splitmix64: test data only
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

Panel make_panel() {
  Panel p;
  p.rows = 100;
  const int64_t per_contig[2] = {1800, 1400};
  for (int32_t c = 0; c < 2; ++c) {
    MosaicContig contig;
    contig.first_variant = p.variants;
    contig.variants = per_contig[c];
    double x = 10.0 * c;
    for (int64_t v = 0; v < per_contig[c]; ++v) {
      if (v > 0) x += static_cast<double>(mix(static_cast<uint64_t>(p.variants + v)) % 1000) * 2e-6;  // ~0.001 cM apart, ties allowed
      p.cm.push_back(x);
      p.contig.push_back(c);
    }
    contig.first_cm = p.cm[static_cast<size_t>(contig.first_variant)];
    contig.last_cm = p.cm.back();
    p.variants += per_contig[c];
    p.model.contigs.push_back(contig);
  }
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t v = 0; v < p.variants; ++v) p.alleles.push_back(mix(static_cast<uint64_t>(r * 100003 + v)) & 1u);
  // Population 0: rows 0..59 but 10..13 (held out); population 1: rows 60..99.
  for (int32_t r = 0; r < 60; ++r)
    if (r < 10 || r > 13) p.model.donors.push_back(r);
  p.model.populations.push_back({20.0, 0.68, 0, static_cast<int64_t>(p.model.donors.size())});
  for (int32_t r = 60; r < 100; ++r) p.model.donors.push_back(r);
  p.model.populations.push_back({8.0, 0.77, p.model.populations[0].donor_count, 40});
  for (int i = 0; i < 300; ++i) p.model.individual_population.push_back(static_cast<int32_t>(mix(static_cast<uint64_t>(i)) % 2));
  p.model.seed = 424242;
  p.model.max_segment_cm = 0.2;
  p.model.max_donor_cm = 0.6;
  p.model.mutation_rate = 0.002;
  return p;
}

// The same panel with allele ages around the segments' T (theta 20 and 8 generations: T mostly
// 0-100), one variant in ten without an age, one in five with ALT ancestral.
Panel with_allele_ages(Panel p) {
  for (int64_t v = 0; v < p.variants; ++v) {
    const uint64_t r = mix(static_cast<uint64_t>(v) + 777);
    p.allele_age.push_back(r % 10 == 0 ? INFINITY : static_cast<double>((r >> 8) % 100000) / 1000.0);
    p.ancestral.push_back((r >> 40) % 5 == 0 ? 1u : 0u);
  }
  return p;
}

// The panel's variants [first, first + count) of one contig as a bit-packed window.
struct Window {
  std::vector<uint64_t> bits;
  std::vector<double> cm, allele_age;
  std::vector<uint64_t> ancestral;
  ReferenceWindowView view;
};
Window make_window(const Panel& p, int64_t first, int64_t count) {
  Window w;
  const int64_t words = (count + 63) / 64;
  w.bits.assign(static_cast<size_t>(p.rows * words), 0);
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t v = 0; v < count; ++v)
      w.bits[static_cast<size_t>(r * words + v / 64)] |= p.alleles[static_cast<size_t>(r * p.variants + first + v)] << (v % 64);
  w.cm.assign(p.cm.begin() + first, p.cm.begin() + first + count);
  w.view.bits = w.bits.data();
  w.view.rows = p.rows;
  w.view.words = words;
  w.view.variants = count;
  w.view.first_variant = first;
  w.view.contig = p.contig[static_cast<size_t>(first)];
  w.view.cm = w.cm.data();
  if (!p.allele_age.empty()) {
    w.allele_age.assign(p.allele_age.begin() + first, p.allele_age.begin() + first + count);
    w.ancestral.assign(static_cast<size_t>(words), 0);
    for (int64_t v = 0; v < count; ++v) w.ancestral[static_cast<size_t>(v / 64)] |= p.ancestral[static_cast<size_t>(first + v)] << (v % 64);
    w.view.allele_age = w.allele_age.data();
    w.view.ancestral = w.ancestral.data();
  }
  return w;
}

// Allele of haplotype h at window variant v.
int bit(const std::vector<uint64_t>& bits, int64_t words, int64_t h, int64_t v) {
  return static_cast<int>((bits[static_cast<size_t>(h * words + v / 64)] >> (v % 64)) & 1u);
}

// How a window is copied: the CPU backend, the CUDA backend, or the shared body called haplotype
// by haplotype on the host without the cM index (a binary search over the window).
// cpu_cursors: the CPU backend with cursors carried from window to window; gpu_copier: one
// MosaicCudaCopier for all windows (the lists and cursors kept on the device, as the sample stage does).
enum class Copier { cpu, cpu_cursors, gpu, gpu_copier, body_unindexed };

std::vector<uint64_t> copy_with(const Panel& p, const SegmentLists& lists, const ReferenceWindowView& view, Copier how,
                                std::vector<int64_t>& cursors, MosaicCudaCopier* copier) {
  if (how == Copier::gpu) return copy_window_cuda(p.model, lists, view);
  if (how == Copier::gpu_copier) {
    std::vector<uint64_t> bits;
    copier->copy(view, bits);
    return bits;
  }
  if (how == Copier::cpu) return copy_window_cpu(p.model, lists, view);
  if (how == Copier::cpu_cursors) {
    std::vector<uint64_t> bits;
    copy_window_cpu(p.model, lists, view, bits, &cursors);
    return bits;
  }
  const MosaicView v = p.model.view();
  std::vector<uint64_t> bits(static_cast<size_t>(p.model.haplotypes() * view.words));
  for (int64_t h = 0; h < p.model.haplotypes(); ++h) {
    const int64_t first = lists.offsets[static_cast<size_t>(h)];
    copy_haplotype_window(v, view, lists.segments.data() + first, lists.offsets[static_cast<size_t>(h) + 1] - first, h,
                          bits.data() + h * view.words);
  }
  return bits;
}

// Every contig copied in windows of `size` variants: alleles[h][global variant].
std::vector<std::vector<int>> copy_in_windows(const Panel& p, const SegmentLists& lists, int64_t size, bool gpu,
                                              Copier how = Copier::cpu) {
  if (gpu) how = Copier::gpu;
  std::vector<int64_t> cursors;
  std::unique_ptr<MosaicCudaCopier> copier;
  if (how == Copier::gpu_copier) copier = std::make_unique<MosaicCudaCopier>(p.model, lists);
  const int64_t haplotypes = p.model.haplotypes();
  std::vector<std::vector<int>> out(static_cast<size_t>(haplotypes), std::vector<int>(static_cast<size_t>(p.variants)));
  for (const auto& contig : p.model.contigs)
    for (int64_t first = contig.first_variant; first < contig.first_variant + contig.variants; first += size) {
      const int64_t count = std::min(size, contig.first_variant + contig.variants - first);
      Window w = make_window(p, first, count);
      const std::vector<uint64_t> bits = copy_with(p, lists, w.view, how, cursors, copier.get());
      for (int64_t h = 0; h < haplotypes; ++h)
        for (int64_t v = 0; v < count; ++v) out[static_cast<size_t>(h)][static_cast<size_t>(first + v)] = bit(bits, w.view.words, h, v);
    }
  return out;
}

bool same_lists(const SegmentLists& a, const SegmentLists& b) {
  return a.offsets == b.offsets && a.segments.size() == b.segments.size() &&
         std::memcmp(a.segments.data(), b.segments.data(), a.segments.size() * sizeof(MosaicSegment)) == 0;
}

// The CPU backend's vector batches (mosaic_cpu_simd.cpp) with `lanes` (set by the caller) give the
// scalar body's bits, the body the CUDA backend runs: ages and lengths from the extreme words (U = 2^-32 and 1, so length 0),
// words around the fold at sqrt(2) and random words; then every haplotype's whole list, for more
// haplotypes than one round of the draw's buffers holds.
void check_vector_batches(const Panel& p, LaneSet lanes) {
  std::vector<uint32_t> words = {0u, 1u, 2u, 0xFFFFFFFFu, 0xFFFFFFFEu, 0x80000000u, 0x7FFFFFFFu, 0x6A09E667u, 0x6A09E668u,
                                 0x6A09E666u, 0xB504F333u, 0xB504F334u, 0x3504F333u, 0x5A827999u};
  for (uint64_t i = 0; words.size() < 8 * 40000; ++i) words.push_back(static_cast<uint32_t>(mix(i + 99)));
  int64_t checked = 0;
  for (size_t a = 0; a + 8 <= words.size(); a += 8)
    for (size_t shift : {size_t{0}, size_t{3}}) {
      uint32_t w[3][8];
      for (size_t i = 0; i < 8; ++i)
        for (size_t j = 0; j < 3; ++j) w[j][i] = words[(a + i * (j + 1) + shift * j) % words.size()];
      double age[8], length[8];
      segment_age_length_x8(w[0], w[1], w[2], 20.0, 2.0 * 0.68, age, length);
      for (size_t i = 0; i < 8; ++i) {
        double scalar_age, scalar_length;
        segment_age_length(w[0][i], w[1][i], w[2][i], 20.0, 2.0 * 0.68, scalar_age, scalar_length);
        expect(std::memcmp(&age[i], &scalar_age, sizeof age[i]) == 0 && std::memcmp(&length[i], &scalar_length, sizeof length[i]) == 0,
               "vector age/length differ from the scalar ones for words " + std::to_string(w[0][i]) + ", " +
                   std::to_string(w[1][i]) + ", " + std::to_string(w[2][i]));
        ++checked;
      }
    }
  // 9,000 individuals: 18,000 haplotypes, more than one round of the CPU draw's reused buffers
  // (64 blocks of 256 haplotypes).
  MosaicArrays model = p.model;
  for (int i = static_cast<int>(model.individual_population.size()); i < 9000; ++i)
    model.individual_population.push_back(static_cast<int32_t>(mix(static_cast<uint64_t>(i)) % 2));
  const MosaicView v = model.view();
  std::vector<double> ledger(static_cast<size_t>(model.ledger_slots()));
  const SegmentLists lists = draw_segments_cpu(model);
  for (int64_t h = 0; h < model.haplotypes(); ++h) {
    const int64_t first = lists.offsets[static_cast<size_t>(h)], count = lists.offsets[static_cast<size_t>(h) + 1] - first;
    std::vector<MosaicSegment> scalar(static_cast<size_t>(count) + 1);
    const int64_t drawn = draw_haplotype_segments<ScalarSegmentBatch>(v, h, scalar.data(), count + 1, DonorLedger{ledger.data()});
    expect(drawn == count && std::memcmp(scalar.data(), lists.segments.data() + first, static_cast<size_t>(count) * sizeof(MosaicSegment)) == 0,
           "haplotype " + std::to_string(h) + ": the CPU backend's segments differ from the scalar body's");
  }
  std::printf("vector batches (%s): %lld ages and lengths and %zu segments equal to the scalar body's\n",
              lane_set_name(lanes), static_cast<long long>(checked), lists.segments.size());
}

void check_cpu(const Panel& p) {
  for (int i = 1; i < 200000; ++i) {
    const double x = static_cast<double>(mix(static_cast<uint64_t>(i)) >> 11) * std::ldexp(1.0, -53 + (i % 7) * 3) + 1e-300;
    const double ours = mosaic_log(x), libc = std::log(x);
    expect(std::fabs(ours - libc) <= 4e-16 * std::fmax(1.0, std::fabs(libc)), "mosaic_log(" + std::to_string(x) + ")");
  }
  const SegmentLists lists = draw_segments_cpu(p.model);
  expect(same_lists(lists, draw_segments_cpu(p.model)), "drawing twice gives other segment lists");
  for (int64_t h = 0; h < p.model.haplotypes(); ++h) {
    double per_donor[100] = {0};
    for (int64_t k = lists.offsets[static_cast<size_t>(h)]; k < lists.offsets[static_cast<size_t>(h) + 1]; ++k) {
      const MosaicSegment& s = lists.segments[static_cast<size_t>(k)];
      const MosaicContig& c = p.model.contigs[static_cast<size_t>(s.contig)];
      const bool first = k == lists.offsets[static_cast<size_t>(h)] || lists.segments[static_cast<size_t>(k - 1)].contig != s.contig;
      expect(first ? s.start_cm == c.first_cm : s.start_cm == lists.segments[static_cast<size_t>(k - 1)].end_cm, "segments tile the contig");
      expect(s.end_cm - s.start_cm <= p.model.max_segment_cm + 1e-12, "max_segment_cm holds (to the rounding of start + length)");
      expect(s.donor < 10 || s.donor > 13, "a held-out row is never a donor");
      per_donor[s.donor] += s.end_cm - s.start_cm;
      const bool last = k + 1 == lists.offsets[static_cast<size_t>(h) + 1] || lists.segments[static_cast<size_t>(k + 1)].contig != s.contig;
      if (last) expect(s.end_cm > c.last_cm, "the last segment covers the contig's last variant");
    }
    for (double total : per_donor) expect(total <= p.model.max_donor_cm + 1e-9, "max_donor_cm holds (to the rounding of start + length)");
  }
  const auto whole = copy_in_windows(p, lists, 1 << 20, false);
  expect(whole == copy_in_windows(p, lists, 700, false), "windows of 700 variants join into the whole");
  expect(whole == copy_in_windows(p, lists, 64, false), "windows of 64 variants join into the whole");
  expect(whole == copy_in_windows(p, lists, 700, false, Copier::body_unindexed),
         "the CPU backend's copy (cM index) differs from the body's binary search over the window");
  expect(whole == copy_in_windows(p, lists, 700, false, Copier::cpu_cursors),
         "windows of 700 variants copied with cursors carried from window to window differ");
  expect(whole == copy_in_windows(p, lists, 64, false, Copier::cpu_cursors),
         "windows of 64 variants copied with cursors carried from window to window differ");
  std::printf("cpu: %zu segments for %lld haplotypes\n", lists.segments.size(), static_cast<long long>(p.model.haplotypes()));
}

// The allele-age rule recomputed directly, variant by variant, from the segment lists (no flips):
// the segment holding the variant (start <= cM < end on its contig), its donor's allele, replaced
// by the ancestral allele where the variant's age <= the segment's T.
void check_allele_ages(Panel p) {
  p.model.mutation_rate = 0;
  const SegmentLists lists = draw_segments_cpu(p.model);
  const auto whole = copy_in_windows(p, lists, 1 << 20, false);
  int64_t replaced = 0, changed = 0, mismatches = 0;
  for (int64_t h = 0; h < p.model.haplotypes(); ++h)
    for (int64_t v = 0; v < p.variants; ++v) {
      const MosaicSegment* holder = nullptr;
      for (int64_t k = lists.offsets[static_cast<size_t>(h)]; k < lists.offsets[static_cast<size_t>(h) + 1]; ++k) {
        const MosaicSegment& s = lists.segments[static_cast<size_t>(k)];
        if (s.contig == p.contig[static_cast<size_t>(v)] && s.start_cm <= p.cm[static_cast<size_t>(v)] && p.cm[static_cast<size_t>(v)] < s.end_cm) holder = &s;
      }
      if (holder == nullptr) { ++mismatches; continue; }
      const int copied = static_cast<int>(p.alleles[static_cast<size_t>(holder->donor * p.variants + v)]);
      int expected = copied;
      if (p.allele_age[static_cast<size_t>(v)] <= holder->age) {
        ++replaced;
        expected = static_cast<int>(p.ancestral[static_cast<size_t>(v)]);
        changed += expected != copied;
      }
      mismatches += whole[static_cast<size_t>(h)][static_cast<size_t>(v)] != expected;
    }
  expect(mismatches == 0, std::to_string(mismatches) + " alleles differ from the allele-age rule recomputed per variant");
  const int64_t total = p.model.haplotypes() * p.variants;
  expect(changed > 0 && replaced < total, "the allele-age rule changed no allele, or replaced every one (test data too weak)");
  expect(whole == copy_in_windows(p, lists, 700, false), "with allele ages: windows of 700 variants join into the whole");
  expect(whole == copy_in_windows(p, lists, 64, false), "with allele ages: windows of 64 variants join into the whole");
  expect(whole == copy_in_windows(p, lists, 700, false, Copier::body_unindexed),
         "with allele ages: the CPU backend's copy (cM index) differs from the body's binary search");
  expect(whole == copy_in_windows(p, lists, 700, false, Copier::cpu_cursors),
         "with allele ages: windows copied with cursors differ");
  std::printf("ages: %lld of %lld alleles take the ancestral allele (%lld changed), as recomputed per variant\n",
              static_cast<long long>(replaced), static_cast<long long>(total), static_cast<long long>(changed));
}

int check_gpu(const Panel& p) {
  if (!mosaic_cuda_available()) {
    std::printf("gpu: no CUDA device answers (or no CUDA backend); skipped\n");
    return 77;
  }
  const SegmentLists cpu = draw_segments_cpu(p.model);
  const SegmentLists gpu = draw_segments_cuda(p.model);
  expect(same_lists(cpu, gpu), "CUDA segment lists differ from the CPU's");
  const auto reference = copy_in_windows(p, cpu, 700, false);
  expect(reference == copy_in_windows(p, gpu, 700, true), "CUDA window bits differ from the CPU's");
  expect(reference == copy_in_windows(p, gpu, 700, false, Copier::gpu_copier), "CUDA copier's window bits differ from the CPU's");
  expect(reference == copy_in_windows(p, gpu, 311, false, Copier::gpu_copier), "CUDA copier's bits differ in windows of 311");
  const Panel aged = with_allele_ages(p);
  const auto aged_reference = copy_in_windows(aged, cpu, 700, false);
  expect(aged_reference == copy_in_windows(aged, gpu, 700, true), "CUDA window bits with the allele-age rule differ from the CPU's");
  expect(aged_reference == copy_in_windows(aged, gpu, 700, false, Copier::gpu_copier),
         "CUDA copier's window bits with the allele-age rule differ from the CPU's");
  std::printf("gpu: %zu segments and every window bit (with and without allele ages; window by window and through one "
              "copier, in windows of 700 and 311) identical to the CPU backend\n",
              gpu.segments.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "cpu";
  const Panel panel = make_panel();
  int rc = 0;
  if (mode == "gpu") rc = check_gpu(panel);
  else {
    check_cpu(panel);
    // Every lane set this processor runs, the widest last (it stays chosen for what follows).
    for (LaneSet lanes : {LaneSet::scalar, LaneSet::avx2, LaneSet::avx512})
      if (static_cast<int>(lanes) <= static_cast<int>(best_lane_set())) check_vector_batches(panel, use_lane_set(lanes));
    check_allele_ages(with_allele_ages(panel));
  }
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  return rc;
}
