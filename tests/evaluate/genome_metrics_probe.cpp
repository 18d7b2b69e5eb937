// Prints per-variant and per-pair values of the genome metric kernels on a store's genome panel,
// for the cross-checks against plink (tests/cli/genome_metrics_plink.sh): the same kernels as the
// evaluate stage (stages/evaluate/metrics/genome_*.hpp), on every window of the panel.
//   genome_metrics_probe freq STORE STAGE GROUP             -> "pos alt_frequency" per variant
//   genome_metrics_probe king STORE STAGE GROUP STORE2 STAGE2 GROUP2
//                                                          -> "name_a name_b hethet ibs0 kinship"
//                                                             for every pair of the two panels' individuals together
//   genome_metrics_probe r2 STORE STAGE GROUP PAIRS       -> "pos_a pos_b r2" for the pairs
//                                                             "pos_a pos_b" listed in the file PAIRS
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "pipeline/store.hpp"
#include "stages/evaluate/metrics/genome_frequency.hpp"
#include "stages/evaluate/metrics/genome_ld.hpp"
#include "stages/evaluate/metrics/genome_relatedness.hpp"
#include "stages/ingest/genome_store.hpp"

namespace {

struct Panel {
  sc::GenomeSamples samples;
  std::vector<sc::GenomeWindow> windows;
};

Panel read_panel(const std::string& store, const std::string& stage, const std::string& group) {
  sc::StageReader reader(store, stage);
  Panel panel;
  panel.samples = sc::read_genome_samples(sc::h5::File::open_read(reader.path(sc::genome_samples_shard(group))));
  const auto shards = reader.shards(group);
  for (size_t w = 0; w < shards.size(); ++w)
    panel.windows.push_back(sc::read_genome_window(sc::h5::File::open_read(reader.path(shards[w])), static_cast<int64_t>(w)));
  return panel;
}

sc::metrics::HaplotypeBits bits_of(const sc::GenomeWindow& w) {
  return {std::span<const uint64_t>(w.bits), w.haplotypes, w.variants()};
}

int frequencies(const Panel& panel) {
  const std::vector<bool> all(panel.samples.names.size(), true);
  for (const auto& window : panel.windows) {
    const auto counts = sc::metrics::alt_allele_counts(bits_of(window), all);
    for (int64_t v = 0; v < window.variants(); ++v)
      std::printf("%lld %.17g\n", static_cast<long long>(window.position[static_cast<size_t>(v)]),
                  static_cast<double>(counts[static_cast<size_t>(v)]) / static_cast<double>(window.haplotypes));
  }
  return 0;
}

int kinship(const Panel& a, const Panel& b) {
  std::vector<std::string> names = a.samples.names;
  names.insert(names.end(), b.samples.names.begin(), b.samples.names.end());
  const auto n = static_cast<int64_t>(names.size());
  std::vector<int32_t> hethet(static_cast<size_t>(n * n), 0), ibs0(hethet.size(), 0);
  std::vector<int64_t> het(static_cast<size_t>(n), 0);
  for (size_t w = 0; w < a.windows.size(); ++w) {
    const sc::metrics::HaplotypeBits parts[] = {bits_of(a.windows[w]), bits_of(b.windows[w])};
    const auto planes = sc::metrics::genotype_planes(parts);
    sc::metrics::add_pair_counts(planes, 0, n, hethet, ibs0);
    const auto counts = sc::metrics::heterozygote_counts(planes);
    for (int64_t i = 0; i < n; ++i) het[static_cast<size_t>(i)] += counts[static_cast<size_t>(i)];
  }
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = r + 1; c < n; ++c) {
      const auto k = static_cast<size_t>(r * n + c);
      std::printf("%s %s %d %d %.17g\n", names[static_cast<size_t>(r)].c_str(), names[static_cast<size_t>(c)].c_str(),
                  hethet[k], ibs0[k],
                  sc::metrics::king_robust(hethet[k], ibs0[k], het[static_cast<size_t>(r)], het[static_cast<size_t>(c)]));
    }
  return 0;
}

int r2(const Panel& panel, const std::string& pairs_file) {
  // Every window's variant-major planes, with the window and variant of each position.
  std::vector<sc::metrics::VariantPlanes> planes;
  std::map<int64_t, std::pair<size_t, int64_t>> index_of;  // position -> (window, variant); duplicates left out
  std::map<int64_t, int> seen;
  const std::vector<bool> all(panel.samples.names.size(), true);
  for (const auto& window : panel.windows) {
    planes.push_back(sc::metrics::variant_planes(bits_of(window), all));
    for (int64_t v = 0; v < window.variants(); ++v) {
      const int64_t pos = window.position[static_cast<size_t>(v)];
      if (++seen[pos] == 1) index_of[pos] = {planes.size() - 1, v};
      else index_of.erase(pos);
    }
  }
  std::ifstream in(pairs_file);
  long long a = 0, b = 0;
  while (in >> a >> b) {
    auto ia = index_of.find(a), ib = index_of.find(b);
    if (ia == index_of.end() || ib == index_of.end()) continue;
    const auto [wa, va] = ia->second;
    const auto [wb, vb] = ib->second;
    std::printf("%lld %lld %.17g\n", a, b, sc::metrics::genotype_r2(sc::metrics::dosage_sums(planes[wa], va, planes[wb], vb)));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 4 && args[0] == "freq") return frequencies(read_panel(args[1], args[2], args[3]));
    if (args.size() == 7 && args[0] == "king")
      return kinship(read_panel(args[1], args[2], args[3]), read_panel(args[4], args[5], args[6]));
    if (args.size() == 5 && args[0] == "r2") return r2(read_panel(args[1], args[2], args[3]), args[4]);
  } catch (const std::exception& e) {
    std::cerr << "genome_metrics_probe: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: genome_metrics_probe freq|king|r2 ... (see the source's header)\n";
  return 2;
}
