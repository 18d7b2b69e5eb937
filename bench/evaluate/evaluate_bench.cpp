// Time of each table metric of `evaluate` on one root table of two stores (real: ingest; synthetic:
// any stage), over MPI ranks as the stage runs them: shards owned by rank (s % size), pieces
// gathered in shard order. Prints, per metric, the wall time (slowest rank), the CPU time (all
// ranks) and the score, then the peak resident memory per rank. The stage computes column shapes
// and pair trends from one piece; here they are timed apart (column pieces, then pair pieces), so
// their sum is a little above the stage's. Relation metrics are not timed (root table only).
// Usage: mpirun -np N evaluate_bench REAL_STORE SYNTHETIC_STORE SYNTHETIC_STAGE TABLE
//        [HOLDOUT_FRACTION] [SEED] [DCR_SHARDS] [CHECK_ROWS]
//   DCR_SHARDS (default: all): DCR only for the first DCR_SHARDS synthetic shards (the pruned search
//   costs differ per row, so the time of all shards is only roughly that times shards / DCR_SHARDS).
//   CHECK_ROWS (default 0): the first CHECK_ROWS synthetic rows are also scored against every
//   reference row by all pairs (untimed) and must give the pruned search's bits. Each DCR prints
//   a digest of its per-row results, to compare runs at different rank counts.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pipeline/holdout.hpp"
#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_store.hpp"
#include "stages/evaluate/metrics/dcr.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"
#include "stages/evaluate/shard_pieces.hpp"
#include "stages/evaluate/table_views.hpp"

namespace {

using namespace sc;

// User plus system CPU seconds of this process (all its threads) so far.
double cpu_seconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// Runs `work` on every rank and prints its wall time on the slowest rank and the CPU time of all
// ranks together (on a shared, loaded machine the CPU time varies less than the wall time).
template <class Work>
void timed(const Communicator& comm, const char* what, Work work) {
  comm.barrier();
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  std::string result = work();
  const double mine = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t slowest_ms = comm.allreduce_max(static_cast<int64_t>(mine * 1000));
  const int64_t cpu_ms = comm.allreduce_sum(static_cast<int64_t>((cpu_seconds() - cpu_start) * 1000));
  if (comm.is_root())
    std::printf("  %-34s %9.2f s wall %9.2f s CPU   %s\n", what, slowest_ms / 1000.0, cpu_ms / 1000.0, result.c_str());
  std::fflush(stdout);
}

std::string fixed(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", x);
  return text;
}

// FNV-1a over the bits of every synthetic row's two smallest sums, in shard order: equal digests
// at 1 and 2 ranks mean the same bits.
uint64_t digest(const metrics::NearestSet& set) {
  uint64_t hash = 1469598103934665603ULL;
  for (const auto& piece : set.shards)
    for (const auto* values : {&piece.best, &piece.second})
      for (double value : *values) {
        uint64_t bits;
        std::memcpy(&bits, &value, sizeof bits);
        for (int b = 0; b < 8; ++b) hash = (hash ^ ((bits >> (8 * b)) & 0xff)) * 1099511628211ULL;
      }
  return hash;
}

// On rank 0: the first `rows` rows of synthetic shard 0 against every reference row by all pairs,
// compared bit for bit with what the pruned search gave them (untimed; exits on a difference).
void check_against_all_pairs(const Communicator& comm, const metrics::TableData& shard0, int64_t rows,
                             const metrics::TableData& reference, const metrics::DcrPlan& plan,
                             const metrics::NearestSet& pruned) {
  if (!comm.is_root() || pruned.shards.empty() || pruned.shards[0].synthetic_shard != 0) return;
  rows = std::min(rows, shard0.view().rows());
  metrics::TableData first;
  for (const auto& column : shard0.columns) {
    metrics::ColumnData part = column;
    if (!part.codes.empty()) part.codes.resize(static_cast<size_t>(rows));
    if (!part.values.empty()) part.values.resize(static_cast<size_t>(rows));
    if (!part.missing.empty()) part.missing.resize(static_cast<size_t>(rows));
    first.columns.push_back(std::move(part));
  }
  const auto start = std::chrono::steady_clock::now();
  const metrics::NearestPiece all = metrics::compute_nearest_piece_all_pairs(
      0, metrics::encode_dcr_rows(first.view(), plan), metrics::encode_dcr_rows(reference.view(), plan), plan);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& p = pruned.shards[0];
  const bool same = std::equal(all.best.begin(), all.best.end(), p.best.begin()) &&
                    std::equal(all.second.begin(), all.second.end(), p.second.begin());
  std::printf("    check: first %lld synthetic rows x %lld reference rows by all pairs (%.1f s): %s\n",
              static_cast<long long>(rows), static_cast<long long>(reference.view().rows()), seconds,
              same ? "same bits as the pruned search" : "DIFFERENT from the pruned search");
  if (!same) std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  MpiEnvironment mpi(&argc, &argv);
  Communicator comm = Communicator::world();
  if (argc < 5) {
    if (comm.is_root())
      std::fprintf(stderr, "usage: evaluate_bench REAL_STORE SYNTHETIC_STORE SYNTHETIC_STAGE TABLE [HOLDOUT] [SEED] [DCR_SHARDS] [CHECK_ROWS]\n");
    return 2;
  }
  const std::string table = argv[4];
  const double holdout_fraction = argc > 5 ? std::stod(argv[5]) : 0.5;
  const uint64_t seed = argc > 6 ? std::stoull(argv[6]) : 1;
  StageReader real_reader(argv[1], "ingest"), synthetic_reader(argv[2], argv[3]);
  const TableRows real = select_rows(real_reader, table, false, RowSelection::all, 0, 0.0);
  const TableRows synthetic = select_rows(synthetic_reader, table, true, RowSelection::all, 0, 0.0);
  const int64_t dcr_shards = argc > 7 ? std::stoll(argv[7]) : static_cast<int64_t>(synthetic.shards.size());
  const int64_t check_rows = argc > 8 ? std::stoll(argv[8]) : 0;
  const ScoredColumns scored = scored_columns(real.meta, synthetic.meta);
  const int columns = static_cast<int>(scored.kinds.size());
  if (comm.is_root())
    std::printf("evaluate_bench: table %s, %d scored columns, %zu real and %zu synthetic shards, %d ranks\n",
                table.c_str(), columns, real.shards.size(), synthetic.shards.size(), comm.size());

  // Column shapes: KS pieces (numeric, date) and category counts, per shard.
  timed(comm, "column shapes (KS, TV)", [&] {
    auto pieces = [&](const TableRows& side) {
      return merged_shard_pieces<metrics::QualityPiece>(
          comm, static_cast<int64_t>(side.shards.size()),
          [&](int64_t s) {
            const metrics::TableData data = load_selected_rows(side, s, scored);
            metrics::QualityPiece piece;
            piece.ks.resize(columns);
            piece.categories.resize(columns);
            for (int c = 0; c < columns; ++c) {
              if (scored.kinds[c] == metrics::ColumnKind::categorical)
                piece.categories[c] = metrics::compute_category_counts(data.columns[c].view());
              else piece.ks[c] = metrics::compute_ks_piece(data.columns[c].view());
            }
            return metrics::serialize(piece);
          },
          [](std::span<const uint8_t> b) { return metrics::deserialize_quality(b); });
    };
    const metrics::QualityPiece r = pieces(real), s = pieces(synthetic);
    double sum = 0;
    for (int c = 0; c < columns; ++c)
      sum += scored.kinds[c] == metrics::ColumnKind::categorical ? metrics::finish_tv_complement(r.categories[c], s.categories[c])
                                                                 : metrics::finish_ks_complement(r.ks[c], s.ks[c]);
    return "Column Shapes " + fixed(sum / columns);
  });

  // Pair trends: pass 1 (ranges, bins), pass 2 (pair pieces), as the stage does.
  timed(comm, "pair trends (2 passes)", [&] {
    auto profile = [&](const TableRows& side) {
      return merged_shard_pieces<metrics::ProfilePiece>(
          comm, static_cast<int64_t>(side.shards.size()),
          [&](int64_t s) { return metrics::serialize(metrics::compute_profile_piece(load_selected_rows(side, s, scored).view())); },
          [](std::span<const uint8_t> b) { return metrics::deserialize_profile(b); });
    };
    const metrics::QualityPlan plan = metrics::make_quality_plan(scored.kinds, profile(real), profile(synthetic));
    const auto pairs = metrics::column_pairs(columns);
    auto pieces = [&](const TableRows& side) {
      return merged_shard_pieces<metrics::QualityPiece>(
          comm, static_cast<int64_t>(side.shards.size()),
          [&](int64_t s) {
            const metrics::TableData data = load_selected_rows(side, s, scored);
            metrics::QualityPiece piece;
            piece.correlations.resize(pairs.size());
            piece.contingency.resize(pairs.size());
            piece.contingency_shared.resize(pairs.size());
            for (size_t p = 0; p < pairs.size(); ++p)
              metrics::compute_pair_pieces(data.view(), plan, side.synthetic ? metrics::TableSide::synthetic : metrics::TableSide::real,
                                           pairs[p], piece, p);
            return metrics::serialize(piece);
          },
          [](std::span<const uint8_t> b) { return metrics::deserialize_quality(b); });
    };
    const metrics::QualityPiece r = pieces(real), s = pieces(synthetic);
    std::vector<double> all, counted;
    for (size_t p = 0; p < pairs.size(); ++p) {
      const auto t = metrics::finish_pair_trend(plan, pairs[p], r, s, p);
      if (!std::isnan(t.score)) all.push_back(t.score);
      if (t.meets_threshold && !std::isnan(t.score)) counted.push_back(t.score);
    }
    double a = 0, c = 0;
    for (double x : all) a += x;
    for (double x : counted) c += x;
    return "unthresholded " + fixed(a / static_cast<double>(all.size())) + ", 0.27 " +
           (counted.empty() ? std::string("none counts") : fixed(c / static_cast<double>(counted.size())));
  });

  // DCR: every rank holds the training and hold-out rows; synthetic shards are spread over ranks.
  metrics::TableData training, holdout;
  timed(comm, "DCR: read and split reference rows", [&] {
    const int key = real.meta.column_index(real.meta.primary_key);
    for (int64_t s = 0; s < static_cast<int64_t>(real.shards.size()); ++s) {
      TableShard shard = read_table_shard(real.reader, real.shards[static_cast<size_t>(s)], real.meta);
      std::vector<uint8_t> in_training(static_cast<size_t>(shard.rows())), in_holdout(in_training.size());
      for (int64_t r = 0; r < shard.rows(); ++r) {
        const bool out = held_out(seed, shard.columns[static_cast<size_t>(key)].i64[static_cast<size_t>(r)], holdout_fraction);
        in_holdout[static_cast<size_t>(r)] = out;
        in_training[static_cast<size_t>(r)] = !out;
      }
      const metrics::TableData data = shard_table_data(shard, scored, false);
      append_rows(training, data, in_training);
      append_rows(holdout, data, in_holdout);
    }
    return std::to_string(training.view().rows()) + " training, " + std::to_string(holdout.view().rows()) + " hold-out rows";
  });
  metrics::NearestSet to_training, to_holdout;
  auto dcr_to = [&](const metrics::TableData& reference, metrics::NearestSet& set) {
    const metrics::DcrPlan plan = metrics::make_dcr_plan(scored.kinds, metrics::compute_profile_piece(reference.view()));
    const auto start = std::chrono::steady_clock::now();
    const metrics::DcrIndex index = metrics::build_dcr_index(metrics::encode_dcr_rows(reference.view(), plan), plan.rules);
    const double build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& bytes : gather_shard_pieces(comm, dcr_shards, [&](int64_t s) {
           metrics::NearestSet one;
           metrics::merge(one, metrics::compute_nearest_piece(s, metrics::encode_dcr_rows(load_selected_rows(synthetic, s, scored).view(), plan), index, plan));
           return metrics::serialize(one);
         }))
      metrics::merge(set, metrics::deserialize_nearest(std::span<const uint8_t>(bytes)));
    const metrics::DcrSummary summary = metrics::summarize_dcr(set, columns);
    return std::to_string(summary.dcr.size()) + " synthetic rows, median DCR " + fixed(summary.median_dcr) +
           ", exact matches " + fixed(summary.exact_match_share) + ", median NNDR " + fixed(summary.nndr_median) +
           " (index built in " + fixed(build_seconds) + " s)";
  };
  // After the timed search: the digest of its results and, if asked, the all-pairs check.
  auto verify = [&](const metrics::TableData& reference, const metrics::NearestSet& set) {
    if (comm.is_root())
      std::printf("    digest of both smallest sums of every synthetic row: %016llx\n",
                  static_cast<unsigned long long>(digest(set)));
    if (check_rows > 0)
      check_against_all_pairs(comm, load_selected_rows(synthetic, 0, scored), check_rows, reference,
                              metrics::make_dcr_plan(scored.kinds, metrics::compute_profile_piece(reference.view())), set);
    std::fflush(stdout);
  };
  timed(comm, "DCR to training", [&] { return dcr_to(training, to_training); });
  verify(training, to_training);
  timed(comm, "DCR to hold-out", [&] { return dcr_to(holdout, to_holdout); });
  verify(holdout, to_holdout);
  if (comm.is_root())
    std::printf("  DCROverfittingProtection %.4f\n", metrics::finish_overfitting_protection(to_training, to_holdout, columns).score);

  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const std::vector<int64_t> peaks = comm.allgather<int64_t>(static_cast<int64_t>(usage.ru_maxrss) / 1024);
  if (comm.is_root()) {
    std::printf("  peak resident memory per rank (MiB):");
    for (int64_t p : peaks) std::printf(" %lld", static_cast<long long>(p));
    std::printf("\n");
  }
  return 0;
}
