// The registry schema, declared in the config as one `[table.NAME]` section per table: where the
// table comes from (file and CSV dialect), its keys (primary key, parent table and foreign key,
// other reference columns), the types of its columns, missing-value tokens, and what to do with
// duplicate keys and orphan rows. Every stage that touches registry tables reads it from here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/config.hpp"
#include "pipeline/constraints.hpp"

namespace sc {

enum class ColumnType {
  categorical,   // strings, stored as codes into a sorted dictionary
  integer,       // int64
  real,          // double
  date,          // ISO yyyy-mm-dd, stored as days since 1970-01-01 (int64)
  decimal_year,  // e.g. 1997.5, stored as double
  day_offset,    // integer days relative to an index date, int64
  code,          // hierarchical code (ICD-10, ATC): a categorical whose prefixes form a tree
  key,           // primary, foreign or reference key: an identity, never a modelled value
};

std::string to_string(ColumnType type);
std::optional<ColumnType> column_type_from_string(const std::string& text);
// Whether values of this type are stored as int64 / as double / as dictionary codes.
bool stored_as_int64(ColumnType type);
bool stored_as_double(ColumnType type);
bool stored_as_code(ColumnType type);

enum class BadRowPolicy { error, drop };

struct Reference {
  std::string column;  // the referring column in this table
  std::string table;   // the table whose primary key it points into
};

// A column's domain declared in the schema (`domains = age:0..120, sex:F|M`): under differential
// privacy every range, category set and bin edge must come from here, not from the data.
struct ColumnDomain {
  bool categorical = false;
  double lo = 0, hi = 0;                // numeric: inclusive range
  std::vector<std::string> categories;  // categorical: the categories, sorted
};

struct TableSpec {
  std::string name;
  std::string file;
  std::string primary_key;  // empty: leaf table without a key
  std::string parent;       // empty: root table
  std::string foreign_key;  // column of this table holding the parent's primary key
  std::vector<Reference> references;
  std::map<std::string, ColumnType> declared;  // types the schema states; others are inferred
  std::vector<std::string> missing_tokens;
  std::vector<std::string> column_names;  // when the file has no header
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  std::string encoding = "utf-8";  // utf-8 or latin-1
  BadRowPolicy on_duplicate_key = BadRowPolicy::error;
  BadRowPolicy on_orphan = BadRowPolicy::error;
  std::vector<Constraint> constraints;  // relations every synthetic row satisfies
  std::map<std::string, ColumnDomain> domains;  // declared domains (required under fit.epsilon)

  // The type a column must have because of its role (keys), else the declared one, if any.
  std::optional<ColumnType> fixed_type(const std::string& column) const;
};

struct Schema {
  std::vector<TableSpec> tables;  // parents before children, then by name
  const TableSpec& table(const std::string& name) const;
  bool empty() const { return tables.empty(); }
};

// Config text helpers shared by sections that take lists: `trim` drops surrounding spaces and tabs;
// `split_list` splits at commas into trimmed, non-empty items.
std::string trim(const std::string& s);
std::vector<std::string> split_list(const std::string& text);

// Reads and validates every [table.NAME] section; errors name the key and what was expected.
Schema schema_from_config(const Config& config);
// The keys a [table.NAME] section takes, with help, for the config catalog.
DynamicSection table_section_keys();

}  // namespace sc
