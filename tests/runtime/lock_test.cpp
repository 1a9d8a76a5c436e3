// Global-variable locks: readers share, a writer excludes; trylock gives up
// after the retries it was given; a handler's list is taken in order with
// interrupts off and released in reverse; on failure nothing stays held.
// Then a stress test: threads as CPUs running handlers that `<<<` into a
// scalar statistic and a statistic array under read locks and count into a
// long array under a write lock, while a reader merges; nothing is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern "C" {
#include "utap/lock.h"
#include "utap/limit_defaults.h"
#include "utap/map.h"
#include "utap/stat.h"
}

// The user-space rwlock reports to this when a test defines it.
namespace {
thread_local std::vector<std::pair<const void*, char>>* trace = nullptr;
}
extern "C" void utap_test_lock_trace(const void* lock, char op) {
  if (trace) trace->emplace_back(lock, op);
}

namespace {

class RuntimeLock : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& l : locks) utap_lock_init(&l);
    utap_test_irqs_off = 0;
  }
  bool Free(utap_lock* l) {
    if (!utap_lock_write_try(l, 0)) return false;
    utap_lock_write_release(l);
    return true;
  }
  utap_lock locks[4];
};

TEST_F(RuntimeLock, ReadersShareAWriterExcludes) {
  utap_lock* l = &locks[0];
  ASSERT_TRUE(utap_lock_read_try(l, 0));
  ASSERT_TRUE(utap_lock_read_try(l, 0));
  EXPECT_FALSE(utap_lock_write_try(l, 0));
  utap_lock_read_release(l);
  EXPECT_FALSE(utap_lock_write_try(l, 0));
  utap_lock_read_release(l);
  ASSERT_TRUE(utap_lock_write_try(l, 0));
  EXPECT_FALSE(utap_lock_read_try(l, 0));
  EXPECT_FALSE(utap_lock_write_try(l, 0));
  utap_lock_write_release(l);
  EXPECT_TRUE(Free(l));
  EXPECT_EQ(atomic_read(&l->contended), 4);
  EXPECT_EQ(atomic_read(&l->skipped), 0);
}

TEST_F(RuntimeLock, TrylockGivesUpAfterItsRetries) {
  utap_lock* l = &locks[0];
  ASSERT_TRUE(utap_lock_write_try(l, 0));
  EXPECT_FALSE(utap_lock_read_try(l, 5));  // 1 attempt + 5 retries
  EXPECT_EQ(atomic_read(&l->contended), 6);
  EXPECT_FALSE(utap_lock_write_try(l, MAXTRYLOCK));
  EXPECT_EQ(atomic_read(&l->contended), 6 + MAXTRYLOCK + 1);
  utap_lock_write_release(l);
  EXPECT_TRUE(utap_lock_read_try(l, MAXTRYLOCK));
  utap_lock_read_release(l);
  EXPECT_EQ(atomic_read(&l->contended), 6 + MAXTRYLOCK + 1);
}

TEST_F(RuntimeLock, TrylockSucceedsWhenTheHolderLetsGoInTime) {
  utap_lock* l = &locks[0];
  ASSERT_TRUE(utap_lock_write_try(l, 0));
  std::atomic<bool> started{false};
  std::thread holder([&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    utap_lock_write_release(l);
  });
  while (!started) std::this_thread::yield();
  EXPECT_TRUE(utap_lock_read_try(l, 100000000));
  holder.join();
  utap_lock_read_release(l);
  EXPECT_GT(atomic_read(&l->contended), 0);
}

TEST_F(RuntimeLock, ListTakenInOrderReleasedInReverseWithInterruptsOff) {
  const utap_lock_use set[] = {
      {&locks[0], UTAP_LOCK_READ},
      {&locks[1], UTAP_LOCK_WRITE},
      {&locks[3], UTAP_LOCK_READ},
  };
  std::vector<std::pair<const void*, char>> seen;
  trace = &seen;
  unsigned long flags = 42;
  ASSERT_TRUE(utap_locks_take(set, 3, MAXTRYLOCK, &flags));
  EXPECT_EQ(utap_test_irqs_off, 1ul);
  EXPECT_EQ(flags, 0ul);  // interrupts were on
  utap_locks_release(set, 3, flags);
  trace = nullptr;
  EXPECT_EQ(utap_test_irqs_off, 0ul);
  const std::vector<std::pair<const void*, char>> expected = {
      {&locks[0].rw, 'r'}, {&locks[1].rw, 'w'}, {&locks[3].rw, 'r'},
      {&locks[3].rw, 'R'}, {&locks[1].rw, 'W'}, {&locks[0].rw, 'R'},
  };
  EXPECT_EQ(seen, expected);
  for (auto& l : locks) EXPECT_TRUE(Free(&l));
}

TEST_F(RuntimeLock, InterruptStateIsRestoredNotForcedOn) {
  const utap_lock_use set[] = {{&locks[0], UTAP_LOCK_WRITE}};
  utap_test_irqs_off = 1;  // a hardirq handler: already off
  unsigned long flags;
  ASSERT_TRUE(utap_locks_take(set, 1, 0, &flags));
  utap_locks_release(set, 1, flags);
  EXPECT_EQ(utap_test_irqs_off, 1ul);
  utap_test_irqs_off = 0;
}

TEST_F(RuntimeLock, FailureLeavesNothingHeld) {
  ASSERT_TRUE(utap_lock_write_try(&locks[2], 0));  // another handler has it
  const utap_lock_use set[] = {
      {&locks[0], UTAP_LOCK_READ},
      {&locks[1], UTAP_LOCK_WRITE},
      {&locks[2], UTAP_LOCK_READ},
      {&locks[3], UTAP_LOCK_WRITE},
  };
  std::vector<std::pair<const void*, char>> seen;
  trace = &seen;
  unsigned long flags;
  EXPECT_FALSE(utap_locks_take(set, 4, 3, &flags));
  trace = nullptr;
  EXPECT_EQ(utap_test_irqs_off, 0ul);
  const std::vector<std::pair<const void*, char>> expected = {
      {&locks[0].rw, 'r'}, {&locks[1].rw, 'w'}, {&locks[1].rw, 'W'}, {&locks[0].rw, 'R'},
  };
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(atomic_read(&locks[2].skipped), 1);
  EXPECT_EQ(atomic_read(&locks[2].contended), 4);  // 1 + 3 retries
  EXPECT_EQ(atomic_read(&locks[0].skipped), 0);
  EXPECT_TRUE(Free(&locks[0]));
  EXPECT_TRUE(Free(&locks[1]));
  EXPECT_TRUE(Free(&locks[3]));
  utap_lock_write_release(&locks[2]);
}

// The wait between attempts of OneRetryBudgetForTheWholeList: the holder
// of locks[1] lets go after its third failed attempt, at that exact point
// (a releasing thread raced the retries on a loaded machine).
namespace {
utap_lock* heldUntilThirdAttempt = nullptr;
void releaseAfterThirdAttempt() {
  if (heldUntilThirdAttempt && atomic_read(&heldUntilThirdAttempt->contended) == 3) {
    utap_lock_write_release(heldUntilThirdAttempt);
    heldUntilThirdAttempt = nullptr;
  }
}
}  // namespace

TEST_F(RuntimeLock, OneRetryBudgetForTheWholeList) {
  ASSERT_TRUE(utap_lock_write_try(&locks[1], 0));
  ASSERT_TRUE(utap_lock_write_try(&locks[3], 0));
  // locks[1] is let go after three failed attempts; locks[3] never: it gets
  // what is left of the list's budget, not a budget of its own.
  heldUntilThirdAttempt = &locks[1];
  utap_test_udelay_hook = releaseAfterThirdAttempt;
  const utap_lock_use set[] = {{&locks[1], UTAP_LOCK_READ}, {&locks[3], UTAP_LOCK_READ}};
  unsigned long flags;
  const bool took = utap_locks_take(set, 2, MAXTRYLOCK, &flags);
  utap_test_udelay_hook = nullptr;
  EXPECT_FALSE(took);
  const int failed1 = atomic_read(&locks[1].contended);
  const int failed3 = atomic_read(&locks[3].contended);
  EXPECT_EQ(failed1, 3);
  EXPECT_EQ(failed1 + failed3, MAXTRYLOCK + 1);
  EXPECT_EQ(atomic_read(&locks[1].skipped), 0);
  EXPECT_EQ(atomic_read(&locks[3].skipped), 1);
  EXPECT_TRUE(Free(&locks[1]));
  utap_lock_write_release(&locks[3]);
}

TEST_F(RuntimeLock, EmptyListStillTurnsInterruptsOff) {
  unsigned long flags;
  ASSERT_TRUE(utap_locks_take(nullptr, 0, MAXTRYLOCK, &flags));
  EXPECT_EQ(utap_test_irqs_off, 1ul);
  utap_locks_release(nullptr, 0, flags);
  EXPECT_EQ(utap_test_irqs_off, 0ul);
}

TEST_F(RuntimeLock, ListOutOfOrderIsRefused) {
  const utap_lock_use backwards[] = {{&locks[2], UTAP_LOCK_READ}, {&locks[1], UTAP_LOCK_READ}};
  const utap_lock_use twice[] = {{&locks[1], UTAP_LOCK_READ}, {&locks[1], UTAP_LOCK_WRITE}};
  unsigned long flags;
  EXPECT_FALSE(utap_locks_take(backwards, 2, MAXTRYLOCK, &flags));
  EXPECT_FALSE(utap_locks_take(twice, 2, MAXTRYLOCK, &flags));
  EXPECT_EQ(utap_test_irqs_off, 0ul);
  for (auto& l : locks) EXPECT_TRUE(Free(&l));
}

// Threads play CPUs: thread i runs on "CPU" i, as one task per CPU would.
TEST(RuntimeLockStress, HandlersOnManyCpusLoseNothing) {
  constexpr unsigned int kCpus = 8;
  constexpr int kIterations = 20000;
  const unsigned int saved_cpus = utap_test_nr_cpus;
  utap_test_nr_cpus = kCpus;

  // Globals in declaration order, locks in one array (address order).
  utap_lock locks[3];
  for (auto& l : locks) utap_lock_init(&l);
  utap_lock* const lock_total = &locks[0];  // `total <<< v`
  utap_lock* const lock_by_key = &locks[1];  // `by_key[k] <<< 1`
  utap_lock* const lock_counts = &locks[2];  // `counts[k]++`

  utap_stat total{};
  utap_stat_desc total_desc{};
  total_desc.hist = UTAP_HIST_LOG;
  total_desc.variance = true;
  ASSERT_EQ(utap_stat_init(&total, &total_desc), 0);

  utap_map_desc by_key_desc{};
  by_key_desc.name = "by_key";
  by_key_desc.nkeys = 2;
  by_key_desc.key_types[0] = UTAP_TYPE_LONG;
  by_key_desc.key_types[1] = UTAP_TYPE_STRING;
  by_key_desc.value_type = UTAP_TYPE_STAT;
  by_key_desc.max_entries = 200;
  utap_map by_key{};
  ASSERT_EQ(utap_map_init(&by_key, &by_key_desc), 0);

  utap_map_desc counts_desc{};
  counts_desc.name = "counts";
  counts_desc.nkeys = 1;
  counts_desc.key_types[0] = UTAP_TYPE_LONG;
  counts_desc.value_type = UTAP_TYPE_LONG;
  counts_desc.sort_slots = 1;
  utap_map counts{};
  ASSERT_EQ(utap_map_init(&counts, &counts_desc), 0);

  std::atomic<int64_t> added{0}, counted{0}, skipped{0}, overflow{0};
  std::atomic<bool> bad_read{false};

  auto cpu = [&](unsigned int id) {
    utap_test_cpu = id;
    int64_t last_count = 0;
    const std::string names[] = {"read", "write", "open"};
    for (int i = 0; i < kIterations; i++) {
      // Handler 1: two `<<<` under read locks.
      {
        const utap_lock_use set[] = {{lock_total, UTAP_LOCK_READ}, {lock_by_key, UTAP_LOCK_READ}};
        unsigned long flags;
        if (utap_locks_take(set, 2, MAXTRYLOCK, &flags)) {
          utap_stat_add(&total, i % 100 - 20);
          utap_key k[] = {{int64_t(i % 50), nullptr}, {0, names[i % 3].c_str()}};
          if (utap_map_stat_add(&by_key, k, 1)) overflow++;
          utap_locks_release(set, 2, flags);
          added++;
        } else {
          skipped++;
        }
      }
      // Handler 2: `counts[k]++` under the write lock.
      {
        const utap_lock_use set[] = {{lock_counts, UTAP_LOCK_WRITE}};
        unsigned long flags;
        if (utap_locks_take(set, 1, MAXTRYLOCK, &flags)) {
          utap_key k[] = {{int64_t(i % 10), nullptr}};
          if (utap_map_add_long(&counts, k, 1, nullptr)) overflow++;
          utap_locks_release(set, 1, flags);
          counted++;
        } else {
          skipped++;
        }
      }
      // Handler 3, now and then: read the aggregates (write locks), and a
      // sorted foreach over counts.
      if (i % 97 == 0) {
        const utap_lock_use set[] = {{lock_total, UTAP_LOCK_WRITE},
                                     {lock_by_key, UTAP_LOCK_WRITE},
                                     {lock_counts, UTAP_LOCK_WRITE}};
        unsigned long flags;
        if (utap_locks_take(set, 3, MAXTRYLOCK, &flags)) {
          const utap_stat_data* d = utap_stat_get(&total);
          int64_t by_hist = 0;
          for (unsigned int b = 0; b < UTAP_HIST_LOG_BUCKETS; b++) by_hist += d->histogram[b];
          if (d->count < last_count || by_hist != d->count) bad_read = true;
          last_count = d->count;
          int64_t in_map = 0;
          utap_map_iter it;
          utap_map_iter_start(&it, &by_key, nullptr, 0, UTAP_MAP_NO_LIMIT);
          while (utap_map_entry* e = utap_map_iter_next(&it)) in_map += utap_map_entry_stat(&by_key, e)->count;
          if (in_map != d->count) bad_read = true;
          utap_map_order order{UTAP_MAP_BY_VALUE, UTAP_STAT_COUNT, true};
          if (utap_map_iter_start_sorted(&it, &counts, 0, &order, nullptr, 0, 3)) bad_read = true;
          int64_t prev = INT64_MAX;
          while (utap_map_entry* e = utap_map_iter_next(&it)) {
            int64_t v = utap_map_entry_long(&counts, e);
            if (v > prev) bad_read = true;
            prev = v;
          }
          utap_locks_release(set, 3, flags);
        } else {
          skipped++;
        }
      }
    }
  };

  std::vector<std::thread> threads;
  for (unsigned int id = 0; id < kCpus; id++) threads.emplace_back(cpu, id);
  for (auto& t : threads) t.join();
  utap_test_cpu = 0;

  EXPECT_FALSE(bad_read);
  EXPECT_EQ(overflow, 0);
  EXPECT_EQ(added + counted + skipped > 0, true);
  const utap_stat_data* d = utap_stat_get(&total);
  EXPECT_EQ(d->count, added.load());
  int64_t in_map = 0;
  utap_map_iter it;
  utap_map_iter_start(&it, &by_key, nullptr, 0, UTAP_MAP_NO_LIMIT);
  while (utap_map_entry* e = utap_map_iter_next(&it)) in_map += utap_map_entry_stat(&by_key, e)->count;
  EXPECT_EQ(in_map, added.load());
  EXPECT_EQ(utap_map_count(&by_key), 150u);  // 50 numbers x 3 names, each made once
  int64_t in_counts = 0;
  utap_map_iter_start(&it, &counts, nullptr, 0, UTAP_MAP_NO_LIMIT);
  while (utap_map_entry* e = utap_map_iter_next(&it)) in_counts += utap_map_entry_long(&counts, e);
  EXPECT_EQ(in_counts, counted.load());
  // Every CPU added into its own slot.
  for (unsigned int c = 0; c < kCpus; c++)
    EXPECT_GT(reinterpret_cast<const utap_stat_data*>(total.planes[c])->count, 0) << c;
  std::printf("stress: %lld adds, %lld counts, %lld skipped handlers\n", (long long)added.load(),
              (long long)counted.load(), (long long)skipped.load());

  utap_map_free(&counts);
  utap_map_free(&by_key);
  utap_stat_free(&total);
  utap_test_nr_cpus = saved_cpus;
}

}  // namespace
