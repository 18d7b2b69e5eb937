// The global view of a completed stage: `view.h5`, whose virtual datasets join every group's shard
// datasets along their first dimension, so that a tool (h5py, h5dump, a notebook) reads a whole
// table column or a whole genome as one dataset without knowing how it was sharded. A group held
// by a single shard (a table's schema, a model, a small table) is linked instead (HDF5 external
// links to the shard's objects): the same datasets under the same paths.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sc {

// `shards` are index.json's shard entries in shard order; source files are named relative to the
// view file, so the store directory can be moved as a whole.
void write_view_file(const std::string& path, const nlohmann::json& shards);

}  // namespace sc
