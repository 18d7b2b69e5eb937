#include "stages/report/store_distributions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/table_store.hpp"

namespace sc::report {

int64_t SideCounts::total() const { return std::accumulate(counts.begin(), counts.end(), int64_t{0}); }

std::pair<size_t, size_t> kept_span(const std::vector<int64_t>& counts, int64_t min_count) {
  size_t from = 0, to = counts.size();
  for (int64_t tail = 0; from < to && tail + counts[from] < min_count; ++from) tail += counts[from];
  for (int64_t tail = 0; to > from && tail + counts[to - 1] < min_count; --to) tail += counts[to - 1];
  return {from, to};
}

namespace {

struct Side {
  const StageReader& reader;
  TableMeta meta;
  std::vector<std::string> shards;
  std::string label;  // "real" or "synthetic", for progress lines
};

Side open_side(const StageReader& reader, const std::string& table, const std::string& label) {
  return Side{reader, read_table_meta(reader, table), reader.shards(table_group(table)), label};
}

// Runs `visit(shard)` on the shards this rank owns, with progress on rank 0 (`what`: the pass).
template <class Visit>
void for_own_shards(const Communicator& comm, const Side& side, const std::string& what, ShardTally& tally,
                    Visit visit) {
  Progress progress(comm, "report", side.label + " " + side.meta.name + ": " + what,
                    static_cast<int64_t>(side.shards.size()), "rows");
  for (size_t s = static_cast<size_t>(comm.rank()); s < side.shards.size(); s += static_cast<size_t>(comm.size())) {
    TableShard shard = read_table_shard(side.reader, side.shards[s], side.meta);
    visit(shard);
    progress.shard_done(shard.rows());
    ++tally.shards_read;
  }
}

double value_at(const ColumnValues& column, ColumnType type, size_t row) {
  return stored_as_double(type) ? column.f64[row] : static_cast<double>(column.i64[row]);
}

// `bins` equal-width bins from lo to hi; the last edge is hi itself, so the top value falls in.
std::vector<double> equal_width_edges(double lo, double hi, int bins) {
  if (!(lo <= hi)) return {};  // no present value
  if (lo == hi) return {lo, hi};
  std::vector<double> edges(static_cast<size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i) edges[static_cast<size_t>(i)] = lo + (hi - lo) * i / bins;
  edges.back() = hi;
  return edges;
}

size_t bin_of(double x, const std::vector<double>& edges) {
  size_t bins = edges.size() - 1;
  double lo = edges.front(), hi = edges.back();
  if (hi == lo) return 0;
  double k = std::floor((x - lo) / (hi - lo) * static_cast<double>(bins));
  return static_cast<size_t>(std::clamp(k, 0.0, static_cast<double>(bins - 1)));
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
};

// Pass 1: per numeric column, the range of present values; per categorical column, the counts
// in the side's own dictionary (last slot: missing).
void profile_side(const Communicator& comm, const Side& side, const std::vector<int>& columns,
                  std::vector<Range>& ranges, std::vector<std::vector<int64_t>>& codes, ShardTally& tally) {
  ranges.assign(columns.size(), Range{});
  codes.assign(columns.size(), {});
  for (size_t k = 0; k < columns.size(); ++k) {
    ColumnType type = side.meta.types[static_cast<size_t>(columns[k])];
    if (stored_as_code(type)) codes[k].assign(side.meta.dictionaries.at(side.meta.columns[static_cast<size_t>(columns[k])]).size() + 1, 0);
  }
  for_own_shards(comm, side, "ranges and category counts", tally, [&](const TableShard& shard) {
    for (size_t k = 0; k < columns.size(); ++k) {
      const ColumnValues& column = shard.columns[static_cast<size_t>(columns[k])];
      ColumnType type = side.meta.types[static_cast<size_t>(columns[k])];
      if (stored_as_code(type)) {
        for (int32_t code : column.codes) ++codes[k][code < 0 ? codes[k].size() - 1 : static_cast<size_t>(code)];
        continue;
      }
      for (size_t r = 0; r < column.missing.size(); ++r) {
        if (column.missing[r]) continue;
        double x = value_at(column, type, r);
        ranges[k].lo = std::min(ranges[k].lo, x);
        ranges[k].hi = std::max(ranges[k].hi, x);
      }
    }
  });
  for (size_t k = 0; k < columns.size(); ++k) {
    ranges[k].lo = comm.allreduce_min(ranges[k].lo);
    ranges[k].hi = comm.allreduce_max(ranges[k].hi);
    comm.allreduce_sum_inplace(codes[k]);
  }
}

// Pass 2: counts of a side's numeric column on given edges.
std::vector<SideCounts> bin_side(const Communicator& comm, const Side& side, const std::vector<int>& columns,
                                 const std::vector<const std::vector<double>*>& edges, const std::string& what,
                                 ShardTally& tally) {
  std::vector<SideCounts> out(columns.size());
  for (size_t k = 0; k < columns.size(); ++k)
    if (edges[k]) out[k].counts.assign(edges[k]->empty() ? 0 : edges[k]->size() - 1, 0);
  for_own_shards(comm, side, what, tally, [&](const TableShard& shard) {
    for (size_t k = 0; k < columns.size(); ++k) {
      if (!edges[k]) continue;
      const ColumnValues& column = shard.columns[static_cast<size_t>(columns[k])];
      ColumnType type = side.meta.types[static_cast<size_t>(columns[k])];
      const std::vector<double>& e = *edges[k];
      for (size_t r = 0; r < column.missing.size(); ++r) {
        if (column.missing[r]) {
          ++out[k].missing;
          continue;
        }
        double x = value_at(column, type, r);
        if (x >= e.front() && x <= e.back()) ++out[k].counts[bin_of(x, e)];  // outside: a cut tail
      }
    }
  });
  for (auto& side_counts : out) {
    comm.allreduce_sum_inplace(side_counts.counts);
    side_counts.missing = comm.allreduce_sum(side_counts.missing);
  }
  return out;
}

// Category counts of one side moved into the union dictionary.
SideCounts to_union(const std::vector<int64_t>& own, const std::vector<std::string>& dictionary,
                    const std::vector<std::string>& categories) {
  SideCounts out;
  out.counts.assign(categories.size(), 0);
  for (size_t c = 0; c < dictionary.size(); ++c)
    out.counts[static_cast<size_t>(std::lower_bound(categories.begin(), categories.end(), dictionary[c]) -
                                   categories.begin())] += own[c];
  out.missing = own.back();
  return out;
}

}  // namespace

std::vector<ColumnDistribution> column_distributions(const Communicator& comm, const StageReader& real_reader,
                                                     const StageReader& synthetic_reader, const std::string& table,
                                                     int bins, int64_t public_min_count, ShardTally& tally) {
  Side real = open_side(real_reader, table, "real"), synthetic = open_side(synthetic_reader, table, "synthetic");
  std::vector<int> columns;
  for (size_t c = 0; c < real.meta.columns.size(); ++c) {
    if (real.meta.types[c] == ColumnType::key) continue;
    SC_EXPECTS(c < synthetic.meta.columns.size() && synthetic.meta.columns[c] == real.meta.columns[c] &&
                   synthetic.meta.types[c] == real.meta.types[c],
               InputError,
               "synthetic table '" + table + "' has no column '" + real.meta.columns[c] + "' of type " +
                   to_string(real.meta.types[c]) + " at position " + std::to_string(c + 1) +
                   " (expected the real table's schema)");
    columns.push_back(static_cast<int>(c));
  }
  std::vector<Range> real_ranges, synthetic_ranges;
  std::vector<std::vector<int64_t>> real_codes, synthetic_codes;
  profile_side(comm, real, columns, real_ranges, real_codes, tally);
  profile_side(comm, synthetic, columns, synthetic_ranges, synthetic_codes, tally);

  std::vector<ColumnDistribution> out(columns.size());
  std::vector<const std::vector<double>*> shared(columns.size(), nullptr), alone(columns.size(), nullptr);
  for (size_t k = 0; k < columns.size(); ++k) {
    size_t c = static_cast<size_t>(columns[k]);
    ColumnDistribution& d = out[k];
    d.column = real.meta.columns[c];
    d.categorical = stored_as_code(real.meta.types[c]);
    d.date = real.meta.types[c] == ColumnType::date;
    if (d.categorical) {
      const auto& a = real.meta.dictionaries.at(d.column);
      const auto& b = synthetic.meta.dictionaries.at(d.column);
      std::set<std::string> all(a.begin(), a.end());
      all.insert(b.begin(), b.end());
      d.categories.assign(all.begin(), all.end());
      d.real = to_union(real_codes[k], a, d.categories);
      d.synthetic = to_union(synthetic_codes[k], b, d.categories);
      continue;
    }
    d.shared_edges = equal_width_edges(std::min(real_ranges[k].lo, synthetic_ranges[k].lo),
                                       std::max(real_ranges[k].hi, synthetic_ranges[k].hi), bins);
    d.synthetic_fine_edges = equal_width_edges(synthetic_ranges[k].lo, synthetic_ranges[k].hi, bins * kFineBinsPerBin);
    shared[k] = &d.shared_edges;
    alone[k] = &d.synthetic_fine_edges;
  }
  std::vector<SideCounts> real_bins = bin_side(comm, real, columns, shared, "histograms", tally);
  std::vector<SideCounts> synthetic_bins = bin_side(comm, synthetic, columns, shared, "histograms", tally);
  // Zoom: while the kept span of the fine synthetic bins is under half of them (a thin tail
  // stretched the range), bin again over the kept span. Every rank takes the same decisions from
  // the same reduced counts.
  std::vector<SideCounts> synthetic_alone = bin_side(comm, synthetic, columns, alone, "public histograms", tally);
  for (int round = 1; round < kZoomRounds; ++round) {
    std::vector<const std::vector<double>*> zoom(columns.size(), nullptr);
    for (size_t k = 0; k < columns.size(); ++k) {
      std::vector<double>& fine = out[k].synthetic_fine_edges;
      if (!alone[k] || fine.size() < 2) continue;
      auto [from, to] = kept_span(synthetic_alone[k].counts, public_min_count);
      if (from >= to || 2 * (to - from) >= fine.size() - 1) continue;
      fine = equal_width_edges(fine[from], fine[to], bins * kFineBinsPerBin);
      zoom[k] = &fine;
    }
    if (std::none_of(zoom.begin(), zoom.end(), [](const auto* e) { return e != nullptr; })) break;
    std::vector<SideCounts> zoomed = bin_side(comm, synthetic, columns, zoom, "public histograms, zoomed", tally);
    for (size_t k = 0; k < columns.size(); ++k)
      if (zoom[k]) {
        // Rows outside the zoomed range are the cut tails: not counted, not shown.
        zoomed[k].missing = synthetic_alone[k].missing;
        synthetic_alone[k] = std::move(zoomed[k]);
      }
  }
  for (size_t k = 0; k < columns.size(); ++k) {
    if (out[k].categorical) continue;
    out[k].real = std::move(real_bins[k]);
    out[k].synthetic = std::move(synthetic_bins[k]);
    out[k].synthetic_alone = std::move(synthetic_alone[k]);
  }
  return out;
}

namespace {

SideCounts children_counts(const Communicator& comm, const StageReader& reader, const std::string& child_table,
                           const std::string& label, ShardTally& tally) {
  Side child = open_side(reader, child_table, label);
  Side parent = open_side(reader, child.meta.parent, label);
  int pk = parent.meta.column_index(parent.meta.primary_key);
  int fk = child.meta.column_index(child.meta.foreign_key);
  SC_EXPECTS(pk >= 0 && fk >= 0, InputError,
             "table " + child_table + " cannot be related to its parent " + child.meta.parent +
                 " (expected a primary key on the parent and a foreign key on the child)");
  // Every rank holds the parents' keys (one column of the smaller table), sorted.
  std::vector<int64_t> keys;
  for (const auto& name : parent.shards) {
    TableShard shard = read_table_shard(reader, name, parent.meta);
    const ColumnValues& column = shard.columns[static_cast<size_t>(pk)];
    for (size_t r = 0; r < column.i64.size(); ++r)
      if (!column.missing[r]) keys.push_back(column.i64[r]);
  }
  std::sort(keys.begin(), keys.end());
  std::vector<int64_t> per_parent(keys.size(), 0);
  SideCounts out;
  for_own_shards(comm, child, "children per parent", tally, [&](const TableShard& shard) {
    const ColumnValues& column = shard.columns[static_cast<size_t>(fk)];
    for (size_t r = 0; r < column.missing.size(); ++r) {
      auto it = std::lower_bound(keys.begin(), keys.end(), column.i64[r]);
      if (column.missing[r] || it == keys.end() || *it != column.i64[r]) ++out.missing;
      else ++per_parent[static_cast<size_t>(it - keys.begin())];
    }
  });
  comm.allreduce_sum_inplace(per_parent);
  out.missing = comm.allreduce_sum(out.missing);
  int64_t most = per_parent.empty() ? 0 : *std::max_element(per_parent.begin(), per_parent.end());
  out.counts.assign(static_cast<size_t>(most) + 1, 0);
  for (int64_t n : per_parent) ++out.counts[static_cast<size_t>(n)];
  return out;
}

}  // namespace

ChildrenHistogram children_per_parent(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                                      const std::string& child_table, ShardTally& tally) {
  return ChildrenHistogram{children_counts(comm, real, child_table, "real", tally),
                           children_counts(comm, synthetic, child_table, "synthetic", tally)};
}

}  // namespace sc::report
