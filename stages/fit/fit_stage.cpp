#include "stages/fit/fit_stage.hpp"

#include <cmath>
#include <map>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/sha256.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_store.hpp"
#include "stages/fit/genome_fit.hpp"
#include "pipeline/shard_committer.hpp"
#include "stages/fit/table_fit.hpp"

namespace sc {

po::options_description fit_options() {
  po::options_description options("Fit ([fit])");
  options.add_options()
      ("fit.bins", po::value<int64_t>()->default_value(32), "network states of a numeric column (quantile groups of its fine histogram)")
      ("fit.fine_bins", po::value<int64_t>()->default_value(256), "equal-width bins of a numeric column's fine histogram")
      ("fit.max_parents", po::value<int64_t>()->default_value(2), "parents per network node (1 to 4)")
      ("fit.min_rows_per_configuration", po::value<int64_t>()->default_value(20),
       "training rows per parent configuration at least (bounds the size of conditional tables)")
      ("fit.min_parent_groups", po::value<int64_t>()->default_value(4),
       "a numeric parent with too many states for fit.min_rows_per_configuration is read in groups of neighbouring states, at least this many (0 or 1: never)")
      ("fit.min_rows_per_coarse_configuration", po::value<int64_t>()->default_value(60),
       "training rows per parent configuration at least for a node with a parent read in groups")
      ("fit.min_mutual_information", po::value<double>()->default_value(0.002),
       "mutual information (nats) below which a column is not made a parent")
      ("fit.sibling_gaps", po::value<bool>()->default_value(true),
       "child tables with a time column: model the first sibling's time and the gaps to the previous sibling (false: times drawn independently, then sorted)")
      ("fit.visits", po::value<bool>()->default_value(true),
       "with fit.sibling_gaps: model visits instead of gaps (a sibling shares its previous sibling's time or starts a visit, whose time is drawn given the row and the parent)")
      ("fit.previous_sibling", po::value<bool>()->default_value(true),
       "with fit.sibling_gaps: a child row may depend on its previous sibling's category (the table's first categorical column)")
      ("fit.min_visit_share", po::value<double>()->default_value(0.05),
       "with fit.visits: the visit model is used where at least this share of later siblings have their previous sibling's time")
      ("fit.min_cell", po::value<int64_t>()->default_value(0),
       "categories and fine histogram bins seen in fewer training rows are suppressed (0 = off)")
      ("fit.epsilon", po::value<double>()->default_value(0.0),
       "differential privacy budget of the whole fit, the person as the unit (0 = off; needs declared domains)")
      ("fit.dp_max_children", po::value<int64_t>()->default_value(64),
       "under fit.epsilon: children per parent row used by the fit at most (bounds one person's rows)")
      ("fit.memory_budget_mb", po::value<int64_t>()->default_value(256),
       "MiB per rank for the per-row work of the fit (families, sibling order, parent states), spilled to <run.dir>/tmp/fit in as many partitions as need be; does not change the model");
  return options;
}

namespace {

FitOptions read_options(const Config& config) {
  FitOptions o;
  auto ranged = [&](const std::string& key, int64_t lo, int64_t hi) {
    int64_t v = config.integer(key);
    if (v < lo || v > hi) config.reject(key, "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v;
  };
  o.max_states = static_cast<int>(ranged("fit.bins", 2, 256));
  o.fine_bins = static_cast<int>(ranged("fit.fine_bins", 1, 65536));
  o.max_parents = static_cast<int>(ranged("fit.max_parents", 0, 4));
  o.min_rows_per_configuration = ranged("fit.min_rows_per_configuration", 1, int64_t{1} << 40);
  o.min_cell = ranged("fit.min_cell", 0, int64_t{1} << 40);
  o.min_parent_groups = ranged("fit.min_parent_groups", 0, 256);
  o.min_rows_per_coarse_configuration = ranged("fit.min_rows_per_coarse_configuration", 1, int64_t{1} << 40);
  o.min_mutual_information = config.real("fit.min_mutual_information");
  if (!(o.min_mutual_information >= 0)) config.reject("fit.min_mutual_information", "a non-negative number of nats");
  o.sibling_gaps = config.flag("fit.sibling_gaps");
  o.visits = config.flag("fit.visits");
  o.previous_sibling = config.flag("fit.previous_sibling");
  o.min_visit_share = config.real("fit.min_visit_share");
  if (!(o.min_visit_share >= 0 && o.min_visit_share <= 1)) config.reject("fit.min_visit_share", "a share from 0 to 1");
  o.seed = static_cast<uint64_t>(config.integer("run.seed"));
  o.holdout_fraction = config.real("evaluate.holdout_fraction");
  const double epsilon = config.real("fit.epsilon");
  if (!(epsilon >= 0) || !std::isfinite(epsilon)) config.reject("fit.epsilon", "a privacy budget >= 0 (0 = off)");
  o.private_fit = epsilon > 0;
  o.max_children = ranged("fit.dp_max_children", 1, int64_t{1} << 20);
  if (o.holdout_fraction < 0.0 || o.holdout_fraction >= 1.0)
    config.reject("evaluate.holdout_fraction", "a share from 0 (inclusive) to 1");
  return o;
}

// Under fit.epsilon every modelled column needs a declared type and a declared domain of its
// kind, and a child table's time column (its sibling gaps) a numeric one.
void check_private_domains(const Config& config, const TableSpec& spec, const TableMeta& meta) {
  const std::string key = "table." + spec.name + ".domains";
  for (size_t c = 0; c < meta.columns.size(); ++c) {
    const std::string& column = meta.columns[c];
    if (meta.types[c] == ColumnType::key) continue;
    if (meta.inferred[c])
      config.reject("table." + spec.name + ".columns", "a declared type for column '" + column +
                                                           "' under fit.epsilon (inferred types come from the data)");
    auto it = spec.domains.find(column);
    const bool categorical = stored_as_code(meta.types[c]);
    if (it == spec.domains.end())
      config.reject(key, std::string("a declared domain for column '") + column + "' under fit.epsilon (" +
                             (categorical ? "column:A|B|C" : "column:LO..HI") + "; ranges and categories from the data would cost budget)");
    if (it->second.categorical != categorical)
      config.reject(key, "a " + std::string(categorical ? "category list (A|B|C)" : "range (LO..HI)") + " for " +
                             to_string(meta.types[c]) + " column '" + column + "'");
  }
}

}  // namespace

StageResult run_fit(const StageContext& context) {
  const Communicator& comm = context.comm;
  const Config& config = context.config;
  FitOptions options = read_options(config);
  const int64_t budget_mb = config.integer("fit.memory_budget_mb");
  if (budget_mb < 1 || budget_mb > (int64_t{1} << 30)) config.reject("fit.memory_budget_mb", "a whole number of MiB from 1 to 2^30");
  StageReader ingest(context.store_dir, "ingest");
  StageResult result;
  result.inputs[ingest.directory() + "/index.json"] = sha256_file(ingest.directory() + "/index.json");
  std::string fingerprint = stage_fingerprint(config, "fit", {"fit.", "run.seed", "evaluate.holdout_fraction", "table.", "genome."}, result.inputs);
  if (already_complete(context, "fit", fingerprint, "this ingest", result)) return result;
  std::vector<std::string> names = stage_tables(ingest);
  const bool genomes = has_genome_reference(ingest);
  if (names.empty() && !genomes) throw InputError(ingest.directory() + " holds no registry table and no genome panel to fit");
  Schema schema = schema_from_config(config);
  GenomeModel genome_model;
  if (genomes) genome_model = plan_genome_fit(context, ingest);

  // Differential privacy: domains checked, one person's rows per table bounded, the budget split.
  const double epsilon = config.real("fit.epsilon");
  std::map<std::string, FitOptions> table_options;
  std::map<std::string, int64_t> rows_per_person;
  std::vector<int64_t> person_rows;
  std::vector<bool> has_references;
  nlohmann::json accounting = nlohmann::json::array();
  // Each ingested table's stored layout and its schema section (null when the config has none).
  std::map<std::string, TableMeta> metas;
  std::map<std::string, const TableSpec*> specs;
  for (const auto& name : names) {
    metas[name] = read_table_meta(ingest, name);
    specs[name] = nullptr;
  }
  for (const auto& t : schema.tables)
    if (specs.count(t.name)) specs[t.name] = &t;
  for (const auto& name : names) {
    const TableMeta& meta = metas[name];
    const TableSpec* spec = specs[name];
    rows_per_person[name] = meta.parent.empty() ? 1 : rows_per_person.at(meta.parent) * options.max_children;
    person_rows.push_back(rows_per_person[name]);
    has_references.push_back(spec && !spec->references.empty());
    if (options.private_fit) {
      if (!spec) config.reject("table." + name + ".domains", "a [table." + name + "] section declaring the domains under fit.epsilon");
      check_private_domains(config, *spec, meta);
    }
  }
  const std::vector<TableDpBudget> budget = plan_dp_budget(epsilon, person_rows, has_references);
  for (size_t i = 0; i < names.size(); ++i) {
    FitOptions o = options;
    if (o.private_fit) {
      o.dp = budget[i];
      o.domains = specs[names[i]]->domains;
      o.accounting = &accounting;
    }
    table_options[names[i]] = o;
  }

  // Per-row work goes through the scratch area in partitions that fit the memory budget.
  FitScratch scratch(comm, context.run_dir + "/tmp/fit", budget_mb << 20);

  // Tables parents first (the order ingest wrote them in).
  std::map<std::string, FittedTable> tables;
  Progress preparing(comm, "fit", "families", static_cast<int64_t>(names.size()), "rows");
  for (const auto& name : names) {
    FittedTable& t = tables[name];
    t.meta = metas[name];
    t.layout = table_layout(ingest, t.meta);
    FittedTable* parent = nullptr;
    if (!t.meta.parent.empty()) {
      auto it = tables.find(t.meta.parent);
      SC_EXPECTS(it != tables.end(), InputError, "table " + name + ": its parent " + t.meta.parent + " is not in the ingest stage");
      parent = &it->second;
    }
    prepare_table(comm, ingest, scratch, t, parent, table_options[name]);
    preparing.shard_done(t.layout.total_rows / comm.size());
  }
  StageWriter writer(context.store_dir, "fit", fingerprint, config.flag("run.restart"), comm);
  Progress progress(comm, "fit", "tables", static_cast<int64_t>(names.size()), "rows");
  std::vector<std::string> expected;
  nlohmann::json summary = nlohmann::json::object();
  std::string line;
  int64_t persons = 0;
  // Models are dealt to ranks like shards: table i is written by rank i % size.
  std::vector<uint8_t> write_model(names.size(), 0);
  for (size_t i = 0; i < names.size(); ++i)
    write_model[i] = static_cast<int>(i % static_cast<size_t>(comm.size())) == comm.rank() &&
                     !writer.committed(shard_name("models/" + names[i], 0));
  // A model's commit (its fsync and rename) runs on the committer's thread while the next table
  // is fitted, and the last one's while the stage's index and view are written.
  ShardCommitter committer(writer);
  for (size_t i = 0; i < names.size(); ++i) {
    FittedTable& t = tables[names[i]];
    const FittedTable* parent = t.meta.parent.empty() ? nullptr : &tables[t.meta.parent];
    std::vector<std::pair<std::string, std::string>> references;
    if (specs[names[i]])
      for (const auto& ref : specs[names[i]]->references) references.emplace_back(ref.column, ref.table);
    fit_table(comm, ingest, scratch, t, parent, references, table_options[names[i]]);
    if (!parent) persons += t.model.rows_fit;
    t.model.persons_fit = persons;
    std::string shard = shard_name("models/" + names[i], 0);
    expected.push_back(shard);
    if (write_model[i]) {
      ShardFile file = writer.begin(shard);
      write_table_model(file, t.model);
      writer.seal(file, false);
      committer.commit(std::move(file));
    }
    progress.shard_done(t.model.rows_fit);
    summary[names[i]] = t.model.report;
    line += (line.empty() ? "" : ", ") + names[i] + " " + std::to_string(t.model.rows_fit) + " rows";
  }
  nlohmann::json genome_summary;
  if (genomes) {
    genome_summary = fit_genomes(context, ingest, genome_model, writer, expected);
    line += std::string(line.empty() ? "" : ", ") + "genome mosaic of " +
            std::to_string(genome_summary["reference_individuals"].get<int64_t>() - genome_summary["held_out"].get<int64_t>()) +
            " donor individuals";
  }
  nlohmann::json privacy = nullptr;
  if (options.private_fit) {
    double spent = 0;
    for (const auto& b : budget) spent += b.total();
    privacy = {{"epsilon", epsilon},
               {"delta", 0},
               {"guarantee", "pure epsilon-differential privacy (Laplace mechanism, sequential composition)"},
               {"unit", "person: a root row with all of its descendant rows (add/remove neighbours)"},
               {"max_children_per_parent", options.max_children},
               {"rows_per_person", rows_per_person},
               {"epsilon_spent", spent},
               {"queries", accounting}};
  }
  nlohmann::json index = writer.finish(expected, {{"tables", summary}, {"holdout_fraction", options.holdout_fraction},
                                                  {"differential_privacy", privacy}, {"genomes", genome_summary}},
                                       &committer);
  result.summary = {{"tables", summary}, {"shards_committed", index["shards_committed"]}, {"ranks", index["ranks"]},
                    {"differential_privacy", privacy}};
  if (genomes) result.summary["genomes"] = genome_summary;
  nlohmann::json partitions = nlohmann::json::object();
  for (const auto& [name, t] : tables)
    if (t.family_partitions > 0) partitions[name] = t.family_partitions;
  result.summary["memory"] = {{"budget_mb", budget_mb}, {"family_partitions", partitions}};
  result.summary_line = "fitted " + line + (options.holdout_fraction > 0 ? " (hold-out persons excluded)" : "") +
                        (options.private_fit ? " under epsilon = " + std::to_string(epsilon) + " (row counts noisy)" : "");
  return result;
}

}  // namespace sc
