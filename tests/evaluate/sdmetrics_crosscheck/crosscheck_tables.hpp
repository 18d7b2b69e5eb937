// The tables of the sdmetrics cross-check, read the way both sides agree on: tables.json names the
// files, the column typing (SDMetrics sdtypes: numerical, categorical, id) and the known and
// sensitive columns of the disclosure attack; the CSV files (gzip or plain; R's write.csv: quoted
// strings, NA for missing) are read here into our column views, with one dictionary per
// categorical column sorted by string, as ingest builds them. The real ingest lives in
// stages/ingest; this reader exists so that the cross-check depends on nothing but the metrics.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"

namespace sc::metrics::crosscheck {

struct TableSpec {
  std::string name, file;
  std::vector<std::string> column_names, sdtypes;  // all columns, in file order
  std::vector<std::string> known, sensitive;
};

struct Spec {
  std::string sdmetrics_version;
  std::uint64_t baseline_seed = 0;
  std::vector<TableSpec> tables;
};

Spec read_spec(const std::string& path);

// The scored (non-id) columns of a table file, all rows.
struct LoadedTable {
  std::vector<std::string> names;
  std::vector<ColumnKind> kinds;
  std::vector<std::vector<std::string>> dictionaries;  // categorical columns; empty for others
  TableData data;
  std::int64_t rows() const { return data.view().rows(); }
  int column_index(const std::string& name) const;
};

LoadedTable load_table(const std::string& data_dir, const TableSpec& spec);

// The rows whose 0-based index satisfies `keep` (the cross-check's row split).
TableData select_rows(const TableData& table, const std::function<bool(std::int64_t)>& keep);

// The four parts of every cross-check table.
inline bool is_real(std::int64_t row) { return row % 2 == 0; }
inline bool is_synthetic(std::int64_t row) { return row % 2 == 1; }
inline bool is_training(std::int64_t row) { return row % 4 == 0; }
inline bool is_holdout(std::int64_t row) { return row % 4 == 2; }

}  // namespace sc::metrics::crosscheck
