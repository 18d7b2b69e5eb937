#include "stages/ingest/table_parse.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string_view>

#include <tbb/parallel_for.h>

#include "pipeline/error.hpp"
#include "stages/ingest/csv_line_scanner.hpp"
#include "stages/ingest/csv_tokenizer.hpp"
#include "stages/ingest/value_parsing.hpp"

namespace sc {
namespace {

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using LocalDictionary = std::unordered_map<std::string, int32_t, TransparentHash, std::equal_to<>>;

int32_t local_code(LocalDictionary& dictionary, std::vector<std::string>& order, std::string_view value) {
  // Registry categories are few (lab tests, sexes, stages): up to 16 values a linear scan
  // comparing lengths first beats hashing every cell. Codes stay in first-seen order either way.
  if (order.size() <= 16) {
    for (size_t code = 0; code < order.size(); ++code)
      if (order[code].size() == value.size() && (value.empty() || order[code][0] == value[0]) &&
          std::memcmp(order[code].data(), value.data(), value.size()) == 0)
        return static_cast<int32_t>(code);
  }
  auto it = dictionary.find(value);
  if (it != dictionary.end()) return it->second;
  int32_t code = static_cast<int32_t>(order.size());
  order.emplace_back(value);
  dictionary.emplace(order.back(), code);
  return code;
}

// Evidence about a column whose type the schema leaves out: which types every value fits.
struct TypeEvidence {
  bool integer = true, real = true, date = true;
  void see(std::string_view v) {
    int64_t i;
    double d;
    if (integer && !parse_int64(v, i)) integer = false;
    if (real && !parse_real(v, d)) real = false;
    if (date && !parse_iso_date(v, i)) date = false;
  }
};

std::string expected_text(ColumnType type) {
  switch (type) {
    case ColumnType::integer: return "an integer";
    case ColumnType::day_offset: return "an integer number of days";
    case ColumnType::key: return "an integer key";
    case ColumnType::real: return "a finite real number";
    case ColumnType::decimal_year: return "a decimal year such as 1997.5";
    case ColumnType::date: return "an ISO date yyyy-mm-dd";
    default: return "valid UTF-8 text";
  }
}

}  // namespace

std::vector<std::string> table_columns(const TableSpec& spec, const std::string& header_line) {
  std::vector<std::string> columns;
  if (spec.header) {
    CsvTokenizer tokenizer(spec.file, {spec.delimiter, spec.quote});
    std::vector<std::string_view> fields;
    tokenizer.split(header_line, 1, fields);
    for (auto f : fields) columns.emplace_back(f);
    if (header_line.empty()) throw InputError(spec.file + ":1: expected a header line naming the columns, found an empty file");
  } else {
    columns = spec.column_names;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].empty()) throw InputError(spec.file + ":1: column " + std::to_string(i + 1) + " has no name");
    if (!seen.insert(columns[i]).second)
      throw InputError(spec.file + ":1: column " + std::to_string(i + 1) + " repeats the name '" + columns[i] + "'");
  }
  auto require = [&](const std::string& column, const std::string& key) {
    if (!column.empty() && !seen.count(column))
      throw ConfigError("[table." + spec.name + "] " + key + " names column '" + column + "', which " + spec.file +
                        " does not have (its columns: " + [&] {
                          std::string list;
                          for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
                          return list;
                        }() + ")");
  };
  require(spec.primary_key, "primary_key");
  require(spec.foreign_key, "foreign_key");
  for (const auto& ref : spec.references) require(ref.column, "references");
  for (const auto& [column, type] : spec.declared) require(column, "columns");
  return columns;
}

namespace {

// Tokens that mean "missing", compared by length first: most fields are not missing, and a
// length check rejects them without touching their bytes.
class MissingTokens {
 public:
  explicit MissingTokens(const std::vector<std::string>& tokens) : tokens_(tokens) {
    for (const auto& t : tokens_) lengths_ |= t.size() < 64 ? (uint64_t{1} << t.size()) : 0;
  }
  bool missing(std::string_view value) const {
    if (value.empty()) return true;
    if (value.size() >= 64 || !(lengths_ & (uint64_t{1} << value.size()))) return false;
    for (const auto& t : tokens_)
      if (t == value) return true;
    return false;
  }

 private:
  std::vector<std::string> tokens_;
  uint64_t lengths_ = 0;
};

ParsedShard parse_shard(const TableSpec& spec, const std::vector<std::string>& columns,
                        const std::vector<std::optional<ColumnType>>& fixed, const MissingTokens& tokens,
                        const CsvShard& shard) {
  const size_t n = columns.size();
  ParsedShard parsed;
  parsed.index = shard.index;
  parsed.data.columns.resize(n);
  parsed.undecided.resize(n);
  parsed.local_dictionary.resize(n);
  std::vector<LocalDictionary> dictionaries(n);
  // The shard's line count is known from the split: no vector grows while parsing.
  size_t estimate = static_cast<size_t>(shard.lines);
  for (size_t c = 0; c < n; ++c) {
    parsed.data.columns[c].missing.reserve(estimate);
    if (!fixed[c]) continue;
    if (stored_as_code(*fixed[c])) parsed.data.columns[c].codes.reserve(estimate);
    else if (stored_as_double(*fixed[c])) parsed.data.columns[c].f64.reserve(estimate);
    else parsed.data.columns[c].i64.reserve(estimate);
  }
  parsed.data.source_line.reserve(estimate);
  // How each column is stored, decided once rather than per cell.
  enum class Storage { undecided, code, real, date, integer };
  std::vector<Storage> storage(n, Storage::undecided);
  for (size_t c = 0; c < n; ++c)
    if (fixed[c])
      storage[c] = stored_as_code(*fixed[c])       ? Storage::code
                   : stored_as_double(*fixed[c])   ? Storage::real
                   : *fixed[c] == ColumnType::date ? Storage::date
                                                   : Storage::integer;
  CsvTokenizer tokenizer(spec.file, {spec.delimiter, spec.quote});
  CsvLineScanner lines(shard.bytes, shard.first_line, tokenizer);
  std::vector<std::string_view> fields;
  int64_t line_number = 0;
  while (lines.next(fields, line_number)) {
    if (fields.size() != n)
      throw InputError(spec.file + ":" + std::to_string(line_number) + ": expected " + std::to_string(n) +
                       " fields (as in the header), found " + std::to_string(fields.size()));
    parsed.data.source_line.push_back(line_number);
    for (size_t c = 0; c < n; ++c) {
      std::string_view value = fields[c];
      ColumnValues& column = parsed.data.columns[c];
      bool missing = tokens.missing(value);
      column.missing.push_back(missing ? 1 : 0);
      if (storage[c] == Storage::undecided) {
        parsed.undecided[c].emplace_back(missing ? std::string_view() : value);
        continue;
      }
      ColumnType type = *fixed[c];
      auto bad = [&]() {
        throw InputError(spec.file + ":" + std::to_string(line_number) + ": column " + std::to_string(c + 1) +
                         " ('" + columns[c] + "'): expected " + expected_text(type) + ", found " +
                         input_value(std::string(value)));
      };
      if (storage[c] == Storage::code) {
        if (missing) { column.codes.push_back(-1); continue; }
        if (!valid_utf8(value)) bad();
        column.codes.push_back(local_code(dictionaries[c], parsed.local_dictionary[c], value));
      } else if (storage[c] == Storage::real) {
        double d = 0;
        if (!missing && !parse_real(value, d)) bad();
        column.f64.push_back(missing ? 0.0 : d);
      } else {
        int64_t i = 0;
        bool ok = storage[c] == Storage::date ? parse_iso_date(value, i) : parse_int64(value, i);
        if (!missing && !ok) bad();
        if (missing && type == ColumnType::key && columns[c] == spec.primary_key)
          throw InputError(spec.file + ":" + std::to_string(line_number) + ": column " + std::to_string(c + 1) +
                           " ('" + columns[c] + "'): the primary key is missing (expected an integer key)");
        column.i64.push_back(missing ? 0 : i);
      }
    }
  }
  return parsed;
}

}  // namespace

ParsedTable parse_table_shards(const TableSpec& spec, const std::vector<std::string>& columns,
                               std::vector<CsvShard>& shards) {
  const size_t n = columns.size();
  ParsedTable table;
  table.meta.name = spec.name;
  table.meta.columns = columns;
  table.meta.primary_key = spec.primary_key;
  table.meta.parent = spec.parent;
  table.meta.foreign_key = spec.foreign_key;
  std::vector<std::optional<ColumnType>> fixed(n);
  for (size_t c = 0; c < n; ++c) fixed[c] = spec.fixed_type(columns[c]);
  MissingTokens tokens(spec.missing_tokens);

  // Shards are independent: parse them on all threads of this rank. An error is kept per shard
  // and the first one in shard order is raised, so the message does not depend on scheduling.
  table.shards.resize(shards.size());
  std::vector<std::string> errors(shards.size());
  std::vector<ExitCode> codes(shards.size(), ExitCode::ok);
  tbb::parallel_for(size_t{0}, shards.size(), [&](size_t s) {
    try {
      table.shards[s] = parse_shard(spec, columns, fixed, tokens, shards[s]);
    } catch (const Error& e) {
      errors[s] = e.what();
      codes[s] = e.code();
    }
  });
  for (size_t s = 0; s < shards.size(); ++s)
    if (!errors[s].empty()) throw Error(codes[s], codes[s] == ExitCode::input ? "input error" : "config error", errors[s]);
  for (const auto& shard : table.shards) table.rows += shard.data.rows();
  table.meta.types.resize(n, ColumnType::categorical);
  table.meta.inferred.resize(n, 0);
  for (size_t c = 0; c < n; ++c) {
    if (fixed[c]) table.meta.types[c] = *fixed[c];
    else table.meta.inferred[c] = 1;
  }
  return table;
}

void settle_types_and_dictionaries(const Communicator& comm, const TableSpec& spec, ParsedTable& table) {
  const size_t n = table.meta.columns.size();
  // 1. Inferred types: a type holds only if it fits every value on every rank.
  for (size_t c = 0; c < n; ++c) {
    if (!table.meta.inferred[c]) continue;
    TypeEvidence evidence;
    bool any_value = false;
    for (const auto& shard : table.shards)
      for (size_t r = 0; r < shard.undecided[c].size(); ++r)
        if (!shard.data.columns[c].missing[r]) { evidence.see(shard.undecided[c][r]); any_value = true; }
    any_value = comm.any(any_value);
    bool integer = comm.all(evidence.integer), real = comm.all(evidence.real), date = comm.all(evidence.date);
    ColumnType type = !any_value ? ColumnType::categorical
                      : integer  ? ColumnType::integer
                      : real     ? ColumnType::real
                      : date     ? ColumnType::date
                                 : ColumnType::categorical;
    table.meta.types[c] = type;
    for (auto& shard : table.shards) {
      LocalDictionary dictionary;
      std::vector<std::string>& order = shard.local_dictionary[c];
      ColumnValues& column = shard.data.columns[c];
      for (size_t r = 0; r < shard.undecided[c].size(); ++r) {
        const std::string& value = shard.undecided[c][r];
        bool missing = column.missing[r];
        if (type == ColumnType::categorical) {
          if (!missing && !valid_utf8(value))
            throw InputError(spec.file + ":" + std::to_string(shard.data.source_line[r]) + ": column " +
                             std::to_string(c + 1) + " ('" + table.meta.columns[c] + "'): expected valid UTF-8 text"
                             " (is the file latin-1? set encoding = latin-1)");
          column.codes.push_back(missing ? -1 : local_code(dictionary, order, value));
        } else if (type == ColumnType::real) {
          double d = 0;
          if (!missing) parse_real(value, d);
          column.f64.push_back(d);
        } else {
          int64_t i = 0;
          if (!missing) (type == ColumnType::date ? parse_iso_date(value, i) : parse_int64(value, i));
          column.i64.push_back(i);
        }
      }
      shard.undecided[c].clear();
      shard.undecided[c].shrink_to_fit();
    }
  }
  // 2. Dictionaries: the union of every shard's values on every rank, sorted, so codes do not
  // depend on who parsed what.
  for (size_t c = 0; c < n; ++c) {
    if (!stored_as_code(table.meta.types[c])) continue;
    std::set<std::string> local;
    for (const auto& shard : table.shards) local.insert(shard.local_dictionary[c].begin(), shard.local_dictionary[c].end());
    std::vector<uint8_t> packed;
    for (const auto& value : local) {
      packed.insert(packed.end(), value.begin(), value.end());
      packed.push_back(0);
    }
    std::set<std::string> all;
    for (const auto& bytes : comm.allgather_bytes(packed)) {
      size_t start = 0;
      for (size_t i = 0; i < bytes.size(); ++i)
        if (bytes[i] == 0) { all.emplace(reinterpret_cast<const char*>(bytes.data()) + start, i - start); start = i + 1; }
    }
    std::vector<std::string> global(all.begin(), all.end());
    for (auto& shard : table.shards) {
      const auto& order = shard.local_dictionary[c];
      std::vector<int32_t> remap(order.size());
      for (size_t i = 0; i < order.size(); ++i)
        remap[i] = static_cast<int32_t>(std::lower_bound(global.begin(), global.end(), order[i]) - global.begin());
      for (int32_t& code : shard.data.columns[c].codes)
        if (code >= 0) code = remap[static_cast<size_t>(code)];
    }
    table.meta.dictionaries[table.meta.columns[c]] = std::move(global);
  }
}

}  // namespace sc
