// The single-table quality scores of SDMetrics' QualityReport, computed from pieces: "Column
// Shapes" (KSComplement per numeric/date column, TVComplement per categorical column), "Column Pair
// Trends" (CorrelationSimilarity per numeric pair, ContingencySimilarity per other pair, numeric
// columns cut into 10 equal-width bins) and the overall score, in the variants we report:
//  - unthresholded: every pair counts (SDMetrics' ColumnPairTrends property with thresholds 0, and
//    the QualityReport score of SDMetrics up to 0.26);
//  - thresholded, SDMetrics 0.27 QualityReport: a pair counts only where the real data show a
//    relation, |r_real| > 0.5 for numeric pairs, Cramer's V of the real table > 0.3 for the others;
//    no counting pair leaves the property NaN and the overall score is then Column Shapes alone;
//  - ours, shared bins: SDMetrics cuts the real and the synthetic column each over its own range,
//    so a score moves with the extremes a sample happens to draw; ours cuts both with the real
//    column's edges, outermost edges open and missing values in a bin of their own (exactly
//    sdmetrics.utils.discretize_column, which ContingencySimilarity uses for continuous columns).
// Two passes: profile pieces (column ranges) give the plan (bin edges); quality pieces, computed
// with the plan, give the scores. All pieces merge exactly, in any order.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stages/evaluate/metrics/binning.hpp"
#include "stages/evaluate/metrics/column_range.hpp"
#include "stages/evaluate/metrics/column_view.hpp"
#include "stages/evaluate/metrics/contingency_similarity.hpp"
#include "stages/evaluate/metrics/correlation_similarity.hpp"
#include "stages/evaluate/metrics/ks_complement.hpp"
#include "stages/evaluate/metrics/tv_complement.hpp"

namespace sc::metrics {

enum class TableSide : std::uint8_t { real, synthetic };

// Pass 1: the range of every numeric and date column (categorical entries stay empty).
struct ProfilePiece {
  std::vector<RangePiece> ranges;
};
ProfilePiece compute_profile_piece(const ShardView& shard);
void merge(ProfilePiece& into, const ProfilePiece& from);
std::vector<std::uint8_t> serialize(const ProfilePiece& piece);
ProfilePiece deserialize_profile(std::span<const std::uint8_t> bytes);

struct QualityPlan {
  std::vector<ColumnKind> kinds;
  std::vector<NumpyBins> real_bins, synthetic_bins;  // SDMetrics: each table over its own range
  std::vector<BinEdges> shared_edges;                // ours: the real edges, outermost open
  std::vector<bool> constant;                        // one distinct value in the real or synthetic table
};
QualityPlan make_quality_plan(const std::vector<ColumnKind>& kinds, const ProfilePiece& real,
                              const ProfilePiece& synthetic);

// Pairs (i, j), i < j, in the order of itertools.combinations over the columns.
struct ColumnPair {
  int first, second;
};
std::vector<ColumnPair> column_pairs(int columns);

// Pass 2. Per column: the KS or the category piece; per pair: the correlation piece (numeric
// pairs) or the contingency pieces (SDMetrics' bins; ours where a column is numeric).
struct QualityPiece {
  std::vector<KsPiece> ks;
  std::vector<CategoryCounts> categories;
  std::vector<CorrelationPiece> correlations;
  std::vector<ContingencyPiece> contingency;
  std::vector<ContingencyPiece> contingency_shared;
};
QualityPiece compute_quality_piece(const ShardView& shard, const QualityPlan& plan, TableSide side);
// The pieces of one pair, written to slot `slot` of `piece` (its pair vectors sized by the caller),
// for callers that score their own choice of pairs (intertable trends: parent x child columns).
void compute_pair_pieces(const ShardView& shard, const QualityPlan& plan, TableSide side, ColumnPair pair,
                         QualityPiece& piece, std::size_t slot);
void merge(QualityPiece& into, const QualityPiece& from);
std::vector<std::uint8_t> serialize(const QualityPiece& piece);
QualityPiece deserialize_quality(std::span<const std::uint8_t> bytes);

struct QualityThresholds {
  double real_correlation = 0.5;  // SDMetrics 0.27 QualityReport defaults
  double real_association = 0.3;
};

struct ColumnShapeScore {
  std::string metric;  // "KSComplement" or "TVComplement"
  double score;        // NaN where SDMetrics gives none
};

struct PairTrendScore {
  ColumnPair pair;
  std::string metric;  // "CorrelationSimilarity" or "ContingencySimilarity"
  double score;                  // NaN where SDMetrics gives none
  double real_correlation;       // correlation pairs, else NaN
  double synthetic_correlation;
  double real_association;       // Cramer's V of the real table, contingency pairs, else NaN
  bool meets_threshold;          // counts in the 0.27 thresholded score
  // Ours, shared bins (equal to the above for numeric and for categorical pairs).
  double score_shared_bins;
  double real_association_shared_bins;
  bool meets_threshold_shared_bins;
};

struct QualityScores {
  std::vector<ColumnShapeScore> columns;
  std::vector<PairTrendScore> pairs;
  double column_shapes;                          // mean of the column scores present
  double pair_trends;                            // unthresholded mean
  double pair_trends_thresholded;                // SDMetrics 0.27
  double pair_trends_shared_bins;                // ours, unthresholded
  double pair_trends_shared_bins_thresholded;    // ours, thresholded as 0.27
  double overall;                                // nanmean(column_shapes, pair_trends)
  double overall_thresholded;                    // SDMetrics 0.27 QualityReport.get_score()
  double overall_shared_bins;
  double overall_shared_bins_thresholded;
};

// One pair's scores from the merged pieces in `slot` (as finish_quality scores each of its pairs).
PairTrendScore finish_pair_trend(const QualityPlan& plan, ColumnPair pair, const QualityPiece& real,
                                 const QualityPiece& synthetic, std::size_t slot, const QualityThresholds& thresholds = {});

QualityScores finish_quality(const QualityPlan& plan, const QualityPiece& real, const QualityPiece& synthetic,
                             const QualityThresholds& thresholds = {});

}  // namespace sc::metrics
