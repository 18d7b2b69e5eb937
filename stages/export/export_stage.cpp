#include "stages/export/export_stage.hpp"

#include <filesystem>

#include "pipeline/error.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/table_store.hpp"
#include "stages/export/genome_export.hpp"
#include "stages/export/phenotype_export.hpp"
#include "stages/export/plink_export.hpp"
#include "stages/export/table_export.hpp"

namespace sc {

po::options_description export_options() {
  po::options_description options("Export ([export])");
  options.add_options()
      ("export.stage", po::value<std::string>()->default_value("auto"),
       "stage to export: sample, ingest, or auto (sample when it exists, else ingest)")
      ("export.dir", po::value<std::string>()->default_value(""),
       "output directory (default: <run.dir>/export/<stage>)")
      ("export.vcf", po::value<bool>()->default_value(true), "write genomes as bgzipped, indexed VCF")
      ("export.vcf_chunk_sites", po::value<int64_t>()->default_value(1024),
       "sites per chunk of the VCF export: the ranks share the chunks, and a BGZF block ends at every chunk's end")
      ("export.vcf_compression_level", po::value<int64_t>()->default_value(kVcfDefaultCompressionLevel),
       "deflate level of the VCF's BGZF blocks, 0 (stored) to 9 (smallest), as bgzip -l and bcftools -l")
      ("export.plink", po::value<bool>()->default_value(true), "write genomes as PLINK 1 .bed/.bim/.fam (genotypes, unphased)");
  return options;
}

StageResult run_export(const StageContext& context) {
  const Config& config = context.config;
  std::string stage = config.text("export.stage");
  if (stage == "auto")
    stage = std::filesystem::exists(context.store_dir + "/sample/index.json") ? "sample" : "ingest";
  if (stage != "sample" && stage != "ingest") config.reject("export.stage", "sample, ingest or auto");
  StageReader reader(context.store_dir, stage);
  std::string out_dir = config.text("export.dir");
  if (out_dir.empty()) out_dir = context.run_dir + "/export/" + stage;
  else out_dir = config.path("export.dir");

  Schema schema = schema_from_config(config);
  StageResult result;
  nlohmann::json tables = nlohmann::json::object();
  int64_t total_rows = 0;
  for (const std::string& table : stage_tables(reader)) {
    CsvFormat format;
    for (const auto& spec : schema.tables)
      if (spec.name == table) {
        format.delimiter = spec.delimiter;
        format.quote = spec.quote;
        if (!spec.missing_tokens.empty()) format.missing = spec.missing_tokens.front();
      }
    std::string path = out_dir + "/" + table + ".csv";
    int64_t rows = export_table_csv(context.comm, reader, table, format, path);
    tables[table] = {{"file", path}, {"rows", rows}};
    total_rows += rows;
  }
  nlohmann::json genomes = nlohmann::json::object();
  nlohmann::json vcf_parts = nlohmann::json::object();
  const int64_t chunk_sites = config.integer("export.vcf_chunk_sites");
  if (chunk_sites <= 0) config.reject("export.vcf_chunk_sites", "a positive number of sites");
  const int64_t compression_level = config.integer("export.vcf_compression_level");
  if (compression_level < 0 || compression_level > 9) config.reject("export.vcf_compression_level", "a deflate level from 0 to 9");
  int64_t plink_sets = 0;
  for (const std::string group : {"genomes/reference", "genomes/synthetic"}) {
    if (reader.shards(group).empty()) continue;
    std::string name = group.substr(group.find('/') + 1);
    if (config.flag("export.vcf")) {
      std::string path = out_dir + "/" + name + ".vcf.gz";
      vcf_parts[name] = export_genomes_vcf(context, reader, group, path, {chunk_sites, static_cast<int>(compression_level)});
      genomes[name] = path;
    }
    if (config.flag("export.plink")) {
      export_genomes_plink(context, reader, group, out_dir + "/" + name);
      genomes[name + "_plink"] = out_dir + "/" + name + ".bed";
      ++plink_sets;
    }
  }
  // Each trait's causal variants and effects, beside the genomes they score.
  const nlohmann::json effects = export_trait_effects(context, reader, out_dir);
  result.summary = {{"stage", stage}, {"directory", out_dir}, {"tables", tables}, {"genomes", genomes}};
  if (!effects.empty()) result.summary["phenotype_effects"] = effects;
  if (!vcf_parts.empty()) result.summary["vcf_parts"] = vcf_parts;
  result.summary_line = std::to_string(tables.size()) + " tables (" + std::to_string(total_rows) + " rows)" +
                        (genomes.size() == static_cast<size_t>(plink_sets) ? "" : " and " + std::to_string(genomes.size() - static_cast<size_t>(plink_sets)) + " VCF") +
                        (plink_sets ? " and " + std::to_string(plink_sets) + " PLINK set(s)" : "") +
                        (effects.empty() ? "" : " and " + std::to_string(effects.size()) + " trait effect file(s)") + " from '" +
                        stage + "' to " + out_dir;
  return result;
}

}  // namespace sc
