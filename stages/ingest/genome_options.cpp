#include "stages/ingest/genome_options.hpp"

namespace sc {
namespace {

bool skip_policy(const Config& config, const std::string& key) {
  const std::string value = config.text(key);
  if (value != "error" && value != "skip") config.reject(key, "error or skip");
  return value == "skip";
}

}  // namespace

GenomeOptions read_genome_options(const Config& config) {
  GenomeOptions options;
  if (!config.has("genome.vcf") || config.text("genome.vcf").empty()) return options;
  options.vcf = config.path("genome.vcf");
  if (!config.has("genome.map") || config.text("genome.map").empty())
    config.reject("genome.map", "a genetic map file (required with genome.vcf: every variant needs a cM position)");
  options.map = config.path("genome.map");
  if (!parse_map_format(config.text("genome.map_format"), options.map_format))
    config.reject("genome.map_format", "auto, shapeit or hapmap");
  if (config.has("genome.populations") && !config.text("genome.populations").empty())
    options.populations = config.path("genome.populations");
  options.policies.skip_unphased = skip_policy(config, "genome.on_unphased");
  options.policies.skip_missing = skip_policy(config, "genome.on_missing");
  options.policies.skip_multiallelic = skip_policy(config, "genome.on_multiallelic");
  options.policies.skip_unsorted = skip_policy(config, "genome.on_unsorted");
  options.variants_per_window = config.integer("ingest.variants_per_window");
  if (options.variants_per_window <= 0) config.reject("ingest.variants_per_window", "a positive number of variants");
  const int64_t deflate = config.integer("store.compression");
  if (deflate < 0 || deflate > 9) config.reject("store.compression", "a deflate level from 0 to 9");
  options.deflate = static_cast<int>(deflate);
  return options;
}

}  // namespace sc
