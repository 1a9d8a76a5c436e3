// Script arithmetic: wrap-around without undefined behaviour (this file runs
// under UBSan), division and modulo errors with stap's text, stap's results
// for INT64_MIN / -1 and for shift counts outside 0..63.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

extern "C" {
#include "utap/arith.h"
}

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

const int64_t kValues[] = {kMin,     kMin + 1, -4294967296LL, -65536, -7, -2, -1, 0, 1, 2,
                           3,        7,        63,            64,     65, 4294967296LL,
                           kMax - 1, kMax};

TEST(RuntimeArith, AddSubMulWrapAround) {
  EXPECT_EQ(utap_add(kMax, 1), kMin);
  EXPECT_EQ(utap_add(kMin, -1), kMax);
  EXPECT_EQ(utap_add(kMax, kMax), -2);
  EXPECT_EQ(utap_sub(kMin, 1), kMax);
  EXPECT_EQ(utap_sub(0, kMin), kMin);
  EXPECT_EQ(utap_sub(kMax, -1), kMin);
  EXPECT_EQ(utap_mul(kMax, 2), -2);
  EXPECT_EQ(utap_mul(kMin, -1), kMin);
  EXPECT_EQ(utap_mul(4294967296LL, 4294967296LL), 0);
  EXPECT_EQ(utap_mul(3037000500LL, 3037000500LL), -9223372036709301616LL);
  EXPECT_EQ(utap_neg(kMin), kMin);
  EXPECT_EQ(utap_neg(kMax), kMin + 1);
  EXPECT_EQ(utap_neg(0), 0);
}

TEST(RuntimeArith, MatchesModularArithmeticOnEveryPair) {
  for (int64_t a : kValues)
    for (int64_t b : kValues) {
      uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
      EXPECT_EQ(static_cast<uint64_t>(utap_add(a, b)), ua + ub) << a << " + " << b;
      EXPECT_EQ(static_cast<uint64_t>(utap_sub(a, b)), ua - ub) << a << " - " << b;
      EXPECT_EQ(static_cast<uint64_t>(utap_mul(a, b)), ua * ub) << a << " * " << b;
    }
}

TEST(RuntimeArith, DivisionTruncatesTowardsZero) {
  utap_context c{};
  EXPECT_EQ(utap_div(&c, 7, 2), 3);
  EXPECT_EQ(utap_div(&c, -7, 2), -3);
  EXPECT_EQ(utap_div(&c, 7, -2), -3);
  EXPECT_EQ(utap_div(&c, -7, -2), 3);
  EXPECT_EQ(utap_mod(&c, 7, 2), 1);
  EXPECT_EQ(utap_mod(&c, -7, 2), -1);
  EXPECT_EQ(utap_mod(&c, 7, -2), 1);
  EXPECT_EQ(utap_mod(&c, -7, -2), -1);
  EXPECT_EQ(utap_div(&c, kMax, kMax), 1);
  EXPECT_EQ(utap_div(&c, kMin, kMax), -1);
  EXPECT_EQ(utap_mod(&c, kMin, kMax), -1);
  EXPECT_EQ(utap_div(&c, kMin, 2), kMin / 2);
  EXPECT_EQ(c.error, nullptr);
}

TEST(RuntimeArith, DivisionMatchesCWhereCDefinesIt) {
  utap_context c{};
  for (int64_t a : kValues)
    for (int64_t b : kValues) {
      if (b == 0 || (a == kMin && b == -1)) continue;
      EXPECT_EQ(utap_div(&c, a, b), a / b) << a << " / " << b;
      EXPECT_EQ(utap_mod(&c, a, b), a % b) << a << " % " << b;
    }
  EXPECT_EQ(c.error, nullptr);
}

// stap's _stp_div64 returns -x for a divisor of -1 (wrapping), and
// _stp_mod64 returns 0 for 1 and -1: no error for INT64_MIN / -1.
TEST(RuntimeArith, MinByMinusOneWrapsLikeStap) {
  utap_context c{};
  EXPECT_EQ(utap_div(&c, kMin, -1), kMin);
  EXPECT_EQ(utap_mod(&c, kMin, -1), 0);
  EXPECT_EQ(utap_div(&c, kMin, 1), kMin);
  EXPECT_EQ(utap_mod(&c, kMin, 1), 0);
  EXPECT_EQ(utap_div(&c, 5, -1), -5);
  EXPECT_EQ(c.error, nullptr);
}

TEST(RuntimeArith, DivisionByZeroIsAScriptError) {
  utap_context c{};
  EXPECT_EQ(utap_div(&c, 5, 0), 0);
  ASSERT_NE(c.error, nullptr);
  EXPECT_STREQ(c.error, "division by 0");

  utap_context d{};
  EXPECT_EQ(utap_mod(&d, kMin, 0), 0);
  ASSERT_NE(d.error, nullptr);
  EXPECT_STREQ(d.error, "division by 0");

  // The first error of a hit is the one kept.
  utap_error(&d, "later");
  EXPECT_EQ(utap_div(&d, 1, 0), 0);
  EXPECT_STREQ(d.error, "division by 0");
}

TEST(RuntimeArith, ShiftCountsAreTakenModulo64) {
  EXPECT_EQ(utap_shl(1, 0), 1);
  EXPECT_EQ(utap_shl(1, 63), kMin);
  EXPECT_EQ(utap_shl(1, 64), 1);
  EXPECT_EQ(utap_shl(1, 65), 2);
  EXPECT_EQ(utap_shl(1, -1), kMin);
  EXPECT_EQ(utap_shl(3, -63), 6);
  EXPECT_EQ(utap_shl(-1, 1), -2);
  EXPECT_EQ(utap_shl(kMin, 1), 0);
  EXPECT_EQ(utap_shl(kMax, 1), -2);
  EXPECT_EQ(utap_shr(-8, 1), -4);
  EXPECT_EQ(utap_shr(-1, 63), -1);
  EXPECT_EQ(utap_shr(kMin, 63), -1);
  EXPECT_EQ(utap_shr(kMin, 64), kMin);
  EXPECT_EQ(utap_shr(kMax, 62), 1);
  EXPECT_EQ(utap_shr(-7, 1), -4);  // arithmetic: rounds towards -infinity
  EXPECT_EQ(utap_shr(256, -56), 1);  // -56 & 63 == 8
  EXPECT_EQ(utap_ushr(-1, 60), 15);
  EXPECT_EQ(utap_ushr(kMin, 63), 1);
  EXPECT_EQ(utap_ushr(-1, 64), -1);
  EXPECT_EQ(utap_ushr(-1, 0), -1);
}

TEST(RuntimeArith, ShiftsMatchTheMaskedCShiftOnEveryPair) {
  for (int64_t a : kValues)
    for (int64_t n : kValues) {
      unsigned k = static_cast<unsigned>(static_cast<uint64_t>(n) & 63);
      uint64_t ua = static_cast<uint64_t>(a);
      EXPECT_EQ(static_cast<uint64_t>(utap_shl(a, n)), ua << k) << a << " << " << n;
      EXPECT_EQ(static_cast<uint64_t>(utap_ushr(a, n)), ua >> k) << a << " >>> " << n;
      // C++20 defines >> of a negative value as arithmetic.
      EXPECT_EQ(utap_shr(a, n), a >> k) << a << " >> " << n;
    }
}

}  // namespace
