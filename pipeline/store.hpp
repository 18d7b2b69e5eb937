// The store: a directory per run holding one subdirectory per completed stage (`ingest/`,
// `fit/`, `sample/`, ...). A stage writes into `<stage>.partial/`: one HDF5 file per shard, each
// written under a temporary name and renamed when complete (the commit), with the SHA-256 of every
// dataset stored in the file. When every shard is committed, rank 0 writes `index.json` (committed
// shards, per-dataset digests, which rank committed what) and `view.h5` (virtual datasets that
// join the shards into the global view), and the partial directory is swapped into place in one
// rename. A killed stage leaves only complete shards under their final names; rerunning it with the
// same fingerprint (config and inputs) skips them. docs/store.md describes the layout.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/background_sync.hpp"
#include "pipeline/hdf5_handles.hpp"
#include "pipeline/mpi_comm.hpp"

namespace sc {

class ShardCommitter;

// One shard file being written by this rank. Datasets written through it have their digests
// recorded; commit() stores them as attributes, flushes, fsyncs and renames the file into place
// (its directory is fsynced by StageWriter::finish, before the shard is listed).
class ShardFile {
 public:
  ShardFile(std::string final_path, std::string relative_name, int rank);
  ShardFile(ShardFile&&) = default;
  ~ShardFile();  // an uncommitted shard's temporary file is removed

  // `known_sha256`, when given, is the SHA-256 of these very bytes computed by the caller (on
  // another thread, so that digesting overlaps writing); otherwise it is computed here.
  template <class T>
  void write(const std::string& dataset, const std::vector<T>& data, int deflate = 0,
             const std::string* known_sha256 = nullptr) {
    write(dataset, data.data(), {static_cast<hsize_t>(data.size())}, deflate, known_sha256);
  }
  template <class T>
  void write(const std::string& dataset, const T* data, const std::vector<hsize_t>& dims, int deflate = 0,
             const std::string* known_sha256 = nullptr) {
    file_.write<T>(dataset, data, dims, deflate);
    size_t n = 1;
    for (hsize_t d : dims) n *= d;
    record(dataset, data, n * sizeof(T), dims, type_code<T>(), known_sha256);
  }
  void set_attribute(const std::string& key, const std::string& value) { file_.set_attribute("/", key, value); }
  const std::string& name() const { return name_; }
  // Where the shard is written until its commit renames it (its size is final once sealed).
  const std::string& temporary_path() const { return temp_path_; }

 private:
  friend class StageWriter;
  template <class T> static const char* type_code() {
    if constexpr (std::is_same_v<T, uint8_t>) return "u8";
    else if constexpr (std::is_same_v<T, char>) return "i8";
    else if constexpr (std::is_same_v<T, int32_t>) return "i32";
    else if constexpr (std::is_same_v<T, uint32_t>) return "u32";
    else if constexpr (std::is_same_v<T, int64_t>) return "i64";
    else if constexpr (std::is_same_v<T, uint64_t>) return "u64";
    else return "f64";
  }
  void record(const std::string& dataset, const void* bytes, size_t size, const std::vector<hsize_t>& dims,
              const char* type, const std::string* known_sha256);
  std::string final_path_, temp_path_, name_;
  h5::File file_;
  nlohmann::json digests_ = nlohmann::json::object();
  bool sealed_ = false, synced_ = false, committed_ = false;
};

// What one committed shard holds: its datasets' digests and shapes.
struct ShardRecord {
  std::string name;          // path relative to the stage directory, e.g. "tables/labs/shard-00003.h5"
  int committed_by_rank = -1;
  bool resumed = false;      // committed by an earlier, interrupted run
  nlohmann::json datasets;   // dataset path -> {sha256, shape}
};

class StageWriter {
 public:
  // Opens `<store>/<stage>.partial/` (created, or resumed when its fingerprint matches; a
  // different fingerprint is a ResumeError unless `restart`). Collective.
  StageWriter(const std::string& store_dir, const std::string& stage, const std::string& fingerprint,
              bool restart, const Communicator& comm);

  // A writer whose fingerprint is still being computed (ingest's input digests, on a thread of
  // rank 0; the other ranks pass an empty future): only for a fresh stage, one with neither a
  // complete copy nor a marked partial directory in the store (fresh() says, on rank 0; every
  // rank must take this constructor together), since only those need no fingerprint to decide
  // what to keep. Collective. Rank 0 writes the fingerprint marker when it commits its first
  // shard (waiting for the fingerprint then) or at finish(). The other ranks rename a shard into
  // place only once they see the marker: until then their commits fsync the shard and hold the
  // rename, which finish() makes after rank 0 has marked the directory. A run killed before the
  // marker leaves a partial directory without one and no shard under its final name; the next
  // run discards it.
  StageWriter(const std::string& store_dir, const std::string& stage, std::shared_future<std::string> fingerprint,
              const Communicator& comm);
  static bool fresh(const std::string& store_dir, const std::string& stage);

  // Whether the complete stage is already in the store with this fingerprint (nothing to do).
  static bool already_complete(const std::string& store_dir, const std::string& stage, const std::string& fingerprint);

  // True when the shard is committed (by this run or an interrupted earlier one); the skip is
  // counted and reported.
  bool committed(const std::string& name);
  // A new shard file under a temporary name, for this rank to fill.
  ShardFile begin(const std::string& name);
  // Finishes the shard's temporary file (digest attributes, flush, close and, with `sync`,
  // fsync) without renaming it: a writer that must not commit yet (genome ingest before the panel
  // is checked) can still write while it waits. The temporary file is removed if the shard is
  // dropped uncommitted.
  void seal(ShardFile& shard, bool sync = true);
  // Seals the shard if need be, fsyncs it if not yet done and renames it into place: the commit.
  // The rename is made durable (its directory fsynced, once for all the shards committed into it)
  // by finish(), before any shard is listed in the index. A sealed shard's commit makes no HDF5
  // call, so it may run on another thread than the writes (a ShardCommitter's), beside this
  // writer's other calls: the shard lists they share are locked.
  void commit(ShardFile& shard);

  // Collective: gathers every rank's records, checks that `expected` shards (names) are all
  // committed, writes index.json and view.h5, makes every commit's rename durable (the
  // directories' fsyncs) and swaps the partial directory into place. `summary` goes into the
  // index. Returns the index.
  // `committer`, when given, may still be committing this rank's sealed shards: a sealed shard's
  // record is complete, so the index and the view are written while the last fsyncs and renames
  // run, and finish waits for them only where the protocol needs the renames (docs/store.md).
  nlohmann::json finish(const std::vector<std::string>& expected, const nlohmann::json& summary,
                        ShardCommitter* committer = nullptr);

  const std::string& directory() const { return partial_dir_; }
  int64_t shards_committed_here() const { return committed_here_; }
  int64_t shards_skipped_here() const { return skipped_here_; }

 private:
  std::string store_dir_, stage_, fingerprint_, partial_dir_, final_dir_;
  const Communicator& comm_;
  // fsyncs off the calling thread: the fingerprint marker's (waited for before the first commit),
  // then in finish() the committed directories' (and, on the root, index.json's).
  BackgroundSync background_sync_;
  // The deferred fingerprint (second constructor above): waits for it and writes the marker,
  // once. Called with mutex_ held.
  void mark_partial_locked();
  void write_marker(const std::string& marker);  // `fingerprint_` into `marker`, fsynced in the background
  std::shared_future<std::string> pending_fingerprint_;
  bool marker_pending_ = false;
  // Ranks other than 0 under a fingerprint given later: whether rank 0's marker is known to be in
  // place, and the fsynced shards whose renames wait for it (temporary path, final path).
  // marker_from_root_: every rank of a job of several ranks, under a fingerprint given later.
  bool marker_from_root_ = false, awaits_root_marker_ = false, root_marker_seen_ = false;
  std::vector<std::pair<std::string, std::string>> held_renames_;
  int64_t renamed_here_ = 0;
  // Renames a committed shard's file into place (and injects the resume tests' kill).
  void rename_committed(const std::string& temp_path, const std::string& final_path);
  // Whether this rank may rename now: always, except on a rank other than 0 before rank 0's
  // marker was seen (looked for on each commit until it is). Called with mutex_ held.
  bool may_rename_locked();
  void release_held_renames_locked();  // the marker is in place: the held renames run, in order
  // Waits for `committer`'s commits, checks that every sealed shard was committed and returns the
  // directories to fsync.
  std::vector<SyncTarget> renamed_directories(ShardCommitter* committer);
  // Guards what a committer's thread shares with the writing thread: the lists below, the
  // counters and the wait for the fingerprint's fsync.
  std::mutex mutex_;
  // Directories this rank renamed shards into, fsynced by finish().
  std::set<std::string> committed_directories_;
  std::vector<ShardRecord> records_;  // committed shards, in commit order
  std::vector<ShardRecord> sealed_;   // sealed without sync, not yet committed
  int64_t committed_here_ = 0, skipped_here_ = 0;
};

// Reading a completed stage.
class StageReader {
 public:
  StageReader(const std::string& store_dir, const std::string& stage);
  const nlohmann::json& index() const { return index_; }
  std::string path(const std::string& shard_name) const { return dir_ + "/" + shard_name; }
  // Shard names under a group (e.g. "tables/labs"), in shard order.
  std::vector<std::string> shards(const std::string& group) const;
  const std::string& directory() const { return dir_; }

 private:
  std::string dir_;
  nlohmann::json index_;
};

// Recomputes every dataset digest of a completed stage and compares it with the index; returns
// the list of mismatches ("file:dataset"), empty when the stage is intact.
std::vector<std::string> verify_stage(const std::string& store_dir, const std::string& stage);

// Writes `text` to `path` atomically (temporary file, fsync, rename).
void write_file_atomically(const std::string& path, const std::string& text);
// Writes `text` to `path`'s temporary name (`path` + ".tmp-<pid>") without fsync and returns that
// name: the caller fsyncs it (perhaps in the background) and renames it into place.
std::string write_temporary_file(const std::string& path, const std::string& text);

// The name of shard `index` in `group`: "<group>/shard-00042.h5".
std::string shard_name(const std::string& group, int64_t index);

// A digest over an ordered list of digests: the logical dataset's digest from its shards'.
std::string combine_digests(const std::vector<std::string>& digests);

}  // namespace sc
