// Writes, for every cross-check table, the random rows our DCRBaselineProtection draws (from the
// training rows, as many as the synthetic rows) to <dir>/<table>_dcr_baseline.csv, so that
// sdmetrics_reference.py can score SDMetrics' DCRBaselineProtection on the same rows (SDMetrics
// draws its own with numpy's unseeded generator, which no one can reproduce).
// Usage: write_dcr_baseline TABLES_JSON DATA_DIR OUT_DIR (created if absent)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "crosscheck_tables.hpp"
#include "stages/evaluate/metrics/random_baseline.hpp"

using namespace sc::metrics;

namespace {

BaselineSource baseline_source(const crosscheck::LoadedTable& table, const TableData& training) {
  BaselineSource source;
  source.kinds = table.kinds;
  source.profile = compute_profile_piece(training.view());
  for (const auto& column : training.columns)
    source.categories.push_back(column.kind == ColumnKind::categorical ? compute_category_counts(column.view())
                                                                       : CategoryCounts{});
  return source;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string quoted(1, '"');
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: write_dcr_baseline TABLES_JSON DATA_DIR OUT_DIR\n";
    return 2;
  }
  try {
    const auto spec = crosscheck::read_spec(argv[1]);
    std::filesystem::create_directories(argv[3]);
    for (const auto& table_spec : spec.tables) {
      const auto table = crosscheck::load_table(argv[2], table_spec);
      const auto training = crosscheck::select_rows(table.data, crosscheck::is_training);
      const auto synthetic_rows = crosscheck::select_rows(table.data, crosscheck::is_synthetic).view().rows();
      const auto rows = random_baseline_rows(baseline_source(table, training), 0, synthetic_rows, spec.baseline_seed);
      const std::string path = std::string(argv[3]) + "/" + table_spec.name + "_dcr_baseline.csv";
      std::ofstream out(path);
      for (std::size_t c = 0; c < table.names.size(); ++c) out << (c ? "," : "") << csv_field(table.names[c]);
      out << "\n";
      char number[64];
      for (std::int64_t r = 0; r < synthetic_rows; ++r) {
        for (std::size_t c = 0; c < table.names.size(); ++c) {
          const ColumnData& column = rows.columns[c];
          out << (c ? "," : "");
          if (column.kind == ColumnKind::categorical) {
            out << (column.codes[r] < 0 ? "NA" : csv_field(table.dictionaries[c][column.codes[r]]));
          } else if (column.missing[r]) {
            out << "NA";
          } else {
            std::snprintf(number, sizeof number, "%.17g", column.values[r]);  // round-trips exactly
            out << number;
          }
        }
        out << "\n";
      }
      if (!out) throw std::runtime_error("cannot write " + path);
    }
  } catch (const std::exception& error) {
    std::cerr << "write_dcr_baseline: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
