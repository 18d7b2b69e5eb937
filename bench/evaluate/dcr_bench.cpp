// DCR benchmark: exact distance to closest record (SDMetrics' distance) of N synthetic rows to N
// real rows, by scoring all pairs and by the pruned search (k-d tree, dcr_index.hpp), timed by
// phase, with a check that both give the same bits. Real rows: nafld1 (7 scored columns) repeated to
// N rows, and, separately, N rows drawn column by column (no duplicates, so the pruned search cannot
// profit from repeats). Synthetic rows: every column drawn independently from nafld1's rows, so
// that rows are not copies and no shortcut on exact matches could flatter the time.
// With --sample DIR it also writes the first --sample-rows rows of both tables as CSV, for
// sdmetrics_dcr_bench.py to time sdmetrics on the same data.
// Usage: dcr_bench --data DATA_DIR --tables TABLES_JSON [--rows N] [--threads T] [--all-pairs 0|1]
//        [--sample DIR --sample-rows M]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include <tbb/global_control.h>
#include <tbb/info.h>

#include "crosscheck_tables.hpp"
#include "stages/evaluate/metrics/dcr.hpp"

using namespace sc::metrics;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string data_dir, tables_json, sample_dir;
  std::int64_t rows = 100000;
  std::int64_t sample_rows = 0;
  int threads = 0;  // 0: TBB's default (all cores)
  bool all_pairs = true;  // also time all pairs (and check the pruned search against it)
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--data") options.data_dir = value;
    else if (key == "--tables") options.tables_json = value;
    else if (key == "--rows") options.rows = std::stoll(value);
    else if (key == "--threads") options.threads = std::stoi(value);
    else if (key == "--sample") options.sample_dir = value;
    else if (key == "--sample-rows") options.sample_rows = std::stoll(value);
    else if (key == "--all-pairs") options.all_pairs = value != "0";
    else throw std::runtime_error("unknown option " + key);
  }
  if (options.data_dir.empty() || options.tables_json.empty())
    throw std::runtime_error("usage: dcr_bench --data DATA_DIR --tables TABLES_JSON [--rows N] [--threads T] "
                             "[--all-pairs 0|1] [--sample DIR --sample-rows M]");
  return options;
}

// Row r of the result is row pick(r, column) of `source`, column by column.
template <class Pick>
TableData gather_rows(const TableData& source, std::int64_t rows, Pick pick) {
  TableData out;
  for (std::size_t c = 0; c < source.columns.size(); ++c) {
    const ColumnData& from = source.columns[c];
    ColumnData column;
    column.kind = from.kind;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t s = pick(r, c);
      if (!from.codes.empty()) column.codes.push_back(from.codes[s]);
      if (!from.values.empty()) column.values.push_back(from.values[s]);
      if (!from.missing.empty()) column.missing.push_back(from.missing[s]);
    }
    out.columns.push_back(std::move(column));
  }
  return out;
}

void write_csv(const std::string& path, const crosscheck::LoadedTable& table, const TableData& data, std::int64_t rows) {
  std::ofstream out(path);
  for (std::size_t c = 0; c < table.names.size(); ++c) out << (c ? "," : "") << table.names[c];
  out << "\n";
  char number[64];
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < table.names.size(); ++c) {
      const ColumnData& column = data.columns[c];
      out << (c ? "," : "");
      if (column.kind == ColumnKind::categorical) {
        out << (column.codes[r] < 0 ? "NA" : table.dictionaries[c][column.codes[r]]);
      } else if (column.missing[r]) {
        out << "NA";
      } else {
        std::snprintf(number, sizeof number, "%.17g", column.values[r]);
        out << number;
      }
    }
    out << "\n";
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// User plus system CPU seconds of the process (all threads): steadier than wall time when other
// jobs share the cores.
double cpu_seconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // lines appear as phases end, also in a log file
    const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);

    crosscheck::TableSpec nafld1;
    for (const auto& table : crosscheck::read_spec(options.tables_json).tables)
      if (table.name == "nafld1") nafld1 = table;
    const auto source = crosscheck::load_table(options.data_dir, nafld1);
    const std::int64_t source_rows = source.rows();
    const std::int64_t n = options.rows;
    const auto real = gather_rows(source.data, n, [&](std::int64_t r, std::size_t) { return r % source_rows; });
    std::mt19937_64 rng(20250101);
    std::uniform_int_distribution<std::int64_t> any_row(0, source_rows - 1);
    const auto synthetic = gather_rows(source.data, n, [&](std::int64_t, std::size_t) { return any_row(rng); });
    const int columns = static_cast<int>(source.kinds.size());
    // A reference without duplicates (each column drawn independently too), so that the pruned
    // search is also timed where no row repeats and ties are rare.
    const auto distinct_real = gather_rows(source.data, n, [&](std::int64_t, std::size_t) { return any_row(rng); });

    std::printf("DCR benchmark (exact, SDMetrics' distance): all pairs and the pruned search (k-d tree)\n");
    std::printf("  command: dcr_bench --data %s --tables %s --rows %lld --threads %d%s\n", options.data_dir.c_str(),
                options.tables_json.c_str(), static_cast<long long>(n), threads,
                options.all_pairs ? "" : " --all-pairs 0");
    std::printf("  synthetic rows %lld x real rows %lld, %d columns, %d threads\n", static_cast<long long>(n),
                static_cast<long long>(n), columns, threads);
    const double pairs = static_cast<double>(n) * static_cast<double>(n);
    bool identical = true;
    for (const auto* reference : {&real, &distinct_real}) {
      std::printf("  real rows: %s\n", reference == &real ? "nafld1 repeated (every row about n / 17,549 times)"
                                                          : "drawn column by column (no duplicates)");
      auto start = Clock::now();
      const auto plan = make_dcr_plan(source.kinds, compute_profile_piece(reference->view()));
      const auto real_rows = encode_dcr_rows(reference->view(), plan);
      const auto synthetic_rows = encode_dcr_rows(synthetic.view(), plan);
      std::printf("    prepare (ranges, encoding): %8.3f s\n", seconds_since(start));

      NearestSet all_pairs;
      if (options.all_pairs) {
        start = Clock::now();
        const double cpu_start = cpu_seconds();
        merge(all_pairs, compute_nearest_piece_all_pairs(0, synthetic_rows, real_rows, plan));
        const double seconds = seconds_since(start), cpu = cpu_seconds() - cpu_start;
        std::printf("    all pairs (nearest two):    %8.3f s  (%.3g pairs/s, %.2f ns per pair per thread; CPU %.3f s, "
                    "%.2f ns per pair)\n",
                    seconds, pairs / seconds, seconds * threads / pairs * 1e9, cpu, cpu / pairs * 1e9);
      }

      start = Clock::now();
      const double cpu_start = cpu_seconds();
      const DcrIndex index = build_dcr_index(real_rows, plan.rules);
      const double build = seconds_since(start);
      start = Clock::now();
      NearestPiece piece{0, std::vector<double>(n, INFINITY), std::vector<double>(n, INFINITY)};
      const DcrSearchCounts counts = update_nearest_two_pruned(synthetic_rows, index, piece.best, piece.second);
      const double search = seconds_since(start), cpu = cpu_seconds() - cpu_start;
      NearestSet pruned;
      merge(pruned, std::move(piece));
      std::printf("    pruned: index build         %8.3f s  (%zu nodes)\n", build, index.nodes.size());
      std::printf("    pruned: search              %8.3f s  (%.3g effective pairs/s with the build; %.3g rows scored per "
                  "synthetic row, %.2f %% of all pairs)\n",
                  search, pairs / (build + search), static_cast<double>(counts.rows_scored) / static_cast<double>(n),
                  100.0 * static_cast<double>(counts.rows_scored) / pairs);
      std::printf("    pruned: CPU (build + search) %7.3f s  (%.2f ns per pair of all pairs)\n", cpu, cpu / pairs * 1e9);

      start = Clock::now();
      const auto summary = summarize_dcr(pruned, columns);
      std::printf("    summary (median, NNDR):     %8.3f s\n", seconds_since(start));
      std::printf("    median DCR %.6g, exact-match share %.6g, median NNDR %.6g\n", summary.median_dcr,
                  summary.exact_match_share, summary.nndr_median);
      if (options.all_pairs) {
        const bool same = all_pairs.shards[0].best == pruned.shards[0].best &&
                          all_pairs.shards[0].second == pruned.shards[0].second;
        std::printf("    pruned equals all pairs (both smallest sums of every row): %s\n", same ? "yes" : "NO");
        identical = identical && same;
      }
    }
    if (!identical) throw std::runtime_error("the pruned search differs from all pairs");

    if (!options.sample_dir.empty() && options.sample_rows > 0) {
      std::filesystem::create_directories(options.sample_dir);
      const std::int64_t m = std::min(options.sample_rows, n);
      write_csv(options.sample_dir + "/real.csv", source, real, m);
      write_csv(options.sample_dir + "/synthetic.csv", source, synthetic, m);
      std::printf("  wrote the first %lld rows of both tables to %s\n", static_cast<long long>(m),
                  options.sample_dir.c_str());
    }
  } catch (const std::exception& error) {
    std::cerr << "dcr_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
