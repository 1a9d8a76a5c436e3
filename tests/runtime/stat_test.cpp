// Statistics: the aggregates stap computes (@count @sum @min @max @avg
// @variance with its bit shift), per-CPU slots merged on read, @hist_log and
// @hist_linear buckets, and the ASCII histogram exactly as stap prints it.
// Expected values were worked out by hand from stap's documented examples
// (man stap: @variance of 1..5 is 12, with shift 1 it is 2; @hist_linear(x,1,3,1)
// has one underflow, three payload and one overflow bucket) and from stap
// 4.8's runtime behaviour (Welford per CPU with truncating division, total
// variance across CPUs; the printer's margins, scaling and elision).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "utap/stat.h"
}

#include "cpu_scope.h"

namespace {

utap_stat_desc Plain(unsigned int shift = 0, bool variance = true) {
  utap_stat_desc d{};
  d.hist = UTAP_HIST_NONE;
  d.shift = shift;
  d.variance = variance;
  return d;
}

utap_stat_desc Log() {
  utap_stat_desc d{};
  d.hist = UTAP_HIST_LOG;
  return d;
}

utap_stat_desc Linear(int64_t start, int64_t stop, int64_t interval) {
  utap_stat_desc d{};
  d.hist = UTAP_HIST_LINEAR;
  d.start = start;
  d.stop = stop;
  d.interval = interval;
  return d;
}

// A scalar statistic fed on given CPUs: values[cpu] go to that CPU's slot.
class Stat {
 public:
  explicit Stat(const utap_stat_desc& d) { ok_ = utap_stat_init(&s_, &d) == 0; }
  ~Stat() { utap_stat_free(&s_); }
  bool ok() const { return ok_; }
  void Add(int64_t v, unsigned int cpu = 0) {
    utap_test_cpu = cpu;
    utap_stat_add(&s_, v);
    utap_test_cpu = 0;
  }
  void AddAll(const std::vector<int64_t>& vs, unsigned int cpu = 0) {
    for (int64_t v : vs) Add(v, cpu);
  }
  const utap_stat_data* Get() { return utap_stat_get(&s_); }
  int64_t Op(utap_stat_op op) {
    utap_context c{};
    int64_t v = utap_stat_extract(&c, Get(), op);
    EXPECT_EQ(c.error, nullptr) << c.error;
    return v;
  }
  std::string Print() {
    const utap_stat_data* d = Get();
    size_t n = utap_hist_format(nullptr, 0, utap_stat_hist(&s_), d);
    std::string out(n + 1, '\0');
    EXPECT_EQ(utap_hist_format(out.data(), out.size(), utap_stat_hist(&s_), d), n);
    out.resize(n);
    return out;
  }
  utap_stat* raw() { return &s_; }

 private:
  utap_stat s_{};
  bool ok_ = false;
};

TEST(RuntimeStat, AggregatesOfKnownSequenceWithNegatives) {
  Stat s(Plain());
  ASSERT_TRUE(s.ok());
  s.AddAll({5, -3, 10, 0, -7});
  EXPECT_EQ(s.Op(UTAP_STAT_COUNT), 5);
  EXPECT_EQ(s.Op(UTAP_STAT_SUM), 5);
  EXPECT_EQ(s.Op(UTAP_STAT_MIN), -7);
  EXPECT_EQ(s.Op(UTAP_STAT_MAX), 10);
  EXPECT_EQ(s.Op(UTAP_STAT_AVG), 1);
}

TEST(RuntimeStat, AvgTruncatesTowardZeroAsStap) {
  Stat neg(Plain());
  neg.AddAll({-7, -8});  // -15 / 2: stap (C division) says -7, not -8
  EXPECT_EQ(neg.Op(UTAP_STAT_AVG), -7);
  Stat pos(Plain());
  pos.AddAll({7, 8});
  EXPECT_EQ(pos.Op(UTAP_STAT_AVG), 7);
  Stat one(Plain());
  one.AddAll({-1, 0, 0});
  EXPECT_EQ(one.Op(UTAP_STAT_AVG), 0);
}

TEST(RuntimeStat, SumWrapsAroundLikeStap) {
  Stat s(Plain(0, false));
  s.AddAll({INT64_MAX, 1});
  EXPECT_EQ(s.Op(UTAP_STAT_SUM), INT64_MIN);
  EXPECT_EQ(s.Op(UTAP_STAT_MAX), INT64_MAX);
  EXPECT_EQ(s.Op(UTAP_STAT_MIN), 1);
}

TEST(RuntimeStat, EmptyAggregate) {
  Stat s(Plain());
  const utap_stat_data* d = s.Get();
  for (utap_stat_op op : {UTAP_STAT_COUNT, UTAP_STAT_SUM}) {
    utap_context c{};
    EXPECT_EQ(utap_stat_extract(&c, d, op), 0);
    EXPECT_EQ(c.error, nullptr);
  }
  for (utap_stat_op op : {UTAP_STAT_MIN, UTAP_STAT_MAX, UTAP_STAT_AVG, UTAP_STAT_VARIANCE}) {
    utap_context c{};
    EXPECT_EQ(utap_stat_extract(&c, d, op), 0);
    ASSERT_NE(c.error, nullptr);
    EXPECT_STREQ(c.error, "empty aggregate");
  }
}

TEST(RuntimeStat, VarianceManPageExamples) {
  Stat s0(Plain(0));
  s0.AddAll({1, 2, 3, 4, 5});
  EXPECT_EQ(s0.Op(UTAP_STAT_VARIANCE), 12);  // man stap: 12
  Stat s1(Plain(1));
  s1.AddAll({1, 2, 3, 4, 5});
  EXPECT_EQ(s1.Op(UTAP_STAT_VARIANCE), 2);  // man stap: 2 (python: 2.5)
}

TEST(RuntimeStat, VarianceKnownValues) {
  struct Case {
    std::vector<int64_t> values;
    unsigned int shift;
    int64_t variance;
  };
  const Case cases[] = {
      {{-1, -2, -3, -4, -5}, 0, 12},  // mirror image of 1..5
      {{1, 2, 3, 4, 5}, 3, 2},
      {{1, 2, 3, 4, 5}, 8, 2},
      {{1, 3}, 0, 2},
      {{5}, 0, 0},  // one value: count - 1 = 0, stap's division gives 0
      {{10, 20, 30, 40, 1000}, 0, 190250},  // exact: sample variance 190250
      {{10, 20, 30, 40, 1000}, 4, 190250},
      {{-7, 3, 100, -250, 42, 0, 9}, 2, 12151},
  };
  for (const Case& k : cases) {
    Stat s(Plain(k.shift));
    s.AddAll(k.values);
    EXPECT_EQ(s.Op(UTAP_STAT_VARIANCE), k.variance) << "shift " << k.shift;
  }
}

// Values stap 4.8 printed (scripts run in the 6.1 guest): its Welford step
// keeps the difference from the running mean in a C int, so differences
// beyond 32 bits wrap; and the final shift by 2 * shift is a C shift, its
// count taken modulo 64 on x86.
TEST(RuntimeStat, VarianceMeasuredOnStap) {
  struct Case {
    std::vector<int64_t> values;
    unsigned int shift;
    int64_t variance;
  };
  const Case cases[] = {
      {{2, 4, 4, 4, 5, 5, 7, 9}, 0, 13},  // the running mean drifts to 3
      {{10, 20}, 0, 50},
      {{42}, 0, 0},
      {{-7, -14, -21, -28, -35}, 3, 122},
      {{-5, 10, -20, 3}, 0, 166},
      {{0, 3000000000, 7}, 0, 852516353589934608},  // a 32-bit difference wraps
      {{1, 2000000000, 2000000000}, 1, 538325767122018774},
      {{1, 2, 3, 4, 5}, 62, -1},  // shifted back by 124 & 63 = 60
      {{1, 2, 3, 4, 5}, 40, 0},
  };
  for (const Case& k : cases) {
    Stat s(Plain(k.shift));
    s.AddAll(k.values);
    EXPECT_EQ(s.Op(UTAP_STAT_VARIANCE), k.variance) << "shift " << k.shift << ", first " << k.values[0];
  }
}

// Without @variance in the script, no Welford step runs (the statistic's
// description says so) and the variance stays 0.
TEST(RuntimeStat, NoVarianceWithoutTheFlag) {
  Stat s(Plain(0, false));
  s.AddAll({1, 2, 3, 4, 5});
  EXPECT_EQ(s.Op(UTAP_STAT_VARIANCE), 0);
}

TEST(RuntimeStat, VarianceOfShiftIsLargestAllowed) {
  utap_stat s{};
  utap_stat_desc d = Plain(UTAP_STAT_MAX_SHIFT);
  ASSERT_EQ(utap_stat_init(&s, &d), 0);
  utap_stat_add(&s, 0);
  utap_stat_add(&s, 0);
  utap_context c{};
  EXPECT_EQ(utap_stat_extract(&c, utap_stat_get(&s), UTAP_STAT_VARIANCE), 0);
  utap_stat_free(&s);
  d.shift = UTAP_STAT_MAX_SHIFT + 1;
  EXPECT_EQ(utap_stat_init(&s, &d), -EINVAL);
}

TEST(RuntimeStat, PerCpuSlotsMergeOnRead) {
  CpuScope cpus(4);
  Stat s(Plain(0));
  ASSERT_TRUE(s.ok());
  s.AddAll({1, 2, 3}, 0);
  s.AddAll({4, 5}, 3);
  // Each CPU's slot holds only its own values.
  auto* slot0 = reinterpret_cast<const utap_stat_data*>(s.raw()->planes[0]);
  auto* slot3 = reinterpret_cast<const utap_stat_data*>(s.raw()->planes[3]);
  EXPECT_EQ(slot0->count, 3);
  EXPECT_EQ(slot3->count, 2);
  EXPECT_EQ(reinterpret_cast<const utap_stat_data*>(s.raw()->planes[1])->count, 0);
  EXPECT_EQ(s.Op(UTAP_STAT_COUNT), 5);
  EXPECT_EQ(s.Op(UTAP_STAT_SUM), 15);
  EXPECT_EQ(s.Op(UTAP_STAT_MIN), 1);
  EXPECT_EQ(s.Op(UTAP_STAT_MAX), 5);
  EXPECT_EQ(s.Op(UTAP_STAT_AVG), 3);
  // stap's total variance over CPUs with integer means: 4 here, not 12.
  EXPECT_EQ(s.Op(UTAP_STAT_VARIANCE), 4);
}

TEST(RuntimeStat, PerCpuVarianceWithShift) {
  CpuScope cpus(3);
  Stat s(Plain(2));
  s.AddAll({-7, 3, 100}, 0);
  s.AddAll({-250, 42}, 1);
  s.AddAll({0, 9}, 2);
  EXPECT_EQ(s.Op(UTAP_STAT_VARIANCE), 12147);
}

// A scalar combines all CPUs at once: with {1, 2, 3}, {4, 5} and {10} on
// three CPUs, (3 * 9 + 0 + 36 + 2 * 2 + 1) / 5 = 13 (an array element's
// CPU-after-CPU merge gives 11: map_test.cpp).
TEST(RuntimeStat, ScalarVarianceCombinesAllCpusAtOnce) {
  CpuScope cpus(3);
  Stat s(Plain(0));
  s.AddAll({1, 2, 3}, 0);
  s.AddAll({4, 5}, 1);
  s.AddAll({10}, 2);
  EXPECT_EQ(s.Op(UTAP_STAT_VARIANCE), 13);
}

TEST(RuntimeStat, MinMaxAcrossCpusWithEmptySlots) {
  CpuScope cpus(5);
  Stat s(Log());
  s.Add(-3, 4);
  s.Add(9, 2);
  EXPECT_EQ(s.Op(UTAP_STAT_MIN), -3);
  EXPECT_EQ(s.Op(UTAP_STAT_MAX), 9);
  const utap_stat_data* d = s.Get();
  EXPECT_EQ(d->histogram[utap_hist_log_bucket(-3)], 1);
  EXPECT_EQ(d->histogram[utap_hist_log_bucket(9)], 1);
}

TEST(RuntimeStat, ClearEmptiesEveryCpu) {
  CpuScope cpus(2);
  Stat s(Linear(0, 10, 1));
  s.Add(3, 0);
  s.Add(4, 1);
  utap_stat_clear(s.raw());
  const utap_stat_data* d = s.Get();
  EXPECT_EQ(d->count, 0);
  for (unsigned int i = 0; i < utap_stat_hist(s.raw())->buckets; i++) EXPECT_EQ(d->histogram[i], 0);
  s.Add(-1, 1);
  EXPECT_EQ(s.Op(UTAP_STAT_COUNT), 1);
  EXPECT_EQ(s.Op(UTAP_STAT_MIN), -1);
}

TEST(RuntimeStat, HistLogBuckets) {
  struct {
    int64_t value;
    unsigned int bucket;
  } const cases[] = {
      {0, 64},   {1, 65},   {2, 66},   {3, 66},   {4, 67},   {7, 67},      {8, 68},
      {1023, 74}, {1024, 75}, {-1, 63},  {-2, 62},  {-3, 62},  {-4, 61},    {-1024, 53},
      {INT64_MAX, 127}, {INT64_MIN, 0}, {INT64_MIN + 1, 1},
  };
  for (const auto& k : cases) EXPECT_EQ(utap_hist_log_bucket(k.value), k.bucket) << k.value;
  EXPECT_EQ(utap_hist_log_value(64), 0);
  EXPECT_EQ(utap_hist_log_value(65), 1);
  EXPECT_EQ(utap_hist_log_value(66), 2);
  EXPECT_EQ(utap_hist_log_value(75), 1024);
  EXPECT_EQ(utap_hist_log_value(127), INT64_C(1) << 62);
  EXPECT_EQ(utap_hist_log_value(63), -1);
  EXPECT_EQ(utap_hist_log_value(62), -2);
  EXPECT_EQ(utap_hist_log_value(1), -(INT64_C(1) << 62));
  EXPECT_EQ(utap_hist_log_value(0), INT64_MIN);
}

TEST(RuntimeStat, HistLinearBuckets) {
  utap_stat_shape sh{};
  utap_stat_desc d = Linear(0, 10, 2);
  ASSERT_EQ(utap_stat_shape_init(&sh, &d), 0);
  EXPECT_EQ(sh.hist.buckets, 8u);  // (10 - 0) / 2 + 3
  struct {
    int64_t value;
    unsigned int bucket;
  } const cases[] = {
      {-1, 0}, {0, 1}, {1, 1}, {2, 2}, {9, 5}, {10, 6}, {11, 6}, {12, 7}, {1000, 7},
      {INT64_MIN, 0}, {INT64_MAX, 7},
  };
  for (const auto& k : cases) EXPECT_EQ(utap_hist_linear_bucket(&sh.hist, k.value), k.bucket) << k.value;

  utap_stat_desc neg = Linear(-30, 30, 10);
  ASSERT_EQ(utap_stat_shape_init(&sh, &neg), 0);
  EXPECT_EQ(sh.hist.buckets, 9u);
  EXPECT_EQ(utap_hist_linear_bucket(&sh.hist, -31), 0u);
  EXPECT_EQ(utap_hist_linear_bucket(&sh.hist, -30), 1u);
  EXPECT_EQ(utap_hist_linear_bucket(&sh.hist, -21), 1u);
  EXPECT_EQ(utap_hist_linear_bucket(&sh.hist, 30), 7u);
  EXPECT_EQ(utap_hist_linear_bucket(&sh.hist, 40), 8u);
}

TEST(RuntimeStat, HistLinearManPageExampleBuckets) {
  Stat s(Linear(1, 3, 1));
  s.AddAll({-100, 1, 2, 3, 100});
  const utap_stat_data* d = s.Get();
  ASSERT_EQ(utap_stat_hist(s.raw())->buckets, 5u);
  for (int64_t b = 0; b < 5; b++) {
    utap_context c{};
    EXPECT_EQ(utap_stat_bucket(&c, utap_stat_hist(s.raw()), d, b), 1) << b;
    EXPECT_EQ(c.error, nullptr);
  }
}

TEST(RuntimeStat, BucketAccessErrors) {
  Stat s(Log());
  utap_context empty{};
  EXPECT_EQ(utap_stat_bucket(&empty, utap_stat_hist(s.raw()), s.Get(), 64), 0);
  EXPECT_STREQ(empty.error, "empty aggregate");
  s.Add(0);
  for (int64_t b : {int64_t(-1), int64_t(128), INT64_MAX}) {
    utap_context c{};
    EXPECT_EQ(utap_stat_bucket(&c, utap_stat_hist(s.raw()), s.Get(), b), 0);
    EXPECT_STREQ(c.error, "histogram index out of range");
  }
  utap_context c{};
  EXPECT_EQ(utap_stat_bucket(&c, utap_stat_hist(s.raw()), s.Get(), 64), 1);
  EXPECT_EQ(c.error, nullptr);
}

TEST(RuntimeStat, BadDescriptionsAreRefused) {
  utap_stat_shape sh{};
  utap_stat_desc zero = Linear(0, 10, 0);
  EXPECT_EQ(utap_stat_shape_init(&sh, &zero), -EINVAL);
  utap_stat_desc negative = Linear(0, 10, -1);
  EXPECT_EQ(utap_stat_shape_init(&sh, &negative), -EINVAL);
  utap_stat_desc backwards = Linear(10, 0, 1);
  EXPECT_EQ(utap_stat_shape_init(&sh, &backwards), -EINVAL);
  utap_stat_desc too_many = Linear(0, 126, 1);  // 129 buckets
  EXPECT_EQ(utap_stat_shape_init(&sh, &too_many), -EINVAL);
  utap_stat_desc most = Linear(0, 125, 1);  // 128 buckets
  EXPECT_EQ(utap_stat_shape_init(&sh, &most), 0);
  EXPECT_EQ(sh.hist.buckets, 128u);
  utap_stat_desc one = Linear(5, 5, 3);  // one payload bucket
  EXPECT_EQ(utap_stat_shape_init(&sh, &one), 0);
  EXPECT_EQ(sh.hist.buckets, 3u);
  utap_stat_desc huge = Linear(INT64_MIN, INT64_MAX, 1);
  EXPECT_EQ(utap_stat_shape_init(&sh, &huge), -EINVAL);
}

std::string LogHist(const std::vector<int64_t>& values) {
  Stat s(Log());
  s.AddAll(values);
  return s.Print();
}

std::string LinHist(const std::vector<int64_t>& values, int64_t start, int64_t stop, int64_t interval) {
  Stat s(Linear(start, stop, interval));
  s.AddAll(values);
  return s.Print();
}

TEST(RuntimeStatPrint, LogOneValue) {
  EXPECT_EQ(LogHist({3}),
            "value |-------------------------------------------------- count\n"
            "    0 |                                                   0\n"
            "    1 |                                                   0\n"
            "    2 |@                                                  1\n"
            "    4 |                                                   0\n"
            "    8 |                                                   0\n"
            "\n");
}

TEST(RuntimeStatPrint, LogElidesEmptyRowsBetweenData) {
  EXPECT_EQ(LogHist({1, 1000}),
            "value |-------------------------------------------------- count\n"
            "    0 |                                                   0\n"
            "    1 |@                                                  1\n"
            "    2 |                                                   0\n"
            "    4 |                                                   0\n"
            "      ~\n"
            "  128 |                                                   0\n"
            "  256 |                                                   0\n"
            "  512 |@                                                  1\n"
            " 1024 |                                                   0\n"
            " 2048 |                                                   0\n"
            "\n");
}

TEST(RuntimeStatPrint, LogScalesBarsAboveTheWidth) {
  std::vector<int64_t> v(120, 5);
  v.insert(v.end(), 30, 1);
  // max 120 > 50: scale ceil(120 / 50) = 3, so 40 and 10 '@'
  EXPECT_EQ(LogHist(v),
            "value |-------------------------------------------------- count\n"
            "    0 |                                                     0\n"
            "    1 |@@@@@@@@@@                                          30\n"
            "    2 |                                                     0\n"
            "    4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@           120\n"
            "    8 |                                                     0\n"
            "   16 |                                                     0\n"
            "\n");
}

TEST(RuntimeStatPrint, LogNegativeValuesAndZero) {
  EXPECT_EQ(LogHist({-1, -5, 0, 0, 2}),
            "value |-------------------------------------------------- count\n"
            "  -16 |                                                   0\n"
            "   -8 |                                                   0\n"
            "   -4 |@                                                  1\n"
            "   -2 |                                                   0\n"
            "   -1 |@                                                  1\n"
            "    0 |@@                                                 2\n"
            "    1 |                                                   0\n"
            "    2 |@                                                  1\n"
            "    4 |                                                   0\n"
            "    8 |                                                   0\n"
            "\n");
}

TEST(RuntimeStatPrint, LogWidensTheValueColumn) {
  EXPECT_EQ(LogHist({INT64_MIN}),
            "               value |-------------------------------------------------- count\n"
            "-9223372036854775808 |@                                                  1\n"
            "-4611686018427387904 |                                                   0\n"
            "-2305843009213693952 |                                                   0\n"
            "\n");
}

TEST(RuntimeStatPrint, LinearUnderAndOverflowRows) {
  EXPECT_EQ(LinHist({-5, 3, 3, 50}, 0, 10, 2),
            "value |-------------------------------------------------- count\n"
            "   <0 |@                                                  1\n"
            "    0 |                                                   0\n"
            "    2 |@@                                                 2\n"
            "    4 |                                                   0\n"
            "    6 |                                                   0\n"
            "    8 |                                                   0\n"
            "   10 |                                                   0\n"
            "  >10 |@                                                  1\n"
            "\n");
}

TEST(RuntimeStatPrint, LinearManPageExample) {
  EXPECT_EQ(LinHist({-100, 1, 2, 3, 100}, 1, 3, 1),
            "value |-------------------------------------------------- count\n"
            "   <1 |@                                                  1\n"
            "    1 |@                                                  1\n"
            "    2 |@                                                  1\n"
            "    3 |@                                                  1\n"
            "   >3 |@                                                  1\n"
            "\n");
}

TEST(RuntimeStatPrint, LinearElidesAndHidesEmptyOverflow) {
  std::vector<int64_t> v(7, 0);
  v.push_back(95);
  EXPECT_EQ(LinHist(v, 0, 100, 5),
            "value |-------------------------------------------------- count\n"
            "    0 |@@@@@@@                                            7\n"
            "    5 |                                                   0\n"
            "   10 |                                                   0\n"
            "      ~\n"
            "   85 |                                                   0\n"
            "   90 |                                                   0\n"
            "   95 |@                                                  1\n"
            "  100 |                                                   0\n"
            "\n");
}

TEST(RuntimeStatPrint, LinearNegativeStart) {
  EXPECT_EQ(LinHist({-30, -25, -25}, -30, 30, 10),
            "value |-------------------------------------------------- count\n"
            "  -30 |@@@                                                3\n"
            "  -20 |                                                   0\n"
            "  -10 |                                                   0\n"
            "\n");
}

TEST(RuntimeStatPrint, CutToTheBufferLikeSnprintf) {
  Stat s(Log());
  s.Add(3);
  const utap_stat_data* d = s.Get();
  size_t full = utap_hist_format(nullptr, 0, utap_stat_hist(s.raw()), d);
  char small[20];
  EXPECT_EQ(utap_hist_format(small, sizeof(small), utap_stat_hist(s.raw()), d), full);
  EXPECT_STREQ(small, "value |------------");
  char one[1] = {'x'};
  EXPECT_EQ(utap_hist_format(one, 1, utap_stat_hist(s.raw()), d), full);
  EXPECT_EQ(one[0], '\0');
}

TEST(RuntimeStatPrint, NothingForEmptyOrNoHistogram) {
  Stat s(Log());
  char buf[8] = "junk";
  EXPECT_EQ(utap_hist_format(buf, sizeof(buf), utap_stat_hist(s.raw()), s.Get()), 0u);
  EXPECT_STREQ(buf, "");
  Stat plain(Plain());
  plain.Add(1);
  EXPECT_EQ(utap_hist_format(buf, sizeof(buf), utap_stat_hist(plain.raw()), plain.Get()), 0u);
}

}  // namespace
