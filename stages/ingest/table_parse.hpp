// Parsing of one table's CSV shards on this rank into typed columns, then the collective steps
// that make the result independent of the rank count: types inferred from every rank's evidence,
// and categorical dictionaries merged into one sorted dictionary per column (so codes are the same
// whoever parsed the rows).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/table_store.hpp"
#include "stages/ingest/csv_shards.hpp"

namespace sc {

struct ParsedShard {
  int64_t index = 0;
  TableShard data;
  std::vector<std::vector<std::string>> undecided;  // raw text of columns whose type is inferred
  // Per column, the shard's own dictionary in local-code order; codes become global in
  // settle_types_and_dictionaries. Shards are parsed in parallel, so each keeps its own.
  std::vector<std::vector<std::string>> local_dictionary;
};

struct ParsedTable {
  TableMeta meta;
  std::vector<ParsedShard> shards;  // this rank's, in shard order
  int64_t rows = 0;                 // this rank's non-empty lines
};

// The column names from the header (or the schema) checked against the schema's keys and types.
std::vector<std::string> table_columns(const TableSpec& spec, const std::string& header_line);

// Local parse of this rank's shards, in parallel over shards (TBB). Throws InputError with file,
// line and column on bad input (the first bad shard in shard order).
ParsedTable parse_table_shards(const TableSpec& spec, const std::vector<std::string>& columns,
                               std::vector<CsvShard>& shards);

// Collective: settles inferred types and global dictionaries; rewrites codes to the global ones.
void settle_types_and_dictionaries(const Communicator& comm, const TableSpec& spec, ParsedTable& table);

}  // namespace sc
