// Binary traits as diagnosis events: every case of a trait with an event_table gets one row in that
// child table of the person table, with the trait's category and the day of onset. The onset model
// (docs/phenotypes.md): an age at onset A ~ N(mu_i, sd^2), mu_i = onset_age_mean -
// onset_age_per_liability x (Y_i - threshold) (higher liability, earlier onset), conditioned on
// the person's follow-up window [age, age + followup / 365.25] by inverse-CDF sampling of the
// truncated normal, so every event lies inside the person's lifetime and follow-up; days =
// floor((A - age) x 365.25). The draw is Philox keyed by (run.seed, trait, individual). Event rows
// follow the table's sampled rows, in (person, trait) order; every rank computes all of them (there
// are as many as cases) and writes those of the shards it owns.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/table_store.hpp"
#include "stages/sample/phenotype_registry.hpp"

namespace sc {

struct PhenotypeEvent {
  int64_t person = 0;  // person row (= synthetic individual)
  int32_t trait = 0;
  int64_t days = 0;  // day offset of onset since entry, 0 <= days <= followup
};

struct PhenotypeEventRows {
  std::map<std::string, std::vector<PhenotypeEvent>> by_table;
  std::vector<int64_t> events, cases_without_event;  // per trait
  int64_t rows(const std::string& table) const;
};

// `age` and `followup`: the person table's phenotype.age_column and phenotype.followup_column per
// person row (NaN where missing). A case whose age or follow-up is missing or negative gets no
// event (counted in cases_without_event).
PhenotypeEventRows onset_events(const PhenotypePlan& plan, const std::vector<double>& age, const std::vector<double>& followup,
                                uint64_t seed);

// Rows [first, first + count) of `table`, all of them event rows (event k is row sampled_rows + k),
// in the column layout of `meta`: the foreign key, the category and the day; the primary key (if
// any) is the row number + 1 as for sampled rows; every other column is missing.
TableShard event_rows_shard(const PhenotypePlan& plan, const PhenotypeEventRows& events, const std::string& table,
                            const TableMeta& meta, int64_t sampled_rows, int64_t first, int64_t count);

// Appends the rows of `more` to `shard` (the same columns).
void append_shard_rows(TableShard& shard, const TableShard& more);

}  // namespace sc
