// The window queue between rank 0's decoder and its main thread: windows are handed out at once
// but released (may be committed or sent) only when the decoder finishes or the budget is
// exceeded (so small bad panels commit nothing), a failure drops what is queued and never
// releases, the queue bounds the bytes in flight, and a cancelled consumer stops the decoder.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "stages/ingest/genome_window_queue.hpp"

namespace {

sc::DecodedWindow window(int64_t index, size_t words) {
  sc::DecodedWindow item;
  item.window.index = index;
  item.window.position = {1};
  item.window.cm = {0.0};
  item.window.contig = {0};
  item.window.id = item.window.ref = item.window.alt = {"x"};
  item.window.haplotypes = static_cast<int64_t>(words);
  item.window.bits.assign(words, 0);
  return item;
}

}  // namespace

TEST(GenomeWindowQueue, HandsOutAtOnceButReleasesOnlyWhenTheDecoderFinishes) {
  sc::GenomeWindowQueue queue(1 << 20);
  ASSERT_TRUE(queue.push(window(0, 10)));
  ASSERT_TRUE(queue.push(window(1, 10)));
  auto first = queue.pop();  // written at once (to a temporary file) while decoding goes on
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->window.index, 0);
  EXPECT_FALSE(queue.released()) << "released before the whole panel was checked";
  auto waiter = std::async(std::launch::async, [&] { return queue.wait_for_release(); });
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  queue.finish(false);
  EXPECT_FALSE(waiter.get()) << "a failed panel is never released";
  EXPECT_FALSE(queue.released());
  EXPECT_FALSE(queue.pop().has_value()) << "after a failure nothing queued may be handed out";
  EXPECT_TRUE(queue.held_whole_input());
}

TEST(GenomeWindowQueue, FinishedPanelComesOutInOrder) {
  sc::GenomeWindowQueue queue(1 << 20);
  for (int64_t i = 0; i < 3; ++i) ASSERT_TRUE(queue.push(window(i, 10)));
  EXPECT_FALSE(queue.released());
  queue.finish(true);
  EXPECT_TRUE(queue.released());
  EXPECT_TRUE(queue.wait_for_release());
  for (int64_t i = 0; i < 3; ++i) {
    auto item = queue.pop();
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->window.index, i);
  }
  EXPECT_FALSE(queue.pop().has_value());
  EXPECT_TRUE(queue.held_whole_input());
}

TEST(GenomeWindowQueue, StreamsPastTheBudgetAndBoundsWhatIsQueued) {
  const size_t budget = window(0, 1000).window.bytes() * 2;  // room for two windows
  sc::GenomeWindowQueue queue(budget);
  std::atomic<int> pushed{0};
  std::thread decoder([&] {
    for (int64_t i = 0; i < 10; ++i) {
      if (!queue.push(window(i, 1000))) return;
      ++pushed;
    }
    queue.finish(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_LE(pushed.load(), 4) << "the decoder ran ahead of the budget";
  EXPECT_TRUE(queue.released()) << "more than the budget decoded: windows stream";
  for (int64_t i = 0; i < 10; ++i) {
    auto item = queue.pop();
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->window.index, i);
  }
  decoder.join();
  EXPECT_FALSE(queue.pop().has_value());
  EXPECT_FALSE(queue.held_whole_input());
}

TEST(GenomeWindowQueue, FailureAfterReleaseDropsTheRestAndCancelStopsTheDecoder) {
  const size_t budget = window(0, 1000).window.bytes();
  sc::GenomeWindowQueue queue(budget);
  ASSERT_TRUE(queue.push(window(0, 1000)));
  ASSERT_TRUE(queue.push(window(1, 1000)));  // over the budget: released
  auto first = queue.pop();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(queue.released());
  queue.finish(false);
  EXPECT_FALSE(queue.released()) << "nothing more is committed after a failure";
  EXPECT_FALSE(queue.pop().has_value()) << "windows queued before the failure must not be written";

  sc::GenomeWindowQueue cancelled(budget);
  ASSERT_TRUE(cancelled.push(window(0, 1000)));
  ASSERT_TRUE(cancelled.push(window(1, 1000)));
  std::thread decoder([&] { EXPECT_FALSE(cancelled.push(window(2, 1000))); });  // blocks: full
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  cancelled.cancel();
  decoder.join();
}
