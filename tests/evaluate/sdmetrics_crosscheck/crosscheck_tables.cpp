#include "crosscheck_tables.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sc::metrics::crosscheck {

namespace {

std::string read_file(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files too
  if (file == nullptr) throw std::runtime_error("cannot open " + path);
  std::string bytes;
  char buffer[1 << 16];
  int count;
  while ((count = gzread(file, buffer, sizeof buffer)) > 0) bytes.append(buffer, count);
  gzclose(file);
  if (count < 0) throw std::runtime_error("cannot read " + path);
  return bytes;
}

// One CSV line into fields; a field is "missing" when it is NA, quoted or not (pandas' rule).
std::vector<std::string> split_line(const std::string& line, std::vector<bool>& missing) {
  std::vector<std::string> fields;
  missing.clear();
  std::size_t pos = 0;
  while (true) {
    std::string field;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      while (pos < line.size()) {
        if (line[pos] == '"' && pos + 1 < line.size() && line[pos + 1] == '"') {
          field += '"';
          pos += 2;
        } else if (line[pos] == '"') {
          ++pos;
          break;
        } else {
          field += line[pos++];
        }
      }
    } else {
      while (pos < line.size() && line[pos] != ',') field += line[pos++];
    }
    fields.push_back(field);
    missing.push_back(field == "NA" || field.empty());
    if (pos >= line.size() || line[pos] != ',') break;
    ++pos;
  }
  return fields;
}

}  // namespace

Spec read_spec(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto json = nlohmann::json::parse(in);
  Spec spec;
  spec.sdmetrics_version = json.at("sdmetrics_version").get<std::string>();
  spec.baseline_seed = json.at("baseline_seed").get<std::uint64_t>();
  for (const auto& table : json.at("tables")) {
    TableSpec t;
    t.name = table.at("name").get<std::string>();
    t.file = table.at("file").get<std::string>();
    for (const auto& column : table.at("columns")) {
      t.column_names.push_back(column.at(0).get<std::string>());
      t.sdtypes.push_back(column.at(1).get<std::string>());
    }
    t.known = table.at("disclosure").at("known").get<std::vector<std::string>>();
    t.sensitive = table.at("disclosure").at("sensitive").get<std::vector<std::string>>();
    spec.tables.push_back(std::move(t));
  }
  return spec;
}

int LoadedTable::column_index(const std::string& name) const {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw std::runtime_error("no scored column " + name);
  return static_cast<int>(it - names.begin());
}

LoadedTable load_table(const std::string& data_dir, const TableSpec& spec) {
  const std::string bytes = read_file(data_dir + "/" + spec.file);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    std::string line = bytes.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  std::vector<bool> missing;
  if (lines.empty() || split_line(lines[0], missing) != spec.column_names)
    throw std::runtime_error(spec.file + ": the header differs from tables.json");
  const std::size_t width = spec.column_names.size();
  std::vector<std::vector<std::string>> cells(lines.size() - 1);
  std::vector<std::vector<bool>> absent(lines.size() - 1);
  for (std::size_t r = 1; r < lines.size(); ++r) {
    cells[r - 1] = split_line(lines[r], absent[r - 1]);
    if (cells[r - 1].size() != width) throw std::runtime_error(spec.file + ": a line has the wrong field count");
  }
  LoadedTable table;
  for (std::size_t c = 0; c < width; ++c) {
    if (spec.sdtypes[c] == "id") continue;
    ColumnData column;
    std::vector<std::string> dictionary;
    if (spec.sdtypes[c] == "categorical") {
      column.kind = ColumnKind::categorical;
      for (std::size_t r = 0; r < cells.size(); ++r)
        if (!absent[r][c]) dictionary.push_back(cells[r][c]);
      std::sort(dictionary.begin(), dictionary.end());
      dictionary.erase(std::unique(dictionary.begin(), dictionary.end()), dictionary.end());
      for (std::size_t r = 0; r < cells.size(); ++r) {
        const auto at = std::lower_bound(dictionary.begin(), dictionary.end(), cells[r][c]);
        column.codes.push_back(absent[r][c] ? kMissingCode : static_cast<std::int32_t>(at - dictionary.begin()));
      }
    } else if (spec.sdtypes[c] == "numerical") {
      column.kind = ColumnKind::numeric;
      for (std::size_t r = 0; r < cells.size(); ++r) {
        double value = 0.0;
        if (!absent[r][c]) {
          const std::string& text = cells[r][c];
          const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
          if (result.ec != std::errc() || result.ptr != text.data() + text.size())
            throw std::runtime_error(spec.file + ": column " + spec.column_names[c] + " holds a non-number");
        }
        column.values.push_back(value);
        column.missing.push_back(absent[r][c] ? 1 : 0);
      }
    } else {
      throw std::runtime_error("unknown sdtype " + spec.sdtypes[c]);
    }
    table.names.push_back(spec.column_names[c]);
    table.kinds.push_back(column.kind);
    table.dictionaries.push_back(std::move(dictionary));
    table.data.columns.push_back(std::move(column));
  }
  return table;
}

TableData select_rows(const TableData& table, const std::function<bool(std::int64_t)>& keep) {
  TableData part;
  for (const auto& column : table.columns) {
    ColumnData out;
    out.kind = column.kind;
    const std::int64_t rows = column.view().rows();
    for (std::int64_t r = 0; r < rows; ++r) {
      if (!keep(r)) continue;
      if (!column.codes.empty()) out.codes.push_back(column.codes[r]);
      if (!column.values.empty()) out.values.push_back(column.values[r]);
      if (!column.missing.empty()) out.missing.push_back(column.missing[r]);
    }
    part.columns.push_back(std::move(out));
  }
  return part;
}

}  // namespace sc::metrics::crosscheck
