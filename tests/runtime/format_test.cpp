// printf formatting. Where C defines a conversion and stap agrees, the output
// is compared with glibc's snprintf over every flag combination, widths and
// precisions 0..20 and edge values; where stap differs from C, with a model
// of stap's number() that is itself checked against glibc where they agree,
// and with expected strings from stap(1) and stap's NEWS. Then the sink: no
// write past its size at any size, always terminated, `wanted` exact.
#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

extern "C" {
#include "utap/format.h"
}

namespace {

using namespace std::string_literals;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr unsigned kAllFlags = UTAP_FLAG_MINUS | UTAP_FLAG_PLUS | UTAP_FLAG_SPACE | UTAP_FLAG_ZERO | UTAP_FLAG_HASH;

utap_conv Conv(char c, unsigned flags = 0, int width = UTAP_FMT_NONE, int precision = UTAP_FMT_NONE) {
  return utap_conv{c, static_cast<unsigned char>(flags), width, precision};
}

// A sink over a big buffer, checked after every use: terminated, and
// nothing was cut, so `wanted` is the length.
class Out {
 public:
  explicit Out(size_t size = 4096) : buf_(size) { utap_sink_init(&sink_, buf_.data(), size); }
  utap_sink* operator->() { return &sink_; }
  utap_sink* get() { return &sink_; }
  std::string str() {
    EXPECT_EQ(sink_.buf[sink_.len], '\0');
    return std::string(sink_.buf, sink_.len);
  }

 private:
  std::vector<char> buf_;
  utap_sink sink_{};
};

std::string Long(const utap_conv& c, int64_t v, int64_t wa = 0, int64_t pa = 0) {
  Out o;
  utap_fmt_long(o.get(), &c, v, wa, pa);
  EXPECT_EQ(o->wanted, o->len);
  return o.str();
}

std::string Str(const utap_conv& c, const char* s, int64_t wa = 0, int64_t pa = 0) {
  Out o;
  utap_fmt_string(o.get(), &c, s, wa, pa);
  EXPECT_EQ(o->wanted, o->len);
  return o.str();
}

std::string Mem(const utap_conv& c, const std::string& bytes, int64_t wa = 0) {
  Out o;
  utap_fmt_memory(o.get(), &c, bytes.data(), bytes.size(), wa);
  EXPECT_EQ(o->wanted, o->len);
  return o.str();
}

std::string Glibc(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Glibc(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  EXPECT_GE(n, 0);
  EXPECT_LT(n, static_cast<int>(sizeof(buf)));
  return std::string(buf, static_cast<size_t>(n));
}

// "%<flags><width>.<precision>" as C writes it; C cannot spell a width of 0
// (a leading 0 is the flag), which means no padding, as no width does.
std::string Spec(unsigned flags, int width, int precision) {
  std::string s = "%";
  if (flags & UTAP_FLAG_MINUS) s += '-';
  if (flags & UTAP_FLAG_PLUS) s += '+';
  if (flags & UTAP_FLAG_SPACE) s += ' ';
  if (flags & UTAP_FLAG_ZERO) s += '0';
  if (flags & UTAP_FLAG_HASH) s += '#';
  if (width > 0) s += std::to_string(width);
  if (precision >= 0) s += "." + std::to_string(precision);
  return s;
}

std::string GlibcNumber(char conv, unsigned flags, int width, int precision, int64_t v) {
  std::string f = Spec(flags, width, precision) + "ll" + conv;
  if (conv == 'd' || conv == 'i') return Glibc(f.c_str(), static_cast<long long>(v));
  return Glibc(f.c_str(), static_cast<unsigned long long>(v));
}

// stap's number() (runtime/vsprintf.c), written as string operations:
// [spaces][sign][prefix][zero pad][precision zeros][digits][spaces].
std::string StapNumber(char conv, unsigned flags, int width, int precision, int64_t v) {
  bool is_signed = conv == 'd' || conv == 'i';
  bool left = flags & UTAP_FLAG_MINUS;
  bool zero = (flags & UTAP_FLAG_ZERO) && !left;
  uint64_t mag = static_cast<uint64_t>(v);
  std::string sign, prefix;
  if (is_signed && v < 0) {
    sign = "-";
    mag = 0 - mag;
  } else if (is_signed && (flags & UTAP_FLAG_PLUS)) {
    sign = "+";
  } else if (is_signed && (flags & UTAP_FLAG_SPACE)) {
    sign = " ";
  }
  if ((flags & UTAP_FLAG_HASH) || conv == 'p') {
    if (conv == 'o') prefix = "0";
    if (conv == 'x' || conv == 'p') prefix = "0x";
    if (conv == 'X') prefix = "0X";
  }
  const char* digits_fmt = conv == 'o' ? "%llo" : conv == 'X' ? "%llX" : (conv == 'x' || conv == 'p') ? "%llx" : "%llu";
  std::string digits = Glibc(digits_fmt, static_cast<unsigned long long>(mag));
  if (precision > static_cast<int>(digits.size())) digits.insert(0, precision - digits.size(), '0');
  int pad = width - static_cast<int>(sign.size() + prefix.size() + digits.size());
  std::string padding = pad > 0 ? std::string(pad, zero ? '0' : ' ') : "";
  if (left) return sign + prefix + digits + padding;
  if (zero) return sign + prefix + padding + digits;
  return padding + sign + prefix + digits;
}

// Where stap's number() and C's printf agree.
bool CAgrees(char conv, unsigned flags, int precision, int64_t v) {
  bool zero = (flags & UTAP_FLAG_ZERO) && !(flags & UTAP_FLAG_MINUS);
  if (zero && precision >= 0) return false;                 // stap: '0' still pads
  if (precision == 0 && v == 0) return false;               // stap: always a digit
  if ((flags & UTAP_FLAG_HASH) && conv == 'o') return false;  // stap: always "0"
  if ((flags & UTAP_FLAG_HASH) && (conv == 'x' || conv == 'X') && v == 0) return false;  // stap: "0x0"
  return true;
}

const int64_t kEdgeValues[] = {0,          1,           -1,   7,    8,    42,   -42, 255, 4096, 0x1234abcd,
                               1234567890, -1234567890, kMax, kMin, kMin + 1};

// ---- integers: every flag combination, width and precision ----------------

TEST(RuntimeFormat, IntegersMatchGlibcAndTheStapModel) {
  size_t compared_with_glibc = 0, compared_with_model = 0, failures = 0;
  for (char conv : {'d', 'i', 'u', 'o', 'x', 'X'})
    for (unsigned flags = 0; flags <= kAllFlags; flags++)
      for (int width = -1; width <= 20; width++)
        for (int precision = -1; precision <= 20; precision++)
          for (int64_t v : kEdgeValues) {
            utap_conv c = Conv(conv, flags, width, precision);
            Out o;
            utap_fmt_long(o.get(), &c, v, 0, 0);
            std::string got(o->buf, o->len);
            std::string model = StapNumber(conv, flags, width, precision, v);
            std::string want = model;
            if (CAgrees(conv, flags, precision, v)) {
              std::string c_out = GlibcNumber(conv, flags, width, precision, v);
              compared_with_glibc++;
              if (model != c_out && failures++ < 20)
                ADD_FAILURE() << "the model disagrees with glibc: " << Spec(flags, width, precision) << conv << " of " << v
                              << ": model '" << model << "' glibc '" << c_out << "'";
              want = c_out;
            } else {
              compared_with_model++;
            }
            if ((got != want || o->wanted != o->len) && failures++ < 20)
              ADD_FAILURE() << Spec(flags, width, precision) << conv << " of " << v << ": got '" << got << "' want '"
                            << want << "'";
          }
  EXPECT_EQ(failures, 0u);
  EXPECT_EQ(compared_with_glibc + compared_with_model, 6u * 32 * 22 * 22 * std::size(kEdgeValues));
  EXPECT_GT(compared_with_glibc, 900000u);
  EXPECT_GT(compared_with_model, 400000u);
  printf("[          ] integer cases: %zu against glibc, %zu against the stap model\n", compared_with_glibc,
         compared_with_model);
}

TEST(RuntimeFormat, WhereStapDiffersFromC) {
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_ZERO, 8, 3), 5), "00000005");   // C: "     005"
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_ZERO, 8, 3), -5), "-0000005");  // C: "    -005"
  EXPECT_EQ(Long(Conv('d', 0, UTAP_FMT_NONE, 0), 0), "0");           // C: ""
  EXPECT_EQ(Long(Conv('x', 0, 3, 0), 0), "  0");                     // C: "   "
  EXPECT_EQ(Long(Conv('o', UTAP_FLAG_HASH), 0), "00");               // C: "0"
  EXPECT_EQ(Long(Conv('o', UTAP_FLAG_HASH), 8), "010");              // same as C
  EXPECT_EQ(Long(Conv('o', UTAP_FLAG_HASH, UTAP_FMT_NONE, 3), 8), "0010");  // C: "010"
  EXPECT_EQ(Long(Conv('x', UTAP_FLAG_HASH), 0), "0x0");              // C: "0"
  EXPECT_EQ(Long(Conv('X', UTAP_FLAG_HASH, 6), 0), "   0X0");        // C: "     0"
  EXPECT_EQ(Long(Conv('x', UTAP_FLAG_HASH | UTAP_FLAG_ZERO, 10, 4), 0xab), "0x000000ab");  // C: "    0x00ab"
}

TEST(RuntimeFormat, IntegerExamples) {
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_MINUS, 5), 42) + "|", "42   |");
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_PLUS), 42), "+42");
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_SPACE), 42), " 42");
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_ZERO, 5), 42), "00042");
  EXPECT_EQ(Long(Conv('d', 0, UTAP_FMT_NONE, 3), 7), "007");
  EXPECT_EQ(Long(Conv('d'), kMin), "-9223372036854775808");
  EXPECT_EQ(Long(Conv('d'), kMax), "9223372036854775807");
  EXPECT_EQ(Long(Conv('u'), -1), "18446744073709551615");
  EXPECT_EQ(Long(Conv('o'), -1), "1777777777777777777777");
  EXPECT_EQ(Long(Conv('x'), kMin), "8000000000000000");
  EXPECT_EQ(Long(Conv('i', UTAP_FLAG_PLUS | UTAP_FLAG_SPACE), 0), "+0");  // '+' wins over ' '
  EXPECT_EQ(Long(Conv('u', UTAP_FLAG_PLUS | UTAP_FLAG_SPACE), 3), "3");   // no sign on unsigned
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_HASH), 3), "3");                     // no '#' form for d
  EXPECT_EQ(Long(Conv('d', UTAP_FLAG_MINUS | UTAP_FLAG_ZERO, 4), 3), "3   ");  // '-' beats '0'
}

// ---- stap(1)'s printf examples ------------------------------------------------

TEST(RuntimeFormat, StapManPageExamples) {
  // a = "alice", p = 0x1234abcd, j = -1:
  // printf("%c is %s; %x or %X or %p; %d or %u\n",97,a,p,p,p,j,j)
  Out o;
  utap_conv c = Conv('c'), s = Conv('s'), x = Conv('x'), X = Conv('X'), p = Conv('p'), d = Conv('d'), u = Conv('u');
  utap_fmt_long(o.get(), &c, 97, 0, 0);
  utap_fmt_literal(o.get(), " is ", 4);
  utap_fmt_string(o.get(), &s, "alice", 0, 0);
  utap_fmt_literal(o.get(), "; ", 2);
  utap_fmt_long(o.get(), &x, 0x1234abcd, 0, 0);
  utap_fmt_literal(o.get(), " or ", 4);
  utap_fmt_long(o.get(), &X, 0x1234abcd, 0, 0);
  utap_fmt_literal(o.get(), " or ", 4);
  utap_fmt_long(o.get(), &p, 0x1234abcd, 0, 0);
  utap_fmt_literal(o.get(), "; ", 2);
  utap_fmt_long(o.get(), &d, -1, 0, 0);
  utap_fmt_literal(o.get(), " or ", 4);
  utap_fmt_long(o.get(), &u, -1, 0, 0);
  utap_fmt_literal(o.get(), "\n", 1);
  EXPECT_EQ(o.str(), "a is alice; 1234abcd or 1234ABCD or 0x1234abcd; -1 or 18446744073709551615\n");
  EXPECT_EQ(o->wanted, o->len);

  // printf("%#o %#x %#X\n", 1, 2, 3)
  EXPECT_EQ(Long(Conv('o', UTAP_FLAG_HASH), 1) + " " + Long(Conv('x', UTAP_FLAG_HASH), 2) + " " +
                Long(Conv('X', UTAP_FLAG_HASH), 3),
            "01 0x2 0X3");
  // printf("%#c %#c %#c\n", 0, 9, 42)
  EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH), 0) + " " + Long(Conv('c', UTAP_FLAG_HASH), 9) + " " +
                Long(Conv('c', UTAP_FLAG_HASH), 42),
            "\\000 \\t *");
  // printf("%4b", p): the low 4 bytes of 0x1234abcd, native (little) endian
  EXPECT_EQ(Long(Conv('b', 0, 4), 0x1234abcd), "\xcd\xab\x34\x12"s);
  // print("hello"), println(b), println(a . " is " . sprint(16))
  Out q;
  utap_print_string(q.get(), "hello");
  utap_println_string(q.get(), "bob");
  utap_print_long(q.get(), 16);
  utap_println_long(q.get(), -3);
  EXPECT_EQ(q.str(), "hellobob\n16-3\n");
}

// ---- %p ---------------------------------------------------------------------------

TEST(RuntimeFormat, PointerIsHashX) {
  EXPECT_EQ(Long(Conv('p'), 0x1234abcd), "0x1234abcd");
  EXPECT_EQ(Long(Conv('p'), 0), "0x0");
  EXPECT_EQ(Long(Conv('p'), -1), "0xffffffffffffffff");
  EXPECT_EQ(Long(Conv('p', 0, 20), 0x1234abcd), "          0x1234abcd");
  EXPECT_EQ(Long(Conv('p', UTAP_FLAG_MINUS, 12), 0xbeef) + "|", "0xbeef      |");
  EXPECT_EQ(Long(Conv('p', UTAP_FLAG_ZERO, 12), 0xbeef), "0x000000beef");
  EXPECT_EQ(Long(Conv('p', UTAP_FLAG_PLUS), 5), "0x5");
  for (unsigned flags = 0; flags <= kAllFlags; flags++)
    for (int width = -1; width <= 20; width += 3)
      for (int precision = -1; precision <= 20; precision += 3)
        for (int64_t v : kEdgeValues)
          EXPECT_EQ(Long(Conv('p', flags, width, precision), v),
                    Long(Conv('x', flags | UTAP_FLAG_HASH, width, precision), v));
}

// ---- %c -----------------------------------------------------------------------------

// stap --compatible=1.2's %p (its runtime's number() with the width and
// precision that version computed): the digits fill the width.
TEST(RuntimeFormat, LegacyPointerFillsTheWidthWithDigits) {
  const unsigned legacy = UTAP_FLAG_LEGACY_POINTER;
  EXPECT_EQ(Long(Conv('p', legacy), 1), "0x0000000000000001");
  EXPECT_EQ(Long(Conv('p', legacy), -1), "0xffffffffffffffff");
  EXPECT_EQ(Long(Conv('p', legacy, 20), 2), "  0x0000000000000002");
  EXPECT_EQ(Long(Conv('p', legacy | UTAP_FLAG_MINUS, 20), 3), "0x000000000000000003");
  EXPECT_EQ(Long(Conv('p', legacy, 10), 0x123), "0x00000123");
  EXPECT_EQ(Long(Conv('p', legacy, 10), 0x123456789), "0x123456789");
}

TEST(RuntimeFormat, CharMatchesGlibc) {
  size_t cases = 0;
  for (unsigned flags : {0u, unsigned(UTAP_FLAG_MINUS), unsigned(UTAP_FLAG_PLUS), unsigned(UTAP_FLAG_SPACE),
                         unsigned(UTAP_FLAG_MINUS | UTAP_FLAG_PLUS)})
    for (int width = -1; width <= 20; width++)
      for (int ch = 0; ch < 256; ch++) {
        std::string f = Spec(flags, width, -1) + "c";
        ASSERT_EQ(Long(Conv('c', flags, width), ch), Glibc(f.c_str(), ch)) << f << " of " << ch;
        cases++;
      }
  EXPECT_EQ(cases, 5u * 22 * 256);
}

TEST(RuntimeFormat, CharTakesTheLowByteAndIgnoresPrecisionAndZero) {
  EXPECT_EQ(Long(Conv('c'), 0x141), "A");
  EXPECT_EQ(Long(Conv('c'), -1), "\xff");
  EXPECT_EQ(Long(Conv('c'), 0), "\0"s);  // a raw 0 byte
  EXPECT_EQ(Long(Conv('c', 0, 3), 0), "  \0"s);
  EXPECT_EQ(Long(Conv('c', 0, UTAP_FMT_NONE, 5), 'x'), "x");
  EXPECT_EQ(Long(Conv('c', UTAP_FLAG_ZERO, 4), 'x'), "   x");  // spaces, as stap
}

// %#c: stap's _stp_vsprint_char escapes. Written out from its rules:
// \a \b \f \n \r \t \v \' \\, else \ooo for bytes that are not printable
// ASCII; '"' is not escaped.
std::string StapCharEscape(int ch) {
  switch (ch) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    case '\'': return "\\'";
    case '\\': return "\\\\";
    default: break;
  }
  if (ch < 0x20 || ch >= 0x7f) return Glibc("\\%03o", ch);
  return std::string(1, static_cast<char>(ch));
}

TEST(RuntimeFormat, HashCharEscapesEveryByte) {
  for (int ch = 0; ch < 256; ch++) {
    std::string e = StapCharEscape(ch);
    EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH), ch), e) << ch;
    EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH, 6), ch), std::string(6 - e.size(), ' ') + e) << ch;
    EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH | UTAP_FLAG_MINUS, 6), ch), e + std::string(6 - e.size(), ' ')) << ch;
  }
  EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH), '"'), "\"");
  EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH), 0x7f), "\\177");
  EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH), 0xe9), "\\351");
  EXPECT_EQ(Long(Conv('c', UTAP_FLAG_HASH, 2), 0x1b), "\\033");  // wider than the width
}

// ---- %s -----------------------------------------------------------------------------

TEST(RuntimeFormat, StringMatchesGlibc) {
  const char* strings[] = {"", "a", "hello", "hello, world", "caf\xc3\xa9", "a string longer than twenty bytes"};
  size_t cases = 0;
  for (unsigned flags = 0; flags <= kAllFlags; flags++) {
    if (flags & UTAP_FLAG_ZERO) continue;  // stap: a 0 byte after the field; below
    for (int width = -1; width <= 20; width++)
      for (int precision = -1; precision <= 20; precision++)
        for (const char* s : strings) {
          std::string f = Spec(flags, width, precision) + "s";
          ASSERT_EQ(Str(Conv('s', flags, width, precision), s), Glibc(f.c_str(), s)) << f << " of '" << s << "'";
          cases++;
        }
  }
  EXPECT_EQ(cases, 16u * 22 * 22 * 6);
}

TEST(RuntimeFormat, StringStapForms) {
  EXPECT_EQ(Str(Conv('s', UTAP_FLAG_HASH), "a\tb\"c"), "a\tb\"c");  // "%#s" is "%s" in stap
  EXPECT_EQ(Str(Conv('s', UTAP_FLAG_ZERO), "ab"), "ab\0"s);         // "%0s": NUL-terminated
  EXPECT_EQ(Str(Conv('s', UTAP_FLAG_ZERO, 5), "ab"), "   ab\0"s);   // padded with spaces
  EXPECT_EQ(Str(Conv('s', UTAP_FLAG_ZERO | UTAP_FLAG_MINUS, 5), "ab"), "ab   \0"s);
  EXPECT_EQ(Str(Conv('s', 0, UTAP_FMT_NONE, 3), "hello"), "hel");
  EXPECT_EQ(Str(Conv('s', 0, UTAP_FMT_NONE, 0), "hello"), "");
  EXPECT_EQ(Str(Conv('s'), nullptr), "<NULL>");
}

// ---- '*' widths and precisions ------------------------------------------------

TEST(RuntimeFormat, StarWidthAndPrecision) {
  const utap_conv star_d = Conv('d', 0, UTAP_FMT_STAR);
  EXPECT_EQ(Long(star_d, 2, 4), "   2");                 // NEWS: printf("%*d", four, two)
  EXPECT_EQ(Long(star_d, 2, -4), "2");                   // negative: 0, not '-'
  EXPECT_EQ(Long(star_d, 2, (1LL << 32) + 3), "  2");    // the low 32 bits
  EXPECT_EQ(Long(star_d, 2, (1LL << 31)), "2");          // INT_MIN: 0
  EXPECT_EQ(Long(star_d, 2, 0), "2");
  EXPECT_EQ(Long(Conv('d', 0, 5, UTAP_FMT_STAR), 2, 99, 3), "  002");  // a static width is not the argument
  const utap_conv star_s = Conv('s', 0, UTAP_FMT_NONE, UTAP_FMT_STAR);
  EXPECT_EQ(Str(star_s, "hello", 0, 3), "hel");
  EXPECT_EQ(Str(star_s, "hello", 0, -1), "");  // stap clamps to 0; C would show it all
  EXPECT_EQ(Str(star_s, "hello", 0, 100), "hello");
  EXPECT_EQ(Long(Conv('d', 0, UTAP_FMT_NONE, UTAP_FMT_STAR), 7, 0, -3), "7");
  EXPECT_EQ(Long(Conv('d', 0, UTAP_FMT_STAR, UTAP_FMT_STAR), 7, 5, 3), "  007");
  // NEWS: printf ("%*.*b", four, two, 0xdeadbbeef), native endian
  EXPECT_EQ(Long(Conv('b', 0, UTAP_FMT_STAR, UTAP_FMT_STAR), 0xdeadbbeefLL, 4, 2), "\0\0\xef\xbe"s);
}

// ---- %b -------------------------------------------------------------------------------

std::string LE(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; i++) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

TEST(RuntimeFormat, BinaryWritesNativeBytes) {
  const int64_t v = 0x1111deadbeef2222LL;
  EXPECT_EQ(Long(Conv('b'), v), LE(v, 8));  // NEWS: %b prints all eight bytes
  EXPECT_EQ(Long(Conv('b', 0, 1), v), LE(v, 1));
  EXPECT_EQ(Long(Conv('b', 0, 2), v), LE(v, 2));
  EXPECT_EQ(Long(Conv('b', 0, 4), v), LE(v, 4));
  EXPECT_EQ(Long(Conv('b', 0, 8), v), LE(v, 8));
  EXPECT_EQ(Long(Conv('b', 0, UTAP_FMT_NONE, 4), v), LE(v, 4));  // %.4b == %4b
  EXPECT_EQ(Long(Conv('b', 0, 4, 4), v), LE(v, 4));
  EXPECT_EQ(Long(Conv('b', 0, 4, 2), 0xdeadbeef), "\0\0\xef\xbe"s);  // NEWS: %4.2b, padded with 0 bytes
  EXPECT_EQ(Long(Conv('b', UTAP_FLAG_MINUS, 4, 2), 0xdeadbeef), "\xef\xbe\0\0"s);
  EXPECT_EQ(Long(Conv('b', 0, 3), v), LE(v, 8));    // not a byte count: 8 bytes
  EXPECT_EQ(Long(Conv('b', 0, 10), v), "\0\0"s + LE(v, 8));
  EXPECT_EQ(Long(Conv('b', 0, UTAP_FMT_NONE, 3), v), LE(v, 8));
  EXPECT_EQ(Long(Conv('b', 0, 0), v), LE(v, 8));
  EXPECT_EQ(Long(Conv('b', 0, 6, 1), -1), "\0\0\0\0\0\xff"s);
  EXPECT_EQ(Long(Conv('b', UTAP_FLAG_HASH | UTAP_FLAG_PLUS | UTAP_FLAG_ZERO, 2), 0x4142), "BA");  // flags mean nothing
}

// The rule from stap's NEWS (0.6): width and precision default to each
// other, both to 8; 1, 2, 4, 8 are the byte counts; the width pads with 0s.
TEST(RuntimeFormat, BinaryEveryWidthAndPrecision) {
  auto count = [](int n) { return (n == 1 || n == 2 || n == 4 || n == 8) ? n : -1; };
  const int64_t v = 0x0102030405060708LL;
  for (int minus = 0; minus < 2; minus++)
    for (int width = -1; width <= 12; width++)
      for (int precision = -1; precision <= 12; precision++) {
        int bytes = count(precision), w = width;
        if (w < 0) {
          if (bytes < 0) bytes = 8;
          w = bytes;
        } else if (bytes < 0) {
          bytes = count(w) < 0 ? 8 : count(w);
        }
        std::string pad(w > bytes ? w - bytes : 0, '\0');
        std::string want = minus ? LE(v, bytes) + pad : pad + LE(v, bytes);
        EXPECT_EQ(Long(Conv('b', minus ? UTAP_FLAG_MINUS : 0, width, precision), v), want)
            << "width " << width << " precision " << precision;
      }
}

// ---- %m and %M ------------------------------------------------------------------

TEST(RuntimeFormat, MemoryConversions) {
  utap_context c{};
  const std::string text = "My String";
  auto show = [&](const utap_conv& conv, const std::string& mem, int64_t wa = 0, int64_t pa = 0) {
    int64_t n = utap_fmt_memory_size(&c, &conv, pa);
    EXPECT_GT(n, 0);
    return Mem(conv, mem.substr(0, static_cast<size_t>(n)), wa);
  };
  EXPECT_EQ(show(Conv('m'), text), "M");  // NEWS: printf("%m", "My String") prints M
  EXPECT_EQ(show(Conv('m', 0, UTAP_FMT_NONE, 5), text), "My St");
  EXPECT_EQ(show(Conv('m', 0, UTAP_FMT_NONE, 0), text), "M");
  EXPECT_EQ(show(Conv('m', 0, 10, 4), text), "      My S");  // stap(1): %10.4m
  EXPECT_EQ(show(Conv('m', UTAP_FLAG_MINUS, 10, 4), text), "My S      ");
  EXPECT_EQ(show(Conv('m', UTAP_FLAG_HASH, UTAP_FMT_NONE, 2), text), "My");  // '#': user memory, same output
  EXPECT_EQ(show(Conv('m', UTAP_FLAG_ZERO, UTAP_FMT_NONE, 2), text), "My\0"s);
  EXPECT_EQ(show(Conv('m', 0, UTAP_FMT_NONE, 4), "a\0b\0"s), "a\0b\0"s);  // 0 bytes do not stop %m
  const std::string raw = "\x12\x34\xab\xcd\x00\xff"s;
  EXPECT_EQ(show(Conv('M'), raw), "12");
  EXPECT_EQ(show(Conv('M', 0, UTAP_FMT_NONE, 4), raw), "1234abcd");
  EXPECT_EQ(show(Conv('M', 0, 10, 4), raw), "  1234abcd");  // stap(1): %10.4M, 8 hex in 10
  EXPECT_EQ(show(Conv('M', UTAP_FLAG_MINUS, 10, 4), raw), "1234abcd  ");
  EXPECT_EQ(show(Conv('M', 0, UTAP_FMT_NONE, 6), raw), "1234abcd00ff");
  EXPECT_EQ(show(Conv('M', 0, UTAP_FMT_NONE, UTAP_FMT_STAR), raw, 0, 3), "1234ab");  // %.*M
  EXPECT_EQ(show(Conv('m', 0, UTAP_FMT_STAR, 2), text, 4), "  My");
  EXPECT_EQ(c.error, nullptr);
}

TEST(RuntimeFormat, MemorySizeFollowsStap) {
  utap_context c{};
  const utap_conv star = Conv('m', 0, UTAP_FMT_NONE, UTAP_FMT_STAR);
  EXPECT_EQ(utap_fmt_memory_size(&c, &star, 7), 7);
  EXPECT_EQ(utap_fmt_memory_size(&c, &star, 0), 1);
  EXPECT_EQ(utap_fmt_memory_size(&c, &star, -3), 1);
  EXPECT_EQ(utap_fmt_memory_size(&c, &star, UTAP_FMT_MEMORY_MAX), UTAP_FMT_MEMORY_MAX);
  EXPECT_EQ(utap_fmt_memory_size(&c, &star, -(1LL << 32) + 5), 5);  // clamp_t(int, ...): the low 32 bits
  const utap_conv none = Conv('M');
  EXPECT_EQ(utap_fmt_memory_size(&c, &none, 99), 1);
  EXPECT_EQ(c.error, nullptr);

  EXPECT_EQ(utap_fmt_memory_size(&c, &star, UTAP_FMT_MEMORY_MAX + 1), -1);
  ASSERT_NE(c.error, nullptr);
  EXPECT_STREQ(c.error, "4097 is too many bytes for a memory dump");
  utap_context d{};
  const utap_conv big = Conv('m', 0, UTAP_FMT_NONE, 5000);
  EXPECT_EQ(utap_fmt_memory_size(&d, &big, 0), -1);
  EXPECT_STREQ(d.error, "5000 is too many bytes for a memory dump");
  utap_context e{};
  EXPECT_EQ(utap_fmt_memory_size(&e, &star, (1LL << 32) + 5), -1);  // checked before the int cast
  EXPECT_NE(e.error, nullptr);
}

// ---- the sink -------------------------------------------------------------------

// One output made of pieces; Run() formats them into a sink of any size.
struct Piece {
  enum { kLiteral, kLong, kString, kMemory } kind;
  utap_conv conv;
  std::string text;  // literal, string or memory bytes
  int64_t value;
  int64_t width, precision;
};

void Run(utap_sink* sink, const std::vector<Piece>& pieces) {
  for (const Piece& p : pieces) {
    switch (p.kind) {
      case Piece::kLiteral: utap_fmt_literal(sink, p.text.data(), p.text.size()); break;
      case Piece::kLong: utap_fmt_long(sink, &p.conv, p.value, p.width, p.precision); break;
      case Piece::kString: utap_fmt_string(sink, &p.conv, p.text.c_str(), p.width, p.precision); break;
      case Piece::kMemory: utap_fmt_memory(sink, &p.conv, p.text.data(), p.text.size(), p.width); break;
    }
  }
}

Piece Lit(std::string s) { return {Piece::kLiteral, {}, std::move(s), 0, 0, 0}; }
Piece L(utap_conv c, int64_t v, int64_t w = 0, int64_t p = 0) { return {Piece::kLong, c, "", v, w, p}; }
Piece S(utap_conv c, std::string s, int64_t w = 0, int64_t p = 0) { return {Piece::kString, c, std::move(s), 0, w, p}; }
Piece M(utap_conv c, std::string bytes, int64_t w = 0) { return {Piece::kMemory, c, std::move(bytes), 0, w, 0}; }

struct Result {
  std::string text;
  size_t len, wanted;
};

// Formats into a sink of @size with guard bytes on both sides and checks
// that nothing outside the buffer changed and that it is terminated.
Result RunSized(const std::vector<Piece>& pieces, size_t size) {
  std::vector<char> mem(size + 64, '\x5a');
  char* buf = mem.data() + 32;
  utap_sink sink;
  utap_sink_init(&sink, size ? buf : nullptr, size);
  Run(&sink, pieces);
  for (size_t i = 0; i < 32; i++) EXPECT_EQ(mem[i], '\x5a') << "wrote before the buffer, size " << size;
  for (size_t i = 32 + size; i < mem.size(); i++) EXPECT_EQ(mem[i], '\x5a') << "wrote past the buffer, size " << size;
  if (size) {
    EXPECT_LT(sink.len, size);
    EXPECT_EQ(buf[sink.len], '\0') << "not terminated, size " << size;
  } else {
    EXPECT_EQ(sink.len, 0u);
  }
  EXPECT_GE(sink.wanted, sink.len);
  return {std::string(size ? buf : "", sink.len), sink.len, sink.wanted};
}

// Without widths or precisions nothing is clamped: every cut output is a
// prefix of the whole one and `wanted` is always the whole length.
TEST(RuntimeFormatSink, EverySizeGivesAPrefixAndTheWantedLength) {
  const std::vector<Piece> pieces = {
      Lit("x="),         L(Conv('d'), -12345),  Lit(" s="),  S(Conv('s'), "hello"),
      Lit(" c="),        L(Conv('c'), 'A'),     Lit(" h="),  L(Conv('x', UTAP_FLAG_HASH), 0xbeef),
      Lit(" e="),        L(Conv('c', UTAP_FLAG_HASH), '\n'), Lit(" o="), L(Conv('o'), 8),
      Lit(" p="),        L(Conv('p'), 0x1234abcd), Lit(" u="), L(Conv('u'), -1),
      Lit(" m="),        M(Conv('m'), "Z"),     Lit(" z="),  L(Conv('c'), 0),
      Lit(" end"),
  };
  const Result whole = RunSized(pieces, 4096);
  ASSERT_EQ(whole.wanted, whole.len);
  EXPECT_EQ(whole.text,
            "x=-12345 s=hello c=A h=0xbeef e=\\n o=10 p=0x1234abcd u=18446744073709551615 m=Z z=\0 end"s);
  for (size_t size = 0; size <= whole.len + 3; size++) {
    Result r = RunSized(pieces, size);
    size_t shown = size ? std::min(size - 1, whole.len) : 0;
    EXPECT_EQ(r.text, whole.text.substr(0, shown)) << "size " << size;
    EXPECT_EQ(r.wanted, whole.len) << "size " << size;
  }
}

TEST(RuntimeFormatSink, EverySizeWithWidthsStaysInsideAndTerminated) {
  const std::vector<Piece> pieces = {
      Lit("["),
      L(Conv('d', 0, 12), 55),
      L(Conv('d', UTAP_FLAG_MINUS, 9), -7),
      L(Conv('x', UTAP_FLAG_ZERO | UTAP_FLAG_HASH, 10, 6), 0xab),
      S(Conv('s', 0, 15, 3), "truncate me"),
      S(Conv('s', UTAP_FLAG_ZERO, 6), "nul"),
      L(Conv('c', UTAP_FLAG_HASH, 5), 27),
      L(Conv('b', 0, 6, 4), 0x41424344),
      M(Conv('M', 0, 9), "\x01\x02\x03"),
      M(Conv('m', UTAP_FLAG_MINUS, 4), "q"),
      L(Conv('d', 0, UTAP_FMT_STAR, UTAP_FMT_STAR), 3, 7, 2),
      Lit("]"),
  };
  const Result whole = RunSized(pieces, 4096);
  ASSERT_EQ(whole.wanted, whole.len);
  EXPECT_EQ(whole.text, "[          55-7       0x000000ab            tru   nul\0 \\033\0\0DCBA   010203q        03]"s);
  for (size_t size = 0; size <= whole.len + 3; size++) {
    Result r = RunSized(pieces, size);
    if (size > whole.len) {
      EXPECT_EQ(r.text, whole.text) << "size " << size;
      EXPECT_EQ(r.wanted, whole.len) << "size " << size;
    } else {
      EXPECT_GT(r.wanted, r.len) << "a cut must show in wanted, size " << size;
      if (size) {
        EXPECT_EQ(r.len, size - 1) << "size " << size;
      }
    }
  }
}

TEST(RuntimeFormatSink, CountingSinkGivesTheSizeNeeded) {
  const std::vector<Piece> pieces = {Lit("abc"), L(Conv('d', 0, 30), 5), S(Conv('s', UTAP_FLAG_ZERO), "x"),
                                     L(Conv('b'), 1)};
  Result r = RunSized(pieces, 0);
  EXPECT_EQ(r.wanted, 3u + 30 + 2 + 8);
  // Fields are clamped to UTAP_FMT_FIELD_MAX, as stap's sizing pass does.
  r = RunSized({L(Conv('d', 0, 100000), 5), L(Conv('d', 0, UTAP_FMT_NONE, 20000), 5)}, 0);
  EXPECT_EQ(r.wanted, 2u * UTAP_FMT_FIELD_MAX);
}

// stap clamps widths and precisions to the room left in its buffer (the
// terminator's byte included), so a right-justified field that does not
// fit shows its first digits.
TEST(RuntimeFormatSink, WidthsAreClampedToTheRoomLeftAsInStap) {
  Result r = RunSized({L(Conv('d', 0, MAXSTRINGLEN + 72), 55)}, MAXSTRINGLEN);
  EXPECT_EQ(r.text, std::string(MAXSTRINGLEN - 2, ' ') + "5");
  EXPECT_EQ(r.wanted, static_cast<size_t>(MAXSTRINGLEN));
  r = RunSized({Lit("ab"), L(Conv('d', 0, MAXSTRINGLEN + 72), 55)}, MAXSTRINGLEN);
  EXPECT_EQ(r.text, "ab" + std::string(MAXSTRINGLEN - 4, ' ') + "5");
  r = RunSized({L(Conv('d', UTAP_FLAG_MINUS, MAXSTRINGLEN + 72), 55)}, MAXSTRINGLEN);
  EXPECT_EQ(r.text, "55" + std::string(MAXSTRINGLEN - 3, ' '));
  r = RunSized({L(Conv('d', 0, UTAP_FMT_NONE, MAXSTRINGLEN + 72), 55)}, MAXSTRINGLEN);
  EXPECT_EQ(r.text, std::string(MAXSTRINGLEN - 2, '0') + "5");
  r = RunSized({S(Conv('s', 0, 10, 5), "hello")}, 9);  // room 9: 4 spaces + "hello", 8 shown
  EXPECT_EQ(r.text, "    hell");
  r = RunSized({L(Conv('c', 0, 40), 'x')}, 8);
  EXPECT_EQ(r.text, "       ");
}

TEST(RuntimeFormatSink, BinaryValuesAndHexPairsAreWholeOrSkipped) {
  // %4b at len 2 of 6: ends on the last byte, which the terminator takes.
  Result r = RunSized({Lit("ab"), L(Conv('b', 0, 4), 0x44434241), Lit("Z")}, 6);
  EXPECT_EQ(r.text, "abABC");
  EXPECT_EQ(r.wanted, 7u);
  // At len 3 it cannot end inside the buffer: skipped, the room goes on.
  // (The width is clamped to the room, 3, first; 3 is not a byte count, so
  // it is the 8-byte form that is skipped, as in stap.)
  r = RunSized({Lit("abc"), L(Conv('b', 0, 4), 0x44434241), Lit("Z")}, 6);
  EXPECT_EQ(r.text, "abcZ");
  EXPECT_EQ(r.wanted, 3u + 8 + 1);
  r = RunSized({Lit("abc"), L(Conv('b'), 0x44434241), Lit("Z")}, 8);  // %b: 8 bytes, room 5
  EXPECT_EQ(r.text, "abcZ");
  EXPECT_EQ(r.wanted, 3u + 8 + 1);
  r = RunSized({Lit("abc"), L(Conv('b'), 0x44434241), Lit("Z")}, 11);  // ends on byte 11 of 11
  EXPECT_EQ(r.text, "abcABCD\0\0\0"s);
  r = RunSized({Lit("abc"), M(Conv('M', 0, UTAP_FMT_NONE, 2), "\x12\x34")}, 6);
  EXPECT_EQ(r.text, "abc12");
  EXPECT_EQ(r.wanted, 7u);
  r = RunSized({Lit("ab"), M(Conv('M', 0, UTAP_FMT_NONE, 2), "\x12\x34")}, 6);
  EXPECT_EQ(r.text, "ab123");
  r = RunSized({Lit("abcd"), M(Conv('M'), "\x12"), Lit("!")}, 6);
  EXPECT_EQ(r.text, "abcd1");  // the pair ends on the terminator's byte
  // %m shows no more bytes than there is room for.
  r = RunSized({Lit("ab"), M(Conv('m'), "XYZW")}, 5);
  EXPECT_EQ(r.text, "abXY");
  EXPECT_EQ(r.wanted, 5u);
}

TEST(RuntimeFormatSink, InitAndHandMadeSinks) {
  char buf[8];
  memset(buf, 'x', sizeof(buf));
  utap_sink sink;
  utap_sink_init(&sink, buf, sizeof(buf));
  EXPECT_EQ(buf[0], '\0');
  EXPECT_EQ(sink.len, 0u);
  EXPECT_EQ(sink.wanted, 0u);
  // A sink set up by hand is terminated by its first call, even an empty one.
  memset(buf, 'x', sizeof(buf));
  utap_sink hand{buf, sizeof(buf), 0, 0};
  utap_fmt_literal(&hand, "", 0);
  EXPECT_EQ(buf[0], '\0');
  utap_sink one;
  utap_sink_init(&one, buf, 1);  // room for the terminator only
  utap_print_long(&one, 12345);
  EXPECT_EQ(one.len, 0u);
  EXPECT_EQ(one.wanted, 5u);
  EXPECT_EQ(buf[0], '\0');
}

// A probe's output sink flushes when full: every byte arrives, in order, in
// pieces no longer than the buffer holds, and nothing counts as cut.
std::string g_flushed;
int g_flushes;
void CollectAndEmpty(utap_sink* sink) {
  g_flushed.append(sink->buf, sink->len);
  ++g_flushes;
  EXPECT_LT(sink->len, sink->size);
  sink->len = 0;
  sink->wanted = 0;
  sink->buf[0] = '\0';
}

TEST(RuntimeFormatSink, AFlushingSinkLosesNothing) {
  for (size_t size : {2u, 3u, 8u, 17u, 64u}) {
    SCOPED_TRACE(size);
    g_flushed.clear();
    g_flushes = 0;
    std::vector<char> buf(size);
    utap_sink sink;
    utap_sink_init(&sink, buf.data(), size);
    sink.flush = CollectAndEmpty;
    std::string want;
    std::string long_text(100, 'a');
    for (int i = 0; i < 100; ++i) long_text[i] = static_cast<char>('a' + i % 26);
    utap_print_string(&sink, long_text.c_str());
    want += long_text;
    if (size > 40) {  // widths are clamped to the buffer's size (below)
      utap_conv wide = Conv('d', 0, 40);
      utap_fmt_long(&sink, &wide, -12345, 0, 0);
      want += std::string(34, ' ') + "-12345";
      utap_conv left = Conv('s', UTAP_FLAG_MINUS, 30, 5);
      utap_fmt_string(&sink, &left, "abcdefgh", 0, 0);
      want += "abcde" + std::string(25, ' ');
    }
    utap_println_long(&sink, 42);
    want += "42\n";
    g_flushed.append(sink.buf, sink.len);
    EXPECT_EQ(g_flushed, want);
    EXPECT_EQ(sink.wanted, sink.len);
    EXPECT_GT(g_flushes, 0);
  }
  // A width is clamped to the whole buffer, not to the room left in it.
  g_flushed.clear();
  char buf[16];
  utap_sink sink;
  utap_sink_init(&sink, buf, sizeof(buf));
  sink.flush = CollectAndEmpty;
  utap_print_string(&sink, "0123456789");
  utap_conv wide = Conv('d', 0, 12);
  utap_fmt_long(&sink, &wide, 7, 0, 0);
  g_flushed.append(sink.buf, sink.len);
  EXPECT_EQ(g_flushed, "0123456789" + std::string(11, ' ') + "7");
  // A %b value is written whole: the sink flushes before it if needed.
  g_flushed.clear();
  utap_sink_init(&sink, buf, sizeof(buf));
  sink.flush = CollectAndEmpty;
  utap_print_string(&sink, "0123456789");
  utap_conv bin = Conv('b');
  utap_fmt_long(&sink, &bin, 0x3837363534333231, 0, 0);
  g_flushed.append(sink.buf, sink.len);
  EXPECT_EQ(g_flushed, "012345678912345678");
}

}  // namespace
