// The fit's scratch area under MPI (stages/fit/fit_scratch.hpp): partition files read back per
// partition from one rank or every rank, per-row values given by any rank landing in row order in
// their owner's shard files with a budget so small that every shard is a group of its own, and
// a scratch file of the wrong size refused with an I/O error that names it.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "pipeline/error.hpp"
#include "stages/fit/fit_scratch.hpp"

namespace fs = std::filesystem;

namespace {

std::string scratch_dir(const sc::Communicator& comm, const std::string& name) {
  return ::testing::TempDir() + "/fit_scratch_test_" + name + "_np" + std::to_string(comm.size());
}

// Nine shards of 3, 4, ... 11 rows.
sc::TableLayout nine_shards() {
  sc::TableLayout layout;
  for (int s = 0; s < 9; ++s) {
    layout.shards.push_back("shard-" + std::to_string(s));
    layout.rows.push_back(3 + s);
    layout.first_row.push_back(layout.total_rows);
    layout.total_rows += 3 + s;
  }
  return layout;
}

TEST(FitScratch, PartitionsHoldEveryRanksRecordsInRankOrder) {
  sc::Communicator comm = sc::Communicator::world();
  sc::FitScratch scratch(comm, scratch_dir(comm, "partitions"), 1 << 20);
  const int64_t partitions = 5;
  sc::PartitionSpill spill(scratch, comm, "t/spill", partitions, 2 * sizeof(int64_t));
  for (int64_t i = 0; i < 1000; ++i) {
    const int64_t record[2] = {comm.rank(), i};
    spill.append(i % partitions, record);
  }
  spill.finish();
  comm.barrier();
  for (int64_t k = 0; k < partitions; ++k) {
    const std::vector<int64_t> mine = spill.read<int64_t>(k, false);
    ASSERT_EQ(mine.size(), 2u * 200u);
    for (size_t j = 0; j < mine.size(); j += 2) {
      EXPECT_EQ(mine[j], comm.rank());
      EXPECT_EQ(mine[j + 1] % partitions, k);
    }
    const std::vector<int64_t> all = spill.read<int64_t>(k, true);
    ASSERT_EQ(all.size(), 2u * 200u * static_cast<size_t>(comm.size()));
    for (size_t j = 0; j < all.size(); j += 2) EXPECT_EQ(all[j], static_cast<int64_t>(j / 400));  // rank order
  }
}

TEST(FitScratch, RowValuesFromAnyRankLandInTheOwnersShardFilesInRowOrder) {
  sc::Communicator comm = sc::Communicator::world();
  // 64 bytes: a third of it holds no shard, so every shard is its own group (the most partitions).
  for (int64_t budget : {int64_t{64}, int64_t{1} << 20}) {
    sc::FitScratch scratch(comm, scratch_dir(comm, "rows"), budget);
    const sc::TableLayout layout = nine_shards();
    sc::RowValuesWriter writer(scratch, comm, layout, "t/values", sizeof(int64_t));
    // Row g is given by rank (g * 7) % size, whichever rank owns it, in descending order;
    // every fifth row is never given and must read back as 0.
    for (int64_t g = layout.total_rows - 1; g >= 0; --g) {
      if (g % 5 == 0 || (g * 7) % comm.size() != comm.rank()) continue;
      const int64_t value = 1000 + g;
      writer.set(g, &value);
    }
    writer.finish();
    int64_t checked = 0;
    for (size_t s = 0; s < layout.shards.size(); ++s) {
      const std::string path = sc::row_values_path(scratch.dir() + "/t/values", s);
      if (!layout.owns(comm, s)) continue;
      const std::vector<int64_t> values = sc::read_records<int64_t>(path, layout.rows[s]);
      for (int64_t r = 0; r < layout.rows[s]; ++r, ++checked) {
        const int64_t g = layout.first_row[s] + r;
        EXPECT_EQ(values[static_cast<size_t>(r)], g % 5 == 0 ? 0 : 1000 + g) << "row " << g << ", budget " << budget;
      }
    }
    EXPECT_EQ(comm.allreduce_sum(checked), layout.total_rows);
    EXPECT_GT(checked, 0) << "rank " << comm.rank() << " owns no shard";
  }
}

TEST(FitScratch, AFileOfTheWrongSizeIsAnIoErrorNamingIt) {
  sc::Communicator comm = sc::Communicator::world();
  sc::FitScratch scratch(comm, scratch_dir(comm, "bad"), 1 << 20);
  const std::string path = scratch.dir() + "/rank" + std::to_string(comm.rank()) + ".bin";
  const int64_t values[3] = {1, 2, 3};
  sc::write_record_file(path, values, sizeof(values));
  EXPECT_EQ(sc::read_records<int64_t>(path, 3).size(), 3u);
  fs::resize_file(path, sizeof(values) - 1);
  try {
    sc::read_records<int64_t>(path, 3);
    FAIL() << "a truncated scratch file was read";
  } catch (const sc::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected 3 records of 8 bytes"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sc::read_records<int64_t>(path + ".missing"), sc::IoError);
}

TEST(FitScratch, PartitionCountFollowsTheBudget) {
  sc::Communicator comm = sc::Communicator::world();
  sc::FitScratch scratch(comm, scratch_dir(comm, "count"), 300);  // a third: 100 bytes per partition
  EXPECT_EQ(scratch.partitions_for(0), 1);
  EXPECT_EQ(scratch.partitions_for(100), 1);
  EXPECT_EQ(scratch.partitions_for(101), 2);
  EXPECT_EQ(scratch.partitions_for(int64_t{1} << 40), 4096);  // the cap
}

}  // namespace
