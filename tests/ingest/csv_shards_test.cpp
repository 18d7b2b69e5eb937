// Cutting CSV into shards does not depend on the rank count: at 1, 2 and 4 ranks the shards
// (gathered from their owners) have the same bytes and first line numbers, for plain and gzip
// input, with and without a final newline.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "pipeline/mpi_comm.hpp"
#include "stages/ingest/csv_shards.hpp"

namespace {

std::string make_csv(int lines, bool final_newline) {
  std::string text = "\"id\",\"x\"\n";
  for (int i = 1; i <= lines; ++i) text += std::to_string(i) + "," + std::string(i % 7, 'x') + "\n";
  if (!final_newline) text.pop_back();
  return text;
}

// shard index -> (first line, bytes), gathered on every rank.
std::map<int64_t, std::pair<int64_t, std::string>> gather(const sc::Communicator& comm, sc::CsvShardReader& reader) {
  std::string mine;
  for (auto& shard : reader.owned_shards())
    mine += std::to_string(shard.index) + ":" + std::to_string(shard.first_line) + ":" +
            std::to_string(shard.bytes.size()) + ":" + std::string(shard.bytes);
  std::map<int64_t, std::pair<int64_t, std::string>> all;
  for (const auto& bytes : comm.allgather_bytes(std::vector<uint8_t>(mine.begin(), mine.end()))) {
    std::string text(bytes.begin(), bytes.end());
    size_t pos = 0;
    while (pos < text.size()) {
      size_t a = text.find(':', pos), b = text.find(':', a + 1), c = text.find(':', b + 1);
      int64_t index = std::stoll(text.substr(pos, a - pos));
      int64_t line = std::stoll(text.substr(a + 1, b - a - 1));
      size_t size = std::stoull(text.substr(b + 1, c - b - 1));
      all[index] = {line, text.substr(c + 1, size)};
      pos = c + 1 + size;
    }
  }
  return all;
}

}  // namespace

TEST(CsvShards, SameShardsForAnyRankCount) {
  auto comm = sc::Communicator::world();
  for (bool final_newline : {true, false})
    for (bool gzip : {false, true}) {
      std::string text = make_csv(1003, final_newline);
      std::string path = ::testing::TempDir() + "/shards_np" + std::to_string(comm.size()) + (gzip ? ".csv.gz" : ".csv");
      if (comm.is_root()) {
        if (gzip) {
          gzFile out = gzopen(path.c_str(), "wb");
          gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
          gzclose(out);
        } else {
          std::ofstream(path, std::ios::binary) << text;
        }
      }
      comm.barrier();
      sc::CsvShardReader reader(comm, path, true, 100, false);
      EXPECT_EQ(reader.header_line(), "\"id\",\"x\"");
      EXPECT_EQ(reader.data_lines(), 1003);
      EXPECT_EQ(reader.shard_count(), 11);
      EXPECT_EQ(reader.gzip(), gzip);
      auto shards = gather(comm, reader);
      ASSERT_EQ(shards.size(), 11u);
      std::string joined;
      for (auto& [index, shard] : shards) {
        EXPECT_EQ(shard.first, 2 + index * 100);
        joined += shard.second;
      }
      EXPECT_EQ("\"id\",\"x\"\n" + joined, text) << "shards must tile the file exactly";
      // The shards of this rank are those with index % size == rank.
      for (auto& shard : reader.owned_shards()) EXPECT_EQ(shard.index % comm.size(), comm.rank());
      comm.barrier();
    }
}

TEST(CsvShards, TruncatedGzipIsAnInputError) {
  auto comm = sc::Communicator::world();
  std::string path = ::testing::TempDir() + "/truncated_np" + std::to_string(comm.size()) + ".csv.gz";
  if (comm.is_root()) {
    std::string text = make_csv(20000, true);
    std::string full = path + ".full";
    gzFile out = gzopen(full.c_str(), "wb");
    gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
    gzclose(out);
    std::ifstream in(full, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  comm.barrier();
  try {
    sc::CsvShardReader reader(comm, path, true, 100, false);
    ADD_FAILURE() << "a truncated gzip file was accepted";
  } catch (const sc::Error& e) {
    EXPECT_EQ(e.code(), sc::ExitCode::input);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}
