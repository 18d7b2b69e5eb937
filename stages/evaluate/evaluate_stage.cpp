#include "stages/evaluate/evaluate_stage.hpp"

#include <filesystem>
#include <optional>
#include <sstream>

#include "pipeline/error.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_store.hpp"
#include "pipeline/version.hpp"
#include "stages/evaluate/constraint_evaluation.hpp"
#include "stages/evaluate/disclosure_evaluation.hpp"
#include "stages/evaluate/ml_utility_evaluation.hpp"
#include "stages/evaluate/genome_evaluation.hpp"
#include "stages/evaluate/relation_evaluation.hpp"
#include "stages/evaluate/table_evaluation.hpp"

namespace sc {

po::options_description evaluate_options() {
  po::options_description options("Evaluate ([evaluate])");
  options.add_options()
      ("evaluate.real_stage", po::value<std::string>()->default_value("ingest"), "stage holding the real tables")
      ("evaluate.synthetic_stage", po::value<std::string>()->default_value("sample"), "stage holding the synthetic tables")
      ("evaluate.synthetic_store", po::value<std::string>()->default_value(""),
       "store directory of the synthetic stage (default: this run's store)")
      ("evaluate.holdout_fraction", po::value<double>()->default_value(0.0),
       "share of real persons held out of the fit (the same split fit used); 0 = no hold-out")
      ("evaluate.privacy", po::value<bool>()->default_value(true), "distance-to-closest-record metrics for root tables")
      ("evaluate.ml_targets", po::value<std::string>()->default_value(""),
       "machine-learning utility targets, table:column pairs separated by commas (root tables; needs a hold-out)")
      ("evaluate.known_columns", po::value<std::string>()->default_value(""),
       "attribute disclosure: columns an attacker knows of a real person, table:column pairs separated by commas")
      ("evaluate.sensitive_columns", po::value<std::string>()->default_value(""),
       "attribute disclosure: columns to protect, table:column pairs (the same root table as evaluate.known_columns)")
      ("evaluate.ml_lambda", po::value<double>()->default_value(1.0), "L2 penalty of the utility models (logistic, ridge)")
      ("evaluate.output", po::value<std::string>()->default_value(""),
       "metrics file (default: <run.dir>/report/metrics.json)");
  add_genome_evaluate_options(options);
  return options;
}

StageResult run_evaluate(const StageContext& context) {
  const Config& config = context.config;
  double holdout = config.real("evaluate.holdout_fraction");
  if (holdout < 0.0 || holdout >= 1.0) config.reject("evaluate.holdout_fraction", "a share from 0 (inclusive) to 1");
  std::string synthetic_store = config.text("evaluate.synthetic_store").empty() ? context.store_dir
                                                                                : config.path("evaluate.synthetic_store");
  StageReader real(context.store_dir, config.text("evaluate.real_stage"));
  StageReader synthetic(synthetic_store, config.text("evaluate.synthetic_stage"));
  TableEvaluationOptions options;
  options.seed = static_cast<uint64_t>(config.integer("run.seed"));
  options.holdout_fraction = holdout;
  options.privacy = config.flag("evaluate.privacy");

  // Lists of table:column pairs (utility targets, disclosure columns), table -> columns, checked
  // before any metric runs.
  auto table_columns = [&](const std::string& key) {
    std::map<std::string, std::vector<std::string>> out;
    std::stringstream list(config.text(key));
    std::string item;
    while (std::getline(list, item, ',')) {
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (item.empty()) continue;
      const size_t colon = item.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
        config.reject(key, "table:column pairs separated by commas, e.g. persons:status");
      out[item.substr(0, colon)].push_back(item.substr(colon + 1));
    }
    return out;
  };
  std::map<std::string, std::vector<std::string>> ml_targets = table_columns("evaluate.ml_targets");
  std::map<std::string, std::vector<std::string>> known = table_columns("evaluate.known_columns");
  std::map<std::string, std::vector<std::string>> sensitive = table_columns("evaluate.sensitive_columns");
  if (known.size() > 1 || sensitive.size() > 1 || known.size() != sensitive.size() ||
      (!known.empty() && known.begin()->first != sensitive.begin()->first))
    config.reject(known.size() > 1 || known.size() != sensitive.size() ? "evaluate.known_columns" : "evaluate.sensitive_columns",
                  "known and sensitive columns of one and the same root table (both keys set, or neither)");
  MlUtilityOptions ml_options;
  ml_options.seed = options.seed;
  ml_options.holdout_fraction = holdout;
  ml_options.lambda = config.real("evaluate.ml_lambda");
  if (!(ml_options.lambda >= 0)) config.reject("evaluate.ml_lambda", "a penalty >= 0");
  if (!ml_targets.empty() && holdout <= 0)
    config.reject("evaluate.ml_targets", "a hold-out beside it (evaluate.holdout_fraction > 0): the models are tested on unseen real persons");
  std::map<std::string, std::vector<Constraint>> constraints;
  for (const TableSpec& spec : schema_from_config(config).tables) constraints[spec.name] = spec.constraints;
  nlohmann::json tables = nlohmann::json::object();
  std::vector<std::string> synthetic_tables = stage_tables(synthetic);
  std::string line;
  for (const std::string& table : stage_tables(real)) {
    if (std::find(synthetic_tables.begin(), synthetic_tables.end(), table) == synthetic_tables.end()) continue;
    log_root(context.comm, "evaluate", "table " + table);
    tables[table] = evaluate_table(context.comm, real, synthetic, table, options);
    if (!read_table_meta(real, table).parent.empty()) {
      tables[table]["relation"] = evaluate_relation(context.comm, real, synthetic, table);
      char cardinality[64];
      const auto& c = tables[table]["relation"]["cardinality_shape_similarity"];
      std::snprintf(cardinality, sizeof cardinality, "%.4f", c.is_number() ? c.get<double>() : -1.0);
      log_root(context.comm, "evaluate", "table " + table + ": cardinality shape " + cardinality);
    }
    if (!constraints[table].empty()) {
      const TableMeta meta = read_table_meta(real, table);
      const TableMeta parent = meta.parent.empty() ? TableMeta{} : read_table_meta(real, meta.parent);
      check_constraints(config, "table." + table + ".constraints", constraints[table], meta,
                        meta.parent.empty() ? nullptr : &parent);
      tables[table]["constraints"] = evaluate_constraints(context.comm, real, synthetic, table, constraints[table]);
    }
    for (const auto& target : ml_targets[table]) {
      log_root(context.comm, "evaluate", "table " + table + ": utility of " + target);
      tables[table]["ml_utility"].push_back(evaluate_ml_utility(context.comm, real, synthetic, table, target, ml_options));
    }
    ml_targets.erase(table);
    if (known.count(table)) {
      log_root(context.comm, "evaluate", "table " + table + ": attribute disclosure and singling out");
      const TableMeta meta = read_table_meta(real, table);
      if (!meta.parent.empty() || meta.primary_key.empty())
        config.reject("evaluate.known_columns", "columns of a root table with a primary key (the person is the unit)");
      DisclosureOptions disclosure{options.seed, holdout, known[table], sensitive[table]};
      tables[table]["privacy_disclosure"] = evaluate_disclosure(context.comm, real, synthetic, table, disclosure);
      known.erase(table);
    }
    char score[64];
    std::snprintf(score, sizeof score, "%.4f", tables[table]["quality_score_sdmetrics_0_27"].is_number()
                                                   ? tables[table]["quality_score_sdmetrics_0_27"].get<double>() : -1.0);
    line += (line.empty() ? "" : ", ") + table + " quality " + score;
  }
  if (!known.empty())
    config.reject("evaluate.known_columns", "a table present in both stores ('" + known.begin()->first + "' is not)");
  if (!ml_targets.empty())
    config.reject("evaluate.ml_targets", "tables present in both stores ('" + ml_targets.begin()->first + "' is not)");
  if (!line.empty()) line += " (SDMetrics 0.27 quality score)";
  // Genomes, when both stages hold a panel (the groups of evaluate.genome_*_group).
  const GenomeEvaluationOptions genome_options = read_genome_evaluation_options(config);
  std::optional<GenomeEvaluation> genomes;
  if (stage_has_genomes(real, genome_options.real_group) && stage_has_genomes(synthetic, genome_options.synthetic_group)) {
    genomes = evaluate_genomes(context.comm, real, synthetic, genome_options);
    line += (line.empty() ? "" : "; ") + genomes->summary_line;
  }
  if (tables.empty() && !genomes)
    throw InputError("no table and no genome panel is in both the real stage and the synthetic stage; nothing to evaluate");
  nlohmann::json metrics = {{"format", "synthcohort-metrics/1"},
                            {"code_version", code_version()},
                            {"real", {{"store", context.store_dir}, {"stage", config.text("evaluate.real_stage")}}},
                            {"synthetic", {{"store", synthetic_store}, {"stage", config.text("evaluate.synthetic_stage")}}},
                            {"holdout_fraction", holdout},
                            {"tables", tables}};
  if (genomes) metrics["genomes"] = genomes->metrics;
  std::string output = config.text("evaluate.output").empty() ? context.run_dir + "/report/metrics.json"
                                                              : config.path("evaluate.output");
  std::string problem;
  if (context.comm.is_root()) {
    try {
      auto parent = std::filesystem::path(output).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);
      write_file_atomically(output, metrics.dump(1));
    } catch (const std::exception& e) {
      problem = std::string("cannot write ") + output + ": " + e.what();
    }
  }
  context.comm.agree_on_error(problem, ExitCode::io);
  StageResult result;
  result.summary = {{"metrics", output}, {"tables", tables.size()}};
  if (genomes)
    result.summary["genomes"] = {{"seconds", genomes->timings}, {"windows_per_rank", genomes->windows_per_rank}};
  result.summary_line = line + "; metrics in " + output;
  return result;
}

}  // namespace sc
