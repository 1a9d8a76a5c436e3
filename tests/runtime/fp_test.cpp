// The integer-only IEEE binary64 of runtime/core/fp.c and fp_text.c against
// this machine's own floating point (x86-64 SSE: correctly rounded, no
// flush to zero) and glibc (strtod, printf, remainder: exact), bit for bit,
// over millions of operands: random bit patterns, edge cases (zeros,
// subnormals, the largest and smallest values, infinities, NaNs) and
// operands built to hit the hard cases (cancellation, ties, results that
// become subnormal or overflow). Where a result is a NaN the hardware's bits
// differ from stap's by design (utap/fp.h): it must be a NaN there too, and
// have the bits stap's rule gives (checked here by its own short model).
//
// The seeds are fixed, so a failure repeats; each test prints how many cases
// it checked.
#include <gtest/gtest.h>

#include <cfenv>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "utap/fp.h"
}

namespace {

using u64 = uint64_t;

u64 bits(double d) {
  u64 u;
  memcpy(&u, &d, sizeof(u));
  return u;
}

double dbl(u64 u) {
  double d;
  memcpy(&d, &u, sizeof(d));
  return d;
}

std::string hex(u64 u) {
  char buf[32];
  snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(u));
  return buf;
}

constexpr u64 kSign = 1ULL << 63;
constexpr u64 kInf = 0x7FF0000000000000ULL;
constexpr u64 kQuiet = 1ULL << 51;

bool isNan(u64 a) { return (a & ~kSign) > kInf; }
bool isSnan(u64 a) { return isNan(a) && !(a & kQuiet); }

// stap's NaN rule (SoftFloat 3e's 8086 specialisation as stap builds it).
u64 nanModel(u64 a, u64 b) {
  if (isSnan(a) || isSnan(b)) return (isSnan(a) ? a : b) | kQuiet;
  if (isNan(a)) return a;
  if (isNan(b)) return b;
  return UTAP_FP_DEFAULT_NAN;
}

// ---- operands ---------------------------------------------------------------

const std::vector<u64>& edgeCases() {
  static const std::vector<u64> cases = [] {
    std::vector<u64> v = {
        0x0000000000000000ULL,  // 0
        0x0000000000000001ULL,  // smallest subnormal
        0x0000000000000002ULL,
        0x0000000000000003ULL,
        0x000FFFFFFFFFFFFFULL,  // largest subnormal
        0x0008000000000000ULL,
        0x0000000080000000ULL,
        0x0010000000000000ULL,  // smallest normal
        0x0010000000000001ULL,
        0x001FFFFFFFFFFFFFULL,
        0x0020000000000000ULL,
        0x3CA0000000000000ULL,  // 2^-53
        0x3FE0000000000000ULL,  // 0.5
        0x3FEFFFFFFFFFFFFFULL,  // 1 - 2^-53
        0x3FF0000000000000ULL,  // 1
        0x3FF0000000000001ULL,  // 1 + 2^-52
        0x3FF8000000000000ULL,  // 1.5
        0x4000000000000000ULL,  // 2
        0x4008000000000000ULL,  // 3
        0x4024000000000000ULL,  // 10
        0x4340000000000000ULL,  // 2^53
        0x433FFFFFFFFFFFFFULL,  // 2^53 - 1
        0x4340000000000001ULL,  // 2^53 + 2
        0x43DFFFFFFFFFFFFFULL,  // just below 2^63
        0x43E0000000000000ULL,  // 2^63
        0x43F0000000000000ULL,  // 2^64
        0x7FE0000000000000ULL,
        0x7FEFFFFFFFFFFFFEULL,
        0x7FEFFFFFFFFFFFFFULL,  // largest finite
        kInf,
        0x7FF8000000000000ULL,  // quiet NaN (stap's default)
        0x7FF8000000000123ULL,  // quiet NaN with payload
        0x7FF0000000000001ULL,  // signalling NaNs
        0x7FF4000000000000ULL,
        0x7FFFFFFFFFFFFFFFULL,
    };
    size_t n = v.size();
    for (size_t i = 0; i < n; i++) v.push_back(v[i] | kSign);
    return v;
  }();
  return cases;
}

// Operands drawn from several shapes, so that every path is hit often.
class Gen {
 public:
  explicit Gen(u64 seed) : rng_(seed) {}

  u64 any() { return rng_(); }

  u64 pick(const std::vector<u64>& v) { return v[rng_() % v.size()]; }

  // Exponent field e, random sign and fraction with few or many bits set.
  u64 withExp(unsigned e) {
    u64 frac;
    switch (rng_() % 4) {
      case 0: frac = rng_() & ((1ULL << 52) - 1); break;
      case 1: frac = (rng_() & ((1ULL << 52) - 1)) >> (rng_() % 53); break;                         // short mantissa
      case 2: frac = ((1ULL << 52) - 1) ^ ((rng_() & ((1ULL << 52) - 1)) >> (rng_() % 53)); break;  // many 1s
      default: frac = (1ULL << (rng_() % 52)) | (rng_() % 2); break;                                // one or two bits
    }
    return (rng_() & kSign) | (static_cast<u64>(e & 0x7FF) << 52) | frac;
  }

  // One operand: uniform bits, an edge case, a subnormal, a value near 1,
  // or one at the top or bottom of the range.
  u64 operand() {
    switch (rng_() % 8) {
      case 0: return any();
      case 1: return pick(edgeCases());
      case 2: return withExp(0);
      case 3: return withExp(1023 - 30 + static_cast<unsigned>(rng_() % 60));
      case 4: return withExp(static_cast<unsigned>(rng_() % 80));
      case 5: return withExp(2046 - static_cast<unsigned>(rng_() % 80));
      default: return withExp(1 + static_cast<unsigned>(rng_() % 2046));
    }
  }

  // A second operand related to the first: near its exponent (cancellation,
  // alignment by a few bits, ties), or one that pushes the result to the
  // ends of the range.
  u64 partner(u64 a) {
    unsigned ea = static_cast<unsigned>(a >> 52) & 0x7FF;
    switch (rng_() % 6) {
      case 0: return operand();
      case 1: return withExp(ea + static_cast<unsigned>(rng_() % 121) - 60);
      case 2: return (a ^ (rng_() % 16)) ^ (rng_() % 2 ? kSign : 0);               // almost a, or -a
      case 3: return withExp(2046 - ea + static_cast<unsigned>(rng_() % 11) - 5);  // products near 1
      case 4: return withExp(ea + static_cast<unsigned>(rng_() % 121) - 60) & ~((1ULL << 40) - 1);
      default: return withExp(static_cast<unsigned>(rng_() % 2047));
    }
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

constexpr int kPairs = 2000000;

// Checks op against the hardware's hw on kPairs operand pairs and every
// pair of edge cases; returns the number checked.
void checkBinary(const char* name, u64 (*op)(u64, u64), const std::function<double(double, double)>& hw, u64 seed) {
  Gen g(seed);
  long checked = 0, failures = 0;
  auto one = [&](u64 a, u64 b) {
    volatile double x = dbl(a), y = dbl(b);
    u64 want = bits(hw(x, y));
    u64 got = op(a, b);
    checked++;
    bool ok = isNan(want) ? got == nanModel(a, b) : got == want;
    if (!ok && failures++ < 10)
      ADD_FAILURE() << name << "(" << hex(a) << ", " << hex(b) << ") = " << hex(got) << ", hardware " << hex(want);
  };
  for (u64 a : edgeCases())
    for (u64 b : edgeCases()) one(a, b);
  for (int i = 0; i < kPairs; i++) {
    u64 a = g.operand();
    u64 b = g.partner(a);
    if (i % 2) std::swap(a, b);
    one(a, b);
  }
  printf("%s: %ld cases, %ld differ\n", name, checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, AddMatchesHardware) {
  checkBinary(
      "fp_add", utap_fp_add, [](double x, double y) { return x + y; }, 1);
}

TEST(RuntimeFp, SubMatchesHardware) {
  checkBinary(
      "fp_sub", utap_fp_sub, [](double x, double y) { return x - y; }, 2);
}

TEST(RuntimeFp, MulMatchesHardware) {
  checkBinary(
      "fp_mul", utap_fp_mul, [](double x, double y) { return x * y; }, 3);
}

TEST(RuntimeFp, DivMatchesHardware) {
  checkBinary(
      "fp_div", utap_fp_div, [](double x, double y) { return x / y; }, 4);
}

// The x87's FPREM1, IEEE remainder in hardware: exact, a zero with the
// dividend's sign. (glibc's remainder() is not a usable reference: for
// some dividends far above the divisor it gives a zero of the wrong sign,
// and it rounds some ties between subnormals to odd.) FPREM1 reduces by at most 2^63 a step, so it repeats while C2
// says it is not done.
#if defined(__x86_64__)
double hardwareRemainder(double x, double y) {
  long double r = x;
  unsigned short status;
  do {
    __asm__("fprem1\n\tfnstsw %%ax" : "+t"(r), "=a"(status) : "u"(static_cast<long double>(y)));
  } while (status & 0x400);
  return static_cast<double>(r);
}

TEST(RuntimeFp, RemIsIeeeRemainder) { checkBinary("fp_rem", utap_fp_rem, hardwareRemainder, 5); }
#endif

TEST(RuntimeFp, RemExamples) {
  // remainder(), not fmod(): the quotient is rounded to nearest, ties even.
  EXPECT_EQ(utap_fp_rem(bits(5.0), bits(3.0)), bits(-1.0));
  EXPECT_EQ(utap_fp_rem(bits(7.0), bits(2.0)), bits(-1.0));   // 3.5 -> 4
  EXPECT_EQ(utap_fp_rem(bits(5.0), bits(2.0)), bits(1.0));    // 2.5 -> 2
  EXPECT_EQ(utap_fp_rem(bits(-4.0), bits(2.0)), bits(-0.0));  // zero keeps the sign
  EXPECT_EQ(utap_fp_rem(bits(1.0), bits(INFINITY)), bits(1.0));
  EXPECT_EQ(utap_fp_rem(bits(INFINITY), bits(1.0)), UTAP_FP_DEFAULT_NAN);
  EXPECT_EQ(utap_fp_rem(bits(1.0), bits(0.0)), UTAP_FP_DEFAULT_NAN);
}

TEST(RuntimeFp, SqrtMatchesHardware) {
  Gen g(6);
  long checked = 0, failures = 0;
  auto one = [&](u64 a) {
    volatile double x = dbl(a);
    u64 want = bits(std::sqrt(x));
    u64 got = utap_fp_sqrt(a);
    checked++;
    bool ok = isNan(want) ? got == nanModel(a, a) : got == want;
    if (!ok && failures++ < 10)
      ADD_FAILURE() << "fp_sqrt(" << hex(a) << ") = " << hex(got) << ", hardware " << hex(want);
  };
  for (u64 a : edgeCases()) one(a);
  for (int i = 0; i < kPairs; i++) one(g.operand());
  // Squares of doubles and their neighbours: exact roots and near-ties.
  for (int i = 0; i < kPairs / 4; i++) {
    volatile double r = dbl(g.withExp(1023 - 200 + static_cast<unsigned>(g.rng()() % 400)) & ~kSign);
    u64 sq = bits(r * r);
    for (int d = -1; d <= 1; d++) one(sq + static_cast<u64>(d));
  }
  printf("fp_sqrt: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, ComparisonsMatchHardware) {
  Gen g(7);
  long checked = 0, failures = 0;
  auto one = [&](u64 a, u64 b) {
    volatile double x = dbl(a), y = dbl(b);
    int eq = x == y, le = x <= y, lt = x < y;
    checked++;
    if ((utap_fp_eq(a, b) != eq || utap_fp_le(a, b) != le || utap_fp_lt(a, b) != lt) && failures++ < 10)
      ADD_FAILURE() << hex(a) << " vs " << hex(b) << ": eq " << utap_fp_eq(a, b) << " le " << utap_fp_le(a, b) << " lt "
                    << utap_fp_lt(a, b) << ", hardware " << eq << le << lt;
  };
  for (u64 a : edgeCases())
    for (u64 b : edgeCases()) one(a, b);
  for (int i = 0; i < kPairs; i++) {
    u64 a = g.operand();
    one(a, g.partner(a));
  }
  printf("fp_eq/fp_le/fp_lt: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, LongToFpMatchesHardware) {
  Gen g(8);
  long checked = 0, failures = 0;
  auto one = [&](int64_t v) {
    volatile int64_t x = v;
    u64 want = bits(static_cast<double>(x));
    checked++;
    if (utap_fp_from_long(v) != want && failures++ < 10)
      ADD_FAILURE() << "long_to_fp(" << v << ") = " << hex(utap_fp_from_long(v)) << ", hardware " << hex(want);
  };
  for (int64_t v :
       {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, int64_t{0}, int64_t{1}, int64_t{-1}, (int64_t{1} << 53) + 1,
        (int64_t{1} << 53) + 3, -(int64_t{1} << 53) - 1, (int64_t{1} << 54) + 2, (int64_t{1} << 54) + 6})
    one(v);
  for (int i = 0; i < kPairs; i++) {
    u64 r = g.any();
    one(static_cast<int64_t>(r >> (r % 64)) * ((r >> 7) % 2 ? -1 : 1));
  }
  printf("long_to_fp: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, Fp32ToFp64MatchesHardware) {
  long checked = 0, failures = 0;
  // Every exponent and sign, with fractions of each shape; NaNs included
  // (x86 keeps the payload and sets the quiet bit, as stap).
  std::mt19937_64 rng(9);
  for (int i = 0; i < kPairs; i++) {
    uint32_t f = static_cast<uint32_t>(rng());
    if (i % 4 == 1) f &= 0x807FFFFFu;  // subnormals and zeros
    if (i % 4 == 2) f |= 0x7F800000u;  // infinities and NaNs
    if (i % 4 == 3) f &= 0xFF800000u | (1u << (rng() % 23));
    float x;
    memcpy(&x, &f, sizeof(x));
    volatile float vx = x;
    u64 want = bits(static_cast<double>(vx));
    checked++;
    if (utap_fp_from_fp32(f) != want && failures++ < 10)
      ADD_FAILURE() << "fp32_to_fp64(" << f << ") = " << hex(utap_fp_from_fp32(f)) << ", hardware " << hex(want);
  }
  printf("fp32_to_fp64: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

// What fp_to_long gives, from the hardware's rounding of x in mode.
int64_t expectedToLong(double x, int mode) {
  if (std::isnan(x)) return 0;
  double r;
  int saved = fegetround();
  switch (mode & 0xFF) {
    case 0:
      fesetround(FE_TONEAREST);
      r = std::nearbyint(x);
      break;
    case 1:
      fesetround(FE_TOWARDZERO);
      r = std::nearbyint(x);
      break;
    case 2:
      fesetround(FE_DOWNWARD);
      r = std::nearbyint(x);
      break;
    case 3:
      fesetround(FE_UPWARD);
      r = std::nearbyint(x);
      break;
    case 4: r = std::round(x); break;  // ties away from zero
    case 6:
      r = std::trunc(x);
      if (r != x && std::fmod(r, 2.0) == 0) r += x > 0 ? 1 : -1;
      break;
    default: r = std::trunc(x); break;
  }
  fesetround(saved);
  if (r >= 9223372036854775808.0) return INT64_MAX;
  if (r < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(r);
}

TEST(RuntimeFp, FpToLongMatchesHardwareInEveryMode) {
  Gen g(10);
  long checked = 0, failures = 0;
  auto one = [&](u64 a, int64_t mode) {
    int64_t want = expectedToLong(dbl(a), static_cast<int>(mode & 0xFF));
    int64_t got = utap_fp_to_long(a, mode);
    checked++;
    if (got != want && failures++ < 10)
      ADD_FAILURE() << "fp_to_long(" << hex(a) << ", " << mode << ") = " << got << ", expected " << want;
  };
  const int64_t modes[] = {0, 1, 2, 3, 4, 5, 6, 7, 255, 256, 262, -1};
  for (u64 a : edgeCases())
    for (int64_t m : modes) one(a, m);
  for (int i = 0; i < kPairs; i++) {
    u64 a;
    switch (i % 4) {
      case 0: a = g.operand(); break;
      case 1: a = g.withExp(1023 + static_cast<unsigned>(g.rng()() % 66) - 2); break;  // 0.25 .. 2^64
      case 2:
        a = bits(static_cast<double>(static_cast<int64_t>(g.any()) >> (g.any() % 60)) + 0.5 * (g.any() % 4));
        break;                                                                           // integers, halves
      default: a = g.withExp(1023 - 70 + static_cast<unsigned>(g.rng()() % 70)); break;  // below 1
    }
    one(a, modes[i % 12]);
    one(a, i % 7);
  }
  printf("fp_to_long: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, FpToLongDocumentedCases) {
  // stap's documented modes on 2.5 and -2.5; 6 is round to odd.
  const int64_t pos[] = {2, 2, 2, 3, 3, 2, 3}, neg[] = {-2, -2, -3, -2, -3, -2, -3};
  for (int m = 0; m <= 6; m++) {
    EXPECT_EQ(utap_fp_to_long(bits(2.5), m), pos[m]) << "mode " << m;
    EXPECT_EQ(utap_fp_to_long(bits(-2.5), m), neg[m]) << "mode " << m;
  }
  EXPECT_EQ(utap_fp_to_long(bits(NAN), 0), 0);
  EXPECT_EQ(utap_fp_to_long(bits(INFINITY), 0), INT64_MAX);
  EXPECT_EQ(utap_fp_to_long(bits(-INFINITY), 0), INT64_MIN);
  EXPECT_EQ(utap_fp_to_long(bits(-9223372036854775808.0), 0), INT64_MIN);
  EXPECT_EQ(utap_fp_to_long(bits(9223372036854775808.0), 0), INT64_MAX);
}

// ---- string_to_fp -----------------------------------------------------------

// The exact decimal text of a long double (glibc prints every digit).
std::string exactDecimal(long double v) {
  std::vector<char> buf(2000);
  snprintf(buf.data(), buf.size(), "%.1100Le", v);
  std::string s(buf.data());
  // Cut the trailing zeros of the mantissa (they are the padding of %.1100e).
  size_t e = s.find('e');
  size_t end = s.find_last_not_of('0', e - 1);
  if (s[end] == '.') end--;
  return s.substr(0, end + 1) + s.substr(e);
}

void checkParse(const std::string& s, long& checked, long& failures) {
  char* end;
  u64 want = bits(strtod(s.c_str(), &end));
  ASSERT_EQ(*end, '\0') << "strtod stopped early in " << s;
  u64 got = 0;
  int rc = utap_fp_from_string(s.c_str(), &got);
  checked++;
  if ((rc != 0 || got != want) && failures++ < 10)
    ADD_FAILURE() << "string_to_fp(\"" << s << "\") = " << hex(got) << " (rc " << rc << "), strtod " << hex(want);
}

TEST(RuntimeFp, StringToFpMatchesStrtodOnRandomDecimals) {
  std::mt19937_64 rng(11);
  long checked = 0, failures = 0;
  for (int i = 0; i < 400000; i++) {
    std::string s;
    if (rng() % 2) s += rng() % 2 ? "-" : "+";
    int ndig = 1 + static_cast<int>(rng() % (i % 10 == 0 ? 400 : 25));
    int point = static_cast<int>(rng() % (ndig + 2)) - 1;  // -1: none
    for (int d = 0; d < ndig; d++) {
      if (d == point) s += '.';
      s += static_cast<char>('0' + (d == 0 && rng() % 3 ? 1 + rng() % 9 : rng() % 10));
    }
    if (rng() % 2) {
      s += rng() % 2 ? 'e' : 'E';
      long e = static_cast<long>(rng() % 700) - 350;
      if (rng() % 4 == 0) e = static_cast<long>(rng() % 100) - 50;
      if (e >= 0 && rng() % 2) s += '+';
      s += std::to_string(e);
    }
    checkParse(s, checked, failures);
  }
  printf("string_to_fp random decimals: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, StringToFpRoundsHalfwayCasesLikeStrtod) {
  Gen g(12);
  long checked = 0, failures = 0;
  for (int i = 0; i < 60000; i++) {
    // A finite positive double and the exact midpoint to the next one, in
    // decimal (up to 767 significant digits), then just above and below it.
    u64 a = g.operand() & ~kSign;
    if ((a >> 52) >= 0x7FE) a = 0x7FEFFFFFFFFFFFFEULL - (a & 0xFFFF);
    long double lo = dbl(a), hi = dbl(a + 1);
    std::string mid = exactDecimal((lo + hi) / 2);
    size_t e = mid.find('e');
    std::string digits = mid.substr(0, e), exp = mid.substr(e);
    std::string below = digits;  // the last digit (never 0) less one, then 9s
    below.back() = static_cast<char>(below.back() - 1);
    if (digits.find('.') == std::string::npos) digits += ".", below += ".";
    checkParse(mid, checked, failures);
    checkParse(digits + "000001" + exp, checked, failures);                     // a bit above
    checkParse(digits + std::string(800, '0') + "1" + exp, checked, failures);  // past the kept digits
    checkParse(below + "999" + exp, checked, failures);
    checkParse(exactDecimal(lo), checked, failures);  // the double itself
  }
  // The ends of the range: the midpoint above the largest double (rounds to
  // inf), half the smallest subnormal (to 0), and their neighbours.
  for (long double v : {static_cast<long double>(DBL_MAX) + std::ldexp(1.0L, 970),
                        static_cast<long double>(DBL_MAX) + std::ldexp(1.0L, 969), std::ldexp(1.0L, -1075),
                        std::ldexp(3.0L, -1076), std::ldexp(1.0L, -1076), std::ldexp(1.0L, -1022)}) {
    std::string s = exactDecimal(v);
    checkParse(s, checked, failures);
    size_t e = s.find('e');
    checkParse(s.substr(0, e) + (s.find('.') < e ? "" : ".") + "0001" + s.substr(e), checked, failures);
  }
  printf("string_to_fp halfway cases: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

TEST(RuntimeFp, StringToFpSyntaxIsStaps) {
  u64 r;
  // stap's grammar: [+-]?[0-9]*[.]?[0-9]*([eE][+-]?[0-9]*)?, parts may be empty.
  struct {
    const char* s;
    double v;
  } ok[] = {{"", 0.0},
            {"-", -0.0},
            {"+", 0.0},
            {".", 0.0},
            {"-.", -0.0},
            {"e", 0.0},
            {"1e", 1.0},
            {"1e+", 1.0},
            {"1e-", 1.0},
            {"1.", 1.0},
            {".5", 0.5},
            {"-0", -0.0},
            {"007", 7.0},
            {"1E2", 100.0},
            {"-2.5e-1", -0.25},
            {"1e400", INFINITY},
            {"-1e400", -INFINITY},
            {"1e-400", 0.0},
            {"-1e-400", -0.0},
            {"1e99999999999999999999", INFINITY},
            {"0e99999999999", 0.0},
            {"123456789012345678901234567890", 1.2345678901234568e29}};
  for (auto& c : ok) {
    r = 1;
    EXPECT_EQ(utap_fp_from_string(c.s, &r), 0) << "\"" << c.s << "\"";
    EXPECT_EQ(r, bits(c.v)) << "\"" << c.s << "\"";
  }
  for (const char* bad : {" 1", "1 ", "+-1", "--1", "1..2", "1.2.3", "inf", "nan", "0x10", "1e5.0", "1e--5", "e+-",
                          "1f", "١", "1,5", "\t"}) {
    r = 42;
    EXPECT_EQ(utap_fp_from_string(bad, &r), -EINVAL) << "\"" << bad << "\"";
    EXPECT_EQ(r, 42u) << "\"" << bad << "\" wrote a result";
  }
}

// ---- fp_to_string -----------------------------------------------------------

// glibc's %.*f rounds the exact value in the current rounding mode, ties
// to even in the default one. stap rounds ties away from zero: for an
// exact tie, print in the mode that rounds away from zero.
std::string expectedText(double x, long precision) {
  int p = static_cast<int>(precision < 1 ? 1 : precision);
  std::vector<char> buf(8000);
  // The exact expansion: a double's fraction has at most 1074 digits.
  snprintf(buf.data(), buf.size(), "%.*f", p + 1100, x);
  std::string exact(buf.data());
  size_t cut = exact.find('.') + 1 + static_cast<size_t>(p);
  bool tie = std::isfinite(x) && exact[cut] == '5' && exact.find_first_not_of('0', cut + 1) == std::string::npos;
  int saved = fegetround();
  if (tie) fesetround(std::signbit(x) ? FE_DOWNWARD : FE_UPWARD);
  snprintf(buf.data(), buf.size(), "%.*f", p, x);
  fesetround(saved);
  return buf.data();
}

TEST(RuntimeFp, FpToStringDocumentedCases) {
  struct {
    double x;
    long p;
    const char* want;
  } cases[] = {
      {1.5, 2, "1.50"},
      {3.14159, 3, "3.142"},
      {-2.5, 1, "-2.5"},
      {0.25, 1, "0.3"},  // half up
      {-0.25, 1, "-0.3"},
      {0.125, 2, "0.13"},
      {2.0, 0, "2.0"},
      {2.0, -5, "2.0"},  // at least 1 digit
      {123.456, 6, "123.456000"},
      {0.0, 3, "0.000"},
      {-0.0, 2, "-0.00"},
      {-0.001, 2, "-0.00"},
      {0.96, 1, "1.0"},
      {9.96, 1, "10.0"},
      {-99.95, 1, "-100.0"},
      {1e22, 1, "10000000000000000000000.0"},
      {0.1, 20, "0.10000000000000000555"},
      {INFINITY, 2, "inf"},
      {-INFINITY, 2, "-inf"},
      {NAN, 2, "nan"},
      {-NAN, 2, "-nan"},
      {5e-324, 3, "0.000"},
  };
  char buf[MAXSTRINGLEN];
  for (auto& c : cases) {
    utap_fp_to_string(buf, sizeof(buf), bits(c.x), c.p);
    EXPECT_STREQ(buf, c.want) << c.x << " precision " << c.p;
  }
}

TEST(RuntimeFp, FpToStringMatchesPrintf) {
  Gen g(13);
  long checked = 0, failures = 0;
  std::vector<char> buf(4096);
  auto one = [&](u64 a, long p, size_t len) {
    std::string want = expectedText(dbl(a), p).substr(0, len - 1);
    memset(buf.data(), 'x', buf.size());
    utap_fp_to_string(buf.data(), len, a, p);
    checked++;
    bool ok = buf[len - 1 < want.size() ? len - 1 : want.size()] == '\0' && want == buf.data() &&
              (len == buf.size() || buf[len] == 'x');
    if (!ok && failures++ < 10)
      ADD_FAILURE() << "fp_to_string(" << hex(a) << " = " << dbl(a) << ", " << p << ") in " << len << " bytes: \""
                    << std::string(buf.data(), strnlen(buf.data(), len)) << "\", expected \"" << want << "\"";
  };
  for (u64 a : edgeCases())
    for (long p : {-1L, 0L, 1L, 2L, 6L, 17L, 60L, 400L, 1100L}) one(a, p, buf.size());
  for (int i = 0; i < 150000; i++) {
    u64 a;
    switch (i % 5) {
      case 0: a = g.operand(); break;
      case 1:
        a = bits(std::ldexp(static_cast<double>(g.any() % 4096), -static_cast<int>(g.any() % 14)));
        break;  // few digits: ties and carries
      case 2:
        a = bits(1.0 - std::ldexp(1.0, -static_cast<int>(1 + g.any() % 60))) ^ (g.any() & kSign);
        break;  // 0.999...
      case 3: a = g.withExp(1023 - 40 + static_cast<unsigned>(g.rng()() % 100)); break;
      default: a = bits(static_cast<double>(g.any() % 1000000) / 1000.0) ^ (g.any() & kSign); break;
    }
    long p = i % 3 == 0 ? static_cast<long>(g.any() % 25) : static_cast<long>(g.any() % 1200) - 5;
    one(a, p, buf.size());
    one(a, p, 1 + g.any() % 40);  // cut short: a prefix of the same text
    one(a, p, MAXSTRINGLEN);
  }
  printf("fp_to_string: %ld cases, %ld differ\n", checked, failures);
  EXPECT_EQ(failures, 0);
}

}  // namespace
