#include "stages/evaluate/sibling_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "stages/evaluate/metrics/ks_complement.hpp"

namespace sc {
namespace {

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::max();  // sorts after every time
constexpr int64_t kFirstChild = -3;                                 // the "previous" of a first child
constexpr int64_t kMissing = -2;                                    // a missing category

nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

// A side's child rows with a parent key, each as [key, time, shard << 32 | row, codes...] (codes
// as real dictionary indices, kMissing, or -1 for categories the real data lack), in family order.
struct Families {
  size_t width = 0;
  std::vector<int64_t> records;
  size_t rows() const { return width ? records.size() / width : 0; }
  const int64_t* row(size_t i) const { return records.data() + i * width; }
};

Families gather_families(const Communicator& comm, const SiblingSide& side, const TableMeta& real, int time_column,
                         const std::vector<int>& categories) {
  const int fk = side.child.column_index(side.child.foreign_key);
  std::vector<std::vector<int32_t>> to_real;
  for (int c : categories) to_real.push_back(real_category_indices(side.child, real, side.child.columns[static_cast<size_t>(c)]));
  Families out;
  out.width = 3 + categories.size();
  std::vector<int64_t> mine;
  for (size_t s = static_cast<size_t>(comm.rank()); s < side.shards.size(); s += static_cast<size_t>(comm.size())) {
    TableShard shard = read_table_shard(side.reader, side.shards[s], side.child);
    const ColumnValues& keys = shard.columns[static_cast<size_t>(fk)];
    const ColumnValues& time = shard.columns[static_cast<size_t>(time_column)];
    for (size_t r = 0; r < keys.missing.size(); ++r) {
      if (keys.missing[r]) continue;
      mine.push_back(keys.i64[r]);
      mine.push_back(time.missing[r] ? kNoTime : time.i64[r]);
      mine.push_back(static_cast<int64_t>(s << 32 | r));
      for (size_t k = 0; k < categories.size(); ++k) {
        const ColumnValues& c = shard.columns[static_cast<size_t>(categories[k])];
        mine.push_back(c.missing[r] ? kMissing : to_real[k][static_cast<size_t>(c.codes[r])]);
      }
    }
  }
  std::vector<int64_t> all = comm.allgatherv(mine);
  // Sort row indices by (key, time, store order), then lay the records out in that order.
  const size_t n = all.size() / out.width;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int64_t* x = all.data() + a * out.width;
    const int64_t* y = all.data() + b * out.width;
    return std::lexicographical_compare(x, x + 3, y, y + 3);
  });
  out.records.resize(all.size());
  for (size_t i = 0; i < n; ++i) std::copy_n(all.data() + order[i] * out.width, out.width, out.records.data() + i * out.width);
  return out;
}

metrics::KsPiece gap_piece(const Families& f) {
  std::vector<double> gaps;
  for (size_t i = 1; i < f.rows(); ++i) {
    const int64_t* a = f.row(i - 1);
    const int64_t* b = f.row(i);
    if (a[0] == b[0] && a[1] != kNoTime && b[1] != kNoTime) gaps.push_back(static_cast<double>(b[1] - a[1]));
  }
  return metrics::compute_ks_piece(metrics::ColumnView::numeric(gaps));
}

// (previous category, category) -> share of the rows.
using Joint = std::map<std::pair<int64_t, int64_t>, double>;

Joint transitions(const Families& f, size_t k) {
  Joint joint;
  const size_t at = 3 + k;
  for (size_t i = 0; i < f.rows(); ++i) {
    const bool first = i == 0 || f.row(i - 1)[0] != f.row(i)[0];
    joint[{first ? kFirstChild : f.row(i - 1)[at], f.row(i)[at]}] += 1.0;
  }
  for (auto& [pair, share] : joint) share /= static_cast<double>(f.rows());
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
  const Families r = gather_families(comm, real, meta, time_column, categories);
  const Families s = gather_families(comm, synthetic, meta, time_column, categories);
  nlohmann::json out = {{"gap_shape", {{"column", meta.columns[static_cast<size_t>(time_column)]},
                                       {"score", number(metrics::finish_ks_complement(gap_piece(r), gap_piece(s)))}}}};
  nlohmann::json per_column = nlohmann::json::array();
  for (size_t k = 0; k < categories.size(); ++k) {
    if (r.rows() == 0 || s.rows() == 0) continue;
    const Joint real_joint = transitions(r, k);
    per_column.push_back({{"column", meta.columns[static_cast<size_t>(categories[k])]},
                          {"score", number(one_minus_tvd(real_joint, transitions(s, k)))},
                          {"independent_siblings", number(one_minus_tvd(real_joint, product_of_marginals(real_joint)))}});
  }
  out["sibling_transitions"] = per_column;
  return out;
}

}  // namespace sc
