// The fit's temporary area on disk, which keeps its memory bounded whatever the row count: what
// fit needs per row (inclusion, parent row, sibling order, children counts, the parent's node
// states) is never held for a whole table. Per-row tuples are spilled into a fixed number of
// partition files (chosen from fit.memory_budget_mb), each partition is processed in memory on its
// own, and the per-row results are put back in row order into one small file per shard, which the
// fit's passes read beside the shard itself (docs/registry-generator.md, "Fitting in bounded
// memory"). The area is `<run.dir>/tmp/fit`, emptied when fit starts and removed when it ends;
// files are written complete under a temporary name and renamed, and the directory must be
// visible to every rank (it lies beside the store, which is).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/table_layout.hpp"

namespace sc {

class FitScratch {
 public:
  // Collective: rank 0 empties `dir` (left by a killed run) and creates it.
  FitScratch(const Communicator& comm, std::string dir, int64_t budget_bytes);
  // Rank 0 removes the area (after a barrier: every rank is done with it).
  ~FitScratch();
  FitScratch(const FitScratch&) = delete;
  FitScratch& operator=(const FitScratch&) = delete;

  const std::string& dir() const { return dir_; }
  int64_t budget_bytes() const { return budget_; }
  // Partitions needed so that one partition of `bytes` in all (over every rank) takes at most a
  // third of the budget: the records, the sort and the results written back fit together.
  int64_t partitions_for(int64_t bytes) const;

 private:
  const Communicator& comm_;
  std::string dir_;
  int64_t budget_;
};

// Whole files of fixed-size records: written under a temporary name and renamed.
void write_record_file(const std::string& path, const void* data, size_t bytes);
// The number of records a file holds; it must hold a multiple of `record_bytes` (and
// `expected_records` of them when that is >= 0).
size_t record_count(const std::string& path, size_t record_bytes, int64_t expected_records = -1);
bool file_exists(const std::string& path);
// Creates a directory (and its parents) of the scratch area; an IoError naming it on failure.
void make_scratch_directory(const std::string& path);
// Reads `bytes` bytes of the file into `out`.
void read_file_into(const std::string& path, void* out, size_t bytes);

// Appends a whole file of records of `record_bytes` each to `out` (read in place, no copy).
template <class T>
void append_records(const std::string& path, size_t record_bytes, int64_t expected_records, std::vector<T>& out) {
  const size_t bytes = record_count(path, record_bytes, expected_records) * record_bytes;
  const size_t at = out.size();
  out.resize(at + bytes / sizeof(T));
  read_file_into(path, out.data() + at, bytes);
}
template <class Record>
std::vector<Record> read_records(const std::string& path, int64_t expected_records = -1) {
  std::vector<Record> out;
  append_records(path, sizeof(Record), expected_records, out);
  return out;
}

// Fixed-size records appended to `partitions` files of this rank (`<prefix>.p<k>.r<rank>`, made
// when the first records are written: no file, no records), buffered in memory up to a small bound
// in all; read back per partition, from this rank's file or from every rank's.
class PartitionSpill {
 public:
  PartitionSpill(const FitScratch& scratch, const Communicator& comm, std::string prefix, int64_t partitions,
                 size_t record_bytes);
  int64_t partitions() const { return partitions_; }
  void append(int64_t partition, const void* record);
  // Writes what is buffered and closes the files (after which partitions can be read); every
  // rank must finish before another rank reads its files (the caller puts a barrier between).
  void finish();
  // Partition k's records: this rank's, or those of every rank (in rank order).
  template <class T> std::vector<T> read(int64_t partition, bool every_rank) const {
    std::vector<T> out;
    for (int r = every_rank ? 0 : comm_.rank(); r < (every_rank ? comm_.size() : comm_.rank() + 1); ++r)
      if (file_exists(path(partition, r))) append_records(path(partition, r), record_bytes_, -1, out);
    return out;
  }
  // Removes partition k's file of this rank.
  void remove(int64_t partition) const;

 private:
  std::string path(int64_t partition, int rank) const;
  void flush(int64_t partition);
  const Communicator& comm_;
  std::string prefix_;
  int64_t partitions_;
  size_t record_bytes_, buffer_bytes_;
  std::vector<std::vector<uint8_t>> buffers_;
};

// Per-row values of one table (a fixed width per row), given by any rank for any row in any order,
// written by each shard's owner as one file per shard in row order (rows never given stay zero).
// Every rank's owned shards are cut into groups of neighbouring shards small enough for the
// budget (the same cut on every rank), and a row's value goes to its group's partition, so that
// putting a group's rows in order needs only that group in memory. Collective: every rank
// constructs the writer and calls finish.
class RowValuesWriter {
 public:
  RowValuesWriter(const FitScratch& scratch, const Communicator& comm, const TableLayout& layout, std::string directory,
                  size_t width);
  void set(int64_t global_row, const void* value);
  void finish();  // writes every owned shard's file (also those that got no row)

 private:
  const Communicator& comm_;
  const TableLayout& layout_;
  std::string directory_;
  size_t width_;
  std::vector<int64_t> group_of_shard_;       // per shard: its group (numbered over every rank)
  std::vector<std::vector<size_t>> my_groups_;  // this rank's groups: their shards, by group number
  std::vector<int64_t> my_group_ids_;
  std::optional<PartitionSpill> spill_;
  std::vector<uint8_t> record_;
};

// The per-shard file of a row-values directory.
std::string row_values_path(const std::string& directory, size_t shard);
// The shard that holds global row `row`.
size_t shard_of_row(const TableLayout& layout, int64_t row);

}  // namespace sc
