// Maps: stap's associative arrays. Every operation on every key/value type
// combination, strings cut at MAXSTRINGLEN - 1, a full array's error and a
// wrapping array's replacement order, insertion-order and sorted foreach
// (by key, value or aggregate; both directions; limit; slices), statistic
// values per CPU, and what the runtime does when an array changes under a
// foreach (stap refuses that at compile time).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "utap/map.h"
#include "utap/limit_defaults.h"
}

#include "cpu_scope.h"

namespace {

// A key tuple that owns its strings.
struct Keys {
  std::vector<int64_t> n;
  std::vector<std::string> s;
  std::vector<utap_key> k;
};

// One array: its description (kept alive with it) and its map.
class Map {
 public:
  Map(std::vector<utap_type> keys, utap_type value, unsigned int max = 0, bool wrap = false,
      unsigned int sort_slots = 2, utap_stat_desc stat = {}) {
    desc_.name = "a";
    desc_.nkeys = static_cast<unsigned int>(keys.size());
    for (size_t i = 0; i < keys.size() && i < UTAP_MAP_MAX_KEYS; i++) desc_.key_types[i] = keys[i];
    desc_.value_type = value;
    desc_.max_entries = max;
    desc_.wrap = wrap;
    desc_.sort_slots = sort_slots;
    desc_.stat = stat;
    rc_ = utap_map_init(&m_, &desc_);
  }
  ~Map() { utap_map_free(&m_); }
  Map(const Map&) = delete;
  Map& operator=(const Map&) = delete;
  int rc() const { return rc_; }
  utap_map* operator->() { return &m_; }
  utap_map* raw() { return &m_; }

 private:
  utap_map_desc desc_{};
  utap_map m_{};
  int rc_;
};

utap_key N(int64_t n) { return utap_key{n, nullptr}; }
utap_key S(const char* s) { return utap_key{0, s}; }

// Collects the first key of every element a foreach yields, as text.
std::vector<std::string> Walk(utap_map_iter* it, utap_map* m) {
  std::vector<std::string> out;
  while (utap_map_entry* e = utap_map_iter_next(it)) {
    std::string row;
    for (unsigned int i = 0; i < m->desc->nkeys; i++) {
      if (i) row += ",";
      if (m->desc->key_types[i] == UTAP_TYPE_LONG)
        row += std::to_string(utap_map_entry_key_long(m, e, i));
      else
        row += utap_map_entry_key_str(m, e, i);
    }
    out.push_back(row);
  }
  return out;
}

std::vector<std::string> InOrder(utap_map* m, int64_t limit = UTAP_MAP_NO_LIMIT) {
  utap_map_iter it;
  utap_map_iter_start(&it, m, nullptr, 0, limit);
  auto rows = Walk(&it, m);
  EXPECT_EQ(it.status, 0);
  return rows;
}

std::vector<std::string> Sorted(utap_map* m, int by, bool descending, int64_t limit = UTAP_MAP_NO_LIMIT,
                                utap_stat_op op = UTAP_STAT_COUNT, unsigned int slot = 0) {
  utap_map_iter it;
  utap_map_order order{by, op, descending};
  EXPECT_EQ(utap_map_iter_start_sorted(&it, m, slot, &order, nullptr, 0, limit), 0);
  return Walk(&it, m);
}

using Rows = std::vector<std::string>;

// Builds keys of the given types whose values derive from i.
std::vector<utap_key> MakeKeys(const utap_map* m, int64_t i, std::vector<std::string>& strings) {
  std::vector<utap_key> k(m->desc->nkeys);
  strings.assign(m->desc->nkeys, "");
  for (unsigned int j = 0; j < m->desc->nkeys; j++) {
    if (m->desc->key_types[j] == UTAP_TYPE_LONG) {
      k[j] = N(i * 10 + j - 5);
    } else {
      strings[j] = "k" + std::to_string(i) + "_" + std::to_string(j);
      k[j] = S(strings[j].c_str());
    }
  }
  return k;
}

TEST(RuntimeMap, EveryKeyAndValueTypeCombination) {
  const std::vector<std::vector<utap_type>> key_sets = {
      {UTAP_TYPE_LONG},
      {UTAP_TYPE_STRING},
      {UTAP_TYPE_LONG, UTAP_TYPE_STRING},
      {UTAP_TYPE_STRING, UTAP_TYPE_LONG},
      {UTAP_TYPE_STRING, UTAP_TYPE_STRING, UTAP_TYPE_LONG},
      {UTAP_TYPE_LONG, UTAP_TYPE_STRING, UTAP_TYPE_LONG, UTAP_TYPE_STRING, UTAP_TYPE_LONG, UTAP_TYPE_STRING,
       UTAP_TYPE_LONG, UTAP_TYPE_STRING, UTAP_TYPE_LONG},
  };
  utap_stat_desc log{};
  log.hist = UTAP_HIST_LOG;
  for (const auto& keys : key_sets) {
    for (utap_type value : {UTAP_TYPE_LONG, UTAP_TYPE_STRING, UTAP_TYPE_STAT}) {
      SCOPED_TRACE(::testing::Message() << keys.size() << " keys, value type " << value);
      Map m(keys, value, 64, false, 1, log);
      ASSERT_EQ(m.rc(), 0);
      for (int64_t i = 0; i < 20; i++) {
        std::vector<std::string> strs;
        auto k = MakeKeys(m.raw(), i, strs);
        if (value == UTAP_TYPE_LONG) {
          ASSERT_EQ(utap_map_set_long(m.raw(), k.data(), i * 100), 0);
        } else if (value == UTAP_TYPE_STRING) {
          ASSERT_EQ(utap_map_set_str(m.raw(), k.data(), ("v" + std::to_string(i)).c_str()), 0);
        } else {
          ASSERT_EQ(utap_map_stat_add(m.raw(), k.data(), i), 0);
          ASSERT_EQ(utap_map_stat_add(m.raw(), k.data(), -i), 0);
        }
      }
      EXPECT_EQ(utap_map_count(m.raw()), 20u);
      for (int64_t i = 0; i < 20; i++) {
        std::vector<std::string> strs;
        auto k = MakeKeys(m.raw(), i, strs);
        EXPECT_TRUE(utap_map_exists(m.raw(), k.data()));
        if (value == UTAP_TYPE_LONG) {
          EXPECT_EQ(utap_map_get_long(m.raw(), k.data()), i * 100);
        } else if (value == UTAP_TYPE_STRING) {
          EXPECT_EQ(std::string(utap_map_get_str(m.raw(), k.data())), "v" + std::to_string(i));
        } else {
          const utap_stat_data* d = utap_map_get_stat(m.raw(), k.data());
          EXPECT_EQ(d->count, 2);
          EXPECT_EQ(d->sum, 0);
          EXPECT_EQ(d->min, -i);
          EXPECT_EQ(d->max, i);
        }
      }
      // Every element comes back in insertion order with its keys.
      utap_map_iter it;
      utap_map_iter_start(&it, m.raw(), nullptr, 0, UTAP_MAP_NO_LIMIT);
      int64_t i = 0;
      while (utap_map_entry* e = utap_map_iter_next(&it)) {
        std::vector<std::string> strs;
        auto k = MakeKeys(m.raw(), i, strs);
        for (unsigned int j = 0; j < keys.size(); j++) {
          if (keys[j] == UTAP_TYPE_LONG)
            EXPECT_EQ(utap_map_entry_key_long(m.raw(), e, j), k[j].n);
          else
            EXPECT_STREQ(utap_map_entry_key_str(m.raw(), e, j), k[j].s);
        }
        if (value == UTAP_TYPE_LONG) EXPECT_EQ(utap_map_entry_long(m.raw(), e), i * 100);
        if (value == UTAP_TYPE_STRING)
          EXPECT_EQ(std::string(utap_map_entry_str(m.raw(), e)), "v" + std::to_string(i));
        if (value == UTAP_TYPE_STAT) EXPECT_EQ(utap_map_entry_stat(m.raw(), e)->count, 2);
        i++;
      }
      EXPECT_EQ(i, 20);
      // A key that differs in one position only is another element.
      std::vector<std::string> strs;
      auto k = MakeKeys(m.raw(), 3, strs);
      std::string other = "zz";
      if (keys.back() == UTAP_TYPE_LONG)
        k.back().n += 1000;
      else
        k.back().s = other.c_str();
      EXPECT_FALSE(utap_map_exists(m.raw(), k.data()));
      // Delete one, then all.
      k = MakeKeys(m.raw(), 7, strs);
      EXPECT_TRUE(utap_map_delete(m.raw(), k.data()));
      EXPECT_FALSE(utap_map_exists(m.raw(), k.data()));
      EXPECT_FALSE(utap_map_delete(m.raw(), k.data()));
      EXPECT_EQ(utap_map_count(m.raw()), 19u);
      utap_map_clear(m.raw());
      EXPECT_EQ(utap_map_count(m.raw()), 0u);
      k = MakeKeys(m.raw(), 3, strs);
      EXPECT_FALSE(utap_map_exists(m.raw(), k.data()));
      EXPECT_TRUE(InOrder(m.raw()).empty());
    }
  }
}

TEST(RuntimeMap, MissingElementsReadAsEmptyAndAreNotCreated) {
  Map longs({UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  Map strs({UTAP_TYPE_STRING}, UTAP_TYPE_STRING);
  Map stats({UTAP_TYPE_LONG}, UTAP_TYPE_STAT);
  utap_key k[] = {N(1)};
  utap_key ks[] = {S("x")};
  EXPECT_EQ(utap_map_get_long(longs.raw(), k), 0);
  EXPECT_STREQ(utap_map_get_str(strs.raw(), ks), "");
  const utap_stat_data* d = utap_map_get_stat(stats.raw(), k);
  EXPECT_EQ(d->count, 0);
  utap_context c{};
  utap_stat_extract(&c, d, UTAP_STAT_MIN);
  EXPECT_STREQ(c.error, "empty aggregate");
  EXPECT_EQ(utap_map_count(longs.raw()), 0u);
  EXPECT_EQ(utap_map_count(strs.raw()), 0u);
  EXPECT_EQ(utap_map_count(stats.raw()), 0u);
  EXPECT_FALSE(utap_map_exists(longs.raw(), k));
}

TEST(RuntimeMap, StoringZeroOrEmptyKeepsTheElement) {
  Map longs({UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  Map strs({UTAP_TYPE_LONG}, UTAP_TYPE_STRING);
  utap_key k[] = {N(7)};
  ASSERT_EQ(utap_map_set_long(longs.raw(), k, 0), 0);
  EXPECT_TRUE(utap_map_exists(longs.raw(), k));
  ASSERT_EQ(utap_map_set_str(strs.raw(), k, ""), 0);
  EXPECT_TRUE(utap_map_exists(strs.raw(), k));
  ASSERT_EQ(utap_map_set_str(strs.raw(), k, nullptr), 0);
  EXPECT_STREQ(utap_map_get_str(strs.raw(), k), "");
  EXPECT_EQ(utap_map_count(strs.raw()), 1u);
}

TEST(RuntimeMap, AddToInOneStep) {
  Map m({UTAP_TYPE_STRING, UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  utap_key k[] = {S("read"), N(3)};
  int64_t r = 99;
  ASSERT_EQ(utap_map_add_long(m.raw(), k, 1, &r), 0);  // a[k]++ on a missing element
  EXPECT_EQ(r, 1);
  ASSERT_EQ(utap_map_add_long(m.raw(), k, 41, &r), 0);  // a[k] += 41
  EXPECT_EQ(r, 42);
  ASSERT_EQ(utap_map_add_long(m.raw(), k, -50, nullptr), 0);
  EXPECT_EQ(utap_map_get_long(m.raw(), k), -8);
  ASSERT_EQ(utap_map_set_long(m.raw(), k, INT64_MAX), 0);
  ASSERT_EQ(utap_map_add_long(m.raw(), k, 1, &r), 0);
  EXPECT_EQ(r, INT64_MIN);  // wraps, as stap's arithmetic
  EXPECT_EQ(utap_map_count(m.raw()), 1u);
}

TEST(RuntimeMap, StringKeysAndValuesKeepMaxStringLenMinusOneBytes) {
  Map m({UTAP_TYPE_STRING}, UTAP_TYPE_STRING);
  const std::string exact(MAXSTRINGLEN - 1, 'a');
  const std::string longer = exact + "tail beyond the limit";
  const std::string other_longer = exact + "another tail";
  const std::string shorter = exact.substr(1);
  utap_key k_exact[] = {S(exact.c_str())};
  utap_key k_longer[] = {S(longer.c_str())};
  utap_key k_other[] = {S(other_longer.c_str())};
  utap_key k_shorter[] = {S(shorter.c_str())};

  ASSERT_EQ(utap_map_set_str(m.raw(), k_exact, longer.c_str()), 0);
  EXPECT_EQ(std::string(utap_map_get_str(m.raw(), k_exact)), exact);
  // Longer keys are cut: all three name the same element.
  EXPECT_TRUE(utap_map_exists(m.raw(), k_longer));
  EXPECT_TRUE(utap_map_exists(m.raw(), k_other));
  EXPECT_FALSE(utap_map_exists(m.raw(), k_shorter));
  ASSERT_EQ(utap_map_set_str(m.raw(), k_other, "v"), 0);
  EXPECT_EQ(utap_map_count(m.raw()), 1u);
  EXPECT_STREQ(utap_map_get_str(m.raw(), k_exact), "v");

  utap_map_iter it;
  utap_map_iter_start(&it, m.raw(), nullptr, 0, UTAP_MAP_NO_LIMIT);
  utap_map_entry* e = utap_map_iter_next(&it);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(std::string(utap_map_entry_key_str(m.raw(), e, 0)), exact);
  EXPECT_TRUE(utap_map_delete(m.raw(), k_longer));
  EXPECT_EQ(utap_map_count(m.raw()), 0u);
}

TEST(RuntimeMap, NullStringKeyIsTheEmptyString) {
  Map m({UTAP_TYPE_STRING, UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  utap_key null_key[] = {S(nullptr), N(1)};
  utap_key empty_key[] = {S(""), N(1)};
  ASSERT_EQ(utap_map_set_long(m.raw(), null_key, 5), 0);
  EXPECT_EQ(utap_map_get_long(m.raw(), empty_key), 5);
}

TEST(RuntimeMap, FullArrayRefusesNewKeys) {
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_LONG, 3);
  ASSERT_EQ(m.rc(), 0);
  for (int64_t i = 0; i < 3; i++) {
    utap_key k[] = {N(i)};
    ASSERT_EQ(utap_map_set_long(m.raw(), k, i), 0);
  }
  utap_key extra[] = {N(3)};
  EXPECT_EQ(utap_map_set_long(m.raw(), extra, 3), -ENOSPC);
  int64_t r = 77;
  EXPECT_EQ(utap_map_add_long(m.raw(), extra, 1, &r), -ENOSPC);
  EXPECT_EQ(r, 77);
  EXPECT_FALSE(utap_map_exists(m.raw(), extra));
  EXPECT_EQ(utap_map_count(m.raw()), 3u);
  // Existing keys still take new values.
  utap_key first[] = {N(0)};
  EXPECT_EQ(utap_map_add_long(m.raw(), first, 10, &r), 0);
  EXPECT_EQ(r, 10);
  EXPECT_EQ(InOrder(m.raw()), (Rows{"0", "1", "2"}));
  // stap's words for it.
  utap_context c{};
  utap_map_overflow_error(&c, m.raw());
  EXPECT_STREQ(c.error, "Array overflow, check size limit (3)");
  // Deleting makes room again.
  EXPECT_TRUE(utap_map_delete(m.raw(), first));
  EXPECT_EQ(utap_map_set_long(m.raw(), extra, 3), 0);
  EXPECT_EQ(InOrder(m.raw()), (Rows{"1", "2", "3"}));
}

TEST(RuntimeMap, FullStringAndStatisticArrays) {
  Map strs({UTAP_TYPE_STRING}, UTAP_TYPE_STRING, 1);
  Map stats({UTAP_TYPE_STRING}, UTAP_TYPE_STAT, 1);
  utap_key a[] = {S("a")};
  utap_key b[] = {S("b")};
  EXPECT_EQ(utap_map_set_str(strs.raw(), a, "x"), 0);
  EXPECT_EQ(utap_map_set_str(strs.raw(), b, "y"), -ENOSPC);
  EXPECT_EQ(utap_map_stat_add(stats.raw(), a, 1), 0);
  EXPECT_EQ(utap_map_stat_add(stats.raw(), b, 1), -ENOSPC);
  EXPECT_EQ(utap_map_get_stat(stats.raw(), a)->count, 1);
}

TEST(RuntimeMap, DefaultSizeIsMaxMapEntries) {
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  ASSERT_EQ(m->max_entries, uint32_t(MAXMAPENTRIES));
  for (int64_t i = 0; i < MAXMAPENTRIES; i++) {
    utap_key k[] = {N(i * 7919)};
    ASSERT_EQ(utap_map_set_long(m.raw(), k, i), 0) << i;
  }
  utap_key k[] = {N(-1)};
  EXPECT_EQ(utap_map_set_long(m.raw(), k, 1), -ENOSPC);
  utap_context c{};
  utap_map_overflow_error(&c, m.raw());
  EXPECT_STREQ(c.error, "Array overflow, check MAXMAPENTRIES");
  for (int64_t i = 0; i < MAXMAPENTRIES; i++) {
    utap_key q[] = {N(i * 7919)};
    ASSERT_EQ(utap_map_get_long(m.raw(), q), i);
  }
}

TEST(RuntimeMap, ManyKeysSurviveDeletesInTheirChains) {
  Map m({UTAP_TYPE_STRING, UTAP_TYPE_LONG}, UTAP_TYPE_LONG, 1000);
  auto key = [](int64_t i, std::string& s) {
    s = "key" + std::to_string(i % 37);
    return std::vector<utap_key>{S(s.c_str()), N(i)};
  };
  std::string s;
  for (int64_t i = 0; i < 1000; i++) ASSERT_EQ(utap_map_set_long(m.raw(), key(i, s).data(), i), 0);
  for (int64_t i = 0; i < 1000; i += 2) ASSERT_TRUE(utap_map_delete(m.raw(), key(i, s).data()));
  for (int64_t i = 0; i < 1000; i++) {
    EXPECT_EQ(utap_map_exists(m.raw(), key(i, s).data()), i % 2 == 1) << i;
    if (i % 2) EXPECT_EQ(utap_map_get_long(m.raw(), key(i, s).data()), i);
  }
  EXPECT_EQ(utap_map_count(m.raw()), 500u);
  for (int64_t i = 0; i < 1000; i += 2) ASSERT_EQ(utap_map_set_long(m.raw(), key(i, s).data(), -i), 0);
  EXPECT_EQ(utap_map_count(m.raw()), 1000u);
  EXPECT_EQ(utap_map_get_long(m.raw(), key(998, s).data()), -998);
}

TEST(RuntimeMap, WrappingArrayReplacesTheOldest) {
  Map m({UTAP_TYPE_STRING}, UTAP_TYPE_LONG, 3, true);
  auto set = [&](const char* key, int64_t v) {
    utap_key k[] = {S(key)};
    return utap_map_set_long(m.raw(), k, v);
  };
  ASSERT_EQ(set("a", 1), 0);
  ASSERT_EQ(set("b", 2), 0);
  ASSERT_EQ(set("c", 3), 0);
  ASSERT_EQ(set("d", 4), 0);  // replaces a
  EXPECT_EQ(InOrder(m.raw()), (Rows{"b", "c", "d"}));
  ASSERT_EQ(set("b", 20), 0);  // a new value does not make b younger
  ASSERT_EQ(set("e", 5), 0);   // replaces b
  EXPECT_EQ(InOrder(m.raw()), (Rows{"c", "d", "e"}));
  utap_key c[] = {S("c")};
  ASSERT_TRUE(utap_map_delete(m.raw(), c));
  ASSERT_EQ(set("f", 6), 0);  // room: nothing replaced
  EXPECT_EQ(InOrder(m.raw()), (Rows{"d", "e", "f"}));
  ASSERT_EQ(set("g", 7), 0);  // replaces d
  EXPECT_EQ(InOrder(m.raw()), (Rows{"e", "f", "g"}));
  utap_key d[] = {S("d")};
  EXPECT_FALSE(utap_map_exists(m.raw(), d));
  EXPECT_EQ(utap_map_count(m.raw()), 3u);
  utap_key e[] = {S("e")};
  EXPECT_EQ(utap_map_get_long(m.raw(), e), 5);
}

TEST(RuntimeMap, WrappingStatisticArrayStartsReplacedElementsEmpty) {
  CpuScope cpus(2);
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_STAT, 2, true);
  utap_key k1[] = {N(1)}, k2[] = {N(2)}, k3[] = {N(3)};
  utap_test_cpu = 1;
  ASSERT_EQ(utap_map_stat_add(m.raw(), k1, 100), 0);
  utap_test_cpu = 0;
  ASSERT_EQ(utap_map_stat_add(m.raw(), k1, 100), 0);
  ASSERT_EQ(utap_map_stat_add(m.raw(), k2, 5), 0);
  ASSERT_EQ(utap_map_stat_add(m.raw(), k3, 7), 0);  // replaces 1, on both CPUs
  EXPECT_FALSE(utap_map_exists(m.raw(), k1));
  const utap_stat_data* d = utap_map_get_stat(m.raw(), k3);
  EXPECT_EQ(d->count, 1);
  EXPECT_EQ(d->sum, 7);
  EXPECT_EQ(InOrder(m.raw()), (Rows{"2", "3"}));
}

TEST(RuntimeMap, InsertionOrderWithLimit) {
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  for (int64_t i : {5, 3, 9, 1}) {
    utap_key k[] = {N(i)};
    ASSERT_EQ(utap_map_set_long(m.raw(), k, i), 0);
  }
  EXPECT_EQ(InOrder(m.raw()), (Rows{"5", "3", "9", "1"}));
  EXPECT_EQ(InOrder(m.raw(), 2), (Rows{"5", "3"}));
  EXPECT_TRUE(InOrder(m.raw(), 0).empty());
  EXPECT_TRUE(InOrder(m.raw(), -4).empty());
  // Deleting and re-inserting moves an element to the end.
  utap_key k[] = {N(3)};
  ASSERT_TRUE(utap_map_delete(m.raw(), k));
  ASSERT_EQ(utap_map_set_long(m.raw(), k, 3), 0);
  EXPECT_EQ(InOrder(m.raw()), (Rows{"5", "9", "1", "3"}));
}

TEST(RuntimeMap, ChangingTheKeysDuringAForeachEndsIt) {
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_LONG);
  for (int64_t i = 0; i < 4; i++) {
    utap_key k[] = {N(i)};
    ASSERT_EQ(utap_map_set_long(m.raw(), k, i), 0);
  }
  // New values for existing keys are harmless.
  utap_map_iter it;
  utap_map_iter_start(&it, m.raw(), nullptr, 0, UTAP_MAP_NO_LIMIT);
  int seen = 0;
  while (utap_map_entry* e = utap_map_iter_next(&it)) {
    utap_key k[] = {N(utap_map_entry_key_long(m.raw(), e, 0))};
    ASSERT_EQ(utap_map_set_long(m.raw(), k, 100), 0);
    seen++;
  }
  EXPECT_EQ(seen, 4);
  EXPECT_EQ(it.status, 0);

  // A delete ends the loop with -EBUSY, never touching freed elements.
  utap_map_iter_start(&it, m.raw(), nullptr, 0, UTAP_MAP_NO_LIMIT);
  utap_map_entry* e = utap_map_iter_next(&it);
  ASSERT_NE(e, nullptr);
  utap_key k0[] = {N(0)};
  ASSERT_TRUE(utap_map_delete(m.raw(), k0));
  EXPECT_EQ(utap_map_iter_next(&it), nullptr);
  EXPECT_EQ(it.status, -EBUSY);
  EXPECT_EQ(utap_map_iter_next(&it), nullptr);

  // So does an insert, and a clear, also in a sorted loop.
  utap_map_iter_start(&it, m.raw(), nullptr, 0, UTAP_MAP_NO_LIMIT);
  ASSERT_NE(utap_map_iter_next(&it), nullptr);
  utap_key k9[] = {N(9)};
  ASSERT_EQ(utap_map_set_long(m.raw(), k9, 9), 0);
  EXPECT_EQ(utap_map_iter_next(&it), nullptr);
  EXPECT_EQ(it.status, -EBUSY);

  utap_map_order by_key{0, UTAP_STAT_COUNT, false};
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_key, nullptr, 0, UTAP_MAP_NO_LIMIT), 0);
  ASSERT_NE(utap_map_iter_next(&it), nullptr);
  utap_map_clear(m.raw());
  EXPECT_EQ(utap_map_iter_next(&it), nullptr);
  EXPECT_EQ(it.status, -EBUSY);
}

class SortedMap : public ::testing::Test {
 protected:
  // a[key, name] = value, inserted in this order; ties on purpose.
  void SetUp() override {
    struct {
      int64_t key;
      const char* name;
      int64_t value;
    } const rows[] = {
        {3, "cherry", 30}, {1, "apple", 10}, {4, "date", 10}, {2, "Banana", 20}, {5, "apple", -5},
    };
    for (const auto& r : rows) {
      utap_key k[] = {N(r.key), S(r.name)};
      ASSERT_EQ(utap_map_set_long(m.raw(), k, r.value), 0);
      ASSERT_EQ(utap_map_set_str(s.raw(), k, r.name), 0);
    }
  }
  Map m{{UTAP_TYPE_LONG, UTAP_TYPE_STRING}, UTAP_TYPE_LONG};
  Map s{{UTAP_TYPE_LONG, UTAP_TYPE_STRING}, UTAP_TYPE_STRING};
};

TEST_F(SortedMap, ByLongKey) {
  EXPECT_EQ(Sorted(m.raw(), 0, false), (Rows{"1,apple", "2,Banana", "3,cherry", "4,date", "5,apple"}));
  EXPECT_EQ(Sorted(m.raw(), 0, true), (Rows{"5,apple", "4,date", "3,cherry", "2,Banana", "1,apple"}));
  EXPECT_EQ(Sorted(m.raw(), 0, true, 2), (Rows{"5,apple", "4,date"}));
}

TEST_F(SortedMap, ByStringKeyWithStableTies) {
  // strcmp order: uppercase first; equal names keep insertion order.
  EXPECT_EQ(Sorted(m.raw(), 1, false), (Rows{"2,Banana", "1,apple", "5,apple", "3,cherry", "4,date"}));
  EXPECT_EQ(Sorted(m.raw(), 1, true), (Rows{"4,date", "3,cherry", "1,apple", "5,apple", "2,Banana"}));
  EXPECT_EQ(Sorted(m.raw(), 1, false, 3), (Rows{"2,Banana", "1,apple", "5,apple"}));
}

TEST_F(SortedMap, ByLongValueWithStableTies) {
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, false),
            (Rows{"5,apple", "1,apple", "4,date", "2,Banana", "3,cherry"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true),
            (Rows{"3,cherry", "2,Banana", "1,apple", "4,date", "5,apple"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, 1), (Rows{"3,cherry"}));
  EXPECT_TRUE(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, 0).empty());
}

TEST_F(SortedMap, ByStringValue) {
  EXPECT_EQ(Sorted(s.raw(), UTAP_MAP_BY_VALUE, false),
            (Rows{"2,Banana", "1,apple", "5,apple", "3,cherry", "4,date"}));
  EXPECT_EQ(Sorted(s.raw(), UTAP_MAP_BY_VALUE, true, 4), (Rows{"4,date", "3,cherry", "1,apple", "5,apple"}));
}

TEST_F(SortedMap, SortingLeavesInsertionOrderAlone) {
  Sorted(m.raw(), UTAP_MAP_BY_VALUE, true);
  EXPECT_EQ(InOrder(m.raw()), (Rows{"3,cherry", "1,apple", "4,date", "2,Banana", "5,apple"}));
}

TEST_F(SortedMap, NestedSortedLoopsUseTheirOwnSlots) {
  utap_map_iter outer, inner;
  utap_map_order by_key{0, UTAP_STAT_COUNT, false};
  utap_map_order by_value_desc{UTAP_MAP_BY_VALUE, UTAP_STAT_COUNT, true};
  ASSERT_EQ(utap_map_iter_start_sorted(&outer, m.raw(), 0, &by_key, nullptr, 0, UTAP_MAP_NO_LIMIT), 0);
  std::vector<std::string> pairs;
  while (utap_map_entry* e = utap_map_iter_next(&outer)) {
    ASSERT_EQ(utap_map_iter_start_sorted(&inner, m.raw(), 1, &by_value_desc, nullptr, 0, 1), 0);
    utap_map_entry* top = utap_map_iter_next(&inner);
    ASSERT_NE(top, nullptr);
    pairs.push_back(std::to_string(utap_map_entry_key_long(m.raw(), e, 0)) + ":" +
                    std::to_string(utap_map_entry_key_long(m.raw(), top, 0)));
  }
  EXPECT_EQ(pairs, (Rows{"1:3", "2:3", "3:3", "4:3", "5:3"}));
}

TEST_F(SortedMap, BadSlotOrOrderIsRefused) {
  utap_map_iter it;
  utap_map_order by_key{0, UTAP_STAT_COUNT, false};
  EXPECT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 2, &by_key, nullptr, 0, UTAP_MAP_NO_LIMIT), -EINVAL);
  EXPECT_EQ(utap_map_iter_next(&it), nullptr);
  utap_map_order bad_key{2, UTAP_STAT_COUNT, false};
  EXPECT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &bad_key, nullptr, 0, UTAP_MAP_NO_LIMIT), -EINVAL);
  Map never({UTAP_TYPE_LONG}, UTAP_TYPE_LONG, 0, false, 0);
  EXPECT_EQ(never->sort_index, nullptr);
  EXPECT_EQ(utap_map_iter_start_sorted(&it, never.raw(), 0, &by_key, nullptr, 0, UTAP_MAP_NO_LIMIT), -EINVAL);
}

TEST_F(SortedMap, SlicesFilterOnKeys) {
  utap_key apple[] = {N(0), S("apple")};
  utap_map_iter it;
  utap_map_iter_start(&it, m.raw(), apple, 1u << 1, UTAP_MAP_NO_LIMIT);  // a[*, "apple"]
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple", "5,apple"}));
  utap_key four[] = {N(4), S(nullptr)};
  utap_map_iter_start(&it, m.raw(), four, 1u << 0, UTAP_MAP_NO_LIMIT);  // a[4, *]
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"4,date"}));
  utap_key both[] = {N(5), S("apple")};
  utap_map_iter_start(&it, m.raw(), both, 3u, UTAP_MAP_NO_LIMIT);  // a[5, "apple"]
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"5,apple"}));
  utap_map_iter_start(&it, m.raw(), both, 0u, UTAP_MAP_NO_LIMIT);  // a[*, *]
  EXPECT_EQ(Walk(&it, m.raw()).size(), 5u);
  // The limit counts the elements visited, in the slice or not, as stap's
  // (3,cherry comes first): foreach ([k, n] in a[*, "apple"] limit N).
  utap_map_iter_start(&it, m.raw(), apple, 1u << 1, 1);
  EXPECT_EQ(Walk(&it, m.raw()), Rows{});
  utap_map_iter_start(&it, m.raw(), apple, 1u << 1, 2);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple"}));
  utap_map_iter_start(&it, m.raw(), apple, 1u << 1, 4);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple"}));
  utap_map_iter_start(&it, m.raw(), apple, 1u << 1, 5);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple", "5,apple"}));
}

TEST_F(SortedMap, SortedSlicesWithLimit) {
  utap_key apple[] = {N(0), S("apple")};
  utap_map_order by_value_desc{UTAP_MAP_BY_VALUE, UTAP_STAT_COUNT, true};
  utap_map_iter it;
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_value_desc, apple, 1u << 1, UTAP_MAP_NO_LIMIT), 0);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple", "5,apple"}));
  utap_map_order by_value_asc{UTAP_MAP_BY_VALUE, UTAP_STAT_COUNT, false};
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_value_asc, apple, 1u << 1, 1), 0);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"5,apple"}));
  // The limit takes the first elements of the whole sorted array (values
  // 30, 20, 10, 10, -5); the slice then skips those outside it.
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_value_desc, apple, 1u << 1, 2), 0);
  EXPECT_EQ(Walk(&it, m.raw()), Rows{});
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_value_desc, apple, 1u << 1, 3), 0);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple"}));
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_value_desc, apple, 1u << 1, 4), 0);
  EXPECT_EQ(Walk(&it, m.raw()), (Rows{"1,apple"}));
  ASSERT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &by_value_desc, apple, 1u << 1, 0), 0);
  EXPECT_EQ(Walk(&it, m.raw()), Rows{});
}

TEST_F(SortedMap, DeleteASlice) {
  utap_key apple[] = {N(0), S("apple")};
  EXPECT_EQ(utap_map_delete_matching(m.raw(), apple, 1u << 1), 2u);  // delete a[*, "apple"]
  EXPECT_EQ(InOrder(m.raw()), (Rows{"3,cherry", "4,date", "2,Banana"}));
  EXPECT_EQ(utap_map_delete_matching(m.raw(), apple, 1u << 1), 0u);
  EXPECT_EQ(utap_map_delete_matching(m.raw(), apple, 0), 3u);  // delete a[*, *]
  EXPECT_EQ(utap_map_count(m.raw()), 0u);
}

TEST(RuntimeMapStat, SortByEachAggregate) {
  CpuScope cpus(2);
  Map m({UTAP_TYPE_STRING}, UTAP_TYPE_STAT);
  auto add = [&](const char* key, std::vector<int64_t> values, unsigned int cpu) {
    utap_test_cpu = cpu;
    utap_key k[] = {S(key)};
    for (int64_t v : values) ASSERT_EQ(utap_map_stat_add(m.raw(), k, v), 0);
    utap_test_cpu = 0;
  };
  // x: count 3 sum 30 min 5 max 15 avg 10;  y: count 2 sum -4 min -9 max 5 avg -2
  // z: count 4 sum 100 min 1 max 97 avg 25; w: count 2 sum 30 min 10 max 20 avg 15
  add("x", {5, 10}, 0);
  add("y", {-9}, 1);
  add("z", {1, 1}, 0);
  add("x", {15}, 1);
  add("w", {10, 20}, 1);
  add("z", {1, 97}, 1);
  add("y", {5}, 0);
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, false, UTAP_MAP_NO_LIMIT, UTAP_STAT_COUNT),
            (Rows{"y", "w", "x", "z"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, UTAP_MAP_NO_LIMIT, UTAP_STAT_COUNT),
            (Rows{"z", "x", "y", "w"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, false, UTAP_MAP_NO_LIMIT, UTAP_STAT_SUM), (Rows{"y", "x", "w", "z"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, 2, UTAP_STAT_SUM), (Rows{"z", "x"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, false, UTAP_MAP_NO_LIMIT, UTAP_STAT_MIN), (Rows{"y", "z", "x", "w"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, UTAP_MAP_NO_LIMIT, UTAP_STAT_MAX), (Rows{"z", "w", "x", "y"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, false, UTAP_MAP_NO_LIMIT, UTAP_STAT_AVG), (Rows{"y", "x", "w", "z"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, 1, UTAP_STAT_AVG), (Rows{"z"}));
  EXPECT_EQ(Sorted(m.raw(), 0, false), (Rows{"w", "x", "y", "z"}));
  // Sorting by @variance needs the Welford steps, which this map skips.
  utap_map_iter it;
  utap_map_order variance{UTAP_MAP_BY_VALUE, UTAP_STAT_VARIANCE, false};
  EXPECT_EQ(utap_map_iter_start_sorted(&it, m.raw(), 0, &variance, nullptr, 0, UTAP_MAP_NO_LIMIT), -EINVAL);
}

// The three are a script's `foreach (k in s @variance-)` that stap 4.8
// printed as 2 1 3: s[1] <<< 1, 5 (variance 8); s[2] <<< 3, 300 (44253);
// s[3] <<< 9 (0).
TEST(RuntimeMapStat, SortByVariance) {
  utap_stat_desc d{};
  d.variance = true;
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_STAT, 0, false, 1, d);
  ASSERT_EQ(m.rc(), 0);
  auto add = [&](int64_t key, int64_t value) {
    utap_key k[] = {N(key)};
    ASSERT_EQ(utap_map_stat_add(m.raw(), k, value), 0);
  };
  add(1, 1);
  add(1, 5);
  add(2, 3);
  add(2, 300);
  add(3, 9);
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, true, UTAP_MAP_NO_LIMIT, UTAP_STAT_VARIANCE), (Rows{"2", "1", "3"}));
  EXPECT_EQ(Sorted(m.raw(), UTAP_MAP_BY_VALUE, false, 2, UTAP_STAT_VARIANCE), (Rows{"3", "1"}));
  utap_key two[] = {N(2)};
  EXPECT_EQ(utap_map_get_stat(m.raw(), two)->variance, 44253);
}

// stap merges an array element's CPUs one after another, not all at once
// as a scalar's, and takes a lone CPU's running variance as it is: the
// values 2 4 4 4 5 5 7 9 on one CPU have @variance 9 in an array and 13 in
// a scalar (both printed by stap 4.8), because the running mean drifted to
// 3 by truncation.
TEST(RuntimeMapStat, VarianceMergesCpuAfterCpu) {
  utap_stat_desc d{};
  d.variance = true;
  {
    Map m({UTAP_TYPE_LONG}, UTAP_TYPE_STAT, 0, false, 0, d);
    utap_key k[] = {N(1)};
    for (int64_t v : {2, 4, 4, 4, 5, 5, 7, 9}) ASSERT_EQ(utap_map_stat_add(m.raw(), k, v), 0);
    EXPECT_EQ(utap_map_get_stat(m.raw(), k)->variance, 9);
  }
  // Three CPUs: {1, 2, 3} (running mean 1, variance 2), {4, 5} (4, 1),
  // {10}. CPUs 0 and 1 give count 5, mean 3, variance (12 + 4 + 2 + 1) / 4
  // = 4; adding CPU 2 around the new mean 25 / 6 = 4 gives
  // (5 + 16 + 36 + 0) / 5 = 11. A scalar would say (27 + 0 + 36 + 5) / 5 = 13.
  CpuScope cpus(3);
  Map m({UTAP_TYPE_LONG}, UTAP_TYPE_STAT, 0, false, 0, d);
  utap_key k[] = {N(7)};
  const std::vector<std::vector<int64_t>> per_cpu = {{1, 2, 3}, {4, 5}, {10}};
  for (unsigned int cpu = 0; cpu < 3; cpu++) {
    utap_test_cpu = cpu;
    for (int64_t v : per_cpu[cpu]) ASSERT_EQ(utap_map_stat_add(m.raw(), k, v), 0);
  }
  utap_test_cpu = 0;
  EXPECT_EQ(utap_map_get_stat(m.raw(), k)->variance, 11);
  EXPECT_EQ(utap_map_get_stat(m.raw(), k)->count, 6);
}

// foreach (v = b in @hist_linear(a[k], ...)): one bucket, summed over CPUs.
TEST(RuntimeMapStat, HistogramBucketOfAnElement) {
  CpuScope cpus(2);
  utap_stat_desc d{};
  d.hist = UTAP_HIST_LINEAR;
  d.start = 0;
  d.stop = 20;
  d.interval = 10;
  Map m({UTAP_TYPE_STRING}, UTAP_TYPE_STAT, 0, false, 0, d);
  ASSERT_EQ(m.rc(), 0);
  utap_key io[] = {S("io")}, cpu[] = {S("cpu")}, none[] = {S("none")};
  for (int64_t v : {-1, 5, 15}) ASSERT_EQ(utap_map_stat_add(m.raw(), io, v), 0);
  utap_test_cpu = 1;
  for (int64_t v : {5, 99}) ASSERT_EQ(utap_map_stat_add(m.raw(), io, v), 0);
  ASSERT_EQ(utap_map_stat_add(m.raw(), cpu, 0), 0);
  utap_test_cpu = 0;
  // Buckets: < 0, [0, 10), [10, 20), [20, 30), > 29.
  ASSERT_EQ(utap_map_hist(m.raw())->buckets, 5u);
  const int64_t want[] = {1, 2, 1, 0, 1};
  for (int64_t b = 0; b < 5; b++) {
    EXPECT_EQ(utap_map_hist_count(m.raw(), io, b), want[b]) << b;
    EXPECT_EQ(utap_map_hist_count(m.raw(), none, b), 0) << b;
  }
  EXPECT_EQ(utap_map_hist_count(m.raw(), cpu, 1), 1);
  EXPECT_EQ(utap_map_hist_count(m.raw(), io, -1), 0);
  EXPECT_EQ(utap_map_hist_count(m.raw(), io, 5), 0);
  // It leaves the merge buffer alone: a merged element stays merged.
  const utap_stat_data* merged = utap_map_get_stat(m.raw(), cpu);
  EXPECT_EQ(utap_map_hist_count(m.raw(), io, 1), 2);
  EXPECT_EQ(merged->count, 1);
  EXPECT_EQ(merged->histogram[1], 1);
}

TEST(RuntimeMapStat, PerCpuPlanesMergeOnRead) {
  CpuScope cpus(4);
  utap_stat_desc lin{};
  lin.hist = UTAP_HIST_LINEAR;
  lin.start = 0;
  lin.stop = 10;
  lin.interval = 5;
  lin.variance = true;
  Map m({UTAP_TYPE_LONG, UTAP_TYPE_STRING}, UTAP_TYPE_STAT, 16, false, 1, lin);
  ASSERT_EQ(m.rc(), 0);
  utap_key k[] = {N(1), S("io")};
  for (unsigned int cpu = 0; cpu < 4; cpu++) {
    utap_test_cpu = cpu;
    for (int64_t v = 0; v <= cpu; v++) ASSERT_EQ(utap_map_stat_add(m.raw(), k, v * 4), 0);
  }
  utap_test_cpu = 0;
  // CPU n added 0, 4, .., 4n: each plane holds only its own.
  for (unsigned int cpu = 0; cpu < 4; cpu++)
    EXPECT_EQ(reinterpret_cast<const utap_stat_data*>(m->planes[cpu])->count, int64_t(cpu + 1));
  const utap_stat_data* d = utap_map_get_stat(m.raw(), k);
  EXPECT_EQ(d->count, 10);
  EXPECT_EQ(d->sum, 4 * (0 + 1 + 3 + 6));
  EXPECT_EQ(d->min, 0);
  EXPECT_EQ(d->max, 12);
  // 0 (x4) and 4 (x3) -> bucket 1; 8 (x2) -> 2; 12 (x1) -> 3
  EXPECT_EQ(d->histogram[1], 7);
  EXPECT_EQ(d->histogram[2], 2);
  EXPECT_EQ(d->histogram[3], 1);
  EXPECT_EQ(utap_map_hist(m.raw())->buckets, 5u);
  // Deleting the element empties every CPU's slot.
  EXPECT_TRUE(utap_map_delete(m.raw(), k));
  EXPECT_EQ(utap_map_get_stat(m.raw(), k)->count, 0);
  ASSERT_EQ(utap_map_stat_add(m.raw(), k, 3), 0);
  EXPECT_EQ(utap_map_get_stat(m.raw(), k)->count, 1);
}

TEST(RuntimeMap, BadDescriptionsAreRefused) {
  Map none({}, UTAP_TYPE_LONG);
  EXPECT_EQ(none.rc(), -EINVAL);
  Map ten(std::vector<utap_type>(10, UTAP_TYPE_LONG), UTAP_TYPE_LONG);
  EXPECT_EQ(ten.rc(), -EINVAL);
  Map stat_key({UTAP_TYPE_STAT}, UTAP_TYPE_LONG);
  EXPECT_EQ(stat_key.rc(), -EINVAL);
  utap_stat_desc bad{};
  bad.hist = UTAP_HIST_LINEAR;
  bad.interval = 0;
  Map bad_hist({UTAP_TYPE_LONG}, UTAP_TYPE_STAT, 4, false, 0, bad);
  EXPECT_EQ(bad_hist.rc(), -EINVAL);
  EXPECT_EQ(bad_hist->entries, nullptr);
  Map nine(std::vector<utap_type>(9, UTAP_TYPE_STRING), UTAP_TYPE_STRING, 4);
  EXPECT_EQ(nine.rc(), 0);
  // Sizes the kernel's allocator would refuse are refused up front.
  Map huge({UTAP_TYPE_LONG}, UTAP_TYPE_LONG, 1u << 31);
  EXPECT_EQ(huge.rc(), -ENOMEM);
  Map absurd({UTAP_TYPE_LONG}, UTAP_TYPE_LONG, (1u << 31) + 1);
  EXPECT_EQ(absurd.rc(), -EINVAL);
}

}  // namespace
