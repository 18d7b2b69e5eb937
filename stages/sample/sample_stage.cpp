#include "stages/sample/sample_stage.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <future>
#include <map>
#include <memory>
#include <optional>

#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/sha256.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_layout.hpp"
#include "pipeline/table_store.hpp"
#include "kernels/sampling/network_sampler.hpp"
#include "stages/sample/constraint_repair.hpp"
#include "stages/fit/genome_fit.hpp"
#include "pipeline/shard_committer.hpp"
#include "stages/sample/genome_sample.hpp"
#include "stages/sample/phenotype_sample.hpp"
#include "stages/sample/table_sampler.hpp"

namespace sc {

po::options_description sample_options() {
  po::options_description options("Sample ([sample])");
  options.add_options()
      ("sample.persons", po::value<int64_t>()->default_value(0),
       "synthetic rows of the root table (0 = as many as the real root table has); other roots scale alike")
      // cpu by default: on an H200 node the demo's sample stage took 15 times as long with the CUDA
      // backends (3.08 s against 0.21 s), the per-block costs outweighing the draws (docs/benchmarks.md).
      ("sample.backend", po::value<std::string>()->default_value("cpu"),
       "sampling kernel: cpu, cuda, or auto (cuda where a GPU answers); the output bits are the same")
      ("sample.rows_per_shard", po::value<int64_t>()->default_value(0),
       "rows per synthetic shard (0 = ingest.rows_per_shard)");
  return options;
}

StageResult run_sample(const StageContext& context) {
  const Communicator& comm = context.comm;
  const Config& config = context.config;
  int64_t persons = config.integer("sample.persons");
  if (persons < 0) config.reject("sample.persons", "a number of persons, 0 or more (0 = as many as the real table)");
  int64_t rows_per_shard = config.integer("sample.rows_per_shard");
  if (rows_per_shard < 0) config.reject("sample.rows_per_shard", "a positive number of rows (0 = ingest.rows_per_shard)");
  if (rows_per_shard == 0) rows_per_shard = config.integer("ingest.rows_per_shard");
  int64_t deflate = config.integer("store.compression");
  const std::string backend = config.text("sample.backend");
  if (backend != "auto" && backend != "cpu" && backend != "cuda") config.reject("sample.backend", "cpu, cuda or auto");
  // Only asked where a GPU may be used: probing the CUDA runtime costs a millisecond or two.
  const bool gpu_here = backend != "cpu" && comm.all(kernels::cuda_backend_available());
  if (backend == "cuda" && !gpu_here)
    config.reject("sample.backend", "a backend this job has: no CUDA device answers on every rank (or the build has no CUDA); use cpu or auto");
  const bool use_cuda = backend == "cuda" || (backend == "auto" && gpu_here);
  StageReader fit(context.store_dir, "fit");
  StageReader ingest(context.store_dir, "ingest");
  StageResult result;
  result.inputs[fit.directory() + "/index.json"] = sha256_file(fit.directory() + "/index.json");
  std::string fingerprint = stage_fingerprint(config, "sample", {"sample.", "run.seed", "store.compression", "table.", "genome.", "phenotype."}, result.inputs);
  if (already_complete(context, "sample", fingerprint, "this fit", result)) return result;
  std::vector<std::string> names = stage_tables(ingest);
  std::map<std::string, TableMeta> metas;
  std::map<std::string, TableModel> models;
  for (const auto& name : names) {
    metas[name] = read_table_meta(ingest, name);
    models[name] = read_table_model(fit, name);
    // A private fit's categories are the declared ones, not the real dictionary's.
    for (const auto& node : models[name].nodes)
      if (!node.categories.empty()) metas[name].dictionaries[node.name] = node.categories;
  }
  // Each table's network arrays (CPU only) are built on their own thread while this one checks the
  // plan and writes (HDF5, which allows one thread at a time): a small table's sample waited
  // 0.5 ms for them when they were started only beside the table's schema shard.
  const uint64_t seed = static_cast<uint64_t>(config.integer("run.seed"));
  std::vector<std::future<kernels::NetworkArrays>> networks;
  for (size_t t = 0; t < names.size(); ++t)
    networks.push_back(std::async(std::launch::async, [model = &models.at(names[t]), seed, t] {
      return model->network(seed, static_cast<uint32_t>(t));
    }));
  // Declared constraints, checked against the stored columns before anything is drawn.
  std::map<std::string, std::vector<Constraint>> constraints;
  const Schema schema = schema_from_config(config);
  for (const TableSpec& spec : schema.tables) {
    if (!metas.count(spec.name) || spec.constraints.empty()) continue;
    const TableMeta& meta = metas[spec.name];
    check_constraints(config, "table." + spec.name + ".constraints", spec.constraints, meta,
                      meta.parent.empty() ? nullptr : &metas[meta.parent]);
    constraints[spec.name] = spec.constraints;
  }
  // Root tables: the first gets `persons` rows, the others keep their real ratio to it.
  int64_t first_root_real = -1, first_root_rows = 0;
  std::map<std::string, int64_t> root_rows;
  for (const auto& name : names) {
    if (!metas[name].parent.empty()) continue;
    // After a private fit the real count is not known to us: the model's noisy estimate stands in.
    const int64_t real = models[name].private_fit ? models[name].rows_fit : table_layout(ingest, metas[name]).total_rows;
    if (first_root_real < 0) {
      first_root_real = real;
      first_root_rows = persons > 0 ? persons : real;
      root_rows[name] = first_root_rows;
    } else {
      root_rows[name] = first_root_real > 0
                            ? static_cast<int64_t>(std::llround(static_cast<double>(real) * first_root_rows / first_root_real))
                            : real;
    }
  }

  const bool with_genomes = has_genome_reference(ingest);
  GenomeSamplePlan genome_plan;
  if (with_genomes) genome_plan = plan_genome_sample(context, fit);
  // Traits and the genome-person link: checked, and the person columns added, before any write.
  PhenotypePlan phenotypes = plan_phenotypes(context, fit, metas, models, names, root_rows, genome_plan.individuals,
                                             static_cast<int64_t>(genome_plan.model.window_variants.size()));
  StageWriter writer(context.store_dir, "sample", fingerprint, config.flag("run.restart"), comm);
  std::map<std::string, SampledTable> sampled;
  std::map<std::string, int64_t> table_rows;
  std::vector<std::string> expected;
  // Genomes first: the person table carries the traits computed from them (their own backend key:
  // genome.backend).
  GenomeSampleSummary genomes;
  if (with_genomes) genomes = sample_genomes_with_traits(context, ingest, genome_plan, phenotypes, writer, expected);
  // Every table's shards, the schema shards too, are committed (fsync, rename) on the committer's
  // thread while the next ones are drawn and written, and the last ones while the stage's index
  // and view are written (StageWriter::finish).
  ShardCommitter committer(writer);
  PhenotypeEventRows phenotype_events;
  nlohmann::json summary = nlohmann::json::object();
  std::string line;
  for (size_t t = 0; t < names.size(); ++t) {
    const std::string& name = names[t];
    TableSamplingPlan plan;
    plan.model = &models[name];
    plan.meta = &metas[name];
    plan.parent = metas[name].parent.empty() ? nullptr : &sampled.at(metas[name].parent);
    if (plan.parent) plan.parent_nodes = models[metas[name].parent].nodes.size();
    plan.use_cuda = use_cuda;
    plan.seed = seed;
    plan.stream = static_cast<uint32_t>(t);
    plan.rows = metas[name].parent.empty() ? root_rows[name] : 0;
    if (plan.parent && constraints.count(name))
      for (const Constraint& c : constraints[name])
        if (c.column == models[name].order_by && c.operand == OperandKind::parent_column &&
            (c.op == ConstraintOp::le || c.op == ConstraintOp::lt)) {
          plan.family_time_bound = &plan.parent->constraint_values.at(c.operand_column);
          plan.family_time_op = c.op;
        }
    for (const auto& child : names)
      if (metas[child].parent == name) plan.child_tables.push_back(child);
    std::string schema_shard = shard_name(table_schema_group(name), 0);
    expected.push_back(schema_shard);
    std::optional<ShardFile> schema_file;
    if (comm.is_root() && !writer.committed(schema_shard)) {
      schema_file.emplace(writer.begin(schema_shard));
      write_table_meta(*schema_file, metas[name]);
      writer.seal(*schema_file, false);
    }
    const kernels::NetworkArrays network = networks[t].get();
    plan.network = &network;
    SampledTable table = plan_table(plan);
    // Diagnosis events of binary traits follow the rows the network draws.
    const int64_t sampled_rows = table.rows;
    table.rows += phenotype_events.rows(name);
    table_rows[name] = table.rows;
    plan.table_rows = table_rows;
    for (const auto& ref : models[name].references)
      SC_EXPECTS(table_rows.count(ref.target_table), ConfigError,
                 "table " + name + ": reference column " + metas[name].columns[static_cast<size_t>(ref.column)] +
                     " points into " + ref.target_table + ", which is sampled after it (references must point to earlier tables)");

    const int64_t shards = std::max<int64_t>(1, (table.rows + rows_per_shard - 1) / rows_per_shard);
    const bool keep = !plan.child_tables.empty();
    const size_t nodes = models[name].nodes.size();
    if (keep) table.node_states.assign(static_cast<size_t>(table.rows) * nodes, 0);
    for (const auto& child : plan.child_tables) table.children_counts[child].assign(static_cast<size_t>(table.rows), 0);
    const std::vector<Constraint> no_constraints;
    const std::vector<Constraint>& own_constraints = constraints.count(name) ? constraints[name] : no_constraints;
    const ParentColumnValues no_values;
    const ParentColumnValues& parent_values = plan.parent ? plan.parent->constraint_values : no_values;
    for (const auto& column : columns_children_compare_with(name, constraints, metas))
      table.constraint_values[column].assign(static_cast<size_t>(table.rows), 0.0);
    if (name == phenotypes.person_table)
      for (const auto& column : phenotypes.person_columns_needed()) table.constraint_values[column].assign(static_cast<size_t>(table.rows), 0.0);
    const TableMeta& meta = metas.at(name);
    // This rank's shards. Those an interrupted run committed are known first (checking one reads
    // it, and HDF5 stays on this thread); they are drawn again (cheaply) for what the tables below
    // need, but not written again.
    std::vector<int64_t> mine;
    for (int64_t s = comm.rank(); s < shards; s += comm.size()) mine.push_back(s);
    std::vector<uint8_t> resumed(mine.size(), 0);
    for (size_t k = 0; k < mine.size(); ++k) resumed[k] = writer.committed(shard_name(table_group(name), mine[k]));
    // A shard depends on nothing but its index, so TBB tasks draw up to `in_flight` shards at once
    // (each with its own kernel call, threaded too), and a serial filter writes them in shard
    // order (HDF5 is not reentrant: one write at a time) while the committer fsyncs and renames
    // the shards before them: the rows, the shard files and the digests are those of a loop over
    // the shards one by one. Every row's node states, counts and constraint values go to their
    // own places in the table's arrays, so the parallel filter fills them without locks.
    struct ShardDraw {
      int64_t shard = 0, first = 0, count = 0, repaired = 0;
      bool write = false;  // not committed by an interrupted run
      TableShard data;
      std::vector<std::string> digests;  // table_shard_digests(meta, data)
    };
    int64_t repaired = 0;
    Progress progress(comm, "sample", "table " + name, shards, "rows");
    {
      if (schema_file) committer.commit(std::move(*schema_file));
      size_t next = 0;
      const size_t in_flight = static_cast<size_t>(tbb::this_task_arena::max_concurrency()) + 1;
      tbb::parallel_pipeline(
          in_flight,
          tbb::make_filter<void, size_t>(tbb::filter_mode::serial_in_order,
                                         [&](tbb::flow_control& control) -> size_t {
                                           if (next == mine.size()) control.stop();
                                           return next++;
                                         }) &
              tbb::make_filter<size_t, std::shared_ptr<ShardDraw>>(
                  tbb::filter_mode::parallel,
                  [&](size_t k) {
                    auto work = std::make_shared<ShardDraw>();
                    work->shard = mine[k];
                    work->first = mine[k] * rows_per_shard;
                    work->count = std::max<int64_t>(0, std::min(rows_per_shard, table.rows - work->first));
                    const int64_t first = work->first, count = work->count;
                    const int64_t drawn = std::clamp<int64_t>(sampled_rows - first, 0, count);
                    SampledShard shard = sample_shard(plan, table, first, drawn);
                    remap_event_codes(phenotypes, name, shard.data);
                    work->repaired = repair_constraints(shard.data, meta, own_constraints, parent_values);
                    if (drawn < count)
                      append_shard_rows(shard.data, event_rows_shard(phenotypes, phenotype_events, name, meta, sampled_rows,
                                                                     first + drawn, count - drawn));
                    if (name == phenotypes.person_table) fill_person_columns(phenotypes, first, shard.data);
                    for (auto& [column, values] : table.constraint_values) {
                      std::vector<double> shard_values = column_as_double(shard.data, meta, column);
                      std::copy(shard_values.begin(), shard_values.end(), values.begin() + first);
                    }
                    if (keep)
                      std::copy(shard.node_states.begin(), shard.node_states.end(),
                                table.node_states.begin() + first * static_cast<int64_t>(nodes));
                    for (auto& [child, counts] : shard.children_counts)
                      std::copy(counts.begin(), counts.end(), table.children_counts.at(child).begin() + first);
                    work->write = !resumed[k];
                    if (work->write) {
                      work->data = std::move(shard.data);
                      // Digested here, a dataset per task, rather than one after the other by
                      // the serial writer: 1 ms of SHA-256 for 17,549 rows of 7 columns.
                      work->digests.resize(2 * meta.columns.size());
                      tbb::parallel_for(size_t{0}, work->digests.size(), [&](size_t i) {
                        work->digests[i] = table_shard_digest(meta, work->data, i);
                      });
                    }
                    return work;
                  }) &
              tbb::make_filter<std::shared_ptr<ShardDraw>, void>(
                  tbb::filter_mode::serial_in_order, [&](const std::shared_ptr<ShardDraw>& work) {
                    if (work->write) {
                      ShardFile file = writer.begin(shard_name(table_group(name), work->shard));
                      write_table_shard(file, meta, work->data, static_cast<int>(deflate), &work->digests);
                      writer.seal(file, false);
                      committer.commit(std::move(file));
                    }
                    repaired += work->repaired;
                    progress.shard_done(work->count);
                  }));
    }
    for (int64_t s = 0; s < shards; ++s) expected.push_back(shard_name(table_group(name), s));
    // Each row was filled by its owner only: exact sums put them together on every rank.
    if (keep) comm.allreduce_sum_inplace(table.node_states);
    for (auto& [child, counts] : table.children_counts) comm.allreduce_sum_inplace(counts);
    // Only the owner wrote a row's value (NaN for missing). Summed as bit patterns, whose other
    // ranks' words are all zero, each value arrives bit for bit (a floating-point sum would be
    // exact too here, but the communicator refuses those on principle).
    for (auto& [column, values] : table.constraint_values) {
      std::vector<uint64_t> bits(values.size());
      std::transform(values.begin(), values.end(), bits.begin(), [](double v) { return std::bit_cast<uint64_t>(v); });
      comm.allreduce_sum_inplace(bits);
      std::transform(bits.begin(), bits.end(), values.begin(), [](uint64_t b) { return std::bit_cast<double>(b); });
    }
    repaired = comm.allreduce_sum(repaired);
    if (name == phenotypes.person_table && phenotypes.has_events())
      phenotype_events = onset_events(phenotypes, table.constraint_values.at(phenotypes.keys.age_column),
                                      table.constraint_values.at(phenotypes.keys.followup_column),
                                      static_cast<uint64_t>(config.integer("run.seed")));
    summary[name] = {{"rows", table.rows}, {"shards", shards}};
    if (!own_constraints.empty()) summary[name]["constraint_repairs"] = repaired;
    line += (line.empty() ? "" : ", ") + name + " " + human_count(static_cast<double>(table.rows)) + " rows";
    sampled.emplace(name, std::move(table));
  }
  nlohmann::json index_summary = {{"tables", summary}};
  if (with_genomes) index_summary["genomes"] = genomes.summary;
  if (phenotypes.linked) index_summary["phenotypes"] = phenotype_summary(phenotypes, phenotype_events);
  nlohmann::json index = writer.finish(expected, index_summary, &committer);
  result.summary = {{"tables", summary}, {"shards_committed", index["shards_committed"]}, {"ranks", index["ranks"]},
                    {"backend", use_cuda ? "cuda" : "cpu"}};
  if (with_genomes) {
    result.summary["genomes"] = genomes.summary;
    result.summary["genomes"]["phases"] = genomes.phases;
  }
  if (phenotypes.linked) result.summary["phenotypes"] = index_summary["phenotypes"];
  result.summary_line = "sampled " + line + (names.empty() ? "" : std::string(" (") + (use_cuda ? "CUDA" : "CPU") + " kernel)");
  if (!genomes.line.empty()) result.summary_line += (line.empty() ? "" : ", ") + genomes.line;
  if (!phenotypes.traits.empty()) result.summary_line += ", " + std::to_string(phenotypes.traits.size()) + " trait(s) on table " + phenotypes.person_table;
  int64_t skipped = 0;
  for (const auto& rank : index["ranks"]) skipped += rank["shards_skipped"].get<int64_t>();
  if (skipped > 0) result.summary_line += ", " + std::to_string(skipped) + " already committed (resumed)";
  return result;
}

}  // namespace sc
