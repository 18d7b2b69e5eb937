#include "stages/export/phenotype_export.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "pipeline/error.hpp"
#include "stages/export/genome_export.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {
namespace {

std::string number_text(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest text that reads back the same
  return std::string(buffer, end);
}

struct TraitShard {
  std::vector<int64_t> variant;
  std::vector<double> alt_frequency, beta;
  double offset = 0;
};

TraitShard read_trait_shard(const StageReader& stage, const std::string& trait) {
  const h5::File file = h5::File::open_read(stage.path(shard_name("phenotypes/" + trait, 0)));
  TraitShard shard;
  shard.variant = file.read<int64_t>("/effects/variant");
  shard.alt_frequency = file.read<double>("/effects/alt_frequency");
  shard.beta = file.read<double>("/effects/beta");
  const std::vector<double> offset = file.read<double>("/offset");
  if (shard.alt_frequency.size() != shard.variant.size() || shard.beta.size() != shard.variant.size() || offset.size() != 1)
    throw IoError("store file " + file.path() + " is not a trait's effects: its datasets disagree in length");
  shard.offset = offset[0];
  return shard;
}

void write_effects(const StageReader& stage, const std::vector<std::string>& traits, const std::vector<TraitShard>& shards,
                   const std::string& out_dir) {
  std::vector<std::string> windows = stage.shards("genomes/synthetic");
  std::sort(windows.begin(), windows.end());
  const GenomeSamples samples = read_genome_samples(h5::File::open_read(stage.path(genome_samples_shard("genomes/synthetic"))));
  std::filesystem::create_directories(out_dir);
  std::vector<std::string> texts(traits.size());
  for (auto& text : texts) text = "CHROM\tPOS\tID\tREF\tALT\tVARIANT\tALT_FREQUENCY\tBETA\n";
  std::vector<size_t> next(traits.size(), 0);
  int64_t first = 0;
  for (size_t w = 0; w < windows.size(); ++w) {
    const GenomeWindow window = read_genome_window_variants(h5::File::open_read(stage.path(windows[w])), static_cast<int64_t>(w));
    for (size_t t = 0; t < traits.size(); ++t) {
      const TraitShard& shard = shards[t];
      for (size_t& k = next[t]; k < shard.variant.size() && shard.variant[k] < first + window.variants(); ++k) {
        if (shard.variant[k] < first) throw IoError("trait " + traits[t] + ": causal variants out of order in the store");
        const size_t v = static_cast<size_t>(shard.variant[k] - first);
        const int32_t contig = window.contig[v];
        if (contig < 0 || static_cast<size_t>(contig) >= samples.contigs.size())
          throw IoError(stage.path(windows[w]) + " does not hold the causal variants the traits name (another genome store?)");
        const std::string& chrom = samples.contigs[static_cast<size_t>(contig)];
        const std::string pos = std::to_string(window.position[v]);
        texts[t] += chrom + "\t" + pos + "\t" + window.id[v] + "\t" + window.ref[v] + "\t" + window.alt[v] + "\t" + chrom + ":" + pos +
                    ":" + window.ref[v] + ":" + window.alt[v] + "\t" + number_text(shard.alt_frequency[k]) + "\t" +
                    number_text(shard.beta[k]) + "\n";
      }
    }
    first += window.variants();
  }
  for (size_t t = 0; t < traits.size(); ++t) {
    if (next[t] != shards[t].variant.size())
      throw IoError("the synthetic genomes end before the last causal variant of trait " + traits[t] + " (another genome store?)");
    const std::string path = out_dir + "/phenotype_" + traits[t] + ".effects.tsv";
    std::ofstream out(path + ".tmp", std::ios::binary | std::ios::trunc);
    out << texts[t];
    out.close();
    if (!out) throw IoError("cannot write " + path + ".tmp");
    std::error_code ec;
    std::filesystem::rename(path + ".tmp", path, ec);
    if (ec) throw IoError("cannot move " + path + ".tmp into place: " + ec.message());
  }
}

}  // namespace

nlohmann::json export_trait_effects(const StageContext& context, const StageReader& stage, const std::string& out_dir) {
  nlohmann::json out = nlohmann::json::object();
  const nlohmann::json& summary = stage.index().value("summary", nlohmann::json::object());
  if (!summary.contains("phenotypes") || summary["phenotypes"]["traits"].empty()) return out;
  std::vector<std::string> traits, temporaries;
  std::vector<TraitShard> shards;
  for (const auto& [trait, _] : summary["phenotypes"]["traits"].items()) {
    traits.push_back(trait);
    shards.push_back(read_trait_shard(stage, trait));
    const std::string path = out_dir + "/phenotype_" + trait + ".effects.tsv";
    temporaries.push_back(path + ".tmp");
    out[trait] = {{"file", path}, {"causal_variants", shards.back().variant.size()}, {"offset", shards.back().offset}};
  }
  write_on_root(context.comm, [&] { write_effects(stage, traits, shards, out_dir); }, temporaries);
  return out;
}

}  // namespace sc
