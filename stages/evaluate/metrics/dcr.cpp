#include "stages/evaluate/metrics/dcr.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Codes of a numeric column scored by equality: the reference's single value, a missing value,
// any other value. Both sides use them, so equal codes mean equal under SDMetrics' rule.
constexpr double kEqualsConstant = 0.0;
constexpr double kMissingValue = 1.0;
constexpr double kOtherValue = 2.0;

std::vector<double> divided(const std::vector<double>& sums, int columns) {
  std::vector<double> values(sums.size());
  for (std::size_t i = 0; i < sums.size(); ++i) values[i] = sums[i] / static_cast<double>(columns);
  return values;
}

std::vector<double> flatten(const NearestSet& set, bool second, int columns) {
  std::vector<double> values;
  for (const auto& piece : set.shards) {
    const auto part = divided(second ? piece.second : piece.best, columns);
    values.insert(values.end(), part.begin(), part.end());
  }
  return values;
}

void merge_piece(NearestPiece& into, const NearestPiece& from) {
  SC_EXPECTS(into.best.size() == from.best.size(), InternalError,
             "DCR: pieces of synthetic shard " + std::to_string(into.synthetic_shard) + " differ in row count");
  for (std::size_t i = 0; i < into.best.size(); ++i) {
    double b1 = into.best[i], b2 = into.second[i];
    for (double d : {from.best[i], from.second[i]}) {
      b2 = std::min(b2, std::max(b1, d));
      b1 = std::min(b1, d);
    }
    into.best[i] = b1;
    into.second[i] = b2;
  }
}

NearestPiece empty_piece(std::int64_t synthetic_shard, std::int64_t rows) {
  NearestPiece piece;
  piece.synthetic_shard = synthetic_shard;
  piece.best.assign(rows, kInfinity);
  piece.second.assign(rows, kInfinity);
  return piece;
}

}  // namespace

DcrPlan make_dcr_plan(const std::vector<ColumnKind>& kinds, const ProfilePiece& reference) {
  SC_EXPECTS(reference.ranges.size() == kinds.size(), InternalError, "DCR: the profile does not match the columns");
  DcrPlan plan;
  plan.kinds = kinds;
  plan.rules.resize(kinds.size());
  plan.constant_value.assign(kinds.size(), 0.0);
  plan.has_constant_value.assign(kinds.size(), 0);
  for (std::size_t c = 0; c < kinds.size(); ++c) {
    if (kinds[c] == ColumnKind::categorical) continue;
    const RangePiece& range = reference.ranges[c];
    const double width = range.max - range.min;
    if (range.present > 0 && width > 0.0) {
      plan.rules[c] = {DcrTerm::scaled, width};
    } else {
      // SDMetrics: range 0 scores (difference > 0); no present value leaves only missing-value
      // terms. Both are inequality of the codes above.
      plan.rules[c] = {DcrTerm::equality, 0.0};
      plan.has_constant_value[c] = range.present > 0 ? 1 : 0;
      plan.constant_value[c] = range.min;
    }
  }
  return plan;
}

DcrRows encode_dcr_rows(const ShardView& shard, const DcrPlan& plan) {
  SC_EXPECTS(shard.columns.size() == plan.kinds.size(), InternalError,
             "DCR: expected " + std::to_string(plan.kinds.size()) + " scored columns, found " +
                 std::to_string(shard.columns.size()));
  const int columns = static_cast<int>(plan.kinds.size());
  DcrRows rows(shard.rows(), columns);
  for (int c = 0; c < columns; ++c) {
    const ColumnView& column = shard.columns[c];
    SC_EXPECTS((column.kind == ColumnKind::categorical) == (plan.kinds[c] == ColumnKind::categorical) &&
                   column.rows() == shard.rows(),
               InternalError, "DCR: column " + std::to_string(c) + " does not match the plan");
    auto& out = rows.columns[c];
    for (std::int64_t row = 0; row < shard.rows(); ++row) {
      if (column.kind == ColumnKind::categorical) {
        out[row] = static_cast<double>(column.codes[row]);
      } else if (plan.rules[c].term == DcrTerm::equality) {
        out[row] = column.is_missing(row) ? kMissingValue
                   : plan.has_constant_value[c] && column.number(row) == plan.constant_value[c] ? kEqualsConstant
                                                                                                 : kOtherValue;
      } else if (column.is_missing(row)) {
        out[row] = kDcrMissing;
      } else {
        const double x = column.number(row);
        SC_EXPECTS(std::fabs(x) < 1e300, InputError,
                   "DCR: column " + std::to_string(c) + " holds a value of magnitude 1e300 or more, which the "
                   "distance cannot score (the sentinel for missing values lies there)");
        out[row] = x;
      }
    }
  }
  return rows;
}

NearestPiece compute_nearest_piece(std::int64_t synthetic_shard, const DcrRows& synthetic, const DcrIndex& reference,
                                   const DcrPlan& plan) {
  SC_EXPECTS(reference.rules.size() == plan.rules.size(), InternalError,
             "DCR: the reference index was built for another column count");
  NearestPiece piece = empty_piece(synthetic_shard, synthetic.rows);
  update_nearest_two_pruned(synthetic, reference, piece.best, piece.second);
  return piece;
}

NearestPiece compute_nearest_piece_all_pairs(std::int64_t synthetic_shard, const DcrRows& synthetic,
                                             const DcrRows& reference, const DcrPlan& plan) {
  NearestPiece piece = empty_piece(synthetic_shard, synthetic.rows);
  update_nearest_two(synthetic, reference, plan.rules, piece.best, piece.second);
  return piece;
}

void merge(NearestSet& into, NearestPiece piece) {
  auto at = std::lower_bound(into.shards.begin(), into.shards.end(), piece.synthetic_shard,
                             [](const NearestPiece& p, std::int64_t shard) { return p.synthetic_shard < shard; });
  if (at != into.shards.end() && at->synthetic_shard == piece.synthetic_shard) {
    merge_piece(*at, piece);
  } else {
    into.shards.insert(at, std::move(piece));
  }
}

void merge(NearestSet& into, const NearestSet& from) {
  for (const auto& piece : from.shards) merge(into, piece);
}

std::vector<std::uint8_t> serialize(const NearestSet& set) {
  ByteWriter out("NEAR", 1);
  out.put<std::uint64_t>(set.shards.size());
  for (const auto& piece : set.shards) {
    out.put(piece.synthetic_shard);
    out.put_vector(piece.best);
    out.put_vector(piece.second);
  }
  return out.take();
}

NearestSet deserialize_nearest(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "NEAR", 1);
  NearestSet set;
  const auto count = in.get<std::uint64_t>();
  for (std::uint64_t k = 0; k < count; ++k) {
    NearestPiece piece;
    piece.synthetic_shard = in.get<std::int64_t>();
    piece.best = in.get_vector<double>();
    piece.second = in.get_vector<double>();
    SC_EXPECTS(piece.best.size() == piece.second.size(), InternalError,
               "metric piece 'NEAR': best and second differ in length");
    merge(set, std::move(piece));
  }
  in.expect_end();
  return set;
}

double median(std::vector<double> values) {
  if (values.empty()) return kNan;
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2.0;
}

DcrSummary summarize_dcr(const NearestSet& to_training, int columns) {
  DcrSummary summary;
  summary.dcr = flatten(to_training, false, columns);
  const auto second = flatten(to_training, true, columns);
  summary.nndr.resize(summary.dcr.size());
  std::vector<double> defined;
  std::int64_t exact = 0;
  double total = 0.0;
  for (std::size_t i = 0; i < summary.dcr.size(); ++i) {
    const double d1 = summary.dcr[i], d2 = second[i];
    exact += d1 == 0.0 ? 1 : 0;
    total += d1;
    // d2 = 0: the row equals two reference rows, so it singles out no one (ratio 1).
    summary.nndr[i] = std::isinf(d2) ? kNan : d2 == 0.0 ? 1.0 : d1 / d2;
    if (!std::isnan(summary.nndr[i])) defined.push_back(summary.nndr[i]);
  }
  const double rows = static_cast<double>(summary.dcr.size());
  summary.median_dcr = median(summary.dcr);
  summary.mean_dcr = summary.dcr.empty() ? kNan : total / rows;
  summary.exact_match_share = summary.dcr.empty() ? kNan : static_cast<double>(exact) / rows;
  summary.nndr_median = median(defined);
  return summary;
}

OverfittingProtection finish_overfitting_protection(const NearestSet& to_training, const NearestSet& to_holdout,
                                                    int columns) {
  const auto training = flatten(to_training, false, columns);
  const auto holdout = flatten(to_holdout, false, columns);
  SC_EXPECTS(training.size() == holdout.size(), InternalError,
             "DCROverfittingProtection: distances to training and hold-out cover different synthetic rows");
  OverfittingProtection result{kNan, kNan, kNan, median(training), median(holdout)};
  if (training.empty()) return result;
  std::int64_t closer = 0;
  for (std::size_t i = 0; i < training.size(); ++i) closer += training[i] < holdout[i] ? 1 : 0;
  result.closer_to_training = static_cast<double>(closer) / static_cast<double>(training.size());
  result.closer_to_holdout = 1.0 - result.closer_to_training;
  result.score = std::min((1.0 - result.closer_to_training) * 2.0, 1.0);
  return result;
}

BaselineProtection finish_baseline_protection(const NearestSet& synthetic_to_training,
                                              const NearestSet& random_to_training, int columns) {
  BaselineProtection result;
  result.median_dcr_synthetic = median(flatten(synthetic_to_training, false, columns));
  result.median_dcr_random = median(flatten(random_to_training, false, columns));
  result.score = result.median_dcr_random == 0.0 || std::isnan(result.median_dcr_random)
                     ? kNan
                     : std::min(result.median_dcr_synthetic / result.median_dcr_random, 1.0);
  return result;
}

}  // namespace sc::metrics
