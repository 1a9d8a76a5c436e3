// The per-CPU output ring: whole records, wrap-around, drops counted, and a
// producer and a consumer on two threads never see a torn record.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "utap/ring.h"
}

namespace {

struct Record {
  uint64_t seq;
  uint32_t kind;
  std::string payload;
};

std::vector<Record> parse(const std::vector<char>& buf, uint64_t len) {
  std::vector<Record> out;
  for (uint64_t at = 0; at < len;) {
    utap_record_header h;
    std::memcpy(&h, buf.data() + at, sizeof(h));
    out.push_back({h.seq, h.kind, std::string(buf.data() + at + sizeof(h), h.len)});
    at += UTAP_RECORD_SPACE(h.len);
  }
  return out;
}

TEST(RuntimeRing, RejectsBadSizes) {
  utap_ring r;
  EXPECT_EQ(utap_ring_init(&r, 100), -EINVAL);
  EXPECT_EQ(utap_ring_init(&r, 32), -EINVAL);
  ASSERT_EQ(utap_ring_init(&r, 64), 0);
  utap_ring_free(&r);
}

TEST(RuntimeRing, RecordsComeOutWholeAndInOrder) {
  utap_ring r;
  ASSERT_EQ(utap_ring_init(&r, 1024), 0);
  EXPECT_TRUE(utap_ring_put(&r, 1, UTAP_RECORD_OUTPUT, "hello\n", 6));
  EXPECT_TRUE(utap_ring_put(&r, 2, UTAP_RECORD_ERROR, "ERROR: x", 8));
  EXPECT_TRUE(utap_ring_put(&r, 3, UTAP_RECORD_OUTPUT, "", 0));
  std::vector<char> buf(1024);
  uint64_t n = utap_ring_get(&r, buf.data(), buf.size());
  auto records = parse(buf, n);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].payload, "hello\n");
  EXPECT_EQ(records[1].kind, uint32_t(UTAP_RECORD_ERROR));
  EXPECT_EQ(records[2].seq, 3u);
  EXPECT_EQ(utap_ring_get(&r, buf.data(), buf.size()), 0u);
  utap_ring_free(&r);
}

TEST(RuntimeRing, FullRingDropsWholeRecordsAndCountsThem) {
  utap_ring r;
  ASSERT_EQ(utap_ring_init(&r, 128), 0);
  std::string payload(40, 'x');  // 16 + 40 = 56 bytes each
  EXPECT_TRUE(utap_ring_put(&r, 1, UTAP_RECORD_OUTPUT, payload.data(), payload.size()));
  EXPECT_TRUE(utap_ring_put(&r, 2, UTAP_RECORD_OUTPUT, payload.data(), payload.size()));
  EXPECT_FALSE(utap_ring_put(&r, 3, UTAP_RECORD_OUTPUT, payload.data(), payload.size()));
  EXPECT_EQ(r.dropped, 40u);
  EXPECT_EQ(r.dropped_records, 1u);
  std::string huge(500, 'y');
  EXPECT_FALSE(utap_ring_put(&r, 4, UTAP_RECORD_OUTPUT, huge.data(), huge.size()));
  EXPECT_EQ(r.dropped, 540u);
  utap_ring_free(&r);
}

TEST(RuntimeRing, SmallReadBuffersTakeWholeRecordsOnly) {
  utap_ring r;
  ASSERT_EQ(utap_ring_init(&r, 256), 0);
  EXPECT_TRUE(utap_ring_put(&r, 1, UTAP_RECORD_OUTPUT, "abcdefgh", 8));  // 24 bytes
  EXPECT_TRUE(utap_ring_put(&r, 2, UTAP_RECORD_OUTPUT, "ijklmnop", 8));
  std::vector<char> buf(40);
  EXPECT_EQ(utap_ring_get(&r, buf.data(), 20), 0u);
  EXPECT_EQ(utap_ring_get(&r, buf.data(), 40), 24u);
  EXPECT_EQ(parse(buf, 24).at(0).payload, "abcdefgh");
  EXPECT_EQ(utap_ring_get(&r, buf.data(), 40), 24u);
  EXPECT_EQ(parse(buf, 24).at(0).payload, "ijklmnop");
  utap_ring_free(&r);
}

TEST(RuntimeRing, WrapsAroundManyTimes) {
  utap_ring r;
  ASSERT_EQ(utap_ring_init(&r, 256), 0);
  std::vector<char> buf(256);
  for (uint64_t i = 1; i <= 1000; ++i) {
    std::string payload = "record " + std::to_string(i) + std::string(i % 37, '.');
    ASSERT_TRUE(utap_ring_put(&r, i, UTAP_RECORD_OUTPUT, payload.data(), payload.size()));
    uint64_t n = utap_ring_get(&r, buf.data(), buf.size());
    auto records = parse(buf, n);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].seq, i);
    EXPECT_EQ(records[0].payload, payload);
  }
  utap_ring_free(&r);
}

// One producer thread, one consumer thread: every record arrives intact or
// is counted as dropped; nothing else.
TEST(RuntimeRing, ProducerAndConsumerOnTwoThreads) {
  utap_ring r;
  ASSERT_EQ(utap_ring_init(&r, 4096), 0);
  constexpr uint64_t kRecords = 200000;
  std::atomic<bool> done{false};
  uint64_t written = 0;
  std::thread producer([&] {
    for (uint64_t i = 1; i <= kRecords; ++i) {
      std::string payload = std::to_string(i) + ":" + std::string(i % 50, char('a' + i % 26));
      written += utap_ring_put(&r, i, UTAP_RECORD_OUTPUT, payload.data(), payload.size());
    }
    done.store(true, std::memory_order_release);
  });
  uint64_t received = 0, lastSeq = 0;
  bool intact = true;
  std::vector<char> buf(1024);
  for (;;) {
    bool finished = done.load(std::memory_order_acquire);
    uint64_t n = utap_ring_get(&r, buf.data(), buf.size());
    for (const auto& rec : parse(buf, n)) {
      std::string expected = std::to_string(rec.seq) + ":" + std::string(rec.seq % 50, char('a' + rec.seq % 26));
      intact &= rec.payload == expected && rec.seq > lastSeq;
      lastSeq = rec.seq;
      ++received;
    }
    if (finished && n == 0) break;
  }
  producer.join();
  EXPECT_TRUE(intact);
  EXPECT_EQ(received, written);
  EXPECT_EQ(received + r.dropped_records, kRecords);
  utap_ring_free(&r);
}

}  // namespace
