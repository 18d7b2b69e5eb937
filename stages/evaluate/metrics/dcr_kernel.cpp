#include "stages/evaluate/metrics/dcr_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "pipeline/error.hpp"

namespace sc::metrics {

namespace {

// On x86-64, one build per vector width, picked at load time; elsewhere the compiler's default.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SC_DCR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SC_DCR_CLONES
#endif

// Eight doubles and eight 64-bit lanes; GCC lowers them to one zmm, two ymm or four xmm registers.
typedef double Lanes __attribute__((vector_size(8 * sizeof(double))));
typedef long long LaneBits __attribute__((vector_size(8 * sizeof(long long))));
static_assert(sizeof(Lanes) / sizeof(double) == kDcrLanes);

// Reference rows per block: a block's columns (8 x 2048 x 8 bytes = 128 KiB) stay in L2 while the
// query rows of a task pass over them.
constexpr std::int64_t kReferenceBlock = 2048;
// Query rows per task: enough work per task to hide TBB's overhead, enough tasks to balance.
constexpr std::int64_t kQueryGrain = 32;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// One query row against rows [first, first + count) of the reference: updates the lane-wise two
// smallest sums (best <= second in every lane, 8 lanes each, unaligned). Columns are added one at a
// time in table order, as SDMetrics sums its per-column terms, starting from 0. Four vectors of
// reference rows are in flight at once: their sums are independent chains, which hides the
// latency of each chain's additions. No helper functions: vectors crossing a call would change
// ABI between the clones (-Wpsabi).
SC_DCR_CLONES
void scan_block(const double* query, const double* const* reference, const DcrColumnRule* rules, int columns,
                std::int64_t first, std::int64_t count, double* best_lanes, double* second_lanes) {
  constexpr int kChains = kDcrRowPadding / kDcrLanes;
  const Lanes zero{};
  const Lanes one = {1, 1, 1, 1, 1, 1, 1, 1};
  const Lanes infinity = {kInfinity, kInfinity, kInfinity, kInfinity, kInfinity, kInfinity, kInfinity, kInfinity};
  const LaneBits abs_mask = LaneBits{} + 0x7fffffffffffffffLL;
  const Lanes lane_index = {0, 1, 2, 3, 4, 5, 6, 7};
  Lanes best, second;
  std::memcpy(&best, best_lanes, sizeof best);
  std::memcpy(&second, second_lanes, sizeof second);
  for (std::int64_t j = 0; j < count; j += kDcrRowPadding) {
    Lanes sum[kChains] = {};
    for (int c = 0; c < columns; ++c) {
      const double* b = reference[c] + first + j;
      const double x = query[c];
      const Lanes a = {x, x, x, x, x, x, x, x};
      if (rules[c].term == DcrTerm::scaled) {
        const double r = rules[c].range;
        const Lanes range = {r, r, r, r, r, r, r, r};
        for (int k = 0; k < kChains; ++k) {
          Lanes bk;
          std::memcpy(&bk, b + k * kDcrLanes, sizeof bk);
          const Lanes q = (Lanes)((LaneBits)(a - bk) & abs_mask) / range;
          sum[k] += q <= one ? q : one;
        }
      } else {
        for (int k = 0; k < kChains; ++k) {
          Lanes bk;
          std::memcpy(&bk, b + k * kDcrLanes, sizeof bk);
          sum[k] += a != bk ? one : zero;
        }
      }
    }
    for (int k = 0; k < kChains; ++k) {
      // Lanes past the last reference row read padding; they must not count.
      const double valid = static_cast<double>(count - j - k * kDcrLanes);
      if (valid < kDcrLanes) {
        const Lanes limit = {valid, valid, valid, valid, valid, valid, valid, valid};
        sum[k] = lane_index < limit ? sum[k] : infinity;
      }
      // The two smallest of {best, second, sum} with best <= second, lane by lane.
      const Lanes larger = best > sum[k] ? best : sum[k];
      second = second < larger ? second : larger;
      best = best < sum[k] ? best : sum[k];
    }
  }
  std::memcpy(best_lanes, &best, sizeof best);
  std::memcpy(second_lanes, &second, sizeof second);
}

// Folds the lane-wise two smallest (8 lanes each) into one row's running two smallest.
void merge_lanes(const double* lane_best, const double* lane_second, double& best, double& second) {
  double b1 = best, b2 = second;
  for (const double* lanes : {lane_best, lane_second}) {
    for (int k = 0; k < kDcrLanes; ++k) {
      const double d = lanes[k];
      b2 = std::min(b2, std::max(b1, d));
      b1 = std::min(b1, d);
    }
  }
  best = b1;
  second = b2;
}

}  // namespace

void update_nearest_two(const DcrRows& queries, const DcrRows& reference, std::span<const DcrColumnRule> rules,
                        std::span<double> best, std::span<double> second) {
  const int columns = static_cast<int>(rules.size());
  SC_EXPECTS(queries.columns.size() == rules.size() && reference.columns.size() == rules.size(), InternalError,
             "DCR kernel: query, reference and rules differ in column count");
  SC_EXPECTS(best.size() == static_cast<std::size_t>(queries.rows) && second.size() == best.size(), InternalError,
             "DCR kernel: result vectors do not match the query rows");
  for (int c = 0; c < columns; ++c) {
    SC_EXPECTS(queries.columns[c].size() >= static_cast<std::size_t>(queries.rows) &&
                   reference.columns[c].size() == static_cast<std::size_t>(DcrRows::padded(reference.rows)),
               InternalError, "DCR kernel: a column is not padded to whole vectors");
    SC_EXPECTS(rules[c].term == DcrTerm::equality || rules[c].range > 0.0, InternalError,
               "DCR kernel: a scaled column needs a positive range");
  }
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, queries.rows, kQueryGrain),
                    [&](const tbb::blocked_range<std::int64_t>& range) {
    std::vector<double> query(columns);
    std::vector<const double*> reference_columns(columns);
    for (int c = 0; c < columns; ++c) reference_columns[c] = reference.columns[c].data();
    std::vector<double> lane_best(range.size() * kDcrLanes, kInfinity), lane_second(lane_best);
    for (std::int64_t first = 0; first < reference.rows; first += kReferenceBlock) {
      const std::int64_t count = std::min(kReferenceBlock, reference.rows - first);
      for (std::int64_t i = range.begin(); i < range.end(); ++i) {
        for (int c = 0; c < columns; ++c) query[c] = queries.columns[c][i];
        scan_block(query.data(), reference_columns.data(), rules.data(), columns, first, count,
                   &lane_best[(i - range.begin()) * kDcrLanes], &lane_second[(i - range.begin()) * kDcrLanes]);
      }
    }
    // Merge the lanes into the running two smallest of each query row.
    for (std::int64_t i = range.begin(); i < range.end(); ++i)
      merge_lanes(&lane_best[(i - range.begin()) * kDcrLanes], &lane_second[(i - range.begin()) * kDcrLanes], best[i],
                  second[i]);
  });
}

void update_nearest_two_in_rows(std::span<const double> query, const DcrRows& reference,
                                std::span<const DcrColumnRule> rules, std::int64_t first, std::int64_t count,
                                double& best, double& second) {
  const int columns = static_cast<int>(rules.size());
  SC_EXPECTS(query.size() == rules.size() && reference.columns.size() == rules.size() && first >= 0 &&
                 first + count <= reference.rows,
             InternalError, "DCR kernel: a query or a row range does not match the reference rows");
  // At most 16 columns on the stack (the common case); more go to the heap.
  const double* stack_columns[16];
  std::vector<const double*> heap_columns;
  const double** reference_columns = stack_columns;
  if (columns > 16) heap_columns.resize(columns), reference_columns = heap_columns.data();
  for (int c = 0; c < columns; ++c) reference_columns[c] = reference.columns[c].data();
  // Lane 0 carries the two smallest so far; the others start empty. The merge then gives the two
  // smallest of the old pair and the new sums, with repeats, as the all-pairs loop does.
  double lane_best[kDcrLanes], lane_second[kDcrLanes];
  std::fill(lane_best, lane_best + kDcrLanes, kInfinity);
  std::fill(lane_second, lane_second + kDcrLanes, kInfinity);
  lane_best[0] = best;
  lane_second[0] = second;
  best = second = kInfinity;
  scan_block(query.data(), reference_columns, rules.data(), columns, first, count, lane_best, lane_second);
  merge_lanes(lane_best, lane_second, best, second);
}

}  // namespace sc::metrics
