#include "pipeline/schema.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "pipeline/error.hpp"

namespace sc {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

namespace {

const std::vector<std::pair<ColumnType, std::string>>& type_names() {
  static const std::vector<std::pair<ColumnType, std::string>> names = {
      {ColumnType::categorical, "categorical"}, {ColumnType::integer, "integer"},
      {ColumnType::real, "real"},               {ColumnType::date, "date"},
      {ColumnType::decimal_year, "decimal_year"}, {ColumnType::day_offset, "day_offset"},
      {ColumnType::code, "code"},               {ColumnType::key, "key"}};
  return names;
}

}  // namespace

std::string to_string(ColumnType type) {
  for (const auto& [t, name] : type_names())
    if (t == type) return name;
  return "?";
}

std::optional<ColumnType> column_type_from_string(const std::string& text) {
  for (const auto& [t, name] : type_names())
    if (name == text) return t;
  return std::nullopt;
}

bool stored_as_int64(ColumnType t) {
  return t == ColumnType::integer || t == ColumnType::date || t == ColumnType::day_offset || t == ColumnType::key;
}
bool stored_as_double(ColumnType t) { return t == ColumnType::real || t == ColumnType::decimal_year; }
bool stored_as_code(ColumnType t) { return t == ColumnType::categorical || t == ColumnType::code; }

std::optional<ColumnType> TableSpec::fixed_type(const std::string& column) const {
  if (column == primary_key || column == foreign_key) return ColumnType::key;
  for (const auto& ref : references)
    if (ref.column == column) return ColumnType::key;
  auto it = declared.find(column);
  if (it != declared.end()) return it->second;
  return std::nullopt;
}

const TableSpec& Schema::table(const std::string& name) const {
  for (const auto& t : tables)
    if (t.name == name) return t;
  throw ConfigError("schema has no table '" + name + "'");
}

DynamicSection table_section_keys() {
  return {"table",
          {{"file", "CSV file of the table (plain or .gz)"},
           {"primary_key", "column holding the row's identity (optional for leaf tables)"},
           {"parent", "name of the parent table (omit for the root)"},
           {"foreign_key", "column holding the parent's primary key (required with parent)"},
           {"references", "other key columns, column:table pairs separated by commas (e.g. case.id:persons)"},
           {"columns", "column types, name:type pairs separated by commas; types: categorical, integer, real, "
                       "date, decimal_year, day_offset, code"},
           {"column_names", "column names, comma separated, when the file has no header line"},
           {"missing", "tokens that mean a missing value, comma separated (default: empty field and NA)"},
           {"delimiter", "field delimiter: a single character, or 'tab' (default ,)"},
           {"quote", "quote character (default \")"},
           {"header", "whether the first line names the columns (default true)"},
           {"encoding", "utf-8 or latin-1 (default utf-8)"},
           {"on_duplicate_key", "error or drop (rows whose primary key was seen before; default error)"},
           {"on_orphan", "error or drop (rows whose foreign key has no parent row; default error)"},
           {"domains", "declared column domains, comma separated: column:LO..HI for numbers, dates (days since "
                       "1970) and day offsets, column:A|B|C for categories; required for every modelled column "
                       "under fit.epsilon (e.g. age:0..120, male:0|1)"},
           {"constraints", "relations every synthetic row satisfies, comma separated: column OP operand, OP one of "
                           "<= < >= >, operand a number, a column or parent.COLUMN (e.g. days <= parent.futime)"}}};
}

Schema schema_from_config(const Config& config) {
  Schema schema;
  std::vector<TableSpec> unordered;
  for (const std::string& name : config.section_names("table")) {
    std::string prefix = "table." + name + ".";
    auto keys = config.section("table." + name);
    TableSpec t;
    t.name = name;
    SC_EXPECTS(keys.count("file"), ConfigError,
               (config.file().empty() ? "command line" : config.file()) + ": [table." + name + "] needs key 'file'");
    t.file = config.path(prefix + "file");
    if (keys.count("primary_key")) t.primary_key = trim(keys["primary_key"]);
    if (keys.count("parent")) t.parent = trim(keys["parent"]);
    if (keys.count("foreign_key")) t.foreign_key = trim(keys["foreign_key"]);
    if (!t.parent.empty() && t.foreign_key.empty()) config.reject(prefix + "parent", "a foreign_key beside it");
    if (t.parent.empty() && !t.foreign_key.empty()) config.reject(prefix + "foreign_key", "a parent table beside it");
    if (keys.count("references"))
      for (const auto& item : split_list(keys["references"])) {
        size_t colon = item.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
          config.reject(prefix + "references", "column:table pairs, e.g. case.id:persons");
        t.references.push_back({item.substr(0, colon), item.substr(colon + 1)});
      }
    if (keys.count("columns"))
      for (const auto& item : split_list(keys["columns"])) {
        size_t colon = item.rfind(':');
        if (colon == std::string::npos) config.reject(prefix + "columns", "name:type pairs, e.g. age:integer");
        auto type = column_type_from_string(item.substr(colon + 1));
        if (!type || *type == ColumnType::key)
          config.reject(prefix + "columns", "a type among categorical, integer, real, date, decimal_year, "
                                            "day_offset, code for column '" + item.substr(0, colon) + "'");
        t.declared[item.substr(0, colon)] = *type;
      }
    if (keys.count("column_names")) t.column_names = split_list(keys["column_names"]);
    t.missing_tokens = keys.count("missing") ? split_list(keys["missing"]) : std::vector<std::string>{"NA"};
    if (keys.count("delimiter")) {
      std::string d = keys["delimiter"];
      if (d == "tab" || d == "\\t") t.delimiter = '\t';
      else if (d.size() == 1) t.delimiter = d[0];
      else config.reject(prefix + "delimiter", "a single character or 'tab'");
    }
    if (keys.count("quote")) {
      if (keys["quote"].size() != 1) config.reject(prefix + "quote", "a single character");
      t.quote = keys["quote"][0];
    }
    if (keys.count("header")) t.header = config.flag(prefix + "header");
    if (!t.header && t.column_names.empty()) config.reject(prefix + "column_names", "the column names when header = false");
    if (keys.count("encoding")) {
      std::string e = keys["encoding"];
      std::transform(e.begin(), e.end(), e.begin(), ::tolower);
      if (e == "utf-8" || e == "utf8") t.encoding = "utf-8";
      else if (e == "latin-1" || e == "latin1" || e == "iso-8859-1") t.encoding = "latin-1";
      else config.reject(prefix + "encoding", "utf-8 or latin-1");
    }
    auto policy = [&](const char* key, BadRowPolicy& out) {
      if (!keys.count(key)) return;
      if (keys[key] == "error") out = BadRowPolicy::error;
      else if (keys[key] == "drop") out = BadRowPolicy::drop;
      else config.reject(prefix + key, "error or drop");
    };
    policy("on_duplicate_key", t.on_duplicate_key);
    policy("on_orphan", t.on_orphan);
    if (keys.count("domains"))
      for (const auto& item : split_list(keys["domains"])) {
        size_t colon = item.rfind(':');
        const std::string expected = "column:LO..HI or column:A|B|C pairs (e.g. age:0..120, male:0|1)";
        if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) config.reject(prefix + "domains", expected);
        const std::string column = trim(item.substr(0, colon)), text = trim(item.substr(colon + 1));
        ColumnDomain domain;
        size_t dots = text.find("..");
        if (dots != std::string::npos && text.find('|') == std::string::npos) {
          try {
            size_t used_lo = 0, used_hi = 0;
            domain.lo = std::stod(text.substr(0, dots), &used_lo);
            domain.hi = std::stod(text.substr(dots + 2), &used_hi);
            if (used_lo != dots || used_hi != text.size() - dots - 2) throw std::invalid_argument("trailing");
          } catch (const std::exception&) {
            config.reject(prefix + "domains", "numbers on both sides of '..' for column '" + column + "'");
          }
          if (!(domain.lo <= domain.hi)) config.reject(prefix + "domains", "LO <= HI for column '" + column + "'");
        } else {
          domain.categorical = true;
          std::stringstream in(text);
          std::string category;
          while (std::getline(in, category, '|')) domain.categories.push_back(trim(category));
          // Sorted, like the dictionaries ingest keeps: a category's code is its rank.
          std::sort(domain.categories.begin(), domain.categories.end());
          std::set<std::string> unique(domain.categories.begin(), domain.categories.end());
          if (unique.size() != domain.categories.size() || unique.count(""))
            config.reject(prefix + "domains", "distinct, non-empty categories for column '" + column + "'");
        }
        t.domains[column] = domain;
      }
    if (keys.count("constraints"))
      for (const auto& item : split_list(keys["constraints"])) {
        std::string why;
        auto constraint = parse_constraint(item, why);
        if (!constraint) config.reject(prefix + "constraints", why + "; got '" + item + "'");
        t.constraints.push_back(*constraint);
      }
    unordered.push_back(std::move(t));
  }
  // Parents before children: a depth-first walk from the roots, children in name order.
  std::set<std::string> names;
  for (const auto& t : unordered) names.insert(t.name);
  for (const auto& t : unordered) {
    if (!t.parent.empty() && !names.count(t.parent))
      config.reject("table." + t.name + ".parent", "the name of another [table.NAME] section");
    for (const auto& ref : t.references)
      if (!names.count(ref.table)) config.reject("table." + t.name + ".references", "tables that the schema declares");
  }
  std::function<void(const std::string&, int)> visit = [&](const std::string& parent, int depth) {
    SC_EXPECTS(depth <= static_cast<int>(unordered.size()), ConfigError, "schema: the parent links form a cycle");
    for (const auto& t : unordered)
      if (t.parent == parent) {
        schema.tables.push_back(t);
        visit(t.name, depth + 1);
      }
  };
  visit("", 0);
  SC_EXPECTS(schema.tables.size() == unordered.size(), ConfigError, "schema: the parent links form a cycle");
  for (const auto& t : schema.tables) {
    for (const auto& ref : t.references) {
      if (schema.table(ref.table).primary_key.empty())
        config.reject("table." + t.name + ".references", "tables with a primary_key ('" + ref.table + "' has none)");
    }
    if (!t.parent.empty() && schema.table(t.parent).primary_key.empty())
      config.reject("table." + t.name + ".parent", "a parent table with a primary_key");
  }
  return schema;
}

}  // namespace sc
