// Registry tables in the store, as every stage reads and writes them. A table lives in group
// `tables/<name>`: its shards hold one `values` and one `missing` dataset per column under
// `/columns/<column>/`, and `tables/<name>/schema` (one shard) holds the column names, types and
// categorical dictionaries. Ingest writes real tables in this layout, sample writes synthetic ones
// in the same layout, and export, fit and evaluate read both through this header.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/schema.hpp"
#include "pipeline/store.hpp"

namespace sc {

struct TableMeta {
  std::string name;
  std::vector<std::string> columns;  // in input order
  std::vector<ColumnType> types;
  std::vector<uint8_t> inferred;     // 1 where the type was inferred, not declared
  std::map<std::string, std::vector<std::string>> dictionaries;  // categorical/code column -> sorted values
  std::string primary_key, parent, foreign_key;
  int column_index(const std::string& column) const;  // -1 when absent
};

// One column of one shard. Exactly one of the value vectors is used, by the column's type:
// int64 (integer, date, day offset, key), double (real, decimal year) or int32 codes into the
// dictionary (categorical, code). Missing rows hold 0 (codes: -1) and missing[i] = 1.
struct ColumnValues {
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<int32_t> codes;
  std::vector<uint8_t> missing;
};

struct TableShard {
  std::vector<ColumnValues> columns;   // in TableMeta::columns order
  // Input line of each row while ingest checks keys; not stored (it would be the largest
  // dataset of a narrow table and says nothing about the data).
  std::vector<int64_t> source_line;
  int64_t rows() const { return columns.empty() ? 0 : static_cast<int64_t>(columns.front().missing.size()); }
};

std::string table_group(const std::string& table);
std::string table_schema_group(const std::string& table);
// HDF5 path of a column's group inside a shard ('/' in names is escaped as %2F).
std::string column_path(const std::string& column);

void write_table_meta(ShardFile& shard, const TableMeta& meta);
TableMeta read_table_meta(const StageReader& stage, const std::string& table);
// `digests`, when given, are table_shard_digests(meta, data), computed beforehand.
void write_table_shard(ShardFile& shard, const TableMeta& meta, const TableShard& data, int deflate,
                       const std::vector<std::string>* digests = nullptr);
// The SHA-256 of every dataset write_table_shard writes, in its order (per column: values, missing),
// so that one shard can be digested on another thread while the one before it is written.
std::vector<std::string> table_shard_digests(const TableMeta& meta, const TableShard& data);
// The i-th of them (0 <= i < 2 x columns), for callers that digest the datasets in parallel.
std::string table_shard_digest(const TableMeta& meta, const TableShard& data, size_t i);
TableShard read_table_shard(const StageReader& stage, const std::string& shard_name, const TableMeta& meta);
// Only the listed columns (indices into meta.columns); the others are left empty, so the result's
// rows() is 0 unless column 0 is listed: use the layout's row count.
TableShard read_table_columns(const StageReader& stage, const std::string& shard_name, const TableMeta& meta,
                              const std::vector<int>& columns);
// The table names a stage holds, in the order they were written (parents first).
std::vector<std::string> stage_tables(const StageReader& stage);

}  // namespace sc
