// The lexer: the hand-written lex() must match lexWithAntlr() (generated
// from grammar/UtapLexer.g4) token for token, range for range and diagnostic
// for diagnostic; plus the token shapes the rest of pass 1 relies on.
#include "parse/lexer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "UtapLexer.h"
#include "test_support.h"

namespace utap {
namespace {

namespace fs = std::filesystem;
using grammar::UtapLexer;

struct Lexed {
  parse::Tokens tokens;
  std::string diagnostics;
};

Lexed lexWith(bool antlr, const std::string& text) {
  SourceManager sources;
  Diagnostics diags(sources);
  FileId id = sources.addFile("t.stp", text);
  Lexed out;
  out.tokens = antlr ? parse::lexWithAntlr(id, sources, diags) : parse::lex(id, sources, diags);
  out.diagnostics = diags.renderToString();
  return out;
}

std::string describe(const parse::Token& t) {
  return fmt::format("{}:'{}'@{}:{}-{}:{}/{}", t.type, t.text, t.range.begin.line, t.range.begin.column,
                     t.range.end.line, t.range.end.column, t.range.expansion);
}

// Both lexers agree on every token and every diagnostic.
void expectSameLexing(const std::string& text, const std::string& what) {
  Lexed hand = lexWith(false, text);
  Lexed generated = lexWith(true, text);
  EXPECT_EQ(hand.diagnostics, generated.diagnostics) << what;
  ASSERT_EQ(hand.tokens.size(), generated.tokens.size()) << what;
  for (size_t i = 0; i < hand.tokens.size(); ++i)
    ASSERT_EQ(describe(hand.tokens[i]), describe(generated.tokens[i])) << what << " token " << i;
}

// Token types and texts, "TYPE:text" joined with spaces (EOF dropped).
std::string tokensOf(const std::string& text) {
  Lexed l = lexWith(false, text);
  if (!l.diagnostics.empty()) return "ERROR: " + l.diagnostics.substr(0, l.diagnostics.find('\n'));
  std::string out;
  antlr4::ANTLRInputStream empty("");
  UtapLexer names(&empty);
  const auto& vocabulary = names.getVocabulary();
  for (const auto& t : l.tokens) {
    if (t.type == antlr4::Token::EOF) break;
    if (!out.empty()) out += ' ';
    out += vocabulary.getSymbolicName(t.type) + ":" + t.text;
  }
  return out;
}

TEST(LexerDifferential, EveryTestsuiteScript) {
  size_t files = 0;
  for (const char* dir : {"testsuite/parseok", "testsuite/parseko", "testsuite/parseok/macrolib",
                          "testsuite/parseko/macrolib", "examples"}) {
    fs::path path = fs::path(UTAP_SOURCE_DIR) / dir;
    if (!fs::exists(path)) continue;
    for (const auto& e : fs::directory_iterator(path)) {
      if (e.path().extension() != ".stp" && e.path().extension() != ".stpm") continue;
      std::string relative = std::string(dir) + "/" + e.path().filename().string();
      expectSameLexing(test::readSourceFile(relative), relative);
      ++files;
    }
  }
  EXPECT_GT(files, 250u);
}

TEST(LexerDifferential, TrickySnippets) {
  const char* snippets[] = {
      "",
      " \t\r\n\f\v",
      "<<<= <<= >>= << >> <= >= == != =~ !~ && || ++ -- -> += -= *= /= %= &= ^= |= .= <<<",
      "a<<<b a<<=b a-->b a+++b !!~x",
      "$ $$ $x $$vars $$vars$ $$parms$$ $1 $12 $# @# @1 @foo @define @cast @var @count @sum @hist_linear",
      "$x$ $x$$ $x$$$ $x->y$ a$b _a1 __",
      "0 00 017 0x 0x1f 0X1F 09 1abc 1_000 18446744073709551616 1.5",
      "\"\" \"a\" \"\\\"\" \"\\\\\" \"a\\nb\" \"unterminated",
      "\"ends with backslash\\",
      "%( %? %: %) %{ code %} %{ unterminated",
      "/* comment */ // line\n# hash\n/* unterminated",
      "/**/ /***/ /* * / */",
      "` ' \\ \x01 \x7f é ☃",
      "probe begin { printf(\"%d\\n\", $1) }",
      "é\"é\"é",
      "\xef\xbb\xbfprobe begin {}",
      "x = \"\xff\"",
      std::string(1, '\0').c_str(),
      "((((((((((((((((((((",
      "}}}}))))]]]]",
      "a\r\nb\rc\n",
  };
  for (const char* s : snippets) expectSameLexing(s, s);
  expectSameLexing(std::string("a = 1\0b", 7), "embedded NUL");
  expectSameLexing(std::string(1001, '(') + "1", "too deep");
  expectSameLexing(std::string(1000, '(') + "1" + std::string(1000, ')'), "exactly at the limit");
}

TEST(LexerDifferential, RandomText) {
  // Pseudo-random strings over the characters that matter to the lexer.
  const std::string alphabet = "ab_x09$@#%{}()[]<>=!~&|^+-*/.,;:?\"\\' \t\n/*xXeé";
  uint32_t seed = 7;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    size_t n = next() % 40;
    for (size_t k = 0; k < n; ++k) {
      size_t pick = next() % alphabet.size();
      if (static_cast<unsigned char>(alphabet[pick]) >= 0x80) pick = 0;  // keep whole code points
      s += alphabet[pick];
    }
    if (next() % 5 == 0) s += "é";
    expectSameLexing(s, s);
    if (HasFatalFailure()) return;
  }
}

TEST(Lexer, LongestOperatorWins) {
  EXPECT_EQ(tokensOf("<<<="), "AGGREGATE:<<< ASSIGN:=");
  EXPECT_EQ(tokensOf("a-->b"), "IDENT:a DEC:-- GT:> IDENT:b");
  EXPECT_EQ(tokensOf("!~x"), "NOMATCH:!~ IDENT:x");
  EXPECT_EQ(tokensOf(".="), "DOT_ASSIGN:.=");
}

TEST(Lexer, TargetsArgumentsAndAtNames) {
  EXPECT_EQ(tokensOf("$x $$vars$ $1 $# @# @1 @foo @count"),
            "TARGET:$x TARGET:$$vars$ TARGET:$1 DOLLAR_HASH:$# AT_HASH:@# AT_NAME:@1 AT_NAME:@foo AT_COUNT:@count");
  EXPECT_EQ(tokensOf("@cast(p)$"), "AT_CAST:@cast LPAREN:( IDENT:p RPAREN:) PRETTY:$");
}

TEST(Lexer, NumbersAreOneTokenUntilDecoded) {
  EXPECT_EQ(tokensOf("0x1g 09 12abc"), "NUMBER:0x1g NUMBER:09 NUMBER:12abc");
  EXPECT_EQ(tokensOf("1.5"), "NUMBER:1 DOT:. NUMBER:5");
}

TEST(Lexer, StringsKeepTheirQuotesAndEscapes) {
  EXPECT_EQ(tokensOf("\"a\\\"b\" \"c\""), "STRING:\"a\\\"b\" STRING:\"c\"");
}

TEST(Lexer, CommentsAndWhitespaceVanish) {
  EXPECT_EQ(tokensOf("a /* x */ b // y\n c # z\n d"), "IDENT:a IDENT:b IDENT:c IDENT:d");
}

TEST(Lexer, EmbeddedCIsOneToken) {
  EXPECT_EQ(tokensOf("%{ int x = 1; %}"), "EMBEDDED:%{ int x = 1; %}");
  // The first "%}" ends it, even inside a C comment (as in stap).
  EXPECT_EQ(tokensOf("%{ int x = 1; /* %} */"), "EMBEDDED:%{ int x = 1; /* %} STAR:* SLASH:/");
}

TEST(Lexer, KeywordsAndPreprocessorBrackets) {
  EXPECT_EQ(tokensOf("probe global private function if else while for foreach in limit"),
            "PROBE:probe GLOBAL:global PRIVATE:private FUNCTION:function IF:if ELSE:else WHILE:while FOR:for "
            "FOREACH:foreach IN:in LIMIT:limit");
  EXPECT_EQ(tokensOf("%( %? %: %)"), "PP_OPEN:%( PP_THEN:%? PP_ELSE:%: PP_CLOSE:%)");
}

TEST(Lexer, EndsWithEofAtTheEnd) {
  Lexed l = lexWith(false, "a\nbc");
  ASSERT_EQ(l.tokens.size(), 3u);
  EXPECT_EQ(l.tokens.back().type, static_cast<size_t>(antlr4::Token::EOF));
  EXPECT_EQ(l.tokens[1].range.begin.line, 2u);
  EXPECT_EQ(l.tokens[1].range.begin.column, 1u);
  EXPECT_EQ(l.tokens[1].range.end.column, 2u);
}

TEST(Lexer, ByteOrderMarkIsAnError) {
  test::Parsed p = test::parseScript("\xef\xbb\xbfprobe begin {}");
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(p.has(DiagKind::ByteOrderMark)) << p.rendered;
  EXPECT_EQ(p.all().at(0).range.begin.column, 1u);
}

}  // namespace
}  // namespace utap
