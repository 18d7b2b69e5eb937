#include "apps/stage_registry.hpp"

#include "pipeline/schema.hpp"
#include "stages/evaluate/evaluate_stage.hpp"
#include "stages/export/export_stage.hpp"
#include "stages/report/report_stage.hpp"
#include "stages/fit/fit_stage.hpp"
#include "stages/fit/genome_fit.hpp"
#include "stages/sample/sample_stage.hpp"
#include "stages/sample/phenotype_model.hpp"
#include "stages/ingest/ingest_stage.hpp"
#include "apps/verify_command.hpp"
#include "apps/operations_options.hpp"

namespace sc {

const std::vector<StageEntry>& registered_stages() {
  static const std::vector<StageEntry> stages = {
      {"ingest", "read CSV tables and VCF/BCF genomes into the sharded HDF5 store", run_ingest, true},
      {"fit", "learn a network per registry table (children counts, parent context) from the ingested store", run_fit, true},
      {"sample", "draw a synthetic registry of sample.persons persons from the fitted models", run_sample, true},
      {"evaluate", "measure the synthetic tables against the real ones: quality and privacy, metrics.json",
       run_evaluate, true},
      {"report", "the steward's and the public HTML reports, with charts and verdicts, from metrics.json and the stores",
       run_report, true},
      {"export", "write a completed stage's tables as CSV and genomes as bgzipped VCF", run_export, true},
      {"verify", "recompute every dataset digest of a completed stage and compare with its index", run_verify, false},
  };
  return stages;
}

po::options_description all_options() {
  po::options_description run("Run-wide options");
  run.add_options()
      ("run.dir", po::value<std::string>()->default_value("run"), "run directory: store/, provenance.json, exports")
      ("run.seed", po::value<int64_t>()->default_value(1), "seed of every random draw")
      ("run.threads", po::value<int64_t>()->default_value(0), "TBB threads per rank (0 = all cores of the rank)")
      ("run.restart", po::value<bool>()->default_value(false), "discard an interrupted stage instead of resuming it")
      ("log.show_values", po::value<bool>()->default_value(false),
       "quote offending data values in error messages (off: logs leave the secure zone)")
      ("store.compression", po::value<int64_t>()->default_value(0), "deflate level 0-9 of store datasets (0 = none)");
  po::options_description all;
  all.add(run);
  all.add(ingest_options());
  all.add(fit_options());
  all.add(sample_options());
  all.add(genome_generator_options());
  all.add(phenotype_options());
  all.add(evaluate_options());
  all.add(report_options());
  all.add(export_options());
  all.add(verify_options());
  all.add(slurm_options());
  all.add(refresh_options());
  return all;
}

std::vector<DynamicSection> dynamic_sections() { return {table_section_keys(), phenotype_section_keys()}; }

}  // namespace sc
