#include "stages/sample/phenotype_registry.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include "pipeline/error.hpp"
#include "stages/sample/genome_sample.hpp"

namespace sc {

bool PhenotypePlan::has_events() const {
  return std::any_of(events.begin(), events.end(), [](const TraitEventTarget& e) { return !e.table.empty(); });
}

std::vector<std::string> PhenotypePlan::person_columns_needed() const {
  if (!has_events()) return {};
  return {keys.age_column, keys.followup_column};
}

namespace {

bool numeric_column(ColumnType type) { return type == ColumnType::integer || type == ColumnType::real || type == ColumnType::day_offset; }

void add_column(TableMeta& meta, const std::string& name, ColumnType type) {
  meta.columns.push_back(name);
  meta.types.push_back(type);
  meta.inferred.push_back(0);
}

// The person table: phenotype.person_table, or the first root table.
std::string person_table_of(const Config& config, const PhenotypeLinkKeys& keys, const std::map<std::string, TableMeta>& metas,
                            const std::map<std::string, int64_t>& root_rows, const std::vector<std::string>& order) {
  if (!keys.person_table.empty()) {
    if (!metas.count(keys.person_table)) config.reject("phenotype.person_table", "a table of the schema ([table.NAME])");
    if (!root_rows.count(keys.person_table)) config.reject("phenotype.person_table", "a root table (one without a parent)");
    return keys.person_table;
  }
  for (const auto& name : order)
    if (root_rows.count(name)) return name;
  throw InternalError("a sampled schema without a root table");
}

// Checks one binary trait's event keys against the schema; returns where its events go.
TraitEventTarget event_target(const Config& config, const TraitSpec& trait, const std::string& person_table,
                              const std::map<std::string, TableMeta>& metas, const std::map<std::string, TableModel>& models) {
  TraitEventTarget target;
  if (trait.event_table.empty()) return target;
  const std::string table_key = trait.key("event_table");
  if (!metas.count(trait.event_table)) config.reject(table_key, "a table of the schema ([table.NAME])");
  const TableMeta& meta = metas.at(trait.event_table);
  if (meta.parent != person_table) config.reject(table_key, "a child table of the person table " + person_table);
  for (const auto& [name, other] : metas)
    if (other.parent == trait.event_table)
      config.reject(table_key, "a leaf table (table " + name + " has it as parent; event rows would need children)");
  target.table = trait.event_table;
  target.event_column = meta.column_index(trait.event_column);
  if (target.event_column < 0 || !stored_as_code(meta.types[static_cast<size_t>(target.event_column)]))
    config.reject(trait.key("event_column"), "a categorical or code column of table " + trait.event_table);
  const std::string day_column = trait.event_day_column.empty() ? models.at(trait.event_table).order_by : trait.event_day_column;
  if (day_column.empty())
    config.reject(trait.key("event_day_column"), "the column of table " + trait.event_table +
                                                     " that holds the day offset since entry (the table has no time column to default to)");
  target.day_column = meta.column_index(day_column);
  if (target.day_column < 0 || !(meta.types[static_cast<size_t>(target.day_column)] == ColumnType::day_offset ||
                                 meta.types[static_cast<size_t>(target.day_column)] == ColumnType::integer))
    config.reject(trait.key("event_day_column"), "an integer or day_offset column of table " + trait.event_table);
  return target;
}

}  // namespace

PhenotypePlan plan_phenotypes(const StageContext& context, const StageReader& fit, std::map<std::string, TableMeta>& metas,
                              const std::map<std::string, TableModel>& models, const std::vector<std::string>& table_order,
                              const std::map<std::string, int64_t>& root_rows, int64_t genome_individuals, int64_t genome_windows) {
  const Config& config = context.config;
  PhenotypePlan plan;
  plan.keys = read_link_keys(config);
  plan.traits = read_trait_specs(config);
  const bool tables = !metas.empty(), genomes = genome_windows > 0 && genome_individuals > 0;
  if (!plan.traits.empty() && !genomes)
    config.reject("genome.individuals", "synthetic genomes for the traits of [phenotype." + plan.traits.front().name +
                                            "] (a genome.vcf ingested and genome.individuals above 0)");
  if (!plan.traits.empty() && !tables)
    config.reject(plan.traits.front().key("heritability"), "a registry schema ([table.NAME]) whose persons carry the trait");
  if (!tables || !genomes) return plan;
  if (genome_individuals < 2 && !plan.traits.empty())
    config.reject("genome.individuals", "at least 2 individuals for traits (their genetic values are scaled to the cohort's variance)");

  plan.linked = true;
  plan.individuals = genome_individuals;
  plan.person_table = person_table_of(config, plan.keys, metas, root_rows, table_order);
  const int64_t persons = root_rows.at(plan.person_table);
  if (genome_individuals > persons)
    config.reject("genome.individuals", "at most the " + std::to_string(persons) + " synthetic persons of table " + plan.person_table +
                                            " (each genome belongs to one synthetic person; raise sample.persons or lower genome.individuals)");
  TableMeta& person = metas.at(plan.person_table);
  if (person.column_index(plan.keys.genome_id_column) >= 0)
    config.reject("phenotype.genome_id_column", "a column name table " + plan.person_table + " does not have yet");
  for (const auto& trait : plan.traits)
    if (person.column_index(trait.name) >= 0 || trait.name == plan.keys.genome_id_column)
      config.reject(trait.key("heritability"), "a trait whose name is not already a column of table " + plan.person_table +
                                                   " (rename [phenotype." + trait.name + "])");
  for (const auto& trait : plan.traits) plan.events.push_back(event_target(config, trait, plan.person_table, metas, models));
  for (const auto& [key, column] : {std::pair{"phenotype.age_column", plan.keys.age_column},
                                    std::pair{"phenotype.followup_column", plan.keys.followup_column}}) {
    const int c = person.column_index(column);
    if (plan.has_events() && (c < 0 || !numeric_column(person.types[static_cast<size_t>(c)])))
      config.reject(key, "an integer, real or day_offset column of table " + plan.person_table + " (diagnosis events need it)");
  }

  // New event categories join the dictionary in sorted place; sampled codes move with them.
  for (size_t t = 0; t < plan.traits.size(); ++t) {
    TraitEventTarget& target = plan.events[t];
    if (target.table.empty()) continue;
    TableMeta& meta = metas.at(target.table);
    const std::string& column = meta.columns[static_cast<size_t>(target.event_column)];
    std::vector<std::string>& dictionary = meta.dictionaries[column];
    auto at = std::lower_bound(dictionary.begin(), dictionary.end(), plan.traits[t].event_code);
    if (at == dictionary.end() || *at != plan.traits[t].event_code) {
      const int32_t inserted = static_cast<int32_t>(at - dictionary.begin());
      dictionary.insert(at, plan.traits[t].event_code);
      auto& remap = plan.code_remap[target.table][target.event_column];
      if (remap.empty()) {
        remap.resize(dictionary.size() - 1);
        std::iota(remap.begin(), remap.end(), 0);
      }
      for (int32_t& code : remap)
        if (code >= inserted) ++code;
    }
  }
  for (size_t t = 0; t < plan.traits.size(); ++t) {
    TraitEventTarget& target = plan.events[t];
    if (target.table.empty()) continue;
    const auto& dictionary = metas.at(target.table).dictionaries.at(metas.at(target.table).columns[static_cast<size_t>(target.event_column)]);
    target.code = static_cast<int32_t>(std::lower_bound(dictionary.begin(), dictionary.end(), plan.traits[t].event_code) - dictionary.begin());
  }

  // The person columns: the genome's sample name (a dictionary of every synthetic name), the traits.
  std::vector<std::string> names;
  for (int64_t i = 0; i < genome_individuals; ++i) names.push_back(synthetic_sample_name(i));
  std::vector<int32_t> order_of(names.size());
  std::iota(order_of.begin(), order_of.end(), 0);
  std::sort(order_of.begin(), order_of.end(), [&](int32_t a, int32_t b) { return names[static_cast<size_t>(a)] < names[static_cast<size_t>(b)]; });
  plan.genome_id_code.assign(names.size(), 0);
  std::vector<std::string> dictionary;
  for (size_t k = 0; k < order_of.size(); ++k) {
    plan.genome_id_code[static_cast<size_t>(order_of[k])] = static_cast<int32_t>(k);
    dictionary.push_back(names[static_cast<size_t>(order_of[k])]);
  }
  plan.genome_id_column = static_cast<int>(person.columns.size());
  add_column(person, plan.keys.genome_id_column, ColumnType::categorical);
  person.dictionaries[plan.keys.genome_id_column] = std::move(dictionary);
  for (const auto& trait : plan.traits) {
    plan.trait_columns.push_back(static_cast<int>(person.columns.size()));
    add_column(person, trait.name, trait.binary ? ColumnType::integer : ColumnType::real);
  }
  if (!plan.traits.empty())
    plan.effects = draw_trait_effects(config, plan.traits, panel_alt_frequencies(fit, genome_windows),
                                      static_cast<uint64_t>(config.integer("run.seed")));
  return plan;
}

void fill_person_columns(const PhenotypePlan& plan, int64_t first, TableShard& shard) {
  if (!plan.linked) return;
  const size_t rows = static_cast<size_t>(shard.rows());
  shard.columns.resize(std::max(shard.columns.size(), static_cast<size_t>(plan.genome_id_column) + 1 + plan.traits.size()));
  ColumnValues& id = shard.columns[static_cast<size_t>(plan.genome_id_column)];
  id.codes.assign(rows, -1);
  id.missing.assign(rows, 1);
  for (size_t t = 0; t < plan.traits.size(); ++t) {
    ColumnValues& column = shard.columns[static_cast<size_t>(plan.trait_columns[t])];
    column = ColumnValues{};
    column.missing.assign(rows, 1);
    if (plan.traits[t].binary) column.i64.assign(rows, 0);
    else column.f64.assign(rows, 0.0);
  }
  for (size_t r = 0; r < rows; ++r) {
    const int64_t i = first + static_cast<int64_t>(r);
    if (i >= plan.individuals) break;
    id.codes[r] = plan.genome_id_code[static_cast<size_t>(i)];
    id.missing[r] = 0;
    for (size_t t = 0; t < plan.traits.size(); ++t) {
      ColumnValues& column = shard.columns[static_cast<size_t>(plan.trait_columns[t])];
      const TraitValues& values = plan.values[t];
      column.missing[r] = 0;
      if (plan.traits[t].binary) column.i64[r] = values.is_case[static_cast<size_t>(i)];
      else column.f64[r] = values.liability[static_cast<size_t>(i)];
    }
  }
}

void remap_event_codes(const PhenotypePlan& plan, const std::string& table, TableShard& shard) {
  const auto it = plan.code_remap.find(table);
  if (it == plan.code_remap.end()) return;
  for (const auto& [column, remap] : it->second)
    for (int32_t& code : shard.columns[static_cast<size_t>(column)].codes)
      if (code >= 0) code = remap[static_cast<size_t>(code)];
}

}  // namespace sc
