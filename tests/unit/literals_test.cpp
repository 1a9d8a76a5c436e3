// Literals (decodeNumber, decodeString) and the lexer's handling of them in
// scripts: bases, the 2^63..2^64-1 wrap-around, too-large values, invalid
// digits, C escapes, string gluing, comments.
#include "parse/literals.h"

#include <gtest/gtest.h>

#include <climits>

#include "test_support.h"

namespace utap {
namespace {

using parse::decodeNumber;
using parse::decodeString;
using test::errorOf;
using test::exprDump;

int64_t valueOf(const std::string& text) {
  parse::NumberResult r = decodeNumber(text);
  EXPECT_TRUE(r.value.has_value()) << text << ": " << r.problem;
  EXPECT_FALSE(r.tooLarge) << text;
  return r.value.value_or(-12345);
}

TEST(DecodeNumber, Decimal) {
  EXPECT_EQ(valueOf("0"), 0);
  EXPECT_EQ(valueOf("7"), 7);
  EXPECT_EQ(valueOf("1234567890"), 1234567890);
  EXPECT_EQ(valueOf("9223372036854775807"), INT64_MAX);
}

TEST(DecodeNumber, Octal) {
  EXPECT_EQ(valueOf("00"), 0);
  EXPECT_EQ(valueOf("017"), 15);
  EXPECT_EQ(valueOf("0777"), 511);
  EXPECT_EQ(valueOf("0777777777777777777777"), INT64_MAX);
}

TEST(DecodeNumber, Hexadecimal) {
  EXPECT_EQ(valueOf("0x0"), 0);
  EXPECT_EQ(valueOf("0x1f"), 31);
  EXPECT_EQ(valueOf("0X1F"), 31);
  EXPECT_EQ(valueOf("0xDeadBeef"), 0xdeadbeefLL);
  EXPECT_EQ(valueOf("0x7fffffffffffffff"), INT64_MAX);
  EXPECT_EQ(valueOf("0x00000000000000000001"), 1);  // leading zeros do not count
}

TEST(DecodeNumber, ValuesFrom2To63Upto2To64WrapAround) {
  EXPECT_EQ(valueOf("9223372036854775808"), INT64_MIN);
  EXPECT_EQ(valueOf("9223372036854775809"), INT64_MIN + 1);
  EXPECT_EQ(valueOf("18446744073709551615"), -1);
  EXPECT_EQ(valueOf("0x8000000000000000"), INT64_MIN);
  EXPECT_EQ(valueOf("0xffffffffffffffff"), -1);
  EXPECT_EQ(valueOf("01000000000000000000000"), INT64_MIN);
  EXPECT_EQ(valueOf("01777777777777777777777"), -1);
}

TEST(DecodeNumber, TooLarge) {
  for (const char* t : {"18446744073709551616", "99999999999999999999", "0x10000000000000000",
                        "02000000000000000000000", "123456789012345678901234567890123456789012345678901234567890"}) {
    parse::NumberResult r = decodeNumber(t);
    EXPECT_TRUE(r.tooLarge) << t;
    EXPECT_FALSE(r.value.has_value()) << t;
  }
}

TEST(DecodeNumber, InvalidDigits) {
  struct Case {
    const char* text;
    const char* problem;
  } cases[] = {
      {"08", "'8' is not an octal digit (a leading 0 means octal)"},
      {"0779", "'9' is not an octal digit (a leading 0 means octal)"},
      {"0b101", "'b' is not an octal digit (a leading 0 means octal)"},
      {"0x", "hexadecimal digits must follow '0x'"},
      {"0xg", "unexpected 'g' in a hexadecimal number; C type suffixes are not used"},
      {"12abc", "unexpected 'a' in a decimal number; C type suffixes are not used"},
      {"10L", "unexpected 'L' in a decimal number; C type suffixes are not used"},
      {"0x10UL", "unexpected 'U' in a hexadecimal number; C type suffixes are not used"},
      {"1_000", "unexpected '_' in a decimal number; C type suffixes are not used"},
      {"1e5", "unexpected 'e' in a decimal number; C type suffixes are not used"},
      {"017z", "unexpected 'z' in a octal number; C type suffixes are not used"},
  };
  for (const Case& c : cases) {
    parse::NumberResult r = decodeNumber(c.text);
    EXPECT_FALSE(r.value.has_value()) << c.text;
    EXPECT_FALSE(r.tooLarge) << c.text;
    EXPECT_EQ(r.problem, c.problem) << c.text;
  }
}

TEST(NumbersInScripts, DiagnosticsNameTheLiteral) {
  EXPECT_EQ(errorOf("probe begin { x = 09 }"),
            "t.stp:1:19: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)");
  EXPECT_EQ(errorOf("probe begin { x = 0x }"),
            "t.stp:1:19: error: invalid number '0x': hexadecimal digits must follow '0x'");
  EXPECT_EQ(errorOf("probe begin { x = 18446744073709551616 }"),
            "t.stp:1:19: error: number '18446744073709551616' is too large for 64 bits");
  EXPECT_EQ(errorOf("probe timer.ms(0x1g) {}"),
            "t.stp:1:16: error: invalid number '0x1g': unexpected 'g' in a hexadecimal number; C type suffixes are not "
            "used");
}

TEST(NumbersInScripts, NegationOfTheWrappedMinimum) {
  // stap: (x) = (-(-9223372036854775808))
  EXPECT_EQ(exprDump("x = -9223372036854775808"), "(= x (unary - -9223372036854775808))");
  EXPECT_EQ(exprDump("x = 0x8000000000000000"), "(= x -9223372036854775808)");
}

TEST(DecodeString, PlainText) {
  EXPECT_EQ(decodeString("\"\""), "");
  EXPECT_EQ(decodeString("\"hello, world\""), "hello, world");
  EXPECT_EQ(decodeString("\"é ☃\""), "é ☃");
}

TEST(DecodeString, CEscapes) {
  EXPECT_EQ(decodeString(R"("\n\t\r\a\b\f\v")"), "\n\t\r\a\b\f\v");
  EXPECT_EQ(decodeString(R"("\\ \" \' \?")"), "\\ \" ' ?");
}

TEST(DecodeString, OctalEscapes) {
  EXPECT_EQ(decodeString(R"("\101\102")"), "AB");
  EXPECT_EQ(decodeString(R"("\0")"), std::string(1, '\0'));
  EXPECT_EQ(decodeString(R"("\1234")"), "S4");  // at most three digits
  EXPECT_EQ(decodeString(R"("\18")"),
            "\001"
            "8");
  EXPECT_EQ(decodeString(R"("\377")"), "\xff");
}

TEST(DecodeString, HexEscapes) {
  EXPECT_EQ(decodeString(R"("\x41\x7a")"), "Az");
  EXPECT_EQ(decodeString(R"("\x414")"), "A4");  // at most two digits
  EXPECT_EQ(decodeString(R"("\xA")"), "\n");
  EXPECT_EQ(decodeString(R"("\xff")"), "\xff");
  EXPECT_EQ(decodeString(R"("\xg")"), "xg");  // no digits: the 'x' itself
}

TEST(DecodeString, UnknownEscapesStandForTheCharacter) { EXPECT_EQ(decodeString(R"("\q\%\e")"), "q%e"); }

TEST(DecodeString, BackslashBeforeTheClosingQuoteIsKept) {
  // Only reachable through decodeString directly; the lexer never makes such a token.
  EXPECT_EQ(decodeString("\"a\\\\\""), "a\\");
}

TEST(StringsInScripts, AdjacentLiteralsAreGlued) {
  EXPECT_EQ(exprDump("x = \"a\" \"b\"\n \"c\""), "(= x \"abc\")");
  // Glued after decoding, as in stap: "\x4" "1" is the byte 4 then '1', not "\x41".
  EXPECT_EQ(exprDump("x = \"\\x4\" \"1\""), "(= x \"\\x041\")");
}

TEST(StringsInScripts, Unterminated) {
  EXPECT_EQ(errorOf("probe begin { x = \"abc\n\" }"),
            "t.stp:1:19: error: unterminated string literal; add the closing '\"' on the same line");
  EXPECT_EQ(errorOf("probe begin { x = \"abc\\\" }"),
            "t.stp:1:19: error: unterminated string literal; add the closing '\"' on the same line");
  EXPECT_EQ(errorOf("probe begin { x = \"abc"),
            "t.stp:1:19: error: unterminated string literal; add the closing '\"' on the same line");
}

TEST(Comments, AllThreeStylesAreSkipped) {
  EXPECT_EQ(exprDump("x = 1 # shell\n+ 2 // C++\n+ /* C */ 3"), "(= x (+ (+ 1 2) 3))");
  EXPECT_EQ(exprDump("x = /* multi\nline */ 1"), "(= x 1)");
  EXPECT_EQ(test::dumpOf("#!/usr/bin/stap\nprobe begin {}"), "(probe (point begin optfalse sufffalse _) (block))\n");
}

TEST(Comments, CommentMarkersInsideStringsAreText) {
  EXPECT_EQ(exprDump("x = \"# not /* a */ // comment\""), "(= x \"# not /* a */ // comment\")");
}

TEST(Comments, UnterminatedBlockComment) {
  EXPECT_EQ(errorOf("probe begin { /* x = 1 }"), "t.stp:1:15: error: unterminated comment; '/*' needs a matching '*/'");
  // Comments do not nest: the first "*/" ends it.
  EXPECT_NE(errorOf("probe begin { /* a /* b */ c */ }"), "OK");
}

TEST(Lexer, OperatorsWrittenTogether) {
  EXPECT_EQ(exprDump("x<<<=y"), "ERROR: t.stp:2:5: error: expected an expression before '='");
  EXPECT_EQ(exprDump("x<<=y"), "(<<= x y)");
  EXPECT_EQ(exprDump("x=-y"), "(= x (unary - y))");
  EXPECT_EQ(exprDump("x=!y"), "(= x (unary ! y))");
  EXPECT_EQ(exprDump("x!=~y"), "(!= x (unary ~ y))");
  EXPECT_EQ(exprDump("x=~\"y\""), "(=~ x \"y\")");
}

TEST(Lexer, StrayCharacters) {
  EXPECT_EQ(errorOf("probe begin { x = `a` }"), "t.stp:1:19: error: stray character '`' in the script");
  EXPECT_EQ(errorOf("probe begin { x = 'a' }"), "t.stp:1:19: error: stray character ''' in the script");
  EXPECT_EQ(errorOf("probe begin { x = \\ }"), "t.stp:1:19: error: stray character '\\' in the script");
  EXPECT_EQ(errorOf("probe begin { x = \x01 }"), "t.stp:1:19: error: stray character '\\x01' in the script");
  EXPECT_EQ(errorOf("probe begin { x = é }"), "t.stp:1:19: error: stray character 'é' in the script");
}

TEST(Lexer, IdentifiersMayContainDollarAfterTheFirstCharacter) { EXPECT_EQ(exprDump("a$b = _c1"), "(= a$b _c1)"); }

}  // namespace
}  // namespace utap
