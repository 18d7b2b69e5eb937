#include "stages/ingest/table_ingest.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "pipeline/error.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/table_store.hpp"
#include "stages/ingest/csv_shards.hpp"
#include "pipeline/shard_committer.hpp"
#include "stages/ingest/sleeping_rendezvous.hpp"
#include "stages/ingest/table_parse.hpp"

namespace sc {
namespace {

// Raised identically on every rank (all ranks hold the data the check needs).
[[noreturn]] void fail_everywhere(const std::string& message) {
  InputError error(message);
  error.mark_agreed();
  throw error;
}

// Runs `step` on every rank; the first rank's error (if any) is raised on all ranks together.
template <class Step> void together(const Communicator& comm, Step&& step) {
  std::string message;
  ExitCode code = ExitCode::ok;
  try {
    step();
  } catch (const Error& e) {
    message = e.what();
    code = e.code();
  }
  sleep_until_every_rank_arrives(comm);  // ranks finish their share at different times
  comm.agree_on_error(message, code);
}

// Removes the rows flagged in `drop` from every column of the shard.
void drop_rows(TableShard& shard, const std::vector<uint8_t>& drop) {
  if (std::find(drop.begin(), drop.end(), 1) == drop.end()) return;  // the usual case: nothing to drop
  auto keep = [&](auto& values) {
    if (values.empty()) return;
    size_t out = 0;
    for (size_t i = 0; i < values.size(); ++i)
      if (!drop[i]) values[out++] = values[i];
    values.resize(out);
  };
  for (auto& column : shard.columns) {
    keep(column.i64);
    keep(column.f64);
    keep(column.codes);
    keep(column.missing);
  }
  keep(shard.source_line);
}

// Digests the shards to be written, in shard order, on a thread of its own, so that the SHA-256
// of one shard overlaps the HDF5 write of the one before (docs/benchmarks.md, "Ingest of registry
// tables"). The shards must not change while it runs.
class ShardDigester {
 public:
  ShardDigester(const TableMeta& meta, const std::vector<ParsedShard>& shards, const std::vector<uint8_t>& skip)
      : digests_(shards.size()), thread_([this, &meta, &shards, &skip] {
          for (size_t s = 0; s < shards.size() && !stop_; ++s) {
            std::vector<std::string> digests;
            std::exception_ptr error;
            try {
              if (!skip[s]) digests = table_shard_digests(meta, shards[s].data);
            } catch (...) {
              error = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(mutex_);
            digests_[s] = std::move(digests);
            error_ = error;
            done_ = s + 1;
            ready_.notify_all();
            if (error) break;
          }
        }) {}
  ~ShardDigester() {
    stop_ = true;
    thread_.join();
  }
  ShardDigester(const ShardDigester&) = delete;
  ShardDigester& operator=(const ShardDigester&) = delete;

  // The digests of shard s (in table_shard_digests' order), once computed.
  const std::vector<std::string>& wait(size_t s) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return done_ > s || error_; });
    if (error_) std::rethrow_exception(error_);
    return digests_[s];
  }

 private:
  std::vector<std::vector<std::string>> digests_;
  std::mutex mutex_;
  std::condition_variable ready_;
  size_t done_ = 0;
  std::exception_ptr error_;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace

TableIngestOutcome ingest_table(const StageContext& context, StageWriter& writer, const TableSpec& spec,
                                KeySets& keys) {
  const Communicator& comm = context.comm;
  const int64_t rows_per_shard = context.config.integer("ingest.rows_per_shard");
  const int deflate = static_cast<int>(context.config.integer("store.compression"));

  auto clock = std::chrono::steady_clock::now();
  auto lap = [&clock]() {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - clock).count();
    clock = now;
    return seconds;
  };
  TableIngestOutcome outcome;
  std::unique_ptr<CsvShardReader> reader;
  together(comm, [&] {
    reader = std::make_unique<CsvShardReader>(comm, spec.file, spec.header, rows_per_shard, spec.encoding == "latin-1");
  });
  std::vector<std::string> columns;
  ParsedTable table;
  together(comm, [&] {
    columns = table_columns(spec, reader->header_line());
    table = parse_table_shards(spec, columns, reader->owned_shards());
  });
  together(comm, [&] { settle_types_and_dictionaries(comm, spec, table); });
  outcome.seconds["split_and_parse"] = lap();
  const TableMeta& meta = table.meta;

  // Per shard, the rows to drop (duplicate keys, orphans), by policy.
  std::vector<std::vector<uint8_t>> drop(table.shards.size());
  for (size_t s = 0; s < table.shards.size(); ++s) drop[s].assign(static_cast<size_t>(table.shards[s].data.rows()), 0);

  int64_t duplicates = 0, orphans = 0;
  std::map<std::string, int64_t> dangling;
  // Primary key: unique over the whole table; the first occurrence (lowest line) is kept.
  if (!spec.primary_key.empty()) {
    int c = meta.column_index(spec.primary_key);
    std::vector<int64_t> pairs;  // (key, line) pairs
    for (const auto& shard : table.shards)
      for (int64_t r = 0; r < shard.data.rows(); ++r) {
        pairs.push_back(shard.data.columns[c].i64[r]);
        pairs.push_back(shard.data.source_line[r]);
      }
    std::vector<int64_t> all = comm.allgatherv(pairs);
    std::vector<std::pair<int64_t, int64_t>> sorted;
    for (size_t i = 0; i + 1 < all.size(); i += 2) sorted.emplace_back(all[i], all[i + 1]);
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> dropped_lines, unique_keys;
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i > 0 && sorted[i].first == sorted[i - 1].first) {
        dropped_lines.push_back(sorted[i].second);
        continue;
      }
      unique_keys.push_back(sorted[i].first);
    }
    duplicates = static_cast<int64_t>(dropped_lines.size());
    if (duplicates > 0 && spec.on_duplicate_key == BadRowPolicy::error) {
      int64_t line = *std::min_element(dropped_lines.begin(), dropped_lines.end());
      int64_t first = 0;
      for (size_t i = 1; i < sorted.size(); ++i)
        if (sorted[i].second == line) { first = sorted[i - 1].second; break; }
      fail_everywhere(spec.file + ":" + std::to_string(line) + ": column " + std::to_string(c + 1) + " ('" +
                      spec.primary_key + "'): duplicate primary key (first seen on line " + std::to_string(first) +
                      "); expected unique keys, or set on_duplicate_key = drop");
    }
    std::sort(dropped_lines.begin(), dropped_lines.end());
    for (size_t s = 0; s < table.shards.size(); ++s)
      for (int64_t r = 0; r < table.shards[s].data.rows(); ++r)
        if (std::binary_search(dropped_lines.begin(), dropped_lines.end(), table.shards[s].data.source_line[r]))
          drop[s][r] = 1;
    keys[spec.name] = std::move(unique_keys);
  }
  // Foreign key: every child row needs a parent row.
  if (!spec.parent.empty()) {
    int c = meta.column_index(spec.foreign_key);
    const auto& parent_keys = keys.at(spec.parent);
    int64_t first_orphan_line = INT64_MAX;
    for (size_t s = 0; s < table.shards.size(); ++s) {
      const auto& column = table.shards[s].data.columns[c];
      for (int64_t r = 0; r < table.shards[s].data.rows(); ++r) {
        bool orphan = column.missing[r] || !std::binary_search(parent_keys.begin(), parent_keys.end(), column.i64[r]);
        if (!orphan || drop[s][r]) continue;
        drop[s][r] = 1;
        ++orphans;
        first_orphan_line = std::min(first_orphan_line, table.shards[s].data.source_line[r]);
      }
    }
    orphans = comm.allreduce_sum<int64_t>(orphans);
    first_orphan_line = comm.allreduce_min<int64_t>(first_orphan_line);
    if (orphans > 0 && spec.on_orphan == BadRowPolicy::error)
      fail_everywhere(spec.file + ":" + std::to_string(first_orphan_line) + ": column " + std::to_string(c + 1) +
                      " ('" + spec.foreign_key + "'): orphan row, its key has no row in parent table '" +
                      spec.parent + "' (" + std::to_string(orphans) +
                      " such rows in all); expected existing parent keys, or set on_orphan = drop");
  }
  // Other references: reported, not enforced (extracts legitimately point outside themselves).
  for (const auto& ref : spec.references) {
    int c = meta.column_index(ref.column);
    const auto& target = keys.count(ref.table) ? keys.at(ref.table) : std::vector<int64_t>{};
    int64_t count = 0;
    for (size_t s = 0; s < table.shards.size(); ++s) {
      const auto& column = table.shards[s].data.columns[c];
      for (int64_t r = 0; r < table.shards[s].data.rows(); ++r)
        if (!drop[s][r] && !column.missing[r] && !std::binary_search(target.begin(), target.end(), column.i64[r]))
          ++count;
    }
    dangling[ref.column] = comm.allreduce_sum<int64_t>(count);
  }

  outcome.seconds["keys"] = lap();
  // Commit: the schema shard on rank 0, every data shard on its owner.
  std::string schema_shard = shard_name(table_schema_group(spec.name), 0);
  outcome.shards.push_back(schema_shard);
  if (comm.is_root() && !writer.committed(schema_shard)) {
    ShardFile file = writer.begin(schema_shard);
    write_table_meta(file, meta);
    writer.commit(file);
  }
  Progress writing(comm, "ingest", "table " + spec.name, reader->shard_count(), "rows");
  int64_t kept = 0, missing_cells = 0;
  std::vector<int64_t> missing_per_column(columns.size(), 0);
  // Shards an interrupted run committed are known first, so that the committer thread is the only
  // one to touch the writer's records while it runs.
  std::vector<uint8_t> resumed(table.shards.size(), 0);
  for (size_t s = 0; s < table.shards.size(); ++s)
    resumed[s] = writer.committed(shard_name(table_group(spec.name), table.shards[s].index));
  for (size_t s = 0; s < table.shards.size(); ++s) drop_rows(table.shards[s].data, drop[s]);
  {
    ShardDigester digester(meta, table.shards, resumed);
    ShardCommitter committer(writer);
    for (size_t s = 0; s < table.shards.size(); ++s) {
      ParsedShard& shard = table.shards[s];
      kept += shard.data.rows();
      for (size_t c = 0; c < columns.size(); ++c)
        for (uint8_t m : shard.data.columns[c].missing) missing_per_column[c] += m;
      if (!resumed[s]) {
        ShardFile file = writer.begin(shard_name(table_group(spec.name), shard.index));
        write_table_shard(file, meta, shard.data, deflate, &digester.wait(s));
        writer.seal(file, false);
        committer.commit(std::move(file));
      }
      writing.shard_done(shard.data.rows());
    }
    committer.finish();
  }
  sleep_until_every_rank_arrives(comm);
  outcome.seconds["write"] = lap();
  for (int64_t s = 0; s < reader->shard_count(); ++s) outcome.shards.push_back(shard_name(table_group(spec.name), s));
  comm.allreduce_sum_inplace(missing_per_column);
  kept = comm.allreduce_sum<int64_t>(kept);
  for (int64_t m : missing_per_column) missing_cells += m;

  nlohmann::json types = nlohmann::json::object(), inferred = nlohmann::json::object(),
                 missing = nlohmann::json::object();
  std::string inferred_text;
  for (size_t c = 0; c < columns.size(); ++c) {
    types[columns[c]] = to_string(meta.types[c]);
    missing[columns[c]] = missing_per_column[c];
    if (meta.inferred[c]) {
      inferred[columns[c]] = to_string(meta.types[c]);
      inferred_text += (inferred_text.empty() ? "" : ", ") + columns[c] + ":" + to_string(meta.types[c]);
    }
  }
  outcome.summary = {{"file", spec.file}, {"lines", reader->data_lines()}, {"rows", kept},
                     {"shards", reader->shard_count()}, {"bytes", reader->bytes()}, {"gzip", reader->gzip()},
                     {"column_types", types}, {"inferred_types", inferred}, {"missing_cells", missing},
                     {"duplicate_keys_dropped", duplicates}, {"orphans_dropped", orphans},
                     {"dangling_references", dangling}};
  outcome.summary_line = spec.name + " " + std::to_string(kept) + " rows in " + std::to_string(reader->shard_count()) +
                         " shards";
  if (duplicates || orphans)
    outcome.summary_line += " (dropped " + std::to_string(duplicates) + " duplicate keys, " + std::to_string(orphans) +
                            " orphans)";
  log_root(comm, "ingest",
           "table " + spec.name + ": " + std::to_string(kept) + " rows, " + std::to_string(reader->shard_count()) +
               " shards, " + std::to_string(missing_cells) + " missing cells" +
               (inferred_text.empty() ? "" : "; inferred types " + inferred_text));
  return outcome;
}

}  // namespace sc
