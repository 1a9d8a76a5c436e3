// Hostile input never crashes pass 1: deep nesting, long chains, binary data.
// Deep cases run on a large stack, as the driver runs the front end; each
// must give a tree or an error, and printing or dumping a deep tree either
// works or throws TooDeep.
#include <gtest/gtest.h>

#include <chrono>

#include "base/stack_guard.h"
#include "test_support.h"

namespace utap {
namespace {

using test::parseScript;

struct Outcome {
  bool tree = false;
  size_t errors = 0;
  std::string firstError;
  bool printed = false;  // printFile and dumpFile finished
  bool tooDeep = false;  // ... or one of them threw TooDeep
  std::string printedText;
  double seconds = 0;
};

// Parses, prints and dumps `text` on a large stack; the tree is destroyed
// there too.
Outcome run(const std::string& text, size_t stackBytes = size_t(256) << 20) {
  Outcome o;
  auto start = std::chrono::steady_clock::now();
  runWithLargeStack(stackBytes, [&] {
    test::Parsed p = parseScript(text);
    o.tree = p.ok();
    o.errors = p.errors();
    o.firstError = p.rendered.substr(0, p.rendered.find('\n'));
    if (p.ok()) {
      try {
        o.printedText = ast::printFile(*p.file);
        ast::dumpFile(*p.file);
        o.printed = true;
      } catch (const ast::TooDeep&) {
        o.tooDeep = true;
      }
    }
  });
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return o;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

void expectTreeOrError(const Outcome& o) {
  EXPECT_TRUE(o.tree || o.errors > 0);
  if (o.tree) EXPECT_TRUE(o.printed || o.tooDeep);
}

TEST(StackGuard, ExhaustionIsOnlyReportedOnLargeStacks) {
  EXPECT_FALSE(stackExhausted());
  bool inside = true;
  runWithLargeStack(size_t(8) << 20, [&] { inside = stackExhausted(); });
  EXPECT_FALSE(inside);
}

TEST(StackGuard, DeepRecursionSeesExhaustion) {
  std::function<int(int)> dive = [&](int depth) -> int {
    volatile char pad[512];
    pad[0] = static_cast<char>(depth);
    if (stackExhausted()) return depth;
    return dive(depth + 1) + pad[0] * 0;
  };
  int reached = 0;
  runWithLargeStack(size_t(4) << 20, [&] { reached = dive(0); });
  EXPECT_GT(reached, 100);
}

TEST(StackGuard, ExceptionsAreRethrownToTheCaller) {
  EXPECT_THROW(runWithLargeStack(size_t(8) << 20, [] { throw std::runtime_error("x"); }), std::runtime_error);
}

TEST(Deep, HundredThousandOpenParentheses) {
  Outcome o = run("probe begin { x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }");
  EXPECT_FALSE(o.tree);
  EXPECT_EQ(o.firstError, "t.stp:1:1018: error: nesting too deep: more than 1000 levels of brackets");
}

TEST(Deep, UnclosedParenthesesOnly) {
  Outcome o = run(std::string(100000, '('));
  EXPECT_FALSE(o.tree);
  EXPECT_GT(o.errors, 0u);
}

TEST(Deep, NestingJustBelowTheLimitParses) {
  Outcome o = run("probe begin { x = " + std::string(990, '(') + "1" + std::string(990, ')') + " }");
  EXPECT_TRUE(o.tree) << o.firstError;
  EXPECT_TRUE(o.printed || o.tooDeep);
  if (o.printed) EXPECT_NE(o.printedText.find("x = 1;"), std::string::npos);
}

TEST(Deep, TwoHundredThousandUnaryMinuses) {
  Outcome o = run("probe begin { x = " + repeat("- ", 200000) + "1 }");
  expectTreeOrError(o);
}

TEST(Deep, TwoHundredThousandAdjacentMinusesAreDecrements) {
  // "--" lexes as a decrement, which needs an operand it cannot get.
  Outcome o = run("probe begin { x = " + std::string(200000, '-') + "1 }");
  EXPECT_FALSE(o.tree);
  EXPECT_GT(o.errors, 0u);
}

TEST(Deep, TwoHundredThousandNots) { expectTreeOrError(run("probe begin { x = " + std::string(200000, '!') + "1 }")); }

TEST(Deep, HundredThousandTermSum) {
  Outcome o = run("probe begin { x = 1" + repeat(" + 1", 100000) + " }");
  expectTreeOrError(o);
  EXPECT_TRUE(o.tree) << o.firstError;
  // Linear work: seconds at most (it was once quadratic: 10 minutes).
  EXPECT_LT(o.seconds, 60.0);
}

TEST(Deep, HundredThousandTermChainsOfOtherOperators) {
  for (const char* op : {" - 1", " * 1", " . a", " && a", " || a", " << 1", " == a", " = a", " += a"}) {
    SCOPED_TRACE(op);
    Outcome o = run("probe begin { x = 1" + repeat(op, 100000) + " }");
    expectTreeOrError(o);
    EXPECT_LT(o.seconds, 60.0);
  }
}

// "x = 1 <<< 1 <<< 1 ..." has 100,000 left sides that cannot be assigned:
// 100,000 errors (no limit), each rendered from its 600 kB source line:
// rendering takes over a minute (it needed 50 GB and threw std::bad_alloc
// before long lines were shown as a window).
TEST(DeepRegression, ManyErrorsOnOneLongLineStopAtTheLimit) {
  Outcome o = run("probe begin { x = 1" + repeat(" <<< 1", 100000) + " }");
  EXPECT_FALSE(o.tree);
  EXPECT_LE(o.errors, Diagnostics::kErrorLimit);
}

TEST(Deep, HundredThousandNestedTernaries) {
  expectTreeOrError(run("probe begin { x = " + repeat("a ? b : ", 100000) + "1 }"));
}

TEST(Deep, FiveThousandNestedIfStatements) {
  Outcome o = run("probe begin { " + repeat("if (x) ", 5000) + "y = 1 }");
  expectTreeOrError(o);
  EXPECT_TRUE(o.tree) << o.firstError;
}

TEST(Deep, FiveThousandElseIfs) {
  expectTreeOrError(run("probe begin { " + repeat("if (x) y = 1; else ", 5000) + "y = 2 }"));
}

TEST(Deep, FiveThousandNestedWhileLoops) {
  Outcome o = run("probe begin { " + repeat("while (x) ", 5000) + "y = 1 }");
  expectTreeOrError(o);
  EXPECT_LT(o.seconds, 60.0);
}

// Printing indents each level by two spaces, so the -p1 text of N nested
// statements is O(N^2): 50,000 nested 'while (x)' print as 2.5 GB, 100,000
// as 10 GB (std::bad_alloc in the driver).
TEST(DeepRegression, PrintedSizeOfDeepNestingStaysReasonable) {
  Outcome o = run("probe begin { " + repeat("while (x) ", 50000) + "y = 1 }");
  EXPECT_LT(o.printedText.size(), size_t(100) << 20);
}

TEST(Deep, FiveThousandNestedBlocksHitTheBracketLimit) {
  Outcome o = run("probe begin { " + repeat("if (x) {", 5000) + "y = 1" + std::string(5000, '}') + " }");
  EXPECT_FALSE(o.tree);
  EXPECT_NE(o.firstError.find("nesting too deep"), std::string::npos) << o.firstError;
}

TEST(Deep, ManyNestedConditionals) {
  Outcome o = run(repeat("%( 1 == 1 %? ", 900) + "probe begin {}" + repeat(" %)", 900));
  EXPECT_TRUE(o.tree) << o.firstError;
}

TEST(Deep, DeepBraceExpansionNesting) {
  expectTreeOrError(run("probe " + std::string(900, '{') + "a" + std::string(900, '}') + " {}"));
}

TEST(Deep, SmallStackStillNoCrash) {
  // The guard scales with the stack it is given.
  Outcome o = run("probe begin { x = " + repeat("- ", 200000) + "1 }", size_t(16) << 20);
  expectTreeOrError(o);
  o = run("probe begin { " + repeat("if (x) ", 5000) + "y = 1 }", size_t(16) << 20);
  expectTreeOrError(o);
}

TEST(Deep, LongFlatInputIsFine) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "probe begin { x" + std::to_string(i) + " = " + std::to_string(i) + " }\n";
  Outcome o = run(text);
  EXPECT_TRUE(o.tree) << o.firstError;
  EXPECT_LT(o.seconds, 60.0);
}

// ---- bytes that are not script text --------------------------------------------

TEST(Bytes, InvalidUtf8IsReportedWithItsLocation) {
  test::Parsed p = parseScript("probe begin {\n  x = \"\xff\"\n}");
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:2:8: error: invalid UTF-8 byte 0xff; scripts must be UTF-8 text");
}

TEST(Bytes, InvalidUtf8AfterMultiByteCharacters) {
  test::Parsed p = parseScript("# é☃\xc3\x28");
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:1:5: error: invalid UTF-8 byte 0xc3; scripts must be UTF-8 text");
}

TEST(Bytes, MalformedSequences) {
  struct Case {
    std::string bytes;
    const char* what;
  } cases[] = {
      {"\x80", "lone continuation byte"},           {"\xc0\xaf", "overlong two-byte form"},
      {"\xe0\x80\xaf", "overlong three-byte form"}, {"\xed\xa0\x80", "UTF-16 surrogate"},
      {"\xf4\x90\x80\x80", "beyond U+10FFFF"},      {"\xf8\x88\x80\x80\x80", "five-byte form"},
      {"\xe2\x98", "truncated at the end"},         {"\xfe", "0xfe"},
  };
  for (const Case& c : cases) {
    test::Parsed p = parseScript("probe begin { x = \"" + c.bytes);
    EXPECT_FALSE(p.ok()) << c.what;
    EXPECT_TRUE(p.has(DiagKind::InvalidUtf8)) << c.what << ": " << p.rendered;
    EXPECT_EQ(p.all().at(0).range.begin.column, 20u) << c.what;
  }
}

TEST(Bytes, ValidUtf8IsAcceptedInStringsAndComments) {
  test::Parsed p = parseScript("# ñ 日本 🎉\nprobe begin { x = \"ñ 日本 🎉\" }");
  ASSERT_TRUE(p.ok()) << p.rendered;
}

TEST(Bytes, NulByte) {
  test::Parsed p = parseScript(std::string("probe begin {\n x = 1\0 }", 23));
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:2:7: error: NUL byte in the script; is this a binary file?");
}

TEST(Bytes, BinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) & 0xff);
  test::Parsed p = parseScript(garbage);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.errors(), 1u);  // one error about the bytes, not thousands
}

TEST(Bytes, ControlCharactersOutsideStrings) {
  test::Parsed p = parseScript("probe begin { x = 1 \x07 }");
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')), "t.stp:1:21: error: stray character '\\x07' in the script");
}

TEST(Bytes, CarriageReturnLineEndings) {
  test::Parsed p = parseScript("probe begin {\r\n  x = 1\r\n  y = 09\r\n}\r\n");
  EXPECT_EQ(p.rendered,
            "t.stp:3:7: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)\n"
            "    3 |   y = 09\n"
            "      |       ^~\n");
}

TEST(Bytes, UnterminatedEmbeddedC) {
  parse::ParseOptions o = test::defaultOptions();
  o.preprocessor.guru = true;
  test::Parsed p = parseScript("probe begin {}\n%{ int x;\n", o);
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:2:1: error: unterminated embedded C block; '%{' needs a matching '%}'");
}

}  // namespace
}  // namespace utap

namespace utap {
namespace {

// Parsing costs about 1 KB per token; a file past kMaxTokens (10 MB of
// "x=" is five million) is refused at once instead of taking gigabytes.
TEST(Huge, FilesPastTheTokenLimitAreRefusedQuickly) {
  Outcome o = run("probe begin { " + repeat("x=", parse::kMaxTokens) + "1 }");
  EXPECT_FALSE(o.tree);
  EXPECT_EQ(o.errors, 1u);
  EXPECT_NE(o.firstError.find("the script is too large: utap parses files of up to 1000000 tokens"), std::string::npos)
      << o.firstError;
}

TEST(Huge, FilesJustBelowTheTokenLimitParse) {
  // probe begin { ... } is 4 tokens, "x=1 " 3 each.
  Outcome o = run("probe begin { " + repeat("x=1 ", (parse::kMaxTokens - 10) / 3) + "}");
  EXPECT_TRUE(o.tree) << o.firstError;
}

}  // namespace
}  // namespace utap
