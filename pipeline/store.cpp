#include "pipeline/store.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "pipeline/agreed_step.hpp"
#include "pipeline/sha256.hpp"
#include "pipeline/shard_committer.hpp"
#include "pipeline/store_view.hpp"

namespace fs = std::filesystem;

namespace sc {
namespace {

constexpr const char* kFingerprintFile = "FINGERPRINT";

void make_directories(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError("cannot create directory " + dir + ": " + ec.message());
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A committed shard that HDF5 cannot open was damaged after its commit (a file is renamed into
// place only when complete): say so, rather than pass on the library's errno, which is stale.
h5::File open_committed_shard(const std::string& path) {
  try {
    return h5::File::open_read(path);
  } catch (const Error&) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    throw IoError("store file " + path + (ec ? "" : " (" + std::to_string(size) + " bytes)") +
                  " does not open as HDF5: it was truncated or overwritten after its commit; remove the file "
                  "(or set run.restart = true) and rerun");
  }
}

// Digests and shapes of every dataset in a committed shard, recomputed from the data, checked
// against the digests stored at commit time.
nlohmann::json read_and_verify_shard(const std::string& path) {
  h5::File file = open_committed_shard(path);
  nlohmann::json datasets = nlohmann::json::object();
  for (const std::string& dataset : file.list_datasets()) {
    if (!file.has_attribute(dataset, "sha256"))
      throw IoError("store file " + path + ": dataset " + dataset + " has no digest (not written by synthcohort?)");
    std::string stored = file.attribute(dataset, "sha256");
    std::string actual = sha256_hex(file.raw_bytes(dataset));
    if (stored != actual)
      throw IoError("store file " + path + " is corrupt: dataset " + dataset +
                    " does not match its digest; remove the file (or set run.restart = true) and rerun");
    nlohmann::json shape = nlohmann::json::array();
    for (hsize_t d : file.dimensions(dataset)) shape.push_back(d);
    datasets[dataset] = {{"sha256", actual}, {"shape", shape}, {"type", file.attribute(dataset, "type")}};
  }
  return datasets;
}

}  // namespace

std::string shard_name(const std::string& group, int64_t index) {
  std::ostringstream out;
  out << group << "/shard-" << std::setw(5) << std::setfill('0') << index << ".h5";
  return out.str();
}

std::string combine_digests(const std::vector<std::string>& digests) {
  Sha256 hash;
  for (const auto& d : digests) hash.update(d);
  return hash.hex();
}

namespace {

std::string write_temporary(const std::string& path, const std::string& text, bool sync) {
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* out = std::fopen(temp.c_str(), "wb");
  if (!out) throw IoError("cannot write " + temp + ": " + std::strerror(errno));
  size_t written = std::fwrite(text.data(), 1, text.size(), out);
  bool failed = written != text.size() || std::fflush(out) != 0 || (sync && ::fsync(fileno(out)) != 0);
  int err = errno;
  std::fclose(out);
  if (failed) {
    std::remove(temp.c_str());
    throw IoError("cannot write " + path + ": " + std::strerror(err));
  }
  return temp;
}

void rename_into_place(const std::string& temp, const std::string& path) {
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(temp.c_str());
    throw IoError("cannot rename " + temp + " to " + path + ": " + std::strerror(err));
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& text) {
  rename_into_place(write_temporary(path, text, true), path);
}

std::string write_temporary_file(const std::string& path, const std::string& text) {
  return write_temporary(path, text, false);
}

// ---------------------------------------------------------------------------------------------
ShardFile::ShardFile(std::string final_path, std::string relative_name, int rank)
    : final_path_(std::move(final_path)),
      temp_path_(final_path_ + ".tmp-r" + std::to_string(rank)),
      name_(std::move(relative_name)),
      file_([&] {
        make_directories(fs::path(final_path_).parent_path().string());
        std::remove(temp_path_.c_str());  // a leftover of a killed run
        return h5::File::create(temp_path_);
      }()) {}

ShardFile::~ShardFile() {
  if (committed_) return;
  file_.close();
  std::remove(temp_path_.c_str());
}

void ShardFile::record(const std::string& dataset, const void* bytes, size_t size,
                       const std::vector<hsize_t>& dims, const char* type, const std::string* known_sha256) {
  nlohmann::json shape = nlohmann::json::array();
  for (hsize_t d : dims) shape.push_back(d);
  digests_[dataset] = {{"sha256", known_sha256 ? *known_sha256 : sha256_hex(bytes, size)}, {"shape", shape}, {"type", type}};
}

// ---------------------------------------------------------------------------------------------
StageWriter::StageWriter(const std::string& store_dir, const std::string& stage, const std::string& fingerprint,
                         bool restart, const Communicator& comm)
    : store_dir_(store_dir), stage_(stage), fingerprint_(fingerprint),
      partial_dir_(store_dir + "/" + stage + ".partial"), final_dir_(store_dir + "/" + stage), comm_(comm) {
  std::string message;
  if (comm.is_root()) {
    try {
      std::string marker = partial_dir_ + "/" + kFingerprintFile;
      if (fs::exists(marker)) {
        std::string previous = read_text(marker);
        if (previous.empty()) {
          // Renamed into place but not yet on disk when the machine went down (its fsync runs in
          // the background): unmarked, like a directory with no marker at all.
          fs::remove_all(partial_dir_);
        } else if (previous != fingerprint_) {
          if (!restart)
            throw ResumeError("store " + partial_dir_ + " holds an interrupted '" + stage +
                              "' run with another configuration or other inputs; rerun with the original "
                              "ones to resume, or set run.restart = true to discard it");
          fs::remove_all(partial_dir_);
        } else if (restart) {
          fs::remove_all(partial_dir_);
        }
      } else if (fs::exists(partial_dir_)) {
        fs::remove_all(partial_dir_);  // created but never marked: nothing was committed
      }
      make_directories(partial_dir_);
      if (!fs::exists(marker)) write_marker(marker);
    } catch (const Error& e) {
      message = e.what();
      comm.agree_on_error(message, e.code());
    } catch (const std::exception& e) {
      message = e.what();
      comm.agree_on_error(message, ExitCode::io);
    }
  }
  if (message.empty()) comm.agree_on_error("", ExitCode::ok);
}

StageWriter::StageWriter(const std::string& store_dir, const std::string& stage,
                         std::shared_future<std::string> fingerprint, const Communicator& comm)
    : store_dir_(store_dir), stage_(stage), partial_dir_(store_dir + "/" + stage + ".partial"),
      final_dir_(store_dir + "/" + stage), comm_(comm), pending_fingerprint_(std::move(fingerprint)),
      marker_pending_(comm.is_root()), marker_from_root_(comm.size() > 1), awaits_root_marker_(!comm.is_root()) {
  int32_t is_fresh = comm.is_root() ? fresh(store_dir, stage) : 0;
  comm.broadcast_value(is_fresh);
  if (!is_fresh) throw InternalError("stage " + stage + ": a fingerprint given later needs a fresh stage");
  // The other ranks write into the directory only once it is there.
  run_agreed_step(comm, [&] {
    if (!comm.is_root()) return;
    if (!pending_fingerprint_.valid()) throw InternalError("stage " + stage + ": rank 0 was given no fingerprint to wait for");
    fs::remove_all(partial_dir_);  // created but never marked, if there at all: nothing was committed
    make_directories(partial_dir_);
  }, ExitCode::io);
}

bool StageWriter::fresh(const std::string& store_dir, const std::string& stage) {
  return !fs::exists(store_dir + "/" + stage + "/index.json") &&
         !fs::exists(store_dir + "/" + stage + ".partial/" + kFingerprintFile);
}

void StageWriter::mark_partial_locked() {
  if (!marker_pending_) return;
  fingerprint_ = pending_fingerprint_.get();  // rethrows the digests' error
  marker_pending_ = false;
  write_marker(partial_dir_ + "/" + kFingerprintFile);
}

void StageWriter::write_marker(const std::string& marker) {
  // In place at once (a killed run finds it), durable in the background: its fsync overlaps the
  // stage's work, and this rank's first commit waits for it.
  rename_into_place(write_temporary(marker, fingerprint_, false), marker);
  background_sync_.start({{marker, false}});
}

bool StageWriter::already_complete(const std::string& store_dir, const std::string& stage,
                                   const std::string& fingerprint) {
  std::string index = store_dir + "/" + stage + "/index.json";
  if (!fs::exists(index)) return false;
  try {
    return nlohmann::json::parse(read_text(index)).value("fingerprint", "") == fingerprint;
  } catch (const std::exception&) {
    return false;
  }
}

bool StageWriter::committed(const std::string& name) {
  std::string path = partial_dir_ + "/" + name;
  if (!fs::exists(path)) return false;
  ShardRecord record;
  record.name = name;
  record.resumed = true;
  record.datasets = read_and_verify_shard(path);
  h5::File file = open_committed_shard(path);
  record.committed_by_rank = file.has_attribute("/", "committed_by_rank")
                                 ? std::stoi(file.attribute("/", "committed_by_rank")) : -1;
  std::lock_guard lock(mutex_);
  records_.push_back(std::move(record));
  // Renamed by a run that may have stopped before its finish() fsynced the directory.
  committed_directories_.insert(fs::path(path).parent_path().string());
  ++skipped_here_;
  return true;
}

ShardFile StageWriter::begin(const std::string& name) {
  return ShardFile(partial_dir_ + "/" + name, name, comm_.rank());
}

void StageWriter::seal(ShardFile& shard, bool sync) {
  if (shard.sealed_) return;
  for (auto& [dataset, info] : shard.digests_.items()) {
    shard.file_.set_attribute(dataset, "sha256", info["sha256"].get<std::string>());
    shard.file_.set_attribute(dataset, "type", info["type"].get<std::string>());
  }
  // Run-specific facts live in attributes, outside the digests.
  shard.file_.set_attribute("/", "committed_by_rank", std::to_string(comm_.rank()));
  shard.file_.flush();
  shard.file_.close();
  if (sync) fsync_path(shard.temp_path_, false);
  shard.sealed_ = true;
  shard.synced_ = sync;
  std::lock_guard lock(mutex_);
  sealed_.push_back({shard.name_, comm_.rank(), false, shard.digests_});
}

void StageWriter::commit(ShardFile& shard) {
  seal(shard);
  if (!shard.synced_) fsync_path(shard.temp_path_, false);
  shard.synced_ = true;
  bool rename_now;
  {
    std::lock_guard lock(mutex_);
    mark_partial_locked();
    background_sync_.wait();  // a shard on disk under a marker that is not would be lost to a resume
    rename_now = may_rename_locked();
    // Held: the writer renames the file later, so the shard no longer removes it.
    if (!rename_now) held_renames_.emplace_back(shard.temp_path_, shard.final_path_);
  }
  if (rename_now) rename_committed(shard.temp_path_, shard.final_path_);
  shard.committed_ = true;
  std::lock_guard lock(mutex_);
  // The directory's fsync, which makes the rename durable, waits for finish(): one per directory
  // instead of one per shard, and before the index lists the shard. A crash before it can only
  // lose the shard, which a rerun writes again.
  committed_directories_.insert(fs::path(shard.final_path_).parent_path().string());
  auto sealed = std::find_if(sealed_.begin(), sealed_.end(), [&](const ShardRecord& r) { return r.name == shard.name_; });
  records_.push_back(std::move(*sealed));
  sealed_.erase(sealed);
  ++committed_here_;
}

void StageWriter::rename_committed(const std::string& temp_path, const std::string& final_path) {
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0)
    throw IoError("cannot commit shard " + final_path + ": " + std::strerror(errno));
  ++renamed_here_;
  if (const char* kill_after = std::getenv("SYNTHCOHORT_TEST_KILL_AFTER_COMMITS")) {
    // Fault injection for the resume tests: die as a killed job would, right after a commit.
    if (renamed_here_ >= std::atoll(kill_after)) ::kill(::getpid(), SIGKILL);
  }
}

bool StageWriter::may_rename_locked() {
  if (!awaits_root_marker_ || root_marker_seen_) return true;
  // One stat per commit until the marker shows: rank 0 renames it into place complete.
  if (!fs::exists(partial_dir_ + "/" + kFingerprintFile)) return false;
  release_held_renames_locked();
  return true;
}

void StageWriter::release_held_renames_locked() {
  root_marker_seen_ = true;
  for (const auto& [temp_path, final_path] : held_renames_) rename_committed(temp_path, final_path);
  held_renames_.clear();
}

std::vector<SyncTarget> StageWriter::renamed_directories(ShardCommitter* committer) {
  if (committer) committer->finish();
  std::lock_guard lock(mutex_);
  mark_partial_locked();
  background_sync_.wait();  // the fingerprint's, where no shard was committed to wait for it
  if (!sealed_.empty()) throw InternalError("stage " + stage_ + ": shard " + sealed_.front().name + " was sealed but never committed");
  std::vector<SyncTarget> directories;
  for (const std::string& dir : committed_directories_) directories.push_back({dir, true});
  return directories;
}

nlohmann::json StageWriter::finish(const std::vector<std::string>& expected, const nlohmann::json& summary,
                                   ShardCommitter* committer) {
  // The renames of this rank's commits are made durable (their directories fsynced) before the
  // shards are listed: on the other ranks before their records are gathered, in the background
  // while the rank table is written; on the root together with index.json, while view.h5 is
  // written, before the stage is swapped into place. This rank's list holds the shards the
  // committer is still committing: their records are complete at the seal.
  if (marker_from_root_) {
    // Rank 0 marks the directory (waiting for the fingerprint if it committed nothing yet); once
    // every rank knows it has, the renames held back on the other ranks may run.
    run_agreed_step(comm_, [&] {
      if (!comm_.is_root()) return;
      std::lock_guard lock(mutex_);
      mark_partial_locked();
    }, ExitCode::io);
  }
  nlohmann::json mine = nlohmann::json::array();
  int64_t committed_here = 0, skipped_here = 0;
  {
    std::lock_guard lock(mutex_);
    mark_partial_locked();  // the index names the fingerprint
    for (const auto* list : {&records_, &sealed_})
      for (const auto& r : *list)
        mine.push_back({{"file", r.name}, {"committed_by_rank", r.committed_by_rank}, {"resumed", r.resumed},
                        {"datasets", r.datasets}});
    committed_here = committed_here_ + static_cast<int64_t>(sealed_.size());
    skipped_here = skipped_here_;
  }

  // The per-rank work table, written by all ranks together through MPI-IO: each rank writes its
  // own row (rank, shards committed, shards skipped) in one collective transfer. A job of one
  // rank writes the same dataset serially: opening a file through MPI-IO for the first time costs
  // more than the file (7% of the CPU of sampling an 8,000-row table).
  std::string message;
  ExitCode code = ExitCode::ok;
  try {
    if (awaits_root_marker_) {
      std::lock_guard lock(mutex_);
      if (!root_marker_seen_) release_held_renames_locked();
    }
    if (!comm_.is_root()) background_sync_.start(renamed_directories(committer));
    const std::string path = partial_dir_ + "/ranks.h5";
    int64_t row[3] = {comm_.rank(), committed_here, skipped_here};
    if (comm_.size() == 1) {
      fs::remove(path);
      h5::File::create(path).write<int64_t>("/ranks", row, {1, 3});
    } else {
      h5::File ranks = h5::File::create_parallel(path, comm_);
      ranks.write_rows_collective("/ranks", row, static_cast<hsize_t>(comm_.rank()), 1,
                                  static_cast<hsize_t>(comm_.size()), 3);
    }
    if (!comm_.is_root()) background_sync_.wait();
  } catch (const Error& e) {
    message = e.what();
    code = e.code();
  }
  comm_.agree_on_error(message, code);
  std::string text = mine.dump();
  auto gathered = comm_.gather_bytes(std::vector<uint8_t>(text.begin(), text.end()));
  int64_t committed_total = comm_.allreduce_sum<int64_t>(committed_here);
  int64_t skipped_total = comm_.allreduce_sum<int64_t>(skipped_here);
  std::vector<int64_t> per_rank_committed = comm_.allgather<int64_t>(committed_here);
  std::vector<int64_t> per_rank_skipped = comm_.allgather<int64_t>(skipped_here);

  nlohmann::json index;
  if (comm_.is_root()) {
    try {
      std::map<std::string, nlohmann::json> by_name;
      for (size_t r = 0; r < gathered.size(); ++r)
        for (auto& shard : nlohmann::json::parse(gathered[r].begin(), gathered[r].end()))
          by_name[shard["file"].get<std::string>()] = shard;
      nlohmann::json shards = nlohmann::json::array();
      std::map<std::string, std::vector<std::string>> per_dataset;  // group/dataset -> digests in shard order
      std::map<std::string, nlohmann::json> dataset_info;
      for (const auto& name : expected) {
        auto it = by_name.find(name);
        if (it == by_name.end()) throw InternalError("stage " + stage_ + " finished without shard " + name);
        shards.push_back(it->second);
        std::string group = fs::path(name).parent_path().string();
        for (auto& [dataset, info] : it->second["datasets"].items()) {
          std::string key = group + dataset;
          per_dataset[key].push_back(info["sha256"].get<std::string>());
          auto& entry = dataset_info[key];
          if (entry.is_null()) entry = {{"type", info["type"]}, {"shards", 0}, {"rows", 0}};
          entry["shards"] = entry["shards"].get<int64_t>() + 1;
          entry["rows"] = entry["rows"].get<int64_t>() + info["shape"][0].get<int64_t>();
        }
      }
      nlohmann::json datasets = nlohmann::json::object();
      for (auto& [key, digests] : per_dataset) {
        dataset_info[key]["sha256"] = combine_digests(digests);
        datasets[key] = dataset_info[key];
      }
      nlohmann::json ranks = nlohmann::json::array();
      for (size_t r = 0; r < per_rank_committed.size(); ++r)
        ranks.push_back({{"rank", r}, {"shards_committed", per_rank_committed[r]},
                         {"shards_skipped", per_rank_skipped[r]}});
      index = {{"format", "synthcohort-store/1"}, {"stage", stage_}, {"fingerprint", fingerprint_},
               {"shards", shards}, {"datasets", datasets}, {"ranks", ranks}, {"summary", summary},
               {"shards_committed", committed_total}, {"shards_skipped", skipped_total}};
      const std::string index_path = partial_dir_ + "/index.json";
      const std::string index_temp = write_temporary_file(index_path, index.dump(1));
      // The root's last commits, then the fsyncs of its directories and of index.json, run on a
      // helper thread while view.h5 is written (HDF5 stays on this thread).
      auto durable = std::async(std::launch::async, [&] {
        std::vector<SyncTarget> targets = renamed_directories(committer);
        targets.push_back({index_temp, false});
        for (const SyncTarget& target : targets) fsync_path(target.path, target.directory);
      });
      try {
        write_view_file(partial_dir_ + "/view.h5", shards);
      } catch (...) {
        durable.wait();
        throw;
      }
      durable.get();
      if (std::rename(index_temp.c_str(), index_path.c_str()) != 0)
        throw IoError("cannot rename " + index_temp + " to " + index_path + ": " + std::strerror(errno));
      fs::remove(partial_dir_ + "/" + kFingerprintFile);
      // Swap the finished stage into place in one step; an earlier complete stage stays readable
      // until this moment and is removed after.
      if (fs::exists(final_dir_)) {
        if (::syscall(SYS_renameat2, AT_FDCWD, partial_dir_.c_str(), AT_FDCWD, final_dir_.c_str(), 2 /*RENAME_EXCHANGE*/) != 0)
          throw IoError("cannot swap " + partial_dir_ + " into " + final_dir_ + ": " + std::strerror(errno));
        fs::remove_all(partial_dir_);
      } else if (std::rename(partial_dir_.c_str(), final_dir_.c_str()) != 0) {
        throw IoError("cannot rename " + partial_dir_ + " to " + final_dir_ + ": " + std::strerror(errno));
      }
      fsync_path(store_dir_, true);
    } catch (const Error& e) {
      message = e.what();
      code = e.code();
    } catch (const std::exception& e) {
      message = e.what();
      code = ExitCode::io;
    }
  }
  comm_.agree_on_error(message, code);
  std::string text_index = comm_.is_root() ? index.dump() : std::string();
  comm_.broadcast(text_index);
  return nlohmann::json::parse(text_index);
}

// ---------------------------------------------------------------------------------------------
StageReader::StageReader(const std::string& store_dir, const std::string& stage) : dir_(store_dir + "/" + stage) {
  std::string index = dir_ + "/index.json";
  if (!fs::exists(index))
    throw InputError("store " + store_dir + " has no completed '" + stage + "' stage (no " + index +
                     "); run `synthcohort " + stage + "` first");
  try {
    index_ = nlohmann::json::parse(read_text(index));
  } catch (const nlohmann::json::exception& e) {
    throw IoError("store index " + index + " is corrupt: " + e.what());
  }
}

std::vector<std::string> StageReader::shards(const std::string& group) const {
  std::vector<std::string> out;
  for (const auto& shard : index_["shards"]) {
    std::string name = shard["file"].get<std::string>();
    if (fs::path(name).parent_path().string() == group) out.push_back(name);
  }
  return out;
}

std::vector<std::string> verify_stage(const std::string& store_dir, const std::string& stage) {
  StageReader reader(store_dir, stage);
  std::vector<std::string> problems;
  for (const auto& shard : reader.index()["shards"]) {
    std::string name = shard["file"].get<std::string>();
    std::string path = reader.path(name);
    try {
      h5::File file = h5::File::open_read(path);
      for (auto& [dataset, info] : shard["datasets"].items()) {
        if (!file.exists(dataset)) { problems.push_back(name + ":" + dataset + " (missing)"); continue; }
        if (sha256_hex(file.raw_bytes(dataset)) != info["sha256"].get<std::string>())
          problems.push_back(name + ":" + dataset);
      }
    } catch (const Error& e) {
      problems.push_back(name + " (" + e.what() + ")");
    }
  }
  return problems;
}

}  // namespace sc
