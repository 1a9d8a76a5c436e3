// Diagnostics: the rendered form (location, severity, message, source line
// with a gutter, caret and tildes under the range, expansion notes), the
// source manager behind it, and the error limit.
#include "base/diagnostics.h"

#include <gtest/gtest.h>

#include <sstream>

#include "base/source.h"
#include "test_support.h"

namespace utap {
namespace {

using test::parseScript;

TEST(SourceManager, LinesAndLocations) {
  SourceManager s;
  FileId a = s.addFile("a.stp", "first\nsecond\r\nthird");
  FileId b = s.addFile("b.stp", "");
  EXPECT_EQ(s.path(a), "a.stp");
  EXPECT_EQ(s.text(a), "first\nsecond\r\nthird");
  EXPECT_EQ(s.lineText(a, 1), "first");
  EXPECT_EQ(s.lineText(a, 2), "second");  // the '\r' is not part of the line
  EXPECT_EQ(s.lineText(a, 3), "third");
  EXPECT_EQ(s.lineText(a, 4), "");
  EXPECT_EQ(s.lineText(a, 0), "");
  EXPECT_EQ(s.lineText(b, 1), "");
  EXPECT_EQ(s.format({a, 2, 5}), "a.stp:2:5");
  EXPECT_EQ(s.format({b, 0, 0}), "b.stp");
}

TEST(SourceManager, Expansions) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "x");
  ExpansionId first = s.addExpansion({"macro '@a'", {{f, 1, 1}, {f, 1, 2}, 0}});
  ExpansionId second = s.addExpansion({"macro '@b'", {{f, 1, 3}, {f, 1, 4}, first}});
  EXPECT_NE(first, 0u);
  EXPECT_NE(second, first);
  EXPECT_EQ(s.expansion(second).what, "macro '@b'");
  EXPECT_EQ(s.expansion(second).site.expansion, first);
}

TEST(SourceRange, Spanning) {
  SourceRange a{{0, 1, 2}, {0, 1, 4}, 0};
  SourceRange b{{0, 3, 1}, {0, 3, 9}, 0};
  SourceRange s = SourceRange::spanning(a, b);
  EXPECT_EQ(s.begin.line, 1u);
  EXPECT_EQ(s.begin.column, 2u);
  EXPECT_EQ(s.end.line, 3u);
  EXPECT_EQ(s.end.column, 9u);
  // Ranges from different expansions do not merge.
  SourceRange c{{0, 3, 1}, {0, 3, 9}, 7};
  EXPECT_EQ(SourceRange::spanning(a, c).end.column, 4u);
}

TEST(Render, LocationSeverityMessageLineAndCaret) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "probe begin {\n  x = 09\n}\n");
  Diagnostics d(s);
  d.report(DiagKind::InvalidNumber, {{f, 2, 7}, {f, 2, 8}, 0}, "09", "bad");
  EXPECT_EQ(d.renderToString(),
            "t.stp:2:7: error: invalid number '09': bad\n"
            "    2 |   x = 09\n"
            "      |       ^~\n");
}

TEST(Render, WarningsAreCappedDeduplicatedAndSuppressible) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "probe begin { }\n");
  Diagnostics d(s);
  for (uint32_t i = 1; i <= 60; ++i) d.report(DiagKind::ElideGlobal, {{f, 1, i}, {f, 1, i}, 0}, "g");
  d.report(DiagKind::ElideGlobal, {{f, 1, 1}, {f, 1, 1}, 0}, "g");  // the same again: once
  EXPECT_EQ(d.all().size(), Diagnostics::kWarningLimit);
  EXPECT_FALSE(d.hasErrors());
  std::string out = d.renderToString();
  EXPECT_NE(out.find("utap: note: 10 more warning(s) not shown; -w hides warnings"), std::string::npos);

  Diagnostics quiet(s);
  quiet.suppressWarnings(true);
  quiet.report(DiagKind::ElideGlobal, {{f, 1, 1}, {f, 1, 1}, 0}, "g");
  EXPECT_EQ(quiet.renderToString(), "");
}

TEST(Render, OnlyNewDiagnosticsAreRendered) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "abc\n");
  Diagnostics d(s);
  d.report(DiagKind::StrayCharacter, {{f, 1, 1}, {f, 1, 1}, 0}, "a");
  EXPECT_NE(d.renderToString(), "");
  EXPECT_EQ(d.renderToString(), "");
  d.report(DiagKind::StrayCharacter, {{f, 1, 2}, {f, 1, 2}, 0}, "b");
  EXPECT_EQ(d.renderToString(),
            "t.stp:1:2: error: stray character 'b' in the script\n"
            "    1 | abc\n"
            "      |  ^\n");
  EXPECT_EQ(d.all().size(), 2u);
}

TEST(Render, NoLocation) {
  SourceManager s;
  Diagnostics d(s);
  d.report(DiagKind::CommandLine, SourceRange{}, "something went wrong");
  EXPECT_EQ(d.renderToString(), "utap: error: something went wrong\n");
}

TEST(Render, WideLineNumbersShiftTheGutter) {
  std::string text(123455, '\n');
  text += "x = `\n";
  test::Parsed p = parseScript(text);
  EXPECT_EQ(p.rendered,
            "t.stp:123456:5: error: stray character '`' in the script\n"
            "123456 | x = `\n"
            "       |     ^\n");
}

TEST(Render, CaretAfterTabsKeepsTheTabs) {
  test::Parsed p = parseScript("probe begin {\n\tx =\t09\n}");
  EXPECT_EQ(p.rendered,
            "t.stp:2:6: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)\n"
            "    2 | \tx =\t09\n"
            "      | \t   \t^~\n");
}

TEST(Render, ColumnsCountCodePointsNotBytes) {
  test::Parsed p = parseScript("probe begin {\n  x = \"é☃\" . 09\n}");
  EXPECT_EQ(p.rendered,
            "t.stp:2:14: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)\n"
            "    2 |   x = \"é☃\" . 09\n"
            "      |              ^~\n");
}

TEST(Render, CaretUnderAMultiByteCharacter) {
  test::Parsed p = parseScript("probe begin { x = ☃ }");
  EXPECT_EQ(p.rendered,
            "t.stp:1:19: error: stray character '☃' in the script\n"
            "    1 | probe begin { x = ☃ }\n"
            "      |                   ^\n");
}

TEST(Render, TildesCoverTheRangeOnItsFirstLine) {
  test::Parsed p = parseScript("probe begin { x = 123456789012345678901234567890 }");
  EXPECT_EQ(p.rendered,
            "t.stp:1:19: error: number '123456789012345678901234567890' is too large for 64 bits\n"
            "    1 | probe begin { x = 123456789012345678901234567890 }\n"
            "      |                   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

// A very long line (generated code, a one-line script) is shown as a
// window around the column, marked with "..." where it was cut.
TEST(Render, LongLinesShowAWindowAroundTheColumn) {
  std::string text = "probe begin { x = " + std::string(300, 'a') + " + 09 + " + std::string(300, 'b') + " }";
  test::Parsed p = parseScript(text);
  std::istringstream lines(p.rendered);
  std::string head, source, caret;
  std::getline(lines, head);
  std::getline(lines, source);
  std::getline(lines, caret);
  EXPECT_EQ(head, "t.stp:1:322: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)");
  EXPECT_EQ(source.rfind("    1 | ...", 0), 0u) << source;
  EXPECT_EQ(source.substr(source.size() - 3), "...") << source;
  EXPECT_LT(source.size(), 200u);
  size_t number = source.find("09");
  ASSERT_NE(number, std::string::npos);
  EXPECT_EQ(caret.find('^'), number) << source << "\n" << caret;
  EXPECT_EQ(caret.substr(number), "^~");
}

TEST(Render, LongLinesNearTheStartAreCutOnlyAtTheEnd) {
  std::string text = "probe begin { x = 09 + " + std::string(400, 'b') + " }";
  test::Parsed p = parseScript(text);
  std::string source = p.rendered.substr(p.rendered.find('\n') + 1);
  source = source.substr(0, source.find('\n'));
  EXPECT_EQ(source.rfind("    1 | probe begin { x = 09 + bbb", 0), 0u) << source;
  EXPECT_EQ(source.substr(source.size() - 3), "...");
}

TEST(Render, RangeOverSeveralLinesGetsOneCaret) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "abc\ndef\n");
  Diagnostics d(s);
  d.report(DiagKind::SyntaxError, {{f, 1, 2}, {f, 2, 2}, 0}, "spans lines");
  EXPECT_EQ(d.renderToString(),
            "t.stp:1:2: error: spans lines\n"
            "    1 | abc\n"
            "      |  ^\n");
}

TEST(Render, TildesStopAtTheEndOfTheLine) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "abc\n");
  Diagnostics d(s);
  d.report(DiagKind::SyntaxError, {{f, 1, 2}, {f, 1, 40}, 0}, "too wide");
  EXPECT_EQ(d.renderToString(),
            "t.stp:1:2: error: too wide\n"
            "    1 | abc\n"
            "      |  ^~~\n");
}

TEST(Render, CaretAtTheEndOfFile) {
  test::Parsed p = parseScript("probe begin {");
  EXPECT_EQ(p.rendered,
            "t.stp:1:14: error: unexpected end of file; expected '}'\n"
            "    1 | probe begin {\n"
            "      |              ^\n"
            "t.stp:1:13: note: '{' opened here\n"
            "    1 | probe begin {\n"
            "      |             ^\n");
}

TEST(Render, MacroExpansionChain) {
  test::Parsed p = parseScript(
      "@define inner %( 09 %)\n"
      "@define outer %( @inner %)\n"
      "probe begin { x = @outer }\n");
  EXPECT_EQ(p.rendered,
            "t.stp:1:18: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)\n"
            "    1 | @define inner %( 09 %)\n"
            "      |                  ^~\n"
            "t.stp:2:18: note: in expansion of macro '@inner'\n"
            "t.stp:3:19: note: in expansion of macro '@outer'\n");
}

TEST(Render, MacroArgumentErrorsPointAtTheArgument) {
  test::Parsed p = parseScript("@define f(a) %( @a %)\nprobe begin { x = @f(09) }\n");
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:2:22: error: invalid number '09': '9' is not an octal digit (a leading 0 means octal)");
}

TEST(Render, NotesAreRenderedAfterTheirDiagnostic) {
  SourceManager s;
  FileId f = s.addFile("t.stp", "( x\n");
  Diagnostics d(s);
  d.report(DiagKind::SyntaxError, {{f, 1, 4}, {f, 1, 4}, 0}, "unexpected end of file; expected ')'");
  d.note(DiagKind::NoteOpenedHere, {{f, 1, 1}, {f, 1, 1}, 0}, "(");
  ASSERT_EQ(d.all().size(), 1u);
  ASSERT_EQ(d.all()[0].notes.size(), 1u);
  EXPECT_EQ(d.all()[0].notes[0].severity, Severity::Note);
  EXPECT_EQ(d.errorCount(), 1u);  // notes are not errors
  EXPECT_EQ(d.renderToString(),
            "t.stp:1:4: error: unexpected end of file; expected ')'\n"
            "    1 | ( x\n"
            "      |    ^\n"
            "t.stp:1:1: note: '(' opened here\n"
            "    1 | ( x\n"
            "      | ^\n");
}

TEST(Diagnostics, KindsHaveFormatsAndSeverities) {
  EXPECT_EQ(Diagnostics::severityOf(DiagKind::SyntaxError), Severity::Error);
  EXPECT_EQ(Diagnostics::severityOf(DiagKind::NoteExpandedFrom), Severity::Note);
  EXPECT_STREQ(Diagnostics::formatOf(DiagKind::NumberTooLarge), "number '{}' is too large for 64 bits");
  SourceManager s;
  Diagnostics d(s);
  EXPECT_FALSE(d.hasErrors());
  d.report(DiagKind::MacroArgCount, SourceRange{}, "f", 1, 2);
  EXPECT_TRUE(d.hasErrors());
  EXPECT_EQ(d.all()[0].message, "macro '@f' expects 1 argument(s) but was given 2");
  EXPECT_EQ(d.all()[0].kind, DiagKind::MacroArgCount);
}

TEST(ErrorLimit, SyntaxErrorsStopAtTheLimit) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "probe begin { x = ) }\n";
  test::Parsed p = parseScript(text);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.errors(), Diagnostics::kErrorLimit);
  EXPECT_NE(p.rendered.find("note: too many errors; stopping"), std::string::npos);
}

// Every producer of errors should stop at the limit; the lexer checks it only
// for tokens it keeps, so stray characters and unterminated strings run past it,
// and the builder and preprocessor do not check it at all.
TEST(ErrorLimitRegression, LexicalErrorsStopAtTheLimit) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "` ";
  test::Parsed p = parseScript(text);
  EXPECT_LE(p.errors(), Diagnostics::kErrorLimit);
  text.clear();
  for (int i = 0; i < 200; ++i) text += "\"unterminated\n";
  EXPECT_LE(parseScript(text).errors(), Diagnostics::kErrorLimit);
}

TEST(ErrorLimitRegression, SemanticAndPreprocessorErrorsStopAtTheLimit) {
  std::string numbers, macros, pp;
  for (int i = 0; i < 200; ++i) {
    numbers += "probe begin { x = 09 }\n";
    macros += "probe begin { x = @nope }\n";
    pp += "%) ";
  }
  EXPECT_LE(parseScript(numbers).errors(), Diagnostics::kErrorLimit);
  EXPECT_LE(parseScript(macros).errors(), Diagnostics::kErrorLimit);
  EXPECT_LE(parseScript(pp).errors(), Diagnostics::kErrorLimit);
}

// Errors found while folding an expression come innermost first, so
// "x = 1 = 2 = a" reports column 23 before column 19.
TEST(DiagnosticsRegression, ErrorsComeInSourceOrder) {
  test::Parsed p = parseScript("probe begin { x = 1 = 2 = a }");
  ASSERT_EQ(p.all().size(), 2u);
  EXPECT_LT(p.all()[0].range.begin.column, p.all()[1].range.begin.column);
}

TEST(Diagnostics, ErrorsAccumulateAcrossFiles) {
  SourceManager s;
  Diagnostics d(s);
  parse::ParseOptions o = test::defaultOptions();
  EXPECT_EQ(parse::parseFile(s.addFile("a.stp", "probe begin { x = 09 }"), s, d, o), nullptr);
  // A clean file after a bad one still parses: only its own errors count.
  EXPECT_NE(parse::parseFile(s.addFile("b.stp", "probe begin {}"), s, d, o), nullptr);
  EXPECT_EQ(d.errorCount(), 1u);
}

}  // namespace
}  // namespace utap
