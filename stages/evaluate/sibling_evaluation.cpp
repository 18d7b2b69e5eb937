#include "stages/evaluate/sibling_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "stages/evaluate/metrics/ks_complement.hpp"

namespace sc {
namespace {

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::max();  // sorts after every time
constexpr int64_t kFirstChild = -3;                                 // the "previous" of a first child
constexpr int64_t kMissing = -2;                                    // a missing category

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

// A side's child row with a parent key: its time (kNoTime when missing), its place in the store
// (shard << 32 | row) and its code in one categorical column (a real dictionary index, kMissing,
// or -1 for a category the real data lack).
struct SiblingRow {
  int64_t key, time, position, code;
  auto order() const { return std::tie(key, time, position); }
};

// Every rank gets every row of the side, sorted into family order (key, then time, then store
// position: a total order, so the same on any rank count). One categorical column at a time
// (`category` < 0: none), so memory stays at 32 bytes per child row.
std::vector<SiblingRow> gather_families(const Communicator& comm, const SiblingSide& side, const TableMeta& real,
                                        int time_column, int category) {
  const int fk = side.child.column_index(side.child.foreign_key);
  const std::vector<int32_t> to_real =
      category < 0 ? std::vector<int32_t>{} : real_category_indices(side.child, real, side.child.columns[static_cast<size_t>(category)]);
  std::vector<int> columns{fk, time_column};
  if (category >= 0) columns.push_back(category);
  std::vector<SiblingRow> mine;
  for (size_t s = static_cast<size_t>(comm.rank()); s < side.shards.size(); s += static_cast<size_t>(comm.size())) {
    TableShard shard = read_table_columns(side.reader, side.shards[s], side.child, columns);
    const ColumnValues& keys = shard.columns[static_cast<size_t>(fk)];
    const ColumnValues& time = shard.columns[static_cast<size_t>(time_column)];
    for (size_t r = 0; r < keys.missing.size(); ++r) {
      if (keys.missing[r]) continue;
      int64_t code = kMissing;
      if (category >= 0) {
        const ColumnValues& c = shard.columns[static_cast<size_t>(category)];
        if (!c.missing[r]) code = to_real[static_cast<size_t>(c.codes[r])];
      }
      mine.push_back({keys.i64[r], time.missing[r] ? kNoTime : time.i64[r], static_cast<int64_t>(s << 32 | r), code});
    }
  }
  std::vector<SiblingRow> all = comm.allgatherv_records(mine);
  std::sort(all.begin(), all.end(), [](const SiblingRow& a, const SiblingRow& b) { return a.order() < b.order(); });
  return all;
}

metrics::KsPiece gap_piece(const std::vector<SiblingRow>& rows) {
  std::vector<double> gaps;
  for (size_t i = 1; i < rows.size(); ++i) {
    const SiblingRow& a = rows[i - 1];
    const SiblingRow& b = rows[i];
    if (a.key == b.key && a.time != kNoTime && b.time != kNoTime) gaps.push_back(static_cast<double>(b.time - a.time));
  }
  return metrics::compute_ks_piece(metrics::ColumnView::numeric(gaps));
}

// (previous category, category) -> share of the rows.
using Joint = std::map<std::pair<int64_t, int64_t>, double>;

Joint transitions(const std::vector<SiblingRow>& rows) {
  Joint joint;
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool first = i == 0 || rows[i - 1].key != rows[i].key;
    joint[{first ? kFirstChild : rows[i - 1].code, rows[i].code}] += 1.0;
  }
  for (auto& [pair, share] : joint) share /= static_cast<double>(rows.size());
  return joint;
}

double one_minus_tvd(const Joint& p, const Joint& q) {
  double distance = 0;
  for (const auto& [pair, share] : p) {
    auto it = q.find(pair);
    distance += std::abs(share - (it == q.end() ? 0.0 : it->second));
  }
  for (const auto& [pair, share] : q)
    if (!p.count(pair)) distance += share;
  return 1.0 - distance / 2.0;
}

Joint product_of_marginals(const Joint& joint) {
  std::map<int64_t, double> previous, current;
  for (const auto& [pair, share] : joint) {
    previous[pair.first] += share;
    current[pair.second] += share;
  }
  Joint out;
  for (const auto& [a, pa] : previous)
    for (const auto& [b, pb] : current) out[{a, b}] = pa * pb;
  return out;
}

}  // namespace

std::vector<int32_t> real_category_indices(const TableMeta& side, const TableMeta& real, const std::string& column) {
  const auto& dictionary = side.dictionaries.at(column);
  const auto& real_dictionary = real.dictionaries.at(column);  // sorted
  std::vector<int32_t> map(dictionary.size(), -1);
  for (size_t c = 0; c < dictionary.size(); ++c) {
    auto it = std::lower_bound(real_dictionary.begin(), real_dictionary.end(), dictionary[c]);
    if (it != real_dictionary.end() && *it == dictionary[c]) map[c] = static_cast<int32_t>(it - real_dictionary.begin());
  }
  return map;
}

nlohmann::json evaluate_sibling_order(const Communicator& comm, const SiblingSide& real, const SiblingSide& synthetic) {
  const TableMeta& meta = real.child;
  int time_column = -1;
  for (size_t c = 0; c < meta.columns.size() && time_column < 0; ++c)
    if (meta.types[c] == ColumnType::day_offset || meta.types[c] == ColumnType::date) time_column = static_cast<int>(c);
  if (time_column < 0) return nlohmann::json::object();
  std::vector<int> categories;
  for (size_t c = 0; c < meta.columns.size(); ++c)
    if (meta.types[c] != ColumnType::key && stored_as_code(meta.types[c])) categories.push_back(static_cast<int>(c));
  std::vector<SiblingRow> r = gather_families(comm, real, meta, time_column, categories.empty() ? -1 : categories[0]);
  std::vector<SiblingRow> s = gather_families(comm, synthetic, meta, time_column, categories.empty() ? -1 : categories[0]);
  nlohmann::json out = {{"gap_shape", {{"column", meta.columns[static_cast<size_t>(time_column)]},
                                       {"score", number(metrics::finish_ks_complement(gap_piece(r), gap_piece(s)))}}}};
  nlohmann::json per_column = nlohmann::json::array();
  for (size_t k = 0; k < categories.size(); ++k) {
    if (k > 0) {  // the first column's rows came with the gaps
      r = gather_families(comm, real, meta, time_column, categories[k]);
      s = gather_families(comm, synthetic, meta, time_column, categories[k]);
    }
    if (r.empty() || s.empty()) continue;
    const Joint real_joint = transitions(r);
    per_column.push_back({{"column", meta.columns[static_cast<size_t>(categories[k])]},
                          {"score", number(one_minus_tvd(real_joint, transitions(s)))},
                          {"independent_siblings", number(one_minus_tvd(real_joint, product_of_marginals(real_joint)))}});
  }
  out["sibling_transitions"] = per_column;
  return out;
}

}  // namespace sc
