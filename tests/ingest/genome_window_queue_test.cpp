// The window queue between rank 0's decoder and its main thread: windows are held back until the
// decoder finishes or the budget is exceeded (so small bad panels commit nothing), a failure drops
// what is held, streaming bounds the bytes in flight, and a cancelled consumer stops the decoder.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

// Whether pop() returns within a short wait (it blocks while windows are held back).
bool pops_soon(sc::GenomeWindowQueue& queue, std::optional<sc::DecodedWindow>& out) {
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    out = queue.pop();
    done = true;
  });
  for (int i = 0; i < 50 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const bool soon = done;
  if (!soon) queue.finish(false);  // unblock the consumer
  consumer.join();
  return soon;
}

}  // namespace

TEST(GenomeWindowQueue, HoldsBackUntilTheDecoderFinishes) {
  sc::GenomeWindowQueue queue(1 << 20);
  ASSERT_TRUE(queue.push(window(0, 10)));
  ASSERT_TRUE(queue.push(window(1, 10)));
  std::optional<sc::DecodedWindow> out;
  EXPECT_FALSE(pops_soon(queue, out)) << "a window left the queue before the whole panel was checked";
  EXPECT_FALSE(out.has_value()) << "after a failure nothing held may be handed out";
  EXPECT_TRUE(queue.held_whole_input());
}

TEST(GenomeWindowQueue, FinishedPanelComesOutInOrder) {
  sc::GenomeWindowQueue queue(1 << 20);
  for (int64_t i = 0; i < 3; ++i) ASSERT_TRUE(queue.push(window(i, 10)));
  queue.finish(true);
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
  queue.finish(false);
  EXPECT_FALSE(queue.pop().has_value()) << "windows queued before the failure must not be written";

  sc::GenomeWindowQueue cancelled(budget);
  ASSERT_TRUE(cancelled.push(window(0, 1000)));
  ASSERT_TRUE(cancelled.push(window(1, 1000)));
  std::thread decoder([&] { EXPECT_FALSE(cancelled.push(window(2, 1000))); });  // blocks: full
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  cancelled.cancel();
  decoder.join();
}
