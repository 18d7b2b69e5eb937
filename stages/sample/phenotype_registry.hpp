// Where synthetic genomes and their traits meet the synthetic registry. Synthetic individual i
// belongs to row i of the person table (the first root table unless phenotype.person_table says
// otherwise), which gains person-level columns at its end: the individual's sample name in the VCF
// and PLINK exports (phenotype.genome_id_column, missing for persons without a genome) and one
// column per trait (the liability of a quantitative trait, 0/1 for a binary one). A binary trait
// with an event_table also becomes one diagnosis event row per case (phenotype_events.hpp), whose
// category is added to the event column's dictionary when it is new. Everything here is planned
// and checked before `sample` writes anything, so a bad key leaves no partial stage behind.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_model.hpp"
#include "pipeline/table_store.hpp"
#include "stages/sample/phenotype_effects.hpp"
#include "stages/sample/phenotype_model.hpp"
#include "stages/sample/phenotype_values.hpp"

namespace sc {

// Where one binary trait's diagnosis events go.
struct TraitEventTarget {
  std::string table;
  int event_column = -1, day_column = -1;  // in the event table's meta
  int32_t code = -1;                       // the category's code in the (extended) dictionary
};

struct PhenotypePlan {
  bool linked = false;  // the run samples both registry tables and genomes
  std::string person_table;
  int64_t individuals = 0;
  PhenotypeLinkKeys keys;
  std::vector<TraitSpec> traits;
  std::vector<TraitEffects> effects;
  std::vector<TraitEventTarget> events;  // per trait (table "" = none)
  int genome_id_column = -1;             // in the person meta
  std::vector<int> trait_columns;        // per trait, in the person meta
  std::vector<int32_t> genome_id_code;   // per individual: its sample name's code
  // Event table -> column -> old code -> code in the extended dictionary (only where one grew).
  std::map<std::string, std::map<int, std::vector<int32_t>>> code_remap;
  std::vector<TraitValues> values;  // filled once the genomes are sampled

  bool has_events() const;
  // The person columns the onset model reads (kept by the table sampler for every person row).
  std::vector<std::string> person_columns_needed() const;
};

// Reads the [phenotype] keys, checks them against the schema and the row counts, adds the person
// columns and any new event category to `metas`, and draws every trait's causal variants and
// effects. `table_order` lists the tables parents first; `root_rows` gives the root tables' sampled
// rows; `genome_windows` is the number of panel windows (0 without genomes).
PhenotypePlan plan_phenotypes(const StageContext& context, const StageReader& fit, std::map<std::string, TableMeta>& metas,
                              const std::map<std::string, TableModel>& models, const std::vector<std::string>& table_order,
                              const std::map<std::string, int64_t>& root_rows, int64_t genome_individuals, int64_t genome_windows);

// Fills the added person columns of rows [first, first + shard rows) of the person table.
void fill_person_columns(const PhenotypePlan& plan, int64_t first, TableShard& shard);

// Moves the sampled codes of an event table whose dictionary grew to the extended dictionary.
void remap_event_codes(const PhenotypePlan& plan, const std::string& table, TableShard& shard);

}  // namespace sc
