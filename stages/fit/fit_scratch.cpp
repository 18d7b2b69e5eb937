#include "stages/fit/fit_scratch.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "pipeline/error.hpp"

namespace sc {

namespace fs = std::filesystem;

namespace {

// Appends (or writes) bytes to a file, naming the file and the reason on failure.
void write_bytes(const std::string& path, const char* mode, const void* data, size_t bytes) {
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (!f) throw IoError("fit scratch: cannot open " + path + " for writing (" + std::strerror(errno) + ")");
  const bool ok = bytes == 0 || std::fwrite(data, 1, bytes, f) == bytes;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) throw IoError("fit scratch: cannot write " + path + " (disk full?)");
}

// Upper bound on the bytes all partition buffers of one spill hold together.
constexpr size_t kBufferBytes = 64 * 1024;

}  // namespace

FitScratch::FitScratch(const Communicator& comm, std::string dir, int64_t budget_bytes)
    : comm_(comm), dir_(std::move(dir)), budget_(budget_bytes) {
  std::string message;
  if (comm_.is_root()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (!ec) fs::create_directories(dir_, ec);
    if (ec) message = "fit scratch: cannot create " + dir_ + " (" + ec.message() + "); expected a writable directory in run.dir";
  }
  comm_.agree_on_error(message, message.empty() ? ExitCode::ok : ExitCode::io);  // every rank stops together
}

FitScratch::~FitScratch() {
  // A destructor must not throw: without the barrier (an error unwinds one rank only) the files
  // stay, and the next fit empties the area first.
  if (std::uncaught_exceptions() == 0) {
    try {
      comm_.barrier();
    } catch (...) {
      return;
    }
  }
  if (comm_.is_root()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    fs::remove(fs::path(dir_).parent_path(), ec);  // run.dir/tmp too, when nothing else is in it
  }
}

int64_t FitScratch::partitions_for(int64_t bytes) const {
  const int64_t share = std::max<int64_t>(1, budget_ / 3);
  return std::clamp<int64_t>((bytes + share - 1) / share, 1, 4096);
}

void write_record_file(const std::string& path, const void* data, size_t bytes) {
  const std::string temp = path + ".part";
  write_bytes(temp, "wb", data, bytes);
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) throw IoError("fit scratch: cannot rename " + temp + " to " + path + " (" + ec.message() + ")");
}

size_t record_count(const std::string& path, size_t record_bytes, int64_t expected_records) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw IoError("fit scratch: cannot read " + path + " (" + ec.message() + ")");
  if (size % record_bytes != 0 || (expected_records >= 0 && size != static_cast<uintmax_t>(expected_records) * record_bytes))
    throw IoError("fit scratch: " + path + " holds " + std::to_string(size) + " bytes, expected " +
                  (expected_records >= 0 ? std::to_string(expected_records) + " records of " : "whole records of ") +
                  std::to_string(record_bytes) + " bytes (was the scratch area changed while fit ran?)");
  return static_cast<size_t>(size / record_bytes);
}

void make_scratch_directory(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw IoError("fit scratch: cannot create " + path + " (" + ec.message() + ")");
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

void read_file_into(const std::string& path, void* out, size_t bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw IoError("fit scratch: cannot open " + path + " (" + std::strerror(errno) + ")");
  const bool ok = bytes == 0 || std::fread(out, 1, bytes, f) == bytes;
  std::fclose(f);
  if (!ok) throw IoError("fit scratch: short read of " + path);
}

PartitionSpill::PartitionSpill(const FitScratch& scratch, const Communicator& comm, std::string prefix, int64_t partitions,
                               size_t record_bytes)
    : comm_(comm), prefix_(scratch.dir() + "/" + std::move(prefix)), partitions_(partitions), record_bytes_(record_bytes),
      buffers_(static_cast<size_t>(partitions)) {
  // The buffers together take at most an eighth of the budget, and each holds a record at least.
  const size_t share = static_cast<size_t>(std::max<int64_t>(1, scratch.budget_bytes() / 8 / partitions));
  buffer_bytes_ = std::max(record_bytes_, std::min(kBufferBytes, share));
  make_scratch_directory(fs::path(prefix_).parent_path().string());
}

std::string PartitionSpill::path(int64_t partition, int rank) const {
  return prefix_ + ".p" + std::to_string(partition) + ".r" + std::to_string(rank);
}

void PartitionSpill::append(int64_t partition, const void* record) {
  std::vector<uint8_t>& buffer = buffers_[static_cast<size_t>(partition)];
  const auto* bytes = static_cast<const uint8_t*>(record);
  buffer.insert(buffer.end(), bytes, bytes + record_bytes_);
  if (buffer.size() + record_bytes_ > buffer_bytes_) flush(partition);
}

void PartitionSpill::flush(int64_t partition) {
  std::vector<uint8_t>& buffer = buffers_[static_cast<size_t>(partition)];
  if (buffer.empty()) return;
  write_bytes(path(partition, comm_.rank()), "ab", buffer.data(), buffer.size());
  buffer.clear();
}

void PartitionSpill::finish() {
  for (int64_t k = 0; k < partitions_; ++k) {
    flush(k);
    std::vector<uint8_t>().swap(buffers_[static_cast<size_t>(k)]);
  }
}

void PartitionSpill::remove(int64_t partition) const {
  std::error_code ec;
  fs::remove(path(partition, comm_.rank()), ec);
}

std::string row_values_path(const std::string& directory, size_t shard) {
  return directory + "/shard-" + std::to_string(shard) + ".bin";
}

size_t shard_of_row(const TableLayout& layout, int64_t row) {
  auto it = std::upper_bound(layout.first_row.begin(), layout.first_row.end(), row);
  return static_cast<size_t>(it - layout.first_row.begin()) - 1;
}

RowValuesWriter::RowValuesWriter(const FitScratch& scratch, const Communicator& comm, const TableLayout& layout,
                                 std::string directory, size_t width)
    : comm_(comm), layout_(layout), directory_(scratch.dir() + "/" + directory), width_(width),
      group_of_shard_(layout.shards.size(), -1), record_(sizeof(int64_t) + width) {
  // A group's records (row number and value) and its dense files take at most a third of the
  // budget. Shard s is owned by rank s % size: each rank's shards, in order, cut into groups.
  const int64_t group_bytes = std::max<int64_t>(1, scratch.budget_bytes() / 3);
  const size_t ranks = static_cast<size_t>(comm.size());
  int64_t groups = 0;
  for (size_t rank = 0; rank < ranks; ++rank) {
    int64_t in_group = 0;
    bool open = false;
    for (size_t s = rank; s < layout.shards.size(); s += ranks) {
      const int64_t bytes = layout.rows[s] * static_cast<int64_t>(2 * width + sizeof(int64_t));
      if (!open || in_group + bytes > group_bytes) {
        ++groups;
        in_group = 0;
        open = true;
        if (rank == static_cast<size_t>(comm.rank())) {
          my_groups_.emplace_back();
          my_group_ids_.push_back(groups - 1);
        }
      }
      in_group += bytes;
      group_of_shard_[s] = groups - 1;
      if (rank == static_cast<size_t>(comm.rank())) my_groups_.back().push_back(s);
    }
  }
  spill_.emplace(scratch, comm, directory + "/rows", std::max<int64_t>(1, groups), record_.size());
  make_scratch_directory(directory_);
}

void RowValuesWriter::set(int64_t global_row, const void* value) {
  std::memcpy(record_.data(), &global_row, sizeof(int64_t));
  std::memcpy(record_.data() + sizeof(int64_t), value, width_);
  spill_->append(group_of_shard_[shard_of_row(layout_, global_row)], record_.data());
}

void RowValuesWriter::finish() {
  spill_->finish();
  comm_.barrier();  // every rank's records are in the files
  for (size_t i = 0; i < my_groups_.size(); ++i) {
    const std::vector<size_t>& shards = my_groups_[i];
    std::vector<std::vector<uint8_t>> dense;
    for (size_t s : shards) dense.emplace_back(static_cast<size_t>(layout_.rows[s]) * width_, 0);
    {
      const std::vector<uint8_t> records = spill_->read<uint8_t>(my_group_ids_[i], true);
      for (size_t at = 0; at < records.size(); at += record_.size()) {
        int64_t row = 0;
        std::memcpy(&row, records.data() + at, sizeof(int64_t));
        const size_t s = shard_of_row(layout_, row);
        const size_t local = static_cast<size_t>(row - layout_.first_row[s]);
        const size_t index = static_cast<size_t>(std::lower_bound(shards.begin(), shards.end(), s) - shards.begin());
        std::memcpy(dense[index].data() + local * width_, records.data() + at + sizeof(int64_t), width_);
      }
    }
    for (size_t j = 0; j < shards.size(); ++j) write_record_file(row_values_path(directory_, shards[j]), dense[j].data(), dense[j].size());
  }
  comm_.barrier();  // every rank has read the files this rank wrote
  for (int64_t k = 0; k < spill_->partitions(); ++k) spill_->remove(k);
}

}  // namespace sc
