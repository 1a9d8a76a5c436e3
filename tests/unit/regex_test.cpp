// The regex compiler (compiler/regex): what it accepts and refuses (with
// stap's words and the byte position), the programs it makes, its limits;
// pass 2's located errors for bad regexes and pass 3's tables and calls.
// Matching itself is tested on the runtime's matcher (tests/runtime).
#include <gtest/gtest.h>

#include "codegen/translate.h"
#include "regex/regex.h"
#include "sema/elaborate.h"
#include "test_support.h"

namespace utap {
namespace {

// "error at N: message", or "ok G" with the number of groups.
std::string compileOf(const std::string& pattern) {
  regex::Compiled c = regex::compile(pattern);
  if (c.error) return "error at " + std::to_string(c.error->position) + ": " + c.error->message;
  return "ok " + std::to_string(c.program->groups);
}

TEST(RegexCompile, AcceptsTheEreSyntax) {
  EXPECT_EQ(compileOf(""), "ok 1");
  EXPECT_EQ(compileOf("abc"), "ok 1");
  EXPECT_EQ(compileOf("str(ing)"), "ok 2");
  EXPECT_EQ(compileOf("(a(b)(c))|(d)"), "ok 5");
  EXPECT_EQ(compileOf("()"), "ok 2");
  EXPECT_EQ(compileOf("a|"), "ok 1");
  EXPECT_EQ(compileOf("|a"), "ok 1");
  EXPECT_EQ(compileOf("a**"), "ok 1");
  EXPECT_EQ(compileOf("a{2}{3}"), "ok 1");
  EXPECT_EQ(compileOf("a{2,}b{0,1}c{1,3}"), "ok 1");
  EXPECT_EQ(compileOf("[]a]"), "ok 1");
  EXPECT_EQ(compileOf("[^]a-]"), "ok 1");
  EXPECT_EQ(compileOf("[[:alpha:][:digit:]_-]"), "ok 1");
  EXPECT_EQ(compileOf("[a\\]]"), "ok 1");  // '\' escapes in brackets too (stap)
  EXPECT_EQ(compileOf("\\1\\d\\.\\("), "ok 1");
  EXPECT_EQ(compileOf("(^a)$"), "ok 2");
  EXPECT_EQ(compileOf("a^b"), "ok 1");
}

TEST(RegexCompile, RefusesWithStapsWordsAndThePosition) {
  EXPECT_EQ(compileOf("("), "error at 1: expected ')', found end of regex");
  EXPECT_EQ(compileOf("a(b|c"), "error at 5: expected ')', found end of regex");
  EXPECT_EQ(compileOf("a)x"), "error at 1: unbalanced ')'");
  EXPECT_EQ(compileOf("a)"), "error at 1: unbalanced ')'");  // stap ignores this one
  EXPECT_EQ(compileOf("[a"), "error at 0: unclosed character class");
  EXPECT_EQ(compileOf("x[\\]"), "error at 1: unclosed character class");
  EXPECT_EQ(compileOf("[[:foo:]]"), "error at 1: unknown character class 'foo'");
  EXPECT_EQ(compileOf("[[:alpha:]"), "error at 0: unclosed character class");
  EXPECT_EQ(compileOf("[b-a]"), "error at 1: inverted character range b-a");
  EXPECT_EQ(compileOf("*a"), "error at 0: unexpected '*'");
  EXPECT_EQ(compileOf("a|*"), "error at 2: unexpected '*'");
  EXPECT_EQ(compileOf("(+)"), "error at 1: unexpected '+'");
  EXPECT_EQ(compileOf("?"), "error at 0: unexpected '?'");
  EXPECT_EQ(compileOf("{"), "error at 0: unexpected '{'");
  EXPECT_EQ(compileOf("a{"), "error at 2: unexpected end of regex");
  EXPECT_EQ(compileOf("a{b"), "error at 2: expected number");
  EXPECT_EQ(compileOf("x{,3}"), "error at 2: expected number");
  EXPECT_EQ(compileOf("a{2"), "error at 3: unexpected end of regex");
  EXPECT_EQ(compileOf("a{2x}"), "error at 3: expected '}'");
  EXPECT_EQ(compileOf("a{2,1}"), "error at 1: invalid repetition {2,1}: the minimum 2 exceeds the maximum 1");
  EXPECT_EQ(compileOf("a{1001}"), "error at 2: repetition count 1001 is too large; the limit is 1000");
  EXPECT_EQ(compileOf("\\"), "error at 1: unexpected end of regex");
  EXPECT_EQ(compileOf("^*"), "error at 1: postfix closure '*' applied to anchoring operator");
  EXPECT_EQ(compileOf("a${2}"), "error at 2: postfix closure '{' applied to anchoring operator");
}

TEST(RegexCompile, LimitsKeepMatchingBounded) {
  std::string groups;
  for (unsigned i = 0; i < regex::kMaxGroups - 1; ++i) groups += "()";
  EXPECT_EQ(compileOf(groups), "ok " + std::to_string(regex::kMaxGroups));
  EXPECT_EQ(compileOf(groups + "(b)"), "error at " + std::to_string(groups.size()) +
                                           ": too many groups: matched() can return at most 63");
  // Nested counts multiply: refused before anything is expanded.
  EXPECT_EQ(compileOf("((a{1000}){1000}){1000}"),
            "error at 0: regular expression too large: more than 10000 states; use smaller repetition counts");
  regex::Compiled big = regex::compile("(a|b){300}");
  ASSERT_TRUE(big.program) << big.error->message;
  EXPECT_LE(big.program->workSize(), regex::kMaxWorkSize);
  // Threads times slots: many groups around a long program need too much.
  regex::Compiled wide = regex::compile(std::string(20, '(') + "a{500}" + std::string(20, ')'));
  ASSERT_TRUE(wide.error);
  EXPECT_NE(wide.error->message.find("scratch memory"), std::string::npos);
  // The groups and the repetitions of one atom bound the tree's depth.
  std::string deep(300, '(');
  EXPECT_EQ(compileOf(deep), "error at 63: too many groups: matched() can return at most 63");
  EXPECT_EQ(compileOf("a" + std::string(32, '*')), "ok 1");
  EXPECT_EQ(compileOf("a" + std::string(100000, '*')), "error at 33: more than 32 repetition operators on one atom");
}

// The program, one instruction per word.
std::string programOf(const std::string& pattern) {
  regex::Compiled c = regex::compile(pattern);
  if (!c.program) return "error";
  std::string out;
  for (const regex::Insn& i : c.program->insns) {
    if (!out.empty()) out += ' ';
    switch (i.op) {
      case regex::Insn::Op::Byte: out += std::string(1, static_cast<char>(i.byte)); break;
      case regex::Insn::Op::Class: out += "class" + std::to_string(i.x); break;
      case regex::Insn::Op::Any: out += "any"; break;
      case regex::Insn::Op::Split: out += "split" + std::to_string(i.x) + "," + std::to_string(i.y); break;
      case regex::Insn::Op::Jump: out += "jump" + std::to_string(i.x); break;
      case regex::Insn::Op::Save: out += "save" + std::to_string(i.x); break;
      case regex::Insn::Op::LineStart: out += "^"; break;
      case regex::Insn::Op::LineEnd: out += "$"; break;
      case regex::Insn::Op::Match: out += "match"; break;
    }
  }
  return out;
}

TEST(RegexCompile, ProgramsPreferIteratingAndEarlierAlternatives) {
  EXPECT_EQ(programOf("ab"), "save0 a b save1 match");
  EXPECT_EQ(programOf("a|b|c"), "save0 split2,4 a jump8 split5,7 b jump8 c save1 match");
  EXPECT_EQ(programOf("a*"), "save0 split2,4 a jump1 save1 match");
  EXPECT_EQ(programOf("a+"), "save0 a split1,3 save1 match");
  EXPECT_EQ(programOf("a?"), "save0 split2,3 a save1 match");
  EXPECT_EQ(programOf("a{2,3}"), "save0 a a split4,5 a save1 match");
  EXPECT_EQ(programOf("a{0,2}"), "save0 split2,5 a split4,5 a save1 match");
  EXPECT_EQ(programOf("a{2,}"), "save0 a a split2,4 save1 match");
  EXPECT_EQ(programOf("(a)"), "save0 save2 a save3 save1 match");
  EXPECT_EQ(programOf("(a){0}"), "save0 save1 match");
  EXPECT_EQ(programOf("^.$"), "save0 ^ any $ save1 match");
  EXPECT_EQ(programOf("[ab][^a][ab]"), "save0 class0 class1 class0 save1 match");
}

TEST(RegexCompile, ClassesAreByteSetsOfTheCLocale) {
  auto members = [](const std::string& pattern) {
    regex::Compiled c = regex::compile(pattern);
    std::string out;
    for (unsigned b = 0; b < 256; ++b)
      if (c.program->classes.at(0)[b / 64] >> (b % 64) & 1) out += static_cast<char>(b);
    return out;
  };
  EXPECT_EQ(members("[[:digit:]]"), "0123456789");
  EXPECT_EQ(members("[[:xdigit:]]"), "0123456789ABCDEFabcdef");
  EXPECT_EQ(members("[[:space:]]"), "\t\n\v\f\r ");
  EXPECT_EQ(members("[[:blank:]]"), "\t ");
  EXPECT_EQ(members("[[:punct:]]").size(), 32u);
  EXPECT_EQ(members("[[:alpha:]]").size(), 52u);
  EXPECT_EQ(members("[[:cntrl:]]").size(), 32u);  // NUL left out: it ends the subject
  EXPECT_EQ(members("[a-c-]"), "-abc");
  EXPECT_EQ(members("[]-]"), "-]");
  EXPECT_EQ(members("[\\]\\\\]"), "\\]");
  std::string notA = members("[^a]");
  EXPECT_EQ(notA.size(), 254u);  // every byte but 'a' and NUL, high bytes included
  EXPECT_EQ(notA.find('a'), std::string::npos);
  EXPECT_TRUE(regex::compile("^a|^b").program->anchored);
  EXPECT_TRUE(regex::compile("(^a|^b)+c").program->anchored);
  EXPECT_FALSE(regex::compile("^a|b").program->anchored);
  EXPECT_FALSE(regex::compile("(^a)*").program->anchored);
}

// ---- pass 2 and pass 3 -----------------------------------------------------------

struct Result {
  std::unique_ptr<SourceManager> sources;
  std::unique_ptr<Diagnostics> diags;
  std::unique_ptr<sema::Program> program;
  std::string rendered, c;
};

Result translate(const std::string& script) {
  Result r;
  r.sources = std::make_unique<SourceManager>();
  r.diags = std::make_unique<Diagnostics>(*r.sources);
  sema::ElaborateOptions options;
  options.parse = test::defaultOptions();
  options.tapsetDirs.push_back(UTAP_SOURCE_DIR "/tapsets");
  test::onLargeStack([&] {
    FileId id = r.sources->addFile("t.stp", script);
    auto file = parse::parseFile(id, *r.sources, *r.diags, options.parse);
    if (file) r.program = sema::elaborate(std::move(file), *r.sources, *r.diags, options, probes::Registry::standard());
    if (r.program) {
      codegen::Translation t = codegen::translate(*r.program, *r.sources, *r.diags, {});
      if (!r.diags->hasErrors()) r.c = t.files.at(0).second;
    }
  });
  r.rendered = r.diags->renderToString();
  return r;
}

TEST(RegexPass2, ABadRegexIsLocatedAtItsCharacter) {
  Result r = translate("probe begin {\n  if (\"abc\" =~ \"a(b\") println(1)\n}\n");
  EXPECT_EQ(r.rendered,
            "t.stp:2:20: error: regex compilation error at position 3: expected ')', found end of regex\n"
            "    2 |   if (\"abc\" =~ \"a(b\") println(1)\n"
            "      |                    ^\n");
}

TEST(RegexPass2, WithEscapesTheLiteralIsLocated) {
  Result r = translate("probe begin { if (\"abc\" !~ \"\\\\\") println(1) }");
  EXPECT_NE(r.rendered.find("t.stp:1:28: error: regex compilation error at position 1: unexpected end of regex"),
            std::string::npos)
      << r.rendered;
}

TEST(RegexPass2, InFunctionsToo) {
  Result r = translate("function f(s) { return s =~ \"[[:nope:]]\" }\nprobe begin { println(f(\"x\")) }");
  EXPECT_NE(r.rendered.find("t.stp:1:31: error: regex compilation error at position 1: unknown character class 'nope'"),
            std::string::npos)
      << r.rendered;
}

TEST(RegexPass2, TheOperandsAreChecked) {
  EXPECT_NE(translate("probe begin { if (1 =~ \"a\") println(1) }").rendered.find("type mismatch"), std::string::npos);
  EXPECT_NE(translate("probe begin { r = \"a\"; if (\"a\" =~ r) println(1) }").rendered.find("must be a string literal"),
            std::string::npos);
}

TEST(RegexPass3, OneTablePerPatternAndTheScratchInTheFrames) {
  Result r = translate(
      "probe begin { s = \"abc\"\n"
      "  if (s =~ \"b(c)\") println(matched(1), ngroups())\n"
      "  if (s !~ \"b(c)\") println(matched_str())\n"
      "  println(s =~ \"^[x-z]\")\n}\n");
  ASSERT_TRUE(r.diags->all().empty()) << r.rendered;
  EXPECT_NE(r.c.find("static const struct utap_regex regex_0 ="), std::string::npos) << r.c;
  EXPECT_NE(r.c.find(".pattern = \"b(c)\","), std::string::npos);
  EXPECT_NE(r.c.find("static const struct utap_regex regex_1 ="), std::string::npos);
  EXPECT_EQ(r.c.find("regex_2"), std::string::npos) << "b(c) is compiled once";
  EXPECT_NE(r.c.find("{ .op = UTAP_RE_BYTE, .byte = 'b' },"), std::string::npos);
  EXPECT_NE(r.c.find("static const uint8_t regex_1_classes[][32] ="), std::string::npos);
  EXPECT_NE(r.c.find(".anchored = true,"), std::string::npos);
  EXPECT_NE(r.c.find("utap_regex_match(c, &regex_0, "), std::string::npos);
  EXPECT_NE(r.c.find("(int64_t)!({ int64_t __v = utap_regex_match(c, &regex_0, "), std::string::npos);
  EXPECT_NE(r.c.find("operator '!~' at t.stp:3:9"), std::string::npos);
  EXPECT_NE(r.c.find("+ UTAP_REGEX_WORK_SIZE("), std::string::npos);
}

TEST(RegexPass3, NoRegexNoScratch) {
  Result r = translate("probe begin { println(1) }");
  ASSERT_FALSE(r.c.empty()) << r.rendered;
  EXPECT_EQ(r.c.find("UTAP_REGEX_WORK_SIZE"), std::string::npos);
  EXPECT_EQ(r.c.find("regex_0"), std::string::npos);
}

}  // namespace
}  // namespace utap
