#include "stages/evaluate/table_views.hpp"

#include <algorithm>
#include <set>

#include "pipeline/error.hpp"
#include "pipeline/holdout.hpp"

namespace sc {

ScoredColumns scored_columns(const TableMeta& real, const TableMeta& synthetic) {
  ScoredColumns scored;
  for (size_t c = 0; c < real.columns.size(); ++c) {
    if (real.types[c] == ColumnType::key) continue;
    int s = synthetic.column_index(real.columns[c]);
    if (s < 0 || synthetic.types[static_cast<size_t>(s)] != real.types[c])
      throw InputError("synthetic table '" + synthetic.name + "' has no column '" + real.columns[c] +
                       "' of type " + to_string(real.types[c]) + " (expected the real table's schema)");
    if (s != static_cast<int>(c))
      throw InputError("synthetic table '" + synthetic.name + "' orders its columns differently from the real one");
    scored.index.push_back(static_cast<int>(c));
    scored.names.push_back(real.columns[c]);
    metrics::ColumnKind kind = stored_as_code(real.types[c])       ? metrics::ColumnKind::categorical
                               : real.types[c] == ColumnType::date ? metrics::ColumnKind::date
                                                                   : metrics::ColumnKind::numeric;
    scored.kinds.push_back(kind);
    std::vector<int32_t> real_remap, synthetic_remap;
    std::vector<std::string> unified;
    if (kind == metrics::ColumnKind::categorical) {
      const auto& a = real.dictionaries.at(real.columns[c]);
      const auto& b = synthetic.dictionaries.at(real.columns[c]);
      std::set<std::string> all(a.begin(), a.end());
      all.insert(b.begin(), b.end());
      unified.assign(all.begin(), all.end());
      auto remap = [&](const std::vector<std::string>& dictionary) {
        std::vector<int32_t> out;
        for (const auto& value : dictionary)
          out.push_back(static_cast<int32_t>(std::lower_bound(unified.begin(), unified.end(), value) - unified.begin()));
        return out;
      };
      real_remap = remap(a);
      synthetic_remap = remap(b);
    }
    scored.real_remap.push_back(std::move(real_remap));
    scored.synthetic_remap.push_back(std::move(synthetic_remap));
    scored.dictionaries.push_back(std::move(unified));
  }
  return scored;
}

metrics::TableData shard_table_data(const TableShard& shard, const ScoredColumns& scored, bool synthetic) {
  metrics::TableData data;
  for (size_t k = 0; k < scored.index.size(); ++k) {
    const ColumnValues& column = shard.columns[static_cast<size_t>(scored.index[k])];
    metrics::ColumnData out;
    out.kind = scored.kinds[k];
    if (out.kind == metrics::ColumnKind::categorical) {
      const auto& remap = synthetic ? scored.synthetic_remap[k] : scored.real_remap[k];
      out.codes.reserve(column.codes.size());
      for (int32_t code : column.codes) out.codes.push_back(code < 0 ? metrics::kMissingCode : remap[static_cast<size_t>(code)]);
    } else if (out.kind == metrics::ColumnKind::date) {
      for (int64_t days : column.i64) out.codes.push_back(static_cast<int32_t>(days));
      out.missing = column.missing;
    } else {
      if (!column.f64.empty()) out.values = column.f64;
      else for (int64_t v : column.i64) out.values.push_back(static_cast<double>(v));
      out.missing = column.missing;
    }
    data.columns.push_back(std::move(out));
  }
  return data;
}

// Appends the rows of `from` flagged in `keep` to `into` (same columns).
void append_rows(metrics::TableData& into, const metrics::TableData& from, const std::vector<uint8_t>& keep) {
  if (into.columns.empty()) {
    into.columns.resize(from.columns.size());
    for (size_t c = 0; c < from.columns.size(); ++c) into.columns[c].kind = from.columns[c].kind;
  }
  for (size_t c = 0; c < from.columns.size(); ++c) {
    const auto& src = from.columns[c];
    auto& dst = into.columns[c];
    size_t rows = src.kind == metrics::ColumnKind::numeric ? src.values.size() : src.codes.size();
    for (size_t r = 0; r < rows; ++r) {
      if (!keep[r]) continue;
      if (src.kind == metrics::ColumnKind::numeric) dst.values.push_back(src.values[r]);
      else dst.codes.push_back(src.codes[r]);
      if (src.kind != metrics::ColumnKind::categorical) dst.missing.push_back(src.missing.empty() ? 0 : src.missing[r]);
    }
  }
}

TableRows select_rows(const StageReader& reader, const std::string& table, bool synthetic, RowSelection rows,
                      uint64_t seed, double holdout_fraction) {
  return TableRows{reader, read_table_meta(reader, table), reader.shards(table_group(table)), synthetic, rows, seed,
                   holdout_fraction};
}

metrics::TableData load_selected_rows(const TableRows& rows, int64_t s, const ScoredColumns& scored) {
  TableShard shard = read_table_shard(rows.reader, rows.shards[static_cast<size_t>(s)], rows.meta);
  metrics::TableData data = shard_table_data(shard, scored, rows.synthetic);
  if (rows.rows == RowSelection::all) return data;
  const int key = rows.meta.column_index(rows.meta.primary_key);
  std::vector<uint8_t> keep(static_cast<size_t>(shard.rows()));
  for (int64_t r = 0; r < shard.rows(); ++r) {
    bool out = held_out(rows.seed, shard.columns[static_cast<size_t>(key)].i64[static_cast<size_t>(r)], rows.holdout_fraction);
    keep[static_cast<size_t>(r)] = (rows.rows == RowSelection::holdout) == out;
  }
  metrics::TableData kept;
  append_rows(kept, data, keep);
  if (kept.columns.empty()) kept.columns.resize(data.columns.size());
  for (size_t c = 0; c < data.columns.size(); ++c) kept.columns[c].kind = data.columns[c].kind;
  return kept;
}

}  // namespace sc
