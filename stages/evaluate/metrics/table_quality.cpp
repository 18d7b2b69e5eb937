#include "stages/evaluate/metrics/table_quality.hpp"

#include <cmath>
#include <limits>

#include <tbb/parallel_for.h>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

bool numeric_like(ColumnKind kind) { return kind != ColumnKind::categorical; }

void check_shard(const ShardView& shard, const std::vector<ColumnKind>& kinds) {
  SC_EXPECTS(shard.columns.size() == kinds.size(), InternalError,
             "table quality: expected " + std::to_string(kinds.size()) + " scored columns, found " +
                 std::to_string(shard.columns.size()));
  for (std::size_t c = 0; c < kinds.size(); ++c) {
    SC_EXPECTS(shard.columns[c].kind == kinds[c], InternalError,
               "table quality: column " + std::to_string(c) + " has another kind than the plan says");
    SC_EXPECTS(shard.columns[c].rows() == shard.rows(), InternalError,
               "table quality: column " + std::to_string(c) + " differs in length from column 0");
  }
}

// pandas Series.mean(): NaN entries skipped; NaN when none is left.
double mean_present(const std::vector<double>& values) {
  double sum = 0.0;
  std::int64_t count = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++count;
  }
  return count == 0 ? kNan : sum / static_cast<double>(count);
}

// Sub-pieces travel as length-prefixed byte strings inside the table piece.
template <class Piece>
void put_pieces(ByteWriter& out, const std::vector<Piece>& pieces) {
  out.put<std::uint64_t>(pieces.size());
  for (const auto& piece : pieces) out.put_vector(serialize(piece));
}
template <class Piece, class Read>
std::vector<Piece> get_pieces(ByteReader& in, Read read) {
  const auto count = in.get<std::uint64_t>();
  std::vector<Piece> pieces;
  for (std::uint64_t k = 0; k < count; ++k) {
    const auto bytes = in.get_vector<std::uint8_t>();
    pieces.push_back(read(bytes));
  }
  return pieces;
}
template <class Piece>
void merge_all(std::vector<Piece>& into, const std::vector<Piece>& from, const char* what) {
  SC_EXPECTS(into.size() == from.size(), InternalError,
             std::string("table quality: merging pieces with different numbers of ") + what);
  for (std::size_t k = 0; k < into.size(); ++k) merge(into[k], from[k]);
}

}  // namespace

ProfilePiece compute_profile_piece(const ShardView& shard) {
  ProfilePiece piece;
  piece.ranges.resize(shard.columns.size());
  for (std::size_t c = 0; c < shard.columns.size(); ++c)
    if (shard.columns[c].is_numeric_like()) piece.ranges[c] = compute_range(shard.columns[c]);
  return piece;
}

void merge(ProfilePiece& into, const ProfilePiece& from) { merge_all(into.ranges, from.ranges, "columns"); }

std::vector<std::uint8_t> serialize(const ProfilePiece& piece) {
  ByteWriter out("PROF", 1);
  put_pieces(out, piece.ranges);
  return out.take();
}

ProfilePiece deserialize_profile(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "PROF", 1);
  ProfilePiece piece;
  piece.ranges = get_pieces<RangePiece>(in, deserialize_range);
  in.expect_end();
  return piece;
}

QualityPlan make_quality_plan(const std::vector<ColumnKind>& kinds, const ProfilePiece& real,
                              const ProfilePiece& synthetic) {
  SC_EXPECTS(real.ranges.size() == kinds.size() && synthetic.ranges.size() == kinds.size(), InternalError,
             "table quality: profile pieces do not match the columns");
  QualityPlan plan;
  plan.kinds = kinds;
  plan.real_bins.resize(kinds.size());
  plan.synthetic_bins.resize(kinds.size());
  plan.shared_edges.resize(kinds.size());
  plan.constant.assign(kinds.size(), false);
  for (std::size_t c = 0; c < kinds.size(); ++c) {
    if (!numeric_like(kinds[c])) continue;
    plan.real_bins[c] = numpy_histogram_edges(real.ranges[c]);
    plan.synthetic_bins[c] = numpy_histogram_edges(synthetic.ranges[c]);
    plan.shared_edges[c] = plan.real_bins[c].edges;
    plan.shared_edges[c].front() = -INFINITY;
    plan.shared_edges[c].back() = INFINITY;
    plan.constant[c] = real.ranges[c].is_constant() || synthetic.ranges[c].is_constant();
  }
  return plan;
}

std::vector<ColumnPair> column_pairs(int columns) {
  std::vector<ColumnPair> pairs;
  for (int i = 0; i < columns; ++i)
    for (int j = i + 1; j < columns; ++j) pairs.push_back({i, j});
  return pairs;
}

void compute_pair_pieces(const ShardView& shard, const QualityPlan& plan, TableSide side, ColumnPair pair,
                         QualityPiece& piece, std::size_t slot) {
  const auto [i, j] = pair;
  const ColumnView& x = shard.columns[i];
  const ColumnView& y = shard.columns[j];
  if (numeric_like(plan.kinds[i]) && numeric_like(plan.kinds[j])) {
    piece.correlations[slot] = compute_correlation_piece(x, y);
    return;
  }
  const auto& own_bins = side == TableSide::real ? plan.real_bins : plan.synthetic_bins;
  ContingencyAxis x_axis, y_axis;
  if (numeric_like(plan.kinds[i])) x_axis.edges = own_bins[i].edges;
  if (numeric_like(plan.kinds[j])) y_axis.edges = own_bins[j].edges;
  piece.contingency[slot] = compute_contingency_piece(x, x_axis, y, y_axis);
  if (x_axis.edges || y_axis.edges) {
    ContingencyAxis x_shared, y_shared;
    if (numeric_like(plan.kinds[i])) x_shared.edges = plan.shared_edges[i];
    if (numeric_like(plan.kinds[j])) y_shared.edges = plan.shared_edges[j];
    piece.contingency_shared[slot] = compute_contingency_piece(x, x_shared, y, y_shared);
  }
}

QualityPiece compute_quality_piece(const ShardView& shard, const QualityPlan& plan, TableSide side) {
  check_shard(shard, plan.kinds);
  const int columns = static_cast<int>(plan.kinds.size());
  const auto pairs = column_pairs(columns);
  QualityPiece piece;
  piece.ks.resize(columns);
  piece.categories.resize(columns);
  piece.correlations.resize(pairs.size());
  piece.contingency.resize(pairs.size());
  piece.contingency_shared.resize(pairs.size());
  // Each task writes its own slot, and every slot is computed the same way whatever the
  // scheduling, so threads change nothing in the result.
  tbb::parallel_for(0, columns, [&](int c) {
    if (numeric_like(plan.kinds[c])) {
      piece.ks[c] = compute_ks_piece(shard.columns[c]);
    } else {
      piece.categories[c] = compute_category_counts(shard.columns[c]);
    }
  });
  tbb::parallel_for(std::size_t{0}, pairs.size(),
                    [&](std::size_t p) { compute_pair_pieces(shard, plan, side, pairs[p], piece, p); });
  return piece;
}

void merge(QualityPiece& into, const QualityPiece& from) {
  merge_all(into.ks, from.ks, "columns");
  merge_all(into.categories, from.categories, "columns");
  merge_all(into.correlations, from.correlations, "pairs");
  merge_all(into.contingency, from.contingency, "pairs");
  merge_all(into.contingency_shared, from.contingency_shared, "pairs");
}

std::vector<std::uint8_t> serialize(const QualityPiece& piece) {
  ByteWriter out("QUAL", 1);
  put_pieces(out, piece.ks);
  put_pieces(out, piece.categories);
  put_pieces(out, piece.correlations);
  put_pieces(out, piece.contingency);
  put_pieces(out, piece.contingency_shared);
  return out.take();
}

QualityPiece deserialize_quality(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "QUAL", 1);
  QualityPiece piece;
  piece.ks = get_pieces<KsPiece>(in, deserialize_ks);
  piece.categories = get_pieces<CategoryCounts>(in, deserialize_category_counts);
  piece.correlations = get_pieces<CorrelationPiece>(in, deserialize_correlation);
  piece.contingency = get_pieces<ContingencyPiece>(in, deserialize_contingency);
  piece.contingency_shared = get_pieces<ContingencyPiece>(in, deserialize_contingency);
  in.expect_end();
  return piece;
}

PairTrendScore finish_pair_trend(const QualityPlan& plan, ColumnPair pair, const QualityPiece& real,
                                 const QualityPiece& synthetic, std::size_t slot, const QualityThresholds& thresholds) {
  const auto [i, j] = pair;
  PairTrendScore trend{pair, "", kNan, kNan, kNan, kNan, false, kNan, kNan, false};
  if (numeric_like(plan.kinds[i]) && numeric_like(plan.kinds[j])) {
    const auto result = finish_correlation_similarity(real.correlations[slot], synthetic.correlations[slot],
                                                      plan.constant[i] || plan.constant[j]);
    trend.metric = "CorrelationSimilarity";
    trend.score = result.score;
    trend.real_correlation = result.real;
    trend.synthetic_correlation = result.synthetic;
    trend.meets_threshold = !std::isnan(result.real) && std::fabs(result.real) > thresholds.real_correlation;
    trend.score_shared_bins = trend.score;
    trend.meets_threshold_shared_bins = trend.meets_threshold;
  } else {
    trend.metric = "ContingencySimilarity";
    // SDMetrics gives no score to a mixed pair whose numeric column could not be cut into bins.
    bool binned = true;
    for (int c : {i, j})
      if (numeric_like(plan.kinds[c])) binned = binned && plan.real_bins[c].valid && plan.synthetic_bins[c].valid;
    if (binned) {
      trend.score = finish_contingency_similarity(real.contingency[slot], synthetic.contingency[slot]);
      trend.real_association = cramers_v(real.contingency[slot]);
      trend.meets_threshold =
          !std::isnan(trend.real_association) && trend.real_association > thresholds.real_association;
    }
    const bool mixed = numeric_like(plan.kinds[i]) || numeric_like(plan.kinds[j]);
    const ContingencyPiece& real_shared = mixed ? real.contingency_shared[slot] : real.contingency[slot];
    const ContingencyPiece& synthetic_shared = mixed ? synthetic.contingency_shared[slot] : synthetic.contingency[slot];
    trend.score_shared_bins = finish_contingency_similarity(real_shared, synthetic_shared);
    trend.real_association_shared_bins = cramers_v(real_shared);
    trend.meets_threshold_shared_bins = !std::isnan(trend.real_association_shared_bins) &&
                                        trend.real_association_shared_bins > thresholds.real_association;
  }
  return trend;
}

QualityScores finish_quality(const QualityPlan& plan, const QualityPiece& real, const QualityPiece& synthetic,
                             const QualityThresholds& thresholds) {
  const int columns = static_cast<int>(plan.kinds.size());
  QualityScores scores;
  std::vector<double> column_scores;
  for (int c = 0; c < columns; ++c) {
    ColumnShapeScore shape;
    if (numeric_like(plan.kinds[c])) {
      shape = {"KSComplement", finish_ks_complement(real.ks[c], synthetic.ks[c])};
    } else {
      shape = {"TVComplement", finish_tv_complement(real.categories[c], synthetic.categories[c])};
    }
    column_scores.push_back(shape.score);
    scores.columns.push_back(shape);
  }
  scores.column_shapes = mean_present(column_scores);

  std::vector<double> all, thresholded, shared, shared_thresholded;
  const auto pairs = column_pairs(columns);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const PairTrendScore trend = finish_pair_trend(plan, pairs[p], real, synthetic, p, thresholds);
    all.push_back(trend.score);
    if (trend.meets_threshold) thresholded.push_back(trend.score);
    shared.push_back(trend.score_shared_bins);
    if (trend.meets_threshold_shared_bins) shared_thresholded.push_back(trend.score_shared_bins);
    scores.pairs.push_back(trend);
  }
  scores.pair_trends = mean_present(all);
  scores.pair_trends_thresholded = mean_present(thresholded);
  scores.pair_trends_shared_bins = mean_present(shared);
  scores.pair_trends_shared_bins_thresholded = mean_present(shared_thresholded);
  // The report's overall score: np.nanmean over the two properties.
  scores.overall = mean_present({scores.column_shapes, scores.pair_trends});
  scores.overall_thresholded = mean_present({scores.column_shapes, scores.pair_trends_thresholded});
  scores.overall_shared_bins = mean_present({scores.column_shapes, scores.pair_trends_shared_bins});
  scores.overall_shared_bins_thresholded =
      mean_present({scores.column_shapes, scores.pair_trends_shared_bins_thresholded});
  return scores;
}

}  // namespace sc::metrics
