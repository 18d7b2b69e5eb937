// The store's commit protocol under MPI: shards committed by any rank are listed once in the
// index with their digests, the view joins them, a resumed writer skips committed shards, and a
// flipped value is caught by verify_stage.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "pipeline/background_sync.hpp"
#include "pipeline/error.hpp"
#include "pipeline/hdf5_handles.hpp"
#include "pipeline/sha256.hpp"
#include "pipeline/store.hpp"

namespace fs = std::filesystem;

namespace {

std::string store_dir(const sc::Communicator& comm, const std::string& name) {
  std::string dir = ::testing::TempDir() + "/store_test_" + name + "_np" + std::to_string(comm.size());
  if (comm.is_root()) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  comm.barrier();
  return dir;
}

// Writes shards 0..n-1 of group "g": shard s holds s+1 rows of the values 100*s + i.
std::vector<std::string> write_shards(sc::StageWriter& writer, const sc::Communicator& comm, int n) {
  std::vector<std::string> names;
  for (int s = 0; s < n; ++s) {
    names.push_back(sc::shard_name("g", s));
    if (s % comm.size() != comm.rank() || writer.committed(names.back())) continue;
    sc::ShardFile file = writer.begin(names.back());
    std::vector<int64_t> values;
    for (int i = 0; i <= s; ++i) values.push_back(100 * s + i);
    file.write("/values", values);
    writer.commit(file);
  }
  return names;
}

// An interrupted run: `n` shards committed under `fingerprint`, no finish().
void interrupted_run(const std::string& dir, const std::string& fingerprint, const sc::Communicator& comm, int n) {
  {
    sc::StageWriter writer(dir, "ingest", fingerprint, false, comm);
    write_shards(writer, comm, n);
  }
  comm.barrier();
}

}  // namespace

// Groups held by one shard are linked into the view, not joined: the same datasets under the same
// paths, read from any working directory; a group whose link would cover another group's datasets
// (h's /sub beside group h/sub) keeps virtual datasets.
TEST(Store, ViewLinksSingleShardGroups) {
  auto comm = sc::Communicator::world();
  sc::h5::quiet_library_errors();
  std::string dir = fs::absolute(store_dir(comm, "links")).string();
  sc::StageWriter writer(dir, "ingest", "fp1", false, comm);
  std::vector<std::string> names = write_shards(writer, comm, 3);
  const std::vector<std::pair<std::string, std::string>> singles = {
      {"g/one", "/values"}, {"g/one", "/nested/more"}, {"h", "/sub/y"}, {"h/sub", "/z"}};
  std::vector<std::string> groups;
  for (const auto& [group, dataset] : singles)
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
  for (size_t g = 0; g < groups.size(); ++g) {
    names.push_back(sc::shard_name(groups[g], 0));
    if (static_cast<int>(g) % comm.size() != comm.rank()) continue;
    sc::ShardFile file = writer.begin(names.back());
    int64_t base = 1000 * static_cast<int64_t>(g + 1);
    for (const auto& [group, dataset] : singles)
      if (group == groups[g]) file.write(dataset, std::vector<int64_t>{base, base + 1, base + 2});
    writer.commit(file);
  }
  writer.finish(names, {});
  if (comm.is_root()) {
    const fs::path before = fs::current_path();
    fs::current_path("/");  // links resolve beside view.h5, not in the working directory
    sc::h5::File view = sc::h5::File::open_read(dir + "/ingest/view.h5");
    EXPECT_EQ(view.read<int64_t>("/g/values").size(), 6u);  // three shards: joined
    EXPECT_EQ(view.read<int64_t>("/g/one/values"), (std::vector<int64_t>{1000, 1001, 1002}));
    EXPECT_EQ(view.read<int64_t>("/g/one/nested/more"), (std::vector<int64_t>{1000, 1001, 1002}));
    EXPECT_EQ(view.read<int64_t>("/h/sub/y"), (std::vector<int64_t>{2000, 2001, 2002}));
    EXPECT_EQ(view.read<int64_t>("/h/sub/z"), (std::vector<int64_t>{3000, 3001, 3002}));
    H5L_info_t info;
    ASSERT_GE(H5Lget_info(view.id(), "/g/one/nested", &info, H5P_DEFAULT), 0);
    EXPECT_EQ(info.type, H5L_TYPE_EXTERNAL);
    ASSERT_GE(H5Lget_info(view.id(), "/h/sub/y", &info, H5P_DEFAULT), 0);
    EXPECT_EQ(info.type, H5L_TYPE_HARD);  // a virtual dataset
    fs::current_path(before);
  }
  comm.barrier();
}

TEST(Store, CommitIndexAndView) {
  auto comm = sc::Communicator::world();
  sc::h5::quiet_library_errors();
  std::string dir = store_dir(comm, "commit");
  sc::StageWriter writer(dir, "ingest", "fp1", false, comm);
  auto names = write_shards(writer, comm, 9);
  nlohmann::json index = writer.finish(names, {{"note", "test"}});
  ASSERT_EQ(index["shards"].size(), 9u);
  for (int r = 0; r < comm.size(); ++r) EXPECT_GT(index["ranks"][r]["shards_committed"].get<int>(), 0);
  std::vector<std::string> digests;
  for (const auto& shard : index["shards"]) digests.push_back(shard["datasets"]["/values"]["sha256"]);
  EXPECT_EQ(index["datasets"]["g/values"]["sha256"], sc::combine_digests(digests));
  EXPECT_EQ(index["datasets"]["g/values"]["rows"], 45);
  EXPECT_FALSE(fs::exists(dir + "/ingest.partial"));
  if (comm.is_root()) {
    // The view joins the shards in shard order.
    sc::h5::File view = sc::h5::File::open_read(dir + "/ingest/view.h5");
    std::vector<int64_t> all = view.read<int64_t>("/g/values");
    ASSERT_EQ(all.size(), 45u);
    EXPECT_EQ(all[0], 0);
    EXPECT_EQ(all[1], 100);
    EXPECT_EQ(all[44], 808);
    EXPECT_TRUE(sc::verify_stage(dir, "ingest").empty());
    // The per-rank table was written collectively: one row per rank, in rank order.
    sc::h5::File ranks = sc::h5::File::open_read(dir + "/ingest/ranks.h5");
    std::vector<int64_t> rows = ranks.read<int64_t>("/ranks");
    ASSERT_EQ(rows.size(), 3u * comm.size());
    for (int r = 0; r < comm.size(); ++r) {
      EXPECT_EQ(rows[3 * r], r);
      EXPECT_EQ(rows[3 * r + 1], index["ranks"][r]["shards_committed"].get<int64_t>());
    }
    // Flip one value in a shard: verification names that shard's dataset.
    std::string victim = dir + "/ingest/" + sc::shard_name("g", 3);
    {
      sc::h5::File file = sc::h5::File::open_write(victim);
      std::vector<int64_t> values = file.read<int64_t>("/values");
      values[1] += 1;
      sc::h5::Handle dset(H5Dopen2(file.id(), "/values", H5P_DEFAULT));
      ASSERT_GE(H5Dwrite(dset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    }
    auto problems = sc::verify_stage(dir, "ingest");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("shard-00003.h5:/values"), std::string::npos) << problems[0];
  }
  comm.barrier();
}

TEST(Store, ResumeSkipsCommittedAndRefusesOtherFingerprint) {
  auto comm = sc::Communicator::world();
  std::string dir = store_dir(comm, "resume");
  interrupted_run(dir, "fpA", comm, 4);
  try {
    sc::StageWriter other(dir, "ingest", "fpB", false, comm);
    ADD_FAILURE() << "a partial stage with another fingerprint was reused";
  } catch (const sc::Error& e) {
    EXPECT_EQ(e.code(), sc::ExitCode::resume) << e.what();
  }
  sc::StageWriter writer(dir, "ingest", "fpA", false, comm);
  auto names = write_shards(writer, comm, 9);
  nlohmann::json index = writer.finish(names, {});
  EXPECT_EQ(index["shards_skipped"], 4);
  EXPECT_EQ(index["shards_committed"], 5);
  EXPECT_TRUE(sc::StageWriter::already_complete(dir, "ingest", "fpA"));
  EXPECT_FALSE(sc::StageWriter::already_complete(dir, "ingest", "fpB"));
}

// FINGERPRINT is fsynced in the background: a crash before that fsync can leave it empty, which
// must read as no marker (the partial stage discarded and redone), not as another fingerprint.
TEST(Store, EmptyFingerprintCountsAsUnmarked) {
  auto comm = sc::Communicator::world();
  std::string dir = store_dir(comm, "empty_marker");
  interrupted_run(dir, "fpA", comm, 4);
  if (comm.is_root()) {
    std::FILE* marker = std::fopen((dir + "/ingest.partial/FINGERPRINT").c_str(), "wb");
    ASSERT_NE(marker, nullptr);
    std::fclose(marker);
  }
  comm.barrier();
  sc::StageWriter writer(dir, "ingest", "fpA", false, comm);
  auto names = write_shards(writer, comm, 9);
  nlohmann::json index = writer.finish(names, {});
  EXPECT_EQ(index["shards_skipped"], 0);
  EXPECT_EQ(index["shards_committed"], 9);
  EXPECT_FALSE(fs::exists(dir + "/ingest/FINGERPRINT"));
}

// A one-rank writer whose fingerprint comes later (ingest digests its inputs beside the work):
// shards are written and sealed before it is known, the marker appears at the first commit, which
// waits for it, and the index names it; an error computing it surfaces at that commit, with no
// marker and nothing committed. Refused for a stage that is not fresh, and for more ranks.
TEST(Store, FingerprintGivenLaterMarksAtTheFirstCommit) {
  auto comm = sc::Communicator::world();
  std::string dir = store_dir(comm, "later");
  std::promise<std::string> fingerprint;
  if (comm.size() > 1) {
    // Only rank 0 knows the fingerprint: the other ranks hold their renames until its marker is
    // in place, and finish() makes the renames still held.
    const std::string marker = dir + "/ingest.partial/FINGERPRINT";
    std::shared_future<std::string> mine = comm.is_root() ? fingerprint.get_future().share() : std::shared_future<std::string>();
    {
      sc::StageWriter writer(dir, "ingest", mine, comm);
      auto shard_path = [&](int64_t index) { return dir + "/ingest.partial/" + sc::shard_name("g", index); };
      auto commit = [&](int64_t index) {
        sc::ShardFile file = writer.begin(sc::shard_name("g", index));
        file.write("/values", std::vector<int64_t>{index});
        writer.commit(file);
      };
      if (!comm.is_root()) {
        commit(comm.rank());
        EXPECT_FALSE(fs::exists(shard_path(comm.rank()))) << "renamed before rank 0 marked the directory";
        EXPECT_TRUE(fs::exists(shard_path(comm.rank()) + ".tmp-r" + std::to_string(comm.rank())));
      }
      comm.barrier();
      if (comm.is_root()) {
        EXPECT_FALSE(fs::exists(marker));
        fingerprint.set_value("fpLater");
        commit(0);
        EXPECT_TRUE(fs::exists(shard_path(0)));
      }
      comm.barrier();
      if (comm.rank() == 1) {  // sees the marker at its next commit: both shards go into place
        commit(comm.size());
        EXPECT_TRUE(fs::exists(shard_path(1)));
        EXPECT_TRUE(fs::exists(shard_path(comm.size())));
      }
      std::vector<std::string> expected;
      for (int64_t i = 0; i <= comm.size(); ++i) expected.push_back(sc::shard_name("g", i));
      nlohmann::json index = writer.finish(expected, {});
      if (comm.is_root()) {
        EXPECT_EQ(index["fingerprint"], "fpLater");
        EXPECT_EQ(index["shards_committed"], comm.size() + 1);
      }
    }
    for (int64_t i = 0; i <= comm.size(); ++i) EXPECT_TRUE(fs::exists(dir + "/ingest/" + sc::shard_name("g", i)));
    comm.barrier();
    EXPECT_THROW(sc::StageWriter(dir, "ingest", mine, comm), sc::InternalError);  // not fresh: complete
    return;
  }
  ASSERT_TRUE(sc::StageWriter::fresh(dir, "ingest"));
  const std::string marker = dir + "/ingest.partial/FINGERPRINT";
  {
    sc::StageWriter writer(dir, "ingest", fingerprint.get_future().share(), comm);
    sc::ShardFile file = writer.begin(sc::shard_name("g", 0));
    file.write("/values", std::vector<int64_t>{1, 2, 3});
    writer.seal(file);
    EXPECT_FALSE(fs::exists(marker)) << "marked before the fingerprint was known";
    fingerprint.set_value("fpLater");
    writer.commit(file);
    std::ifstream in(marker);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "fpLater");
    EXPECT_FALSE(sc::StageWriter::fresh(dir, "ingest"));
    EXPECT_THROW(sc::StageWriter(dir, "ingest", std::async(std::launch::deferred, [] { return std::string("x"); }).share(), comm),
                 sc::InternalError);
    nlohmann::json index = writer.finish({sc::shard_name("g", 0)}, {});
    EXPECT_EQ(index["fingerprint"], "fpLater");
  }
  EXPECT_TRUE(sc::StageWriter::already_complete(dir, "ingest", "fpLater"));

  std::string failing_dir = store_dir(comm, "later_failing");
  std::promise<std::string> failing;
  sc::StageWriter writer(failing_dir, "ingest", failing.get_future().share(), comm);
  sc::ShardFile file = writer.begin(sc::shard_name("g", 0));
  file.write("/values", std::vector<int64_t>{1});
  failing.set_exception(std::make_exception_ptr(sc::IoError("cannot read input.csv")));
  try {
    writer.commit(file);
    ADD_FAILURE() << "a shard was committed without its stage's fingerprint";
  } catch (const sc::IoError& e) {
    EXPECT_STREQ(e.what(), "cannot read input.csv");
  }
  EXPECT_FALSE(fs::exists(failing_dir + "/ingest.partial/FINGERPRINT"));
  EXPECT_FALSE(fs::exists(failing_dir + "/ingest.partial/" + sc::shard_name("g", 0)));
}

TEST(Store, BackgroundSyncReportsFailureOnWait) {
  auto comm = sc::Communicator::world();
  std::string dir = store_dir(comm, "background_sync");
  sc::BackgroundSync sync;
  sync.start({{dir, true}});
  EXPECT_NO_THROW(sync.wait());
  sync.start({{dir + "/missing-" + std::to_string(comm.rank()), false}});
  EXPECT_THROW(sync.wait(), sc::IoError);
  EXPECT_NO_THROW(sync.wait());  // the error is reported once
}

TEST(Store, UncommittedShardLeavesNoFile) {
  auto comm = sc::Communicator::world();
  std::string dir = store_dir(comm, "abandon");
  sc::StageWriter writer(dir, "ingest", "fp", false, comm);
  std::string name = sc::shard_name("g", comm.rank());
  {
    sc::ShardFile file = writer.begin(name);
    file.write("/values", std::vector<int64_t>{1, 2, 3});
    // destroyed without commit, as when an error interrupts the stage
  }
  EXPECT_FALSE(fs::exists(writer.directory() + "/" + name));
  EXPECT_FALSE(fs::exists(writer.directory() + "/" + name + ".tmp-r" + std::to_string(comm.rank())));
}

// A dataset of 8 MiB or more, uncompressed, is placed at an aligned offset and written around the
// page cache (pipeline/direct_write.hpp; through HDF5 where the file system refuses O_DIRECT),
// with a tail shorter than a block: it reads back bit for bit, its digest verifies, and its
// neighbours in the file are intact.
TEST(Store, LargeDatasetWrittenAroundPageCache) {
  auto comm = sc::Communicator::world();
  sc::h5::quiet_library_errors();
  std::string dir = store_dir(comm, "large");
  sc::StageWriter writer(dir, "sample", "fp", false, comm);
  std::vector<std::string> names;
  const size_t rows = 90744, count = rows * 13;  // 9 MiB and 192 bytes
  auto value = [](int s, size_t i) { return static_cast<uint64_t>(s + 1) * 0x9e3779b97f4a7c15ull + i * 0x2545f4914f6cdd1dull; };
  for (int s = 0; s < 2 * comm.size(); ++s) {
    names.push_back(sc::shard_name("big", s));
    if (s % comm.size() != comm.rank()) continue;
    std::vector<uint64_t> big(count);
    for (size_t i = 0; i < count; ++i) big[i] = value(s, i);
    sc::ShardFile file = writer.begin(names.back());
    file.write("/before", std::vector<int64_t>{7, 8, 9});
    file.write("/bits", big.data(), {rows, 13});
    file.write("/after", std::vector<double>{1.5, 2.5});
    writer.commit(file);
  }
  nlohmann::json index = writer.finish(names, {});
  for (int r = 0; r < comm.size(); ++r) EXPECT_EQ(index["ranks"][r]["shards_committed"].get<int>(), 2);
  for (int s = comm.rank(); s < 2 * comm.size(); s += comm.size()) {
    const std::string path = dir + "/sample/" + names[static_cast<size_t>(s)];
    sc::h5::File file = sc::h5::File::open_read(path);
    sc::h5::Handle dset(H5Dopen2(file.id(), "/bits", H5P_DEFAULT));
    const haddr_t offset = H5Dget_offset(dset.get());
    ASSERT_NE(offset, HADDR_UNDEF);
    EXPECT_EQ(offset % 4096, 0u) << "the large dataset is not at an aligned offset, so it was not written directly";
    const std::vector<uint64_t> bits = file.read<uint64_t>("/bits");
    ASSERT_EQ(bits.size(), count);
    size_t wrong = 0;
    for (size_t i = 0; i < count; ++i) wrong += bits[i] != value(s, i);
    EXPECT_EQ(wrong, 0u);
    EXPECT_EQ(file.read<int64_t>("/before"), (std::vector<int64_t>{7, 8, 9}));
    EXPECT_EQ(file.read<double>("/after"), (std::vector<double>{1.5, 2.5}));
  }
  if (comm.is_root()) {
    EXPECT_TRUE(sc::verify_stage(dir, "sample").empty());
  }
  comm.barrier();
}
