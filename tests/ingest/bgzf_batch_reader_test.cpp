// Our own BGZF reading (bgzf_batch_reader.hpp) against htslib's: the same bytes from any start
// offset, whatever the batch size and however the reads cut the stream across batches; a damaged
// or cut block is an error naming the file and the block's byte offset.
#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <random>
#include <string>
#include <vector>

#include "genome_test_files.hpp"
#include "stages/ingest/bgzf_batch_reader.hpp"

namespace {

std::string temp(const std::string& name) { return ::testing::TempDir() + "/bgzf_batch_reader_test_" + name; }

// A stream that compresses to many blocks of varied sizes: runs of a repeated byte (which inflate
// from small blocks) between stretches of noise.
std::string varied_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    const size_t run = 1 + rng() % 20000;
    if (rng() % 2) {
      out.append(run, static_cast<char>(rng()));
    } else {
      for (size_t i = 0; i < run; ++i) out.push_back(static_cast<char>(rng()));
    }
  }
  out.resize(size);
  return out;
}

// Reads `size` bytes of the stream from `start` in takes of random sizes, then checks that the
// stream ends there.
std::string read_all(const std::string& path, uint64_t start, size_t size, size_t blocks_per_batch, uint32_t seed) {
  sc::BgzfBatchReader reader(path, start, blocks_per_batch);
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    const size_t n = std::min<size_t>(1 + rng() % 70000, size - out.size());
    const uint8_t* p = reader.take(n);
    if (!p) throw sc::BgzfDamage("the stream ended " + std::to_string(size - out.size()) + " bytes early");
    out.append(reinterpret_cast<const char*>(p), n);
  }
  EXPECT_EQ(reader.take(1), nullptr);
  EXPECT_TRUE(reader.at_end());
  return out;
}

}  // namespace

TEST(BgzfBatchReader, SameBytesAsHtslibFromAnyStartAndBatchSize) {
  const std::string data = varied_bytes(3'000'000, 7);
  const std::string path = temp("varied.gz");
  sc::testing::write_bgzf(path, data);

  // Virtual offsets of a few positions, as htslib's reader gives them.
  std::vector<std::pair<size_t, uint64_t>> starts;
  {
    BGZF* in = bgzf_open(path.c_str(), "r");
    ASSERT_NE(in, nullptr);
    std::vector<char> buffer(data.size());
    size_t at = 0;
    for (size_t next : {size_t{0}, size_t{1}, size_t{65'535}, size_t{65'536}, size_t{1'234'567}, data.size()}) {
      if (next > at) {
        ASSERT_EQ(bgzf_read(in, buffer.data(), next - at), static_cast<ssize_t>(next - at));
      }
      at = next;
      starts.emplace_back(at, static_cast<uint64_t>(bgzf_tell(in)));
    }
    bgzf_close(in);
  }
  for (const auto& [offset, virtual_offset] : starts)
    for (size_t blocks : {size_t{1}, size_t{2}, size_t{3}, size_t{256}}) {
      SCOPED_TRACE("start " + std::to_string(offset) + ", " + std::to_string(blocks) + " blocks per batch");
      EXPECT_TRUE(read_all(path, virtual_offset, data.size() - offset, blocks, static_cast<uint32_t>(offset + blocks)) ==
                  data.substr(offset));
    }
}

TEST(BgzfBatchReader, DamagedOrCutBlocksNameTheFileAndBlock) {
  const std::string data = varied_bytes(1'000'000, 11);
  const std::string path = temp("intact.gz");
  sc::testing::write_bgzf(path, data);
  const std::string bytes = sc::testing::read_file(path);
  auto expect_damage = [&](const std::string& name, const std::string& content, const std::string& what) {
    const std::string damaged = temp(name);
    sc::testing::write_text(damaged, content);
    try {
      read_all(damaged, 0, data.size(), 2, 1);
      ADD_FAILURE() << name << ": no error";
    } catch (const sc::BgzfDamage& e) {
      EXPECT_NE(std::string(e.what()).find(damaged + ": BGZF block at byte "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x10);  // inside some block's data
  expect_damage("flipped.gz", flipped, "");  // inflate failure or CRC-32 mismatch, depending on the bit
  expect_damage("cut.gz", bytes.substr(0, bytes.size() / 2), "the file ends inside the block");
  std::string not_bgzf = bytes;
  not_bgzf[0] = 'X';
  expect_damage("magic.gz", not_bgzf, "not a BGZF block header");
}

TEST(BgzfBatchReader, DamageIsMetAtTheSameStreamByteWhateverTheBatchSize) {
  // The bytes before a damaged block are served, so the read that meets the damage (for genome
  // ingest, the record) is the same however the blocks were batched.
  const std::string data = varied_bytes(1'500'000, 13);
  const std::string path = temp("to_flip.gz");
  sc::testing::write_bgzf(path, data);
  std::string bytes = sc::testing::read_file(path);
  bytes[bytes.size() * 2 / 3] = static_cast<char>(bytes[bytes.size() * 2 / 3] ^ 0x20);
  const std::string flipped = temp("flipped_middle.gz");
  sc::testing::write_text(flipped, bytes);
  std::vector<size_t> served;
  for (size_t blocks : {size_t{1}, size_t{2}, size_t{5}, size_t{256}}) {
    sc::BgzfBatchReader reader(flipped, 0, blocks);
    size_t got = 0;
    try {
      while (reader.take(1000)) got += 1000;
      ADD_FAILURE() << "no error with " << blocks << " blocks per batch";
    } catch (const sc::BgzfDamage& e) {
      EXPECT_NE(std::string(e.what()).find(flipped + ": BGZF block at byte "), std::string::npos) << e.what();
    }
    served.push_back(got);
  }
  EXPECT_GT(served[0], 0u);
  EXPECT_LT(served[0], data.size());
  for (size_t s : served) EXPECT_EQ(s, served[0]);
}

TEST(BgzfBatchReader, RestartReadsFromTheNewStartPastTheReadAheadBound) {
  const std::string data = varied_bytes(2'000'000, 17);
  const std::string path = temp("restart.gz");
  sc::testing::write_bgzf(path, data);
  // Virtual offsets of every 100,000th byte.
  std::vector<uint64_t> offsets;
  {
    BGZF* in = bgzf_open(path.c_str(), "r");
    ASSERT_NE(in, nullptr);
    std::vector<char> buffer(100'000);
    for (size_t at = 0; at < data.size(); at += 100'000) {
      offsets.push_back(static_cast<uint64_t>(bgzf_tell(in)));
      ASSERT_EQ(bgzf_read(in, buffer.data(), buffer.size()), 100'000);
    }
    bgzf_close(in);
  }
  sc::BgzfBatchReader reader(path, offsets[3], 3);
  ASSERT_NE(reader.take(250'000), nullptr);  // leaves batches read ahead behind
  for (size_t k : {size_t{12}, size_t{1}, size_t{7}}) {
    // Read-ahead bounded a few blocks after the start: the rest comes a few blocks at a time.
    const int64_t bound = static_cast<int64_t>(offsets[k] >> 16) + 1;
    reader.restart(offsets[k], bound);
    std::string out;
    while (const uint8_t* p = reader.take(30'000)) out.append(reinterpret_cast<const char*>(p), 30'000);
    SCOPED_TRACE("restart at byte " + std::to_string(k * 100'000));
    const std::string expected = data.substr(k * 100'000);
    EXPECT_EQ(out.size(), expected.size() / 30'000 * 30'000);
    EXPECT_TRUE(out == expected.substr(0, out.size()));
    EXPECT_FALSE(reader.at_end());  // the last takes' tail: fewer than 30,000 bytes were left
  }
}

TEST(BgzfBatchReader, BlockHookSeesEachBlockOnceAndNotesFindTheirBlock) {
  // The hook notes each block's size and a digest of its bytes; reading the stream a byte at a
  // time, notes_for() must name the block holding each byte at the right offset, and the noted
  // sizes must add up to the stream.
  const std::string data = varied_bytes(1'500'000, 11);
  const std::string path = temp("hooked.gz");
  sc::testing::write_bgzf(path, data);
  for (size_t blocks : {size_t{1}, size_t{3}, size_t{256}}) {
    SCOPED_TRACE(std::to_string(blocks) + " blocks per batch");
    sc::BgzfBatchReader reader(path, 0, blocks);
    reader.set_block_hook([](const uint8_t* bytes, size_t size, std::vector<uint64_t>& notes) {
      uint64_t sum = 0;
      for (size_t i = 0; i < size; ++i) sum = sum * 31 + bytes[i];
      notes = {size, sum};
    });
    size_t stream = 0, blocks_seen = 0, noted_bytes = 0;
    uint64_t sum = 0;
    while (const uint8_t* p = reader.take(1)) {
      size_t offset = 0;
      const std::vector<uint64_t>* notes = reader.notes_for(p, offset);
      ASSERT_NE(notes, nullptr) << "byte " << stream;
      ASSERT_EQ(notes->size(), 2u);
      ASSERT_LT(offset, (*notes)[0]);
      if (offset == 0) {  // a block starts: the last one's bytes must give its noted digest
        ++blocks_seen;
        noted_bytes += (*notes)[0];
        sum = 0;
      }
      sum = sum * 31 + *p;
      if (offset + 1 == (*notes)[0]) {
        ASSERT_EQ(sum, (*notes)[1]) << "block ending at byte " << stream;
      }
      ++stream;
    }
    EXPECT_EQ(stream, data.size());
    EXPECT_EQ(noted_bytes, data.size());
    EXPECT_GT(blocks_seen, 20u);
    // A value carried across two batches has no notes.
    sc::BgzfBatchReader carried(path, 0, 1);
    carried.set_block_hook([](const uint8_t*, size_t, std::vector<uint64_t>& notes) { notes = {1}; });
    size_t offset = 0;
    const uint8_t* first = carried.take(1);
    ASSERT_NE(carried.notes_for(first, offset), nullptr);
    const uint8_t* across = carried.take(70'000);  // more than a block: carried
    ASSERT_NE(across, nullptr);
    EXPECT_EQ(carried.notes_for(across, offset), nullptr);
  }
}
