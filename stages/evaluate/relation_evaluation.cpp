#include "stages/evaluate/relation_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "pipeline/error.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/intertable_trends.hpp"
#include "stages/evaluate/metrics/ks_complement.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/evaluate/sibling_evaluation.hpp"

namespace sc {
namespace {

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

bool is_numeric_type(ColumnType t) { return t != ColumnType::key && !stored_as_code(t); }

double as_double(const ColumnValues& column, ColumnType type, size_t r) {
  return stored_as_double(type) ? column.f64[r] : static_cast<double>(column.i64[r]);
}

metrics::KsPiece ks_piece_of(const std::vector<double>& values) {
  return metrics::compute_ks_piece(metrics::ColumnView::numeric(values));
}

struct Side {
  const StageReader& reader;
  TableMeta child, parent;
  std::vector<std::string> child_shards, parent_shards;
  std::vector<int64_t> parent_keys;  // sorted
};

Side open_side(const StageReader& reader, const std::string& table) {
  Side side{reader, read_table_meta(reader, table), {}, reader.shards(table_group(table)), {}, {}};
  side.parent = read_table_meta(reader, side.child.parent);
  side.parent_shards = reader.shards(table_group(side.child.parent));
  return side;
}

// Every rank reads the parents' keys (one column): the parent table is the smaller one.
void read_parent_keys(Side& side) {
  int pk = side.parent.column_index(side.parent.primary_key);
  SC_EXPECTS(pk >= 0, InputError, "table " + side.parent.name + " has no primary key; its children cannot be related to it");
  for (const auto& name : side.parent_shards) {
    TableShard shard = read_table_shard(side.reader, name, side.parent);
    const ColumnValues& keys = shard.columns[static_cast<size_t>(pk)];
    for (size_t r = 0; r < keys.i64.size(); ++r)
      if (!keys.missing[r]) side.parent_keys.push_back(keys.i64[r]);
  }
  std::sort(side.parent_keys.begin(), side.parent_keys.end());
}

struct Cardinality {
  metrics::KsPiece counts;
  int64_t child_rows = 0, orphans = 0;
};

Cardinality cardinality(const Communicator& comm, const Side& side) {
  int fk = side.child.column_index(side.child.foreign_key);
  std::vector<int64_t> per_parent(side.parent_keys.size(), 0);
  int64_t rows = 0, orphans = 0;
  for (size_t s = static_cast<size_t>(comm.rank()); s < side.child_shards.size(); s += static_cast<size_t>(comm.size())) {
    TableShard shard = read_table_shard(side.reader, side.child_shards[s], side.child);
    const ColumnValues& keys = shard.columns[static_cast<size_t>(fk)];
    for (size_t r = 0; r < keys.missing.size(); ++r) {
      ++rows;
      auto it = std::lower_bound(side.parent_keys.begin(), side.parent_keys.end(), keys.i64[r]);
      if (keys.missing[r] || it == side.parent_keys.end() || *it != keys.i64[r]) { ++orphans; continue; }
      ++per_parent[static_cast<size_t>(it - side.parent_keys.begin())];
    }
  }
  comm.allreduce_sum_inplace(per_parent);
  Cardinality out;
  out.child_rows = comm.allreduce_sum(rows);
  out.orphans = comm.allreduce_sum(orphans);
  std::vector<double> values(per_parent.begin(), per_parent.end());
  out.counts = ks_piece_of(values);
  return out;
}

// For each (categorical column C, numeric column X) pair: category of C -> KS piece of X within
// it, categories named by their real dictionary index (synthetic categories the real data lack:
// -1). One read of each shard serves every pair.
using CategoryPieces = std::map<int32_t, metrics::KsPiece>;
struct ColumnPair {
  int cat = -1, num = -1;
};

// Frame: [pair << 32 | (category + 1) int64][size int64][KS piece bytes] repeated.
std::vector<uint8_t> serialize_pieces(const std::vector<CategoryPieces>& per_pair) {
  std::vector<uint8_t> out;
  for (size_t p = 0; p < per_pair.size(); ++p)
    for (const auto& [category, piece] : per_pair[p]) {
      std::vector<uint8_t> bytes = metrics::serialize(piece);
      int64_t header[2] = {static_cast<int64_t>(p << 32) | (category + 1), static_cast<int64_t>(bytes.size())};
      const auto* h = reinterpret_cast<const uint8_t*>(header);
      out.insert(out.end(), h, h + sizeof header);
      out.insert(out.end(), bytes.begin(), bytes.end());
    }
  return out;
}

void merge_pieces(std::vector<CategoryPieces>& into, const std::vector<uint8_t>& bytes) {
  size_t pos = 0;
  while (pos + 16 <= bytes.size()) {
    int64_t header[2];
    std::memcpy(header, bytes.data() + pos, sizeof header);
    pos += sizeof header;
    metrics::KsPiece piece = metrics::deserialize_ks(std::span<const uint8_t>(bytes.data() + pos, static_cast<size_t>(header[1])));
    pos += static_cast<size_t>(header[1]);
    const size_t pair = static_cast<size_t>(header[0] >> 32);
    const int32_t category = static_cast<int32_t>(header[0] & 0xFFFFFFFF) - 1;
    auto [it, fresh] = into[pair].try_emplace(category, piece);
    if (!fresh) metrics::merge(it->second, piece);
  }
}

std::vector<CategoryPieces> within_categories(const Communicator& comm, const Side& side, const TableMeta& real_meta,
                                              const std::vector<ColumnPair>& pairs) {
  // Synthetic codes -> real dictionary indices, per categorical column used.
  std::map<int, std::vector<int32_t>> to_real;
  for (const auto& pair : pairs)
    if (!to_real.count(pair.cat))
      to_real[pair.cat] = real_category_indices(side.child, real_meta, side.child.columns[static_cast<size_t>(pair.cat)]);
  std::vector<CategoryPieces> merged(pairs.size());
  auto pieces = gather_shard_pieces(comm, static_cast<int64_t>(side.child_shards.size()), [&](int64_t s) {
    TableShard shard = read_table_shard(side.reader, side.child_shards[static_cast<size_t>(s)], side.child);
    std::vector<CategoryPieces> mine(pairs.size());
    for (size_t p = 0; p < pairs.size(); ++p) {
      const ColumnValues& c = shard.columns[static_cast<size_t>(pairs[p].cat)];
      const ColumnValues& x = shard.columns[static_cast<size_t>(pairs[p].num)];
      const std::vector<int32_t>& map = to_real.at(pairs[p].cat);
      std::map<int32_t, std::vector<double>> values;
      for (size_t r = 0; r < c.missing.size(); ++r)
        if (!c.missing[r] && !x.missing[r])
          values[map[static_cast<size_t>(c.codes[r])]].push_back(as_double(x, side.child.types[static_cast<size_t>(pairs[p].num)], r));
      for (const auto& [category, v] : values) mine[p][category] = ks_piece_of(v);
    }
    return serialize_pieces(mine);
  });
  for (const auto& bytes : pieces) merge_pieces(merged, bytes);
  return merged;
}

}  // namespace

nlohmann::json evaluate_relation(const Communicator& comm, const StageReader& real_reader, const StageReader& synthetic_reader,
                                 const std::string& child_table) {
  Side real = open_side(real_reader, child_table), synthetic = open_side(synthetic_reader, child_table);
  read_parent_keys(real);
  read_parent_keys(synthetic);
  Cardinality rc = cardinality(comm, real), sc_ = cardinality(comm, synthetic);
  nlohmann::json out = {
      {"parent", real.child.parent},
      {"cardinality_shape_similarity", number(metrics::finish_ks_complement(rc.counts, sc_.counts))},
      {"referential_integrity", {{"real", number(rc.child_rows ? 1.0 - static_cast<double>(rc.orphans) / rc.child_rows : 1.0)},
                                 {"synthetic", number(sc_.child_rows ? 1.0 - static_cast<double>(sc_.orphans) / sc_.child_rows : 1.0)}}},
      {"children_per_parent_mean", {{"real", number(real.parent_keys.empty() ? NAN : static_cast<double>(rc.child_rows - rc.orphans) / real.parent_keys.size())},
                                    {"synthetic", number(synthetic.parent_keys.empty() ? NAN : static_cast<double>(sc_.child_rows - sc_.orphans) / synthetic.parent_keys.size())}}}};

  out["intertable_trends"] = evaluate_intertable_trends(comm, real_reader, synthetic_reader, child_table);

  // Shapes within categories.
  std::vector<ColumnPair> pairs;
  for (size_t cat = 0; cat < real.child.columns.size(); ++cat)
    for (size_t num = 0; stored_as_code(real.child.types[cat]) && num < real.child.columns.size(); ++num)
      if (is_numeric_type(real.child.types[num])) pairs.push_back({static_cast<int>(cat), static_cast<int>(num)});
  std::vector<CategoryPieces> real_pieces = within_categories(comm, real, real.child, pairs);
  std::vector<CategoryPieces> synthetic_pieces = within_categories(comm, synthetic, real.child, pairs);
  nlohmann::json within = nlohmann::json::array();
  double score_sum = 0;
  for (size_t p = 0; p < pairs.size(); ++p) {
    const CategoryPieces& r = real_pieces[p];
    const CategoryPieces& s = synthetic_pieces[p];
    const auto& dictionary = real.child.dictionaries.at(real.child.columns[static_cast<size_t>(pairs[p].cat)]);
    int64_t total = 0;
    for (const auto& [category, piece] : r) total += piece.total();
    double score = 0;
    nlohmann::json per_category = nlohmann::json::object();
    for (const auto& [category, piece] : r) {
      auto it = s.find(category);
      // A category the synthetic data never show scores 0: its shape is entirely missing.
      double ks = it == s.end() ? 0.0 : metrics::finish_ks_complement(piece, it->second);
      double w = total ? static_cast<double>(piece.total()) / total : 0.0;
      score += w * (std::isfinite(ks) ? ks : 0.0);
      per_category[category >= 0 ? dictionary[static_cast<size_t>(category)] : std::string("(not in the real data)")] = number(ks);
    }
    within.push_back({{"category_column", real.child.columns[static_cast<size_t>(pairs[p].cat)]},
                      {"value_column", real.child.columns[static_cast<size_t>(pairs[p].num)]},
                      {"score", number(score)}, {"per_category", per_category}});
    score_sum += score;
  }
  out["shapes_within_categories"] = within;
  out["shapes_within_categories_mean"] = number(pairs.empty() ? NAN : score_sum / static_cast<double>(pairs.size()));

  // Gaps and category transitions between successive siblings along the first time column.
  out.update(evaluate_sibling_order(comm, SiblingSide{real.reader, real.child, real.child_shards},
                                    SiblingSide{synthetic.reader, synthetic.child, synthetic.child_shards}));
  return out;
}

}  // namespace sc
