#include "pipeline/table_layout.hpp"

#include <map>

#include "pipeline/error.hpp"

namespace sc {

TableLayout table_layout(const StageReader& stage, const TableMeta& meta) {
  TableLayout layout;
  layout.shards = stage.shards(table_group(meta.name));
  std::map<std::string, const nlohmann::json*> by_name;
  for (const auto& shard : stage.index().at("shards")) by_name[shard.at("file").get<std::string>()] = &shard;
  const std::string rows_dataset = column_path(meta.columns.at(0)) + "/missing";
  for (const auto& name : layout.shards) {
    auto it = by_name.find(name);
    SC_EXPECTS(it != by_name.end(), InputError, stage.directory() + "/index.json does not list shard " + name);
    const auto& datasets = it->second->at("datasets");
    SC_EXPECTS(datasets.contains(rows_dataset), InputError,
               stage.directory() + "/index.json: shard " + name + " has no dataset " + rows_dataset);
    layout.first_row.push_back(layout.total_rows);
    int64_t rows = datasets.at(rows_dataset).at("shape").at(0).get<int64_t>();
    layout.rows.push_back(rows);
    layout.total_rows += rows;
  }
  return layout;
}

}  // namespace sc
