// Script strings: copy, concatenation and comparison bounded by MAXSTRINGLEN
// (byte truncation, overlap allowed), sprint() of a long, and
// utap_text_escape() against its contract in tapsets/README.md, at every
// output size, never writing past the buffer.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

extern "C" {
#include "utap/strings.h"
}

namespace {

constexpr size_t kMax = MAXSTRINGLEN - 1;  // the longest string

// ---- copy, concatenation, comparison ---------------------------------------

TEST(RuntimeStrings, CopyKeepsShortStrings) {
  char dst[MAXSTRINGLEN];
  memset(dst, 'x', sizeof(dst));
  EXPECT_EQ(utap_string_copy(dst, "hello"), 5u);
  EXPECT_STREQ(dst, "hello");
  EXPECT_EQ(utap_string_copy(dst, ""), 0u);
  EXPECT_STREQ(dst, "");
}

TEST(RuntimeStrings, CopyTruncatesAtMaxStringLenMinusOne) {
  for (size_t n : {kMax - 1, kMax, kMax + 1, 3 * kMax}) {
    std::string src(n, 'a');
    char dst[MAXSTRINGLEN + 8];
    memset(dst, 'x', sizeof(dst));
    size_t got = utap_string_copy(dst, src.c_str());
    EXPECT_EQ(got, std::min(n, kMax));
    EXPECT_EQ(std::string(dst), src.substr(0, std::min(n, kMax)));
    for (size_t i = MAXSTRINGLEN; i < sizeof(dst); i++) EXPECT_EQ(dst[i], 'x') << "wrote past the buffer";
  }
}

TEST(RuntimeStrings, TruncationCountsBytesEvenInsideUtf8) {
  // stap truncates bytes (strlcpy); a multi-byte character may be cut.
  std::string src(kMax - 1, 'a');
  src += "\xc3\xa9";  // é: its second byte does not fit
  char dst[MAXSTRINGLEN];
  EXPECT_EQ(utap_string_copy(dst, src.c_str()), kMax);
  EXPECT_EQ(static_cast<unsigned char>(dst[kMax - 1]), 0xc3);
}

TEST(RuntimeStrings, CopyToItselfAndOverlapping) {
  char buf[MAXSTRINGLEN];
  utap_string_copy(buf, "abcdef");
  EXPECT_EQ(utap_string_copy(buf, buf), 6u);
  EXPECT_STREQ(buf, "abcdef");
  EXPECT_EQ(utap_string_copy(buf, buf + 2), 4u);
  EXPECT_STREQ(buf, "cdef");
}

TEST(RuntimeStrings, ConcatAppendsAndTruncates) {
  char buf[MAXSTRINGLEN + 8];
  memset(buf, 'x', sizeof(buf));
  utap_string_copy(buf, "foo");
  EXPECT_EQ(utap_string_concat(buf, "bar"), 6u);
  EXPECT_STREQ(buf, "foobar");
  EXPECT_EQ(utap_string_concat(buf, ""), 6u);
  std::string big(2 * kMax, 'z');
  EXPECT_EQ(utap_string_concat(buf, big.c_str()), kMax);
  EXPECT_EQ(std::string(buf), "foobar" + std::string(kMax - 6, 'z'));
  EXPECT_EQ(utap_string_concat(buf, "more"), kMax);  // already full
  EXPECT_EQ(strlen(buf), kMax);
  for (size_t i = MAXSTRINGLEN; i < sizeof(buf); i++) EXPECT_EQ(buf[i], 'x') << "wrote past the buffer";
}

TEST(RuntimeStrings, ConcatWithItself) {
  char buf[MAXSTRINGLEN];
  utap_string_copy(buf, "ab");
  EXPECT_EQ(utap_string_concat(buf, buf), 4u);  // s .= s
  EXPECT_STREQ(buf, "abab");
  EXPECT_EQ(utap_string_concat(buf, buf + 1), 7u);
  EXPECT_STREQ(buf, "ababbab");
  std::string half(kMax / 2 + 10, 'q');
  utap_string_copy(buf, half.c_str());
  EXPECT_EQ(utap_string_concat(buf, buf), kMax);
  EXPECT_EQ(std::string(buf), std::string(kMax, 'q'));
}

TEST(RuntimeStrings, CompareIsStrncmpOverUnsignedBytes) {
  EXPECT_EQ(utap_string_compare("", ""), 0);
  EXPECT_EQ(utap_string_compare("abc", "abc"), 0);
  EXPECT_EQ(utap_string_compare("abc", "abd"), -1);
  EXPECT_EQ(utap_string_compare("abd", "abc"), 1);
  EXPECT_EQ(utap_string_compare("ab", "abc"), -1);
  EXPECT_EQ(utap_string_compare("abc", "ab"), 1);
  EXPECT_EQ(utap_string_compare("", "a"), -1);
  EXPECT_EQ(utap_string_compare("\xe9", "z"), 1);  // bytes compare unsigned
  EXPECT_EQ(utap_string_compare("B", "a"), -1);    // no case folding
  // Only MAXSTRINGLEN bytes count, as strncmp(a, b, MAXSTRINGLEN).
  std::string a(MAXSTRINGLEN + 5, 'k'), b(MAXSTRINGLEN + 5, 'k');
  b[MAXSTRINGLEN + 2] = 'z';
  EXPECT_EQ(utap_string_compare(a.c_str(), b.c_str()), 0);
  b[MAXSTRINGLEN - 1] = 'z';
  EXPECT_EQ(utap_string_compare(a.c_str(), b.c_str()), -1);
}

TEST(RuntimeStrings, SprintOfALong) {
  const int64_t values[] = {0, 5, -1, 16, 1234567890123LL, std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    char dst[MAXSTRINGLEN];
    char want[32];
    snprintf(want, sizeof(want), "%lld", static_cast<long long>(v));
    EXPECT_EQ(utap_string_from_long(dst, v), strlen(want));
    EXPECT_STREQ(dst, want);
  }
}

// ---- escaping ----------------------------------------------------------------

// The contract, byte by byte, written from tapsets/README.md.
std::string ContractEscape(unsigned char c) {
  switch (c) {
    case 0x07: return "\\a";
    case 0x08: return "\\b";
    case 0x09: return "\\t";
    case 0x0a: return "\\n";
    case 0x0b: return "\\v";
    case 0x0c: return "\\f";
    case 0x0d: return "\\r";
    case '"': return "\\\"";
    case '\\': return "\\\\";
    default: break;
  }
  if (c < 0x20 || c >= 0x7f) {
    char b[8];
    snprintf(b, sizeof(b), "\\%03o", c);
    return b;
  }
  return std::string(1, static_cast<char>(c));
}

// The escapes of a whole input: a UTF-8 lead byte with all its continuation
// bytes is one character, \uXXXX or \UXXXXXXXX; any other byte is alone.
std::vector<std::string> ContractEscapes(const std::string& src) {
  std::vector<std::string> escs;
  for (size_t i = 0; i < src.size();) {
    unsigned char b = src[i];
    size_t len = (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 1;
    uint32_t c = len == 2 ? b & 0x1f : len == 3 ? b & 0x0f : b & 0x07;
    bool ok = len > 1 && i + len <= src.size();
    for (size_t k = 1; ok && k < len; k++) {
      unsigned char cont = src[i + k];
      ok = (cont & 0xc0) == 0x80;
      c = (c << 6) | (cont & 0x3f);
    }
    if (!ok) {
      escs.push_back(ContractEscape(b));
      i++;
      continue;
    }
    char e[16];
    snprintf(e, sizeof(e), c <= 0xffff ? "\\u%04X" : "\\U%08X", c);
    escs.push_back(e);
    i += len;
  }
  return escs;
}

// The contract's whole output for one call.
std::string ContractResult(const std::string& src, size_t dstlen, bool quoted, bool truncated) {
  if (dstlen == 0) return "";
  size_t cap = dstlen - 1;
  std::vector<std::string> escs = ContractEscapes(src);
  auto fill = [&](size_t room) {
    std::string out;
    for (const auto& e : escs) {
      if (out.size() + e.size() > room) break;
      out += e;
    }
    return out;
  };
  if (!quoted) return fill(cap);
  std::string all = fill(SIZE_MAX);
  if (!truncated && all.size() + 2 <= cap) return "\"" + all + "\"";
  if (cap < 5) return std::string("\"\"...").substr(0, cap);
  return "\"" + fill(cap - 5) + "\"...";
}

// Calls utap_text_escape with guard bytes around the output and checks the
// length, the terminator and that nothing outside dst[0, dstlen) changed.
std::string Escape(const std::string& src, size_t dstlen, bool quoted, bool truncated) {
  std::vector<char> buf(dstlen + 32, '\x5a');
  char* dst = buf.data() + 16;
  size_t n = utap_text_escape(dst, dstlen, src.data(), src.size(), quoted, truncated);
  for (size_t i = 0; i < 16; i++) EXPECT_EQ(buf[i], '\x5a') << "wrote before dst";
  for (size_t i = 16 + dstlen; i < buf.size(); i++) EXPECT_EQ(buf[i], '\x5a') << "wrote past dstlen " << dstlen;
  if (dstlen == 0) {
    EXPECT_EQ(n, 0u);
    return "";
  }
  EXPECT_LE(n, dstlen - 1);
  EXPECT_EQ(dst[n], '\0');
  return std::string(dst, n);
}

TEST(RuntimeTextEscape, EveryByteAsTheContractSays) {
  for (int c = 0; c < 256; c++) {
    std::string src(1, static_cast<char>(c));
    EXPECT_EQ(Escape(src, 64, false, false), ContractEscape(static_cast<unsigned char>(c))) << "byte " << c;
  }
}

TEST(RuntimeTextEscape, TheDocumentedEscapes) {
  EXPECT_EQ(Escape(std::string("\0", 1), 64, false, false), "\\000");
  EXPECT_EQ(Escape("\033[1m", 64, false, false), "\\033[1m");
  EXPECT_EQ(Escape("\177", 64, false, false), "\\177");
  EXPECT_EQ(Escape("\a\b\t\n\v\f\r", 64, false, false), "\\a\\b\\t\\n\\v\\f\\r");
  EXPECT_EQ(Escape("say \"hi\"\\", 64, false, false), "say \\\"hi\\\"\\\\");
  EXPECT_EQ(Escape("\x01\x1f", 64, false, false), "\\001\\037");
  // UTF-8 characters as stap shows them; other high bytes in octal.
  EXPECT_EQ(Escape("caf\xc3\xa9 \xff", 64, false, false), "caf\\u00E9 \\377");
  EXPECT_EQ(Escape("\xe2\x82\xac\xf0\x9f\x98\x80", 64, false, false), "\\u20AC\\U0001F600");
  EXPECT_EQ(Escape("\xc3(\x80", 64, false, false), "\\303(\\200");  // no continuation byte
  EXPECT_EQ(Escape("a\xe2\x82", 64, false, false), "a\\342\\202");  // cut short
  EXPECT_EQ(Escape("\xc3\xa9", 7, false, false), "\\u00E9");
  EXPECT_EQ(Escape("\xc3\xa9", 6, false, false), "");  // never split
  EXPECT_EQ(Escape(std::string("a\0b", 3), 64, true, false), "\"a\\000b\"");  // NUL bytes in the input
  EXPECT_EQ(Escape("line\n", 64, true, false), "\"line\\n\"");
  EXPECT_EQ(Escape("", 64, true, false), "\"\"");
  EXPECT_EQ(Escape("", 64, false, false), "");
}

TEST(RuntimeTextEscape, UnquotedCutsBeforeAnEscapeThatDoesNotFit) {
  EXPECT_EQ(Escape("a\033b", 4, false, false), "a");       // room 3: \033 needs 4
  EXPECT_EQ(Escape("a\033b", 6, false, false), "a\\033");  // room 5
  EXPECT_EQ(Escape("a\033b", 7, false, false), "a\\033b");
  EXPECT_EQ(Escape("ab\n", 4, false, false), "ab");  // \n needs 2, room 1 left
  EXPECT_EQ(Escape("abcdef", 4, false, true), "abc");  // no mark of the cut
}

TEST(RuntimeTextEscape, QuotedAddsDotsWhenCut) {
  EXPECT_EQ(Escape("abcdefghij", 8, true, false), "\"ab\"...");  // 7 bytes in all
  EXPECT_EQ(Escape("abcdefghij", 13, true, false), "\"abcdefghij\"");  // exactly fits
  EXPECT_EQ(Escape("abcdefghij", 12, true, false), "\"abcdef\"...");
  EXPECT_EQ(Escape("ab", 64, true, true), "\"ab\"...");  // the caller had more
  EXPECT_EQ(Escape("ab\tcd", 9, true, false), "\"ab\\tcd\"");  // 8 bytes: fits whole
  EXPECT_EQ(Escape("ab\tcdefgh", 9, true, false), "\"ab\"...");  // \t would not leave room for "...
  EXPECT_EQ(Escape("ab\tcdefgh", 10, true, false), "\"ab\\t\"...");
  EXPECT_EQ(Escape("abc", 6, true, false), "\"abc\"");  // 5 bytes fit without dots
  EXPECT_EQ(Escape("abcd", 6, true, false), "\"\"...");
  // Less than 5 bytes of room: a prefix of stap's shortest quoted cut.
  EXPECT_EQ(Escape("abcd", 5, true, false), "\"\"..");
  EXPECT_EQ(Escape("abcd", 2, true, false), "\"");
  EXPECT_EQ(Escape("ab", 5, true, false), "\"ab\"");
  EXPECT_EQ(Escape("", 3, true, true), "\"\"");
  EXPECT_EQ(Escape("x", 1, true, false), "");
}

TEST(RuntimeTextEscape, EverySizeMatchesTheContractAndNeverOverflows) {
  std::string tricky = "a\"b\\c\n\001\x7f\xc3\xa9 end";
  tricky += std::string("\0z", 2);
  for (int quoted = 0; quoted < 2; quoted++)
    for (int truncated = 0; truncated < 2; truncated++)
      for (size_t dstlen = 0; dstlen < 48; dstlen++) {
        std::string got = Escape(tricky, dstlen, quoted, truncated);
        EXPECT_EQ(got, ContractResult(tricky, dstlen, quoted, truncated))
            << "dstlen " << dstlen << " quoted " << quoted << " truncated " << truncated;
      }
}

TEST(RuntimeTextEscape, TextStrnWithTheTapsetsSizes) {
  // text_strn(s, 0, 1): MAXSTRINGLEN - 1 bytes of output at most.
  std::string control(MAXSTRINGLEN, '\001');
  char out[MAXSTRINGLEN];
  size_t n = utap_text_escape(out, sizeof(out), control.data(), control.size(), 1, 0);
  EXPECT_LE(n, kMax);
  std::string s(out, n);
  ASSERT_GE(s.size(), 5u);
  EXPECT_EQ(s.substr(s.size() - 4), "\"...");
  EXPECT_EQ((s.size() - 5) % 4, 0u);  // whole \001 escapes only
}

}  // namespace
