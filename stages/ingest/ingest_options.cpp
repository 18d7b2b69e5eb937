#include "stages/ingest/ingest_stage.hpp"

namespace sc {

po::options_description ingest_options() {
  po::options_description ingest("Ingest ([ingest], [genome]; tables are [table.NAME] sections)");
  ingest.add_options()
      ("ingest.rows_per_shard", po::value<int64_t>()->default_value(100000),
       "input lines per table shard (fixed at ingest, independent of the rank count)")
      ("ingest.variants_per_window", po::value<int64_t>()->default_value(10000),
       "variants per genome window (shard); a new contig starts a new window")
      ("genome.vcf", po::value<std::string>(), "phased biallelic VCF/BCF of the reference panel (optional)")
      ("genome.map", po::value<std::string>(), "genetic map (shapeit `pos chr cM` or HapMap format); required with genome.vcf")
      ("genome.map_format", po::value<std::string>()->default_value("auto"), "auto, shapeit or hapmap")
      ("genome.populations", po::value<std::string>(), "optional two-column file: sample population")
      ("genome.on_unphased", po::value<std::string>()->default_value("error"), "error or skip (drop the site and count it)")
      ("genome.on_missing", po::value<std::string>()->default_value("error"), "error or skip")
      ("genome.on_multiallelic", po::value<std::string>()->default_value("error"), "error or skip")
      ("genome.on_unsorted", po::value<std::string>()->default_value("error"), "error or skip")
      ("genome.holdout_samples", po::value<int64_t>()->default_value(0),
       "reference individuals held out of the genome fit (chosen by run.seed; evaluate measures against them)");
  return ingest;
}

}  // namespace sc
