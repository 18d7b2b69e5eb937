// The [genome] keys of ingest, read and checked once: the panel, its genetic map and population
// file, the policy for each kind of bad site, and the window size. Every rank reads the same
// config, so a ConfigError here is raised identically on every rank.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/config.hpp"
#include "stages/ingest/genetic_map.hpp"
#include "stages/ingest/genome_vcf_reader.hpp"

namespace sc {

struct GenomeOptions {
  std::string vcf;          // empty: no genome input
  std::string map;
  MapFormat map_format = MapFormat::automatic;
  std::string populations;  // empty: no population file
  SitePolicies policies;
  int64_t variants_per_window = 10000;
  int deflate = 0;
};

GenomeOptions read_genome_options(const Config& config);

}  // namespace sc
