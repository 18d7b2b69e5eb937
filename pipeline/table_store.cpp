#include "pipeline/table_store.hpp"

#include "pipeline/sha256.hpp"
#include "pipeline/string_table.hpp"

namespace sc {

int TableMeta::column_index(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == column) return static_cast<int>(i);
  return -1;
}

std::string table_group(const std::string& table) { return "tables/" + table; }
std::string table_schema_group(const std::string& table) { return "tables/" + table + "/schema"; }

std::string column_path(const std::string& column) {
  std::string escaped;
  for (char c : column) {
    if (c == '/') escaped += "%2F";
    else if (c == '%') escaped += "%25";
    else escaped += c;
  }
  return "/columns/" + escaped;
}

void write_table_meta(ShardFile& shard, const TableMeta& meta) {
  write_strings(shard, "/table/name", {meta.name});
  write_strings(shard, "/table/keys", {meta.primary_key, meta.parent, meta.foreign_key});
  write_strings(shard, "/columns/names", meta.columns);
  std::vector<int32_t> types;
  for (ColumnType t : meta.types) types.push_back(static_cast<int32_t>(t));
  shard.write("/columns/types", types);
  shard.write("/columns/inferred", meta.inferred);
  for (const auto& [column, values] : meta.dictionaries) write_strings(shard, "/dictionaries" + column_path(column).substr(8), values);
}

TableMeta read_table_meta(const StageReader& stage, const std::string& table) {
  h5::File file = h5::File::open_read(stage.path(shard_name(table_schema_group(table), 0)));
  TableMeta meta;
  meta.name = read_strings(file, "/table/name").at(0);
  auto keys = read_strings(file, "/table/keys");
  meta.primary_key = keys.at(0);
  meta.parent = keys.at(1);
  meta.foreign_key = keys.at(2);
  meta.columns = read_strings(file, "/columns/names");
  for (int32_t t : file.read<int32_t>("/columns/types")) meta.types.push_back(static_cast<ColumnType>(t));
  meta.inferred = file.read<uint8_t>("/columns/inferred");
  for (size_t i = 0; i < meta.columns.size(); ++i)
    if (stored_as_code(meta.types[i]))
      meta.dictionaries[meta.columns[i]] = read_strings(file, "/dictionaries" + column_path(meta.columns[i]).substr(8));
  return meta;
}

void write_table_shard(ShardFile& shard, const TableMeta& meta, const TableShard& data, int deflate,
                       const std::vector<std::string>* digests) {
  for (size_t c = 0; c < meta.columns.size(); ++c) {
    std::string path = column_path(meta.columns[c]);
    const ColumnValues& column = data.columns[c];
    const std::string* values_digest = digests ? &(*digests)[2 * c] : nullptr;
    const std::string* missing_digest = digests ? &(*digests)[2 * c + 1] : nullptr;
    if (stored_as_code(meta.types[c])) shard.write(path + "/values", column.codes, deflate, values_digest);
    else if (stored_as_double(meta.types[c])) shard.write(path + "/values", column.f64, deflate, values_digest);
    else shard.write(path + "/values", column.i64, deflate, values_digest);
    shard.write(path + "/missing", column.missing, deflate, missing_digest);
  }
}

std::string table_shard_digest(const TableMeta& meta, const TableShard& data, size_t i) {
  auto digest = [](const auto& values) { return sha256_hex(values.data(), values.size() * sizeof(values[0])); };
  const size_t c = i / 2;
  const ColumnValues& column = data.columns.at(c);
  if (i % 2 == 1) return digest(column.missing);
  return stored_as_code(meta.types[c])     ? digest(column.codes)
         : stored_as_double(meta.types[c]) ? digest(column.f64)
                                           : digest(column.i64);
}

std::vector<std::string> table_shard_digests(const TableMeta& meta, const TableShard& data) {
  std::vector<std::string> digests;
  for (size_t i = 0; i < 2 * meta.columns.size(); ++i) digests.push_back(table_shard_digest(meta, data, i));
  return digests;
}

TableShard read_table_columns(const StageReader& stage, const std::string& name, const TableMeta& meta,
                              const std::vector<int>& columns) {
  h5::File file = h5::File::open_read(stage.path(name));
  TableShard data;
  data.columns.resize(meta.columns.size());
  for (int c : columns) {
    const size_t i = static_cast<size_t>(c);
    std::string path = column_path(meta.columns[i]);
    ColumnValues& column = data.columns[i];
    if (stored_as_code(meta.types[i])) column.codes = file.read<int32_t>(path + "/values");
    else if (stored_as_double(meta.types[i])) column.f64 = file.read<double>(path + "/values");
    else column.i64 = file.read<int64_t>(path + "/values");
    column.missing = file.read<uint8_t>(path + "/missing");
  }
  return data;
}

TableShard read_table_shard(const StageReader& stage, const std::string& name, const TableMeta& meta) {
  std::vector<int> all(meta.columns.size());
  for (size_t c = 0; c < all.size(); ++c) all[c] = static_cast<int>(c);
  return read_table_columns(stage, name, meta, all);
}

std::vector<std::string> stage_tables(const StageReader& stage) {
  std::vector<std::string> tables;
  for (const auto& shard : stage.index()["shards"]) {
    std::string name = shard["file"].get<std::string>();
    const std::string prefix = "tables/", suffix = "/schema/shard-00000.h5";
    if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size() + suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      tables.push_back(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
  }
  return tables;
}

}  // namespace sc
