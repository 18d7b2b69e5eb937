// Privacy by distance to closest record (DCR), with SDMetrics' distance (DCRBaselineProtection,
// DCROverfittingProtection; see dcr_kernel.hpp): for every synthetic row, the distance to the
// closest training row and to the closest hold-out row, over all pairs. From them:
//  - DCROverfittingProtection: the share of synthetic rows strictly closer to training than to
//    hold-out (ties count as closer to hold-out, as in SDMetrics; about 0.5 is ideal with a hold-out
//    as large as the training set) and the score min(2 (1 - share), 1);
//  - DCRBaselineProtection: min(median DCR of the synthetic rows / median DCR of random rows, 1),
//    the random rows drawn as SDMetrics draws them (random_baseline.hpp);
//  - the exact-match share (DCR = 0: a synthetic row equal to a training row in every scored column)
//    and the nearest-neighbour distance ratio (NNDR) d1 / d2 of the two closest training rows.
// Each column's range comes from the reference table the distance is measured to (SDMetrics uses
// the hold-out's own ranges for distances to the hold-out), so a plan is made per reference table.
// The reference rows are searched through a k-d tree (dcr_index.hpp) that skips rows which cannot
// be among the two closest; the all-pairs kernel stays as its reference.
// Pieces: per synthetic shard, the two smallest distance sums of each row over a block of reference
// rows; blocks merge by taking the two smallest again, which is exact, so any split of the
// synthetic and reference rows over ranks and shards gives the same bits.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/column_view.hpp"
#include "stages/evaluate/metrics/dcr_index.hpp"
#include "stages/evaluate/metrics/dcr_kernel.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"

namespace sc::metrics {

struct DcrPlan {
  std::vector<ColumnKind> kinds;
  std::vector<DcrColumnRule> rules;
  // Numeric columns scored by equality (reference range 0, or no present reference value): the one
  // reference value, and whether there was one.
  std::vector<double> constant_value;
  std::vector<std::uint8_t> has_constant_value;
};

// `reference`: the profile (ranges) of the table distances are measured to.
DcrPlan make_dcr_plan(const std::vector<ColumnKind>& kinds, const ProfilePiece& reference);

// A shard's rows in the kernel's layout under `plan` (numeric and date columns may stand for each
// other: both are numbers). Throws InputError for a present value of magnitude >= 1e300.
DcrRows encode_dcr_rows(const ShardView& shard, const DcrPlan& plan);

struct NearestPiece {
  std::int64_t synthetic_shard = 0;
  std::vector<double> best, second;  // per row: the two smallest distance sums (before / columns)
};

// One synthetic shard against a block of reference rows indexed under `plan` (build_dcr_index with
// plan.rules): the pruned search, the same bits as all pairs (TBB over synthetic rows).
NearestPiece compute_nearest_piece(std::int64_t synthetic_shard, const DcrRows& synthetic, const DcrIndex& reference,
                                   const DcrPlan& plan);
// The same by scoring every pair: the reference the pruned search is tested and benchmarked against.
NearestPiece compute_nearest_piece_all_pairs(std::int64_t synthetic_shard, const DcrRows& synthetic,
                                             const DcrRows& reference, const DcrPlan& plan);

// Pieces of any synthetic shards against any reference blocks, kept by synthetic shard.
struct NearestSet {
  std::vector<NearestPiece> shards;  // increasing synthetic_shard
};
void merge(NearestSet& into, NearestPiece piece);
void merge(NearestSet& into, const NearestSet& from);
std::vector<std::uint8_t> serialize(const NearestSet& set);
NearestSet deserialize_nearest(std::span<const std::uint8_t> bytes);

// pandas Series.median: the middle value, or the mean of the two middle values; NaN when empty.
double median(std::vector<double> values);

struct DcrSummary {
  std::vector<double> dcr;    // per synthetic row, in shard order: SDMetrics' DCR
  std::vector<double> nndr;   // per synthetic row: d1 / d2 (1 where d2 = 0; NaN with one reference row)
  double median_dcr;
  double mean_dcr;
  double exact_match_share;   // share of rows with DCR = 0
  double nndr_median;         // over rows with a defined NNDR
};
DcrSummary summarize_dcr(const NearestSet& to_training, int columns);

struct OverfittingProtection {
  double closer_to_training;  // share of synthetic rows with DCR(training) < DCR(hold-out)
  double closer_to_holdout;   // 1 - closer_to_training
  double score;               // min(2 (1 - closer_to_training), 1)
  double median_dcr_training, median_dcr_holdout;
};
OverfittingProtection finish_overfitting_protection(const NearestSet& to_training, const NearestSet& to_holdout,
                                                    int columns);

struct BaselineProtection {
  double median_dcr_synthetic;  // to the training rows
  double median_dcr_random;     // random rows to the training rows
  double score;                 // min(synthetic / random, 1); NaN when the random median is 0
};
BaselineProtection finish_baseline_protection(const NearestSet& synthetic_to_training,
                                              const NearestSet& random_to_training, int columns);

}  // namespace sc::metrics
