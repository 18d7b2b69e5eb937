// Checks a completed genome run against its own provenance, independently of the mosaic kernel:
// every synthetic haplotype is rebuilt variant by variant from its segment list
// (sample/genomes/segments) and the reference panel (ingest/genomes/reference) and must equal the
// stored bits (sample/genomes/synthetic) exactly (with genome.mutation_rate = 0), applying
// HAPNEST's allele-age rule where fit stored allele ages (fit/genome/allele_ages: a variant whose
// derived allele is not older than the segment's coalescent age takes the ancestral allele); segments tile
// each contig; no segment exceeds max_segment_cm, no donor gives one haplotype more than
// max_donor_cm, adjacent segments never share a donor, and no held-out individual is a donor.
// Usage: genome_provenance_check STORE_DIR SEED HOLDOUT MAX_SEGMENT_CM MAX_DONOR_CM
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "pipeline/genome_holdout.hpp"
#include "pipeline/store.hpp"
#include "stages/ingest/genome_store.hpp"

namespace {

int failures = 0;
void fail(const std::string& what) {
  if (++failures <= 20) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

struct Segments {
  std::vector<int64_t> offsets = {0};
  std::vector<double> start, end, age;
  std::vector<int32_t> donor, contig;
};

Segments read_segments(const sc::StageReader& sample) {
  Segments all;
  std::vector<std::string> shards = sample.shards("genomes/segments");
  std::sort(shards.begin(), shards.end());
  for (const auto& name : shards) {
    const sc::h5::File file = sc::h5::File::open_read(sample.path(name));
    const auto offsets = file.read<int64_t>("/segment_offsets");
    const int64_t base = static_cast<int64_t>(all.start.size());
    if (file.read<int64_t>("/first_haplotype").at(0) != static_cast<int64_t>(all.offsets.size()) - 1)
      fail(name + ": haplotypes do not follow on from the previous shard");
    for (size_t i = 1; i < offsets.size(); ++i) all.offsets.push_back(base + offsets[i]);
    for (const char* d : {"/start_cm", "/end_cm", "/age"}) {
      auto v = file.read<double>(d);
      auto& target = std::string(d) == "/start_cm" ? all.start : std::string(d) == "/end_cm" ? all.end : all.age;
      target.insert(target.end(), v.begin(), v.end());
    }
    auto donor = file.read<int32_t>("/donor");
    auto contig = file.read<int32_t>("/contig");
    all.donor.insert(all.donor.end(), donor.begin(), donor.end());
    all.contig.insert(all.contig.end(), contig.begin(), contig.end());
  }
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s STORE_DIR SEED HOLDOUT MAX_SEGMENT_CM MAX_DONOR_CM\n", argv[0]);
    return 2;
  }
  const std::string store = argv[1];
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  const int64_t holdout = std::atoll(argv[3]);
  const double max_segment_cm = std::atof(argv[4]), max_donor_cm = std::atof(argv[5]);
  const sc::StageReader ingest(store, "ingest"), sample(store, "sample"), fit(store, "fit");
  std::vector<std::string> age_windows = fit.shards("genome/allele_ages");
  std::sort(age_windows.begin(), age_windows.end());
  int64_t aged = 0;  // alleles the rule gave the ancestral allele
  std::vector<std::string> reference_windows = ingest.shards("genomes/reference");
  std::vector<std::string> synthetic_windows = sample.shards("genomes/synthetic");
  std::sort(reference_windows.begin(), reference_windows.end());
  std::sort(synthetic_windows.begin(), synthetic_windows.end());
  if (reference_windows.size() != synthetic_windows.size() || reference_windows.empty()) {
    std::fprintf(stderr, "FAIL: %zu reference windows but %zu synthetic ones\n", reference_windows.size(), synthetic_windows.size());
    return 1;
  }
  const sc::GenomeSamples reference_samples =
      sc::read_genome_samples(sc::h5::File::open_read(ingest.path(sc::genome_samples_shard("genomes/reference"))));
  const std::vector<bool> held = sc::genome_holdout(seed, static_cast<int64_t>(reference_samples.names.size()), holdout);
  const Segments seg = read_segments(sample);
  const int64_t haplotypes = static_cast<int64_t>(seg.offsets.size()) - 1;

  // Per-segment and per-haplotype rules.
  double longest = 0;
  for (int64_t h = 0; h < haplotypes; ++h) {
    std::map<int32_t, double> per_donor;
    for (int64_t k = seg.offsets[h]; k < seg.offsets[h + 1]; ++k) {
      const double length = seg.end[k] - seg.start[k];
      longest = std::max(longest, length);
      if (max_segment_cm > 0 && length > max_segment_cm + 1e-12) fail("haplotype " + std::to_string(h) + ": a segment is longer than max_segment_cm");
      per_donor[seg.donor[k]] += length;
      if (held.at(static_cast<size_t>(seg.donor[k] / 2))) fail("haplotype " + std::to_string(h) + " copies a held-out individual");
      if (k > seg.offsets[h] && seg.contig[k] == seg.contig[k - 1]) {
        if (seg.start[k] != seg.end[k - 1]) fail("haplotype " + std::to_string(h) + ": segments do not tile the map");
        if (seg.donor[k] == seg.donor[k - 1]) fail("haplotype " + std::to_string(h) + ": two adjacent segments share a donor");
      }
    }
    if (max_donor_cm > 0)
      for (const auto& entry : per_donor)
        if (entry.second > max_donor_cm + 1e-9) fail("haplotype " + std::to_string(h) + ": a donor gives more than max_donor_cm");
  }

  // Rebuild every haplotype variant by variant and compare with the stored windows.
  int64_t compared = 0;
  for (size_t w = 0; w < reference_windows.size(); ++w) {
    const sc::GenomeWindow ref = sc::read_genome_window(sc::h5::File::open_read(ingest.path(reference_windows[w])), static_cast<int64_t>(w));
    const sc::GenomeWindow syn = sc::read_genome_window(sc::h5::File::open_read(sample.path(synthetic_windows[w])), static_cast<int64_t>(w));
    if (syn.haplotypes != haplotypes || syn.variants() != ref.variants() || syn.position != ref.position || syn.cm != ref.cm)
      fail("synthetic window " + std::to_string(w) + " does not match its reference window's variants or the segment lists");
    std::vector<double> allele_age;
    std::vector<uint8_t> alt_ancestral;
    if (!age_windows.empty()) {
      const sc::h5::File file = sc::h5::File::open_read(fit.path(age_windows.at(w)));
      allele_age = file.read<double>("/allele_age");
      alt_ancestral = file.read<uint8_t>("/alt_ancestral");
      if (static_cast<int64_t>(allele_age.size()) != ref.variants()) fail("allele ages of window " + std::to_string(w) + " do not match its variants");
    }
    for (int64_t h = 0; h < std::min(haplotypes, syn.haplotypes); ++h) {
      int64_t k = seg.offsets[h];
      for (int64_t v = 0; v < ref.variants(); ++v) {
        const double x = ref.cm[static_cast<size_t>(v)];
        const int32_t c = ref.contig[static_cast<size_t>(v)];
        while (k < seg.offsets[h + 1] && (seg.contig[k] < c || (seg.contig[k] == c && seg.end[k] <= x))) ++k;
        if (k == seg.offsets[h + 1] || seg.contig[k] != c || seg.start[k] > x) {
          fail("haplotype " + std::to_string(h) + ": no segment covers a variant of window " + std::to_string(w));
          break;
        }
        int expected = ref.allele(seg.donor[k], v);
        if (!allele_age.empty() && allele_age[static_cast<size_t>(v)] <= seg.age[k]) {
          expected = alt_ancestral[static_cast<size_t>(v)];
          ++aged;
        }
        if (syn.allele(h, v) != expected) {
          fail("haplotype " + std::to_string(h) + " differs from its rebuild at variant " + std::to_string(v) + " of window " + std::to_string(w));
          break;
        }
        ++compared;
      }
    }
  }
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("rebuilt %lld haplotypes from %zu segments: %lld alleles equal; longest segment %.4f cM; %lld alleles ancestral by the allele-age rule\n",
              static_cast<long long>(haplotypes), seg.start.size(), static_cast<long long>(compared), longest,
              static_cast<long long>(aged));
  return 0;
}
