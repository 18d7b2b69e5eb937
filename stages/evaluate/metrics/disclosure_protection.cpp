#include "stages/evaluate/metrics/disclosure_protection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

bool tuple_less(const std::int32_t* a, const std::int32_t* b, int width) {
  return std::lexicographical_compare(a, a + width, b, b + width);
}

}  // namespace

DisclosurePlan make_disclosure_plan(const std::vector<ColumnKind>& kinds, std::vector<int> known,
                                    std::vector<int> sensitive, const ProfilePiece& real) {
  SC_EXPECTS(!known.empty() && !sensitive.empty(), ConfigError,
             "DisclosureProtection: at least one known and one sensitive column are needed");
  SC_EXPECTS(real.ranges.size() == kinds.size(), InternalError,
             "DisclosureProtection: the profile does not match the columns");
  DisclosurePlan plan{std::move(known), std::move(sensitive), kinds, std::vector<BinEdges>(kinds.size())};
  for (const auto* list : {&plan.known, &plan.sensitive}) {
    for (int c : *list) {
      SC_EXPECTS(c >= 0 && c < static_cast<int>(kinds.size()), ConfigError,
                 "DisclosureProtection: column index " + std::to_string(c) + " is not a scored column");
      if (kinds[c] != ColumnKind::categorical) {
        SC_EXPECTS(real.ranges[c].present > 0, InputError,
                   "DisclosureProtection: column " + std::to_string(c) + " has no present real value to bin");
        plan.edges[c] = pandas_cut_edges(real.ranges[c]);
      }
    }
  }
  return plan;
}

DisclosurePiece compute_disclosure_piece(const ShardView& shard, const DisclosurePlan& plan, TableSide side) {
  std::vector<int> columns(plan.known);
  columns.insert(columns.end(), plan.sensitive.begin(), plan.sensitive.end());
  const int width = static_cast<int>(columns.size());
  SC_EXPECTS(shard.columns.size() == plan.kinds.size(), InternalError,
             "DisclosureProtection: the shard does not match the plan");
  const std::int64_t rows = shard.rows();
  std::vector<std::int32_t> codes(rows * width);
  for (int k = 0; k < width; ++k) {
    const ColumnView& column = shard.columns[columns[k]];
    for (std::int64_t row = 0; row < rows; ++row) {
      codes[row * width + k] =
          column.kind == ColumnKind::categorical
              ? column.codes[row]
              : pandas_cut_label(column.is_missing(row) ? kNan : column.number(row), plan.edges[columns[k]],
                                 side == TableSide::synthetic);
    }
  }
  std::vector<std::int64_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return tuple_less(&codes[a * width], &codes[b * width], width);
  });
  DisclosurePiece piece;
  piece.width = width;
  for (std::int64_t row : order) {
    const std::int32_t* tuple = &codes[row * width];
    if (!piece.counts.empty() && std::equal(tuple, tuple + width, piece.tuples.end() - width)) {
      ++piece.counts.back();
    } else {
      piece.tuples.insert(piece.tuples.end(), tuple, tuple + width);
      piece.counts.push_back(1);
    }
  }
  return piece;
}

void merge(DisclosurePiece& into, const DisclosurePiece& from) {
  if (from.counts.empty()) return;
  if (into.counts.empty()) {
    into = from;
    return;
  }
  SC_EXPECTS(into.width == from.width, InternalError, "DisclosureProtection: pieces differ in width");
  const int width = into.width;
  DisclosurePiece merged;
  merged.width = width;
  std::size_t i = 0, j = 0;
  while (i < into.counts.size() || j < from.counts.size()) {
    const std::int32_t* a = i < into.counts.size() ? &into.tuples[i * width] : nullptr;
    const std::int32_t* b = j < from.counts.size() ? &from.tuples[j * width] : nullptr;
    const bool take_a = b == nullptr || (a != nullptr && !tuple_less(b, a, width));
    const bool take_b = a == nullptr || (b != nullptr && !tuple_less(a, b, width));
    const std::int32_t* tuple = take_a ? a : b;
    merged.tuples.insert(merged.tuples.end(), tuple, tuple + width);
    merged.counts.push_back((take_a ? into.counts[i++] : 0) + (take_b ? from.counts[j++] : 0));
  }
  into = std::move(merged);
}

std::vector<std::uint8_t> serialize(const DisclosurePiece& piece) {
  ByteWriter out("DISC", 1);
  out.put<std::int32_t>(piece.width);
  out.put_vector(piece.tuples);
  out.put_vector(piece.counts);
  return out.take();
}

DisclosurePiece deserialize_disclosure(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "DISC", 1);
  DisclosurePiece piece;
  piece.width = in.get<std::int32_t>();
  piece.tuples = in.get_vector<std::int32_t>();
  piece.counts = in.get_vector<std::int64_t>();
  in.expect_end();
  SC_EXPECTS(piece.tuples.size() == piece.counts.size() * static_cast<std::size_t>(piece.width), InternalError,
             "metric piece 'DISC': tuples and counts differ in length");
  return piece;
}

DisclosureProtection finish_disclosure_protection(const DisclosurePiece& real, const DisclosurePiece& synthetic,
                                                  const DisclosurePlan& plan, CapMethod method) {
  const int known = static_cast<int>(plan.known.size());
  const int width = known + static_cast<int>(plan.sensitive.size());
  SC_EXPECTS((real.counts.empty() || real.width == width) && (synthetic.counts.empty() || synthetic.width == width),
             InternalError, "DisclosureProtection: pieces do not match the plan");

  // Baseline: the real categories of each sensitive column, missing included.
  double combinations = 1.0;
  for (int k = known; k < width; ++k) {
    std::set<std::int32_t> categories;
    for (std::size_t t = 0; t < real.counts.size(); ++t) categories.insert(real.tuples[t * width + k]);
    combinations *= static_cast<double>(categories.size());
  }
  const double baseline = 1.0 - 1.0 / combinations;

  // The attacker's belief, summed over real rows: synthetic tuples are sorted, so all tuples with
  // one known part form a run; find the run by binary search on the known part.
  auto known_less = [&](const std::int32_t* a, const std::int32_t* b) { return tuple_less(a, b, known); };
  const std::size_t synthetic_tuples = synthetic.counts.size();
  auto synthetic_tuple = [&](std::size_t t) { return &synthetic.tuples[t * width]; };
  double belief_sum = 0.0;
  std::int64_t attacked = 0;
  for (std::size_t t = 0; t < real.counts.size(); ++t) {
    const std::int32_t* tuple = &real.tuples[t * width];
    std::size_t lo = 0, hi = synthetic_tuples;
    while (lo < hi) {  // first synthetic tuple whose known part is not less than the real one's
      const std::size_t mid = (lo + hi) / 2;
      if (known_less(synthetic_tuple(mid), tuple)) lo = mid + 1; else hi = mid;
    }
    std::int64_t with_key = 0, with_both = 0;
    for (std::size_t s = lo; s < synthetic_tuples && !known_less(tuple, synthetic_tuple(s)); ++s) {
      with_key += synthetic.counts[s];
      if (std::equal(tuple, tuple + width, synthetic_tuple(s))) with_both += synthetic.counts[s];
    }
    if (with_key == 0 && method == CapMethod::cap) continue;
    attacked += real.counts[t];
    if (with_key > 0)
      belief_sum += static_cast<double>(real.counts[t]) * (static_cast<double>(with_both) / static_cast<double>(with_key));
  }
  DisclosureProtection result;
  result.cap_protection = attacked == 0 ? kNan : 1.0 - belief_sum / static_cast<double>(attacked);
  result.baseline_protection = baseline;
  result.score = baseline == 0.0 ? kNan : std::min(result.cap_protection / baseline, 1.0);
  return result;
}

}  // namespace sc::metrics
