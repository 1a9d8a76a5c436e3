// The -p1 printer: for every testsuite/parseok script, printing and parsing
// again gives the same tree, and printing is a fixed point. Plus printer
// cases the testsuite does not have (parentheses, signs, escapes).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace utap {
namespace {

namespace fs = std::filesystem;

struct Directives {
  std::vector<std::string> args;
  bool guru = false;
  std::vector<std::string> includeDirs;  // -I, with @srcdir@ replaced
};

// "# @args: a b c" and "# @flags: -g", as the DejaGnu harness reads them.
Directives directivesOf(const std::string& text) {
  Directives d;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t at = line.find_first_not_of(" \t");
    if (at == std::string::npos || line[at] != '#') continue;
    size_t key = line.find_first_not_of(" \t", at + 1);
    if (key == std::string::npos || line[key] != '@') continue;
    size_t colon = line.find(':', key);
    if (colon == std::string::npos) continue;
    std::string name = line.substr(key + 1, colon - key - 1);
    std::istringstream words(line.substr(colon + 1));
    std::string w;
    bool includeNext = false;
    while (words >> w) {
      if (name == "args") d.args.push_back(w);
      if (name != "flags") continue;
      for (size_t at = w.find("@srcdir@"); at != std::string::npos; at = w.find("@srcdir@"))
        w.replace(at, 8, std::string(UTAP_SOURCE_DIR) + "/testsuite");
      if (includeNext) {
        d.includeDirs.push_back(w);
        includeNext = false;
      } else if (w == "-g") {
        d.guru = true;
      } else if (w == "-I") {
        includeNext = true;
      } else if (w.rfind("-I", 0) == 0) {
        d.includeDirs.push_back(w.substr(2));
      }
    }
  }
  return d;
}

std::vector<std::string> parseokScripts() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(UTAP_SOURCE_DIR) / "testsuite" / "parseok"))
    if (e.path().extension() == ".stp") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Loads every .stpm file under the given directories, as the driver does.
bool loadLibraryMacros(const std::vector<std::string>& dirs, const parse::ParseOptions& o, SourceManager& sources,
                       Diagnostics& diags, parse::MacroTable& library) {
  bool ok = true;
  for (const std::string& dir : dirs) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.path().extension() == ".stpm") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      ok = parse::parseMacroFile(sources.addFile(f.string(), text.str()), sources, diags, o, library) && ok;
    }
  }
  return ok;
}

class ParseOk : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseOk, PrintedTreeParsesToTheSameTree) {
  std::string text = test::readSourceFile("testsuite/parseok/" + GetParam());
  ASSERT_FALSE(text.empty());
  Directives d = directivesOf(text);
  parse::ParseOptions o = test::defaultOptions();
  o.preprocessor.args = d.args;
  o.preprocessor.guru = d.guru;
  SourceManager librarySources;
  Diagnostics libraryDiags(librarySources);
  parse::MacroTable library;
  // The driver reads the tapset directory's macros before -I's.
  std::vector<std::string> macroDirs = {(fs::path(UTAP_SOURCE_DIR) / "tapsets").string()};
  macroDirs.insert(macroDirs.end(), d.includeDirs.begin(), d.includeDirs.end());
  ASSERT_TRUE(loadLibraryMacros(macroDirs, o, librarySources, libraryDiags, library))
      << libraryDiags.renderToString();
  o.libraryMacros = &library;

  test::Parsed first = test::parseScript(text, o, GetParam());
  ASSERT_TRUE(first.ok()) << first.rendered;
  EXPECT_EQ(first.errors(), 0u) << first.rendered;
  std::string printed = first.print();

  test::Parsed second = test::parseScript(printed, o, GetParam());
  ASSERT_TRUE(second.ok()) << "printed form does not parse:\n" << second.rendered << "\n" << printed;
  EXPECT_EQ(first.dump(), second.dump()) << printed;
  EXPECT_EQ(second.print(), printed) << "printing is not a fixed point";
}

std::string scriptName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 4);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Testsuite, ParseOk, ::testing::ValuesIn(parseokScripts()), scriptName);

TEST(RoundTripSetup, FindsTheTestsuiteAndItsDirectives) {
  EXPECT_GE(parseokScripts().size(), 100u);
  Directives d = directivesOf("# @args: 5+5 mystring 0x10\n# @flags: -g -I @srcdir@/x -I/y\nprobe begin {}\n");
  EXPECT_EQ(d.args, (std::vector<std::string>{"5+5", "mystring", "0x10"}));
  EXPECT_TRUE(d.guru);
  EXPECT_EQ(d.includeDirs, (std::vector<std::string>{std::string(UTAP_SOURCE_DIR) + "/testsuite/x", "/y"}));
  EXPECT_TRUE(directivesOf("# args: not a directive\n").args.empty());
}

// ---- printer cases ------------------------------------------------------------

// Parses `body` in a probe, prints it, parses the print; both trees must match.
void expectRoundTrip(const std::string& script, const parse::ParseOptions& o = test::defaultOptions()) {
  test::Parsed first = test::parseScript(script, o);
  ASSERT_TRUE(first.ok()) << script << "\n" << first.rendered;
  std::string printed = first.print();
  test::Parsed second = test::parseScript(printed, o);
  ASSERT_TRUE(second.ok()) << "printed:\n" << printed << second.rendered;
  EXPECT_EQ(first.dump(), second.dump()) << printed;
  EXPECT_EQ(second.print(), printed);
}

std::string printedBody(const std::string& body) {
  test::Parsed p = test::parseScript("probe begin {\n" + body + "\n}");
  if (!p.ok()) return "ERROR: " + p.rendered;
  std::string s = p.print();
  // Drop the two header comments, "probe begin {" and the closing brace.
  size_t open = s.find("probe begin {\n");
  std::string inner = s.substr(open + 14);
  return inner.substr(0, inner.rfind("}\n"));
}

TEST(Printer, FileHeader) {
  test::Parsed p = test::parseScript("probe begin {}", test::defaultOptions(), "dir/x.stp");
  EXPECT_EQ(p.print(), "# parse tree dump\n# file dir/x.stp\nprobe begin {\n}\n");
}

TEST(Printer, OnlyNeededParentheses) {
  EXPECT_EQ(printedBody("x = (a + b) * c"), "  x = (a + b) * c;\n");
  EXPECT_EQ(printedBody("x = a + (b * c)"), "  x = a + b * c;\n");
  EXPECT_EQ(printedBody("x = a - (b - c)"), "  x = a - (b - c);\n");
  EXPECT_EQ(printedBody("x = (a - b) - c"), "  x = a - b - c;\n");
  EXPECT_EQ(printedBody("x = (y = 1)"), "  x = y = 1;\n");
  EXPECT_EQ(printedBody("x = (a ? b : c) ? d : e"), "  x = (a ? b : c) ? d : e;\n");
  EXPECT_EQ(printedBody("x = a ? b : (c ? d : e)"), "  x = a ? b : c ? d : e;\n");
  EXPECT_EQ(printedBody("x = (a in b) + 1"), "  x = (a in b) + 1;\n");
  EXPECT_EQ(printedBody("x = (a + 1) in b"), "  x = a + 1 in b;\n");
  EXPECT_EQ(printedBody("x = (a & b) in c"), "  x = (a & b) in c;\n");
}

TEST(Printer, UnaryOperatorsDoNotFuse) {
  EXPECT_EQ(printedBody("x = - -a"), "  x = - -a;\n");
  EXPECT_EQ(printedBody("x = -(--a)"), "  x = - --a;\n");
  EXPECT_EQ(printedBody("x = +(+a)"), "  x = + +a;\n");
  EXPECT_EQ(printedBody("x = !(~a)"), "  x = ! ~a;\n");
  EXPECT_EQ(printedBody("x = a - -1"), "  x = a - -1;\n");
  for (const char* e : {"x = - -a", "x = -(--a)", "x = + +a", "x = -(+a)", "x = !~a", "x = ! ~a", "x = a - - -b",
                        "x = a + ++b", "x = a-- - --b", "x = ~-a"}) {
    SCOPED_TRACE(e);
    if (test::parseScript(std::string("probe begin { ") + e + " }").ok())
      expectRoundTrip(std::string("probe begin { ") + e + " }");
  }
}

TEST(Printer, NegativeNumbersFromWrapAround) {
  EXPECT_EQ(printedBody("x = 18446744073709551615"), "  x = 0xffffffffffffffff;\n");
  EXPECT_EQ(printedBody("x = 0x8000000000000000"), "  x = 0x8000000000000000;\n");
  EXPECT_EQ(printedBody("x = -9223372036854775808"), "  x = -0x8000000000000000;\n");
  expectRoundTrip("probe begin { x = 18446744073709551615 y = -9223372036854775808 z = -(-1) }");
  expectRoundTrip("global a = -9223372036854775808, b = 18446744073709551615, c = -1 probe timer.ms(-5) {}");
}

TEST(Printer, StringEscapes) {
  EXPECT_EQ(printedBody("x = \"a\\\"b\\\\c\\n\\t\\r\\a\\b\\f\\v\""), "  x = \"a\\\"b\\\\c\\n\\t\\r\\a\\b\\f\\v\";\n");
  EXPECT_EQ(printedBody("x = \"\\001\\x7f\""), "  x = \"\\001\\177\";\n");
  EXPECT_EQ(printedBody("x = \"é\""), "  x = \"é\";\n");
  expectRoundTrip("probe begin { x = \"\\0\\001\\x1f\\x7f tab\\t quote\\\" backslash\\\\ é\" }");
}

// A byte that is not UTF-8 text (from an escape) must be printed as an escape:
// raw, it makes the printed script invalid UTF-8.
TEST(PrinterRegression, NonUtf8BytesInStringsAreEscaped) {
  expectRoundTrip("probe begin { x = \"\\xff\\x80\" }");
  // Overlong forms and surrogates look like UTF-8 but the lexer rejects them.
  expectRoundTrip("probe begin { x = \"\\xc0\\x80\" y = \"\\xed\\xa0\\x80\" z = \"é\" }");
}

TEST(Printer, Statements) {
  EXPECT_EQ(printedBody("if (a) x = 1 else { y = 2 }"), "  if (a)\n    x = 1;\n  else {\n    y = 2;\n  }\n");
  EXPECT_EQ(printedBody("for (;;) ;"), "  for (;;)\n    ;\n");
  EXPECT_EQ(printedBody("foreach (v = [a, b-] in arr limit 5) {}"), "  foreach (v = [a, b-] in arr limit 5) {\n  }\n");
  EXPECT_EQ(printedBody("foreach (k in arr @sum- limit 2) {}"), "  foreach (k in arr @sum- limit 2) {\n  }\n");
  EXPECT_EQ(printedBody("try { } catch (e) { }"), "  try {\n  } catch (e) {\n  }\n");
  EXPECT_EQ(printedBody("delete a[*, 1] next"), "  delete a[*, 1];\n  next;\n");
}

TEST(Printer, DanglingElseKeepsItsMeaning) {
  expectRoundTrip("probe begin { if (a) if (b) x = 1 else x = 2 }");
  expectRoundTrip("probe begin { if (a) { if (b) x = 1 } else x = 2 }");
  expectRoundTrip("probe begin { if (a) while (b) if (c) x = 1 else x = 2 }");
}

TEST(Printer, Declarations) {
  parse::ParseOptions guru = test::defaultOptions();
  guru.preprocessor.guru = true;
  test::Parsed p = test::parseScript(
      "private global a%[10], b = \"s\"\n"
      "function f:long(x:long, y) :3 { return x }\n"
      "private function g() %{ /* pure */ %}\n"
      "probe foo = a.b(1)?, c.* { }, { }\n"
      "probe bar += {x,y}.z! if (a) { }\n",
      guru);
  ASSERT_TRUE(p.ok()) << p.rendered;
  EXPECT_EQ(p.print(),
            "# parse tree dump\n# file t.stp\n"
            "private global a%[10]\n"
            "private global b = \"s\"\n"
            "function f:long(x:long, y):3 {\n"
            "  return x;\n"
            "}\n"
            "private function g() %{ /* pure */ %}\n"
            "probe foo = a.b(1)?, c.* {\n"
            "}, {\n"
            "}\n"
            "probe bar += x.z! if (a), y.z! if (a) {\n"
            "}\n");
  expectRoundTrip(p.print(), guru);
}

TEST(Printer, TargetsAndAtOperators) {
  expectRoundTrip(
      "probe begin { x = &$p->a[1]->b$ y = @cast(p, \"t\", \"m\")->c$$ z = @var(\"v@f.c\")[2] "
      "w = @defined($q) ? @entry($q) : @kderef(4, p) + @uregister(1) v = @const(\"A\", \"h\") . @perf(\"c\") "
      "u = $$vars$ t = @probewrite(g) s = @hist_linear(h, 0, 10, 2)[3] r = @variance(h, 1) }",
      [] {
        parse::ParseOptions guru = test::defaultOptions();
        guru.preprocessor.guru = true;
        return guru;
      }());
}

TEST(Printer, EmbeddedCode) {
  parse::ParseOptions guru = test::defaultOptions();
  guru.preprocessor.guru = true;
  expectRoundTrip("%{ #include <x.h> %}\nfunction f() %{ /* pure */ STAP_RETURN(1); %}\nprobe begin { x = %{ 1 %} }",
                  guru);
}

TEST(Printer, PrintFamily) {
  expectRoundTrip(
      "probe begin { printf(\"%d %s\\n\", 1, \"a\") printd(\",\", 1, 2) printdln(\"-\", a) println() "
      "x = sprintf(\"%x\", 3) y = sprint(1) print(a, b) }");
}

TEST(Printer, RandomExpressionsRoundTrip) {
  // A small deterministic generator over the expression grammar.
  uint32_t seed = 12345;
  auto next = [&](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  static const char* const bin[] = {
      "*", "/", "%", "+", "-", ".", "<<", ">>", "<", "<=", ">", ">=", "==", "!=", "&", "^", "|", "&&", "||"};
  static const char* const asg[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", ".=", "<<<"};
  static const char* const leaves[] = {"1",    "\"s\"", "a",         "arr[1, b]",
                                       "f(c)", "$v->m", "@count(s)", "0xffffffffffffffff"};
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    if (depth <= 0 || next(4) == 0) return leaves[next(8)];
    switch (next(10)) {
      case 0:
      case 1:
      case 2: return gen(depth - 1) + " " + bin[next(19)] + " " + gen(depth - 1);
      case 3: return std::string("-+!~").substr(next(4), 1) + gen(depth - 1);
      case 4: return "(" + gen(depth - 1) + ")";
      case 5: return gen(depth - 1) + " ? " + gen(depth - 1) + " : " + gen(depth - 1);
      case 6: return std::string("b ") + asg[next(13)] + " " + gen(depth - 1);
      case 7: return "(" + gen(depth - 1) + ") in arr";
      case 8: return "[" + gen(depth - 1) + ", *] in arr";
      default: return next(2) ? "++b" : "b--";
    }
  };
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string script = "probe begin { x = " + gen(5) + " }";
    test::Parsed first = test::parseScript(script);
    if (!first.ok()) continue;
    ++parsed;
    std::string printed = first.print();
    test::Parsed second = test::parseScript(printed);
    ASSERT_TRUE(second.ok()) << script << "\nprinted:\n" << printed << second.rendered;
    ASSERT_EQ(first.dump(), second.dump()) << script << "\nprinted:\n" << printed;
    ASSERT_EQ(second.print(), printed) << script;
  }
  EXPECT_GT(parsed, 1000);
}

TEST(Printer, DumpExprAndPrintExpr) {
  test::Parsed p = test::parseScript("probe begin { x = a + b * (c - d) }");
  ASSERT_TRUE(p.ok());
  auto& stmt = static_cast<ast::ExprStmt&>(*static_cast<ast::ProbeDecl&>(*p.file->decls[0]).body->stmts[0]);
  EXPECT_EQ(ast::printExpr(*stmt.expr), "x = a + b * (c - d)");
  EXPECT_EQ(ast::dumpExpr(*stmt.expr), "(= x (+ a (* b (- c d))))");
}

TEST(Printer, DeepTreesThrowTooDeepInsteadOfCrashing) {
  std::string text = "probe begin { x = ";
  for (int i = 0; i < 200000; ++i) text += "- ";
  text += "1 }";
  bool threw = false, printed = false;
  test::onLargeStack([&] {
    test::Parsed p = test::parseScript(text);
    if (!p.ok()) return;
    try {
      ast::printFile(*p.file);
      printed = true;
    } catch (const ast::TooDeep&) {
      threw = true;
    }
  });
  EXPECT_TRUE(threw || printed);
}

}  // namespace
}  // namespace utap
