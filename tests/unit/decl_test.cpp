// Declarations: probes and their points (wildcards, arguments, '?', '!',
// conditions, brace expansion), aliases, globals, functions and top-level
// embedded C.
#include <gtest/gtest.h>

#include "test_support.h"

namespace utap {
namespace {

using test::dumpOf;
using test::errorOf;
using test::parseScript;

// The points of the first probe, dumped one per line (without "(point"
// and the body).
std::string pointsOf(const std::string& head) {
  test::Parsed p = parseScript(head + " {}");
  if (!p.ok()) return "ERROR: " + p.rendered.substr(0, p.rendered.find('\n'));
  std::string d = ast::dumpFile(*p.file);
  std::string out;
  for (size_t at = d.find("(point "); at != std::string::npos; at = d.find("(point ", at + 1)) {
    // A point's dump ends at the ')' that balances its '('.
    int depth = 0;
    size_t end = at;
    for (; end < d.size(); ++end) {
      if (d[end] == '(') ++depth;
      if (d[end] == ')' && --depth == 0) break;
    }
    out += d.substr(at + 7, end - at - 7) + "\n";
  }
  return out;
}

// ---- probes ---------------------------------------------------------------------

TEST(Probe, OnePointAndABody) {
  EXPECT_EQ(dumpOf("probe begin { x = 1 }"), "(probe (point begin optfalse sufffalse _) (block (expr (= x 1))))\n");
}

TEST(Probe, SeveralPoints) {
  EXPECT_EQ(pointsOf("probe begin, end, timer.s(1)"),
            "begin optfalse sufffalse _\nend optfalse sufffalse _\ntimer s(1) optfalse sufffalse _\n");
}

TEST(Probe, SeveralProbesInOneFile) {
  EXPECT_EQ(dumpOf("probe begin {} probe end {}"),
            "(probe (point begin optfalse sufffalse _) (block))\n(probe (point end optfalse sufffalse _) (block))\n");
}

TEST(ProbePoint, ComponentArguments) {
  EXPECT_EQ(pointsOf("probe process(\"/bin/ls\").function(\"main\").return"),
            "process(\"/bin/ls\") function(\"main\") return optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe timer.ms(-5)"), "timer ms(-5) optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe timer.ms(+5)"), "timer ms(5) optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe a.b(0x10)"), "a b(16) optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe a.b(\"x\" \"y\")"), "a b(\"xy\") optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe a.b(\"\\x41\")"), "a b(\"A\") optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe a.b(-9223372036854775808)"), "a b(-9223372036854775808) optfalse sufffalse _\n");
}

TEST(ProbePoint, ArgumentsMustBeLiterals) {
  EXPECT_EQ(errorOf("probe a.b(x) {}"), "t.stp:1:11: error: expected a literal (a number or a string) before 'x'");
  EXPECT_NE(errorOf("probe a.b() {}"), "OK");
  EXPECT_NE(errorOf("probe a.b(1, 2) {}"), "OK");
  EXPECT_NE(errorOf("probe a.b(1)(2) {}"), "OK");
}

TEST(ProbePoint, Wildcards) {
  EXPECT_EQ(pointsOf("probe syscall.*"), "syscall * optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe a.b*c.d"), "a b*c d optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe process.function(\"*\").call"), "process function(\"*\") call optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe a.**"), "a ** optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe *_x"), "*_x optfalse sufffalse _\n");
}

TEST(ProbePoint, ComponentNamesCannotContainSpaces) {
  EXPECT_EQ(errorOf("probe a.b * c {}"),
            "t.stp:1:11: error: expected '.', ',' or '{' before '*': a probe point component name cannot contain "
            "spaces");
}

TEST(ProbePoint, KeywordsAsComponentNames) {
  EXPECT_EQ(pointsOf("probe a.function.return.string.in"), "a function return string in optfalse sufffalse _\n");
  EXPECT_EQ(errorOf("probe a.if {}"), "t.stp:1:9: error: expected a probe point before keyword 'if'");
}

TEST(ProbePoint, OptionalAndSufficient) {
  EXPECT_EQ(pointsOf("probe a?, b!, c"), "a opttrue sufffalse _\nb optfalse sufftrue _\nc optfalse sufffalse _\n");
  EXPECT_NE(errorOf("probe a?? {}"), "OK");
  EXPECT_NE(errorOf("probe a?! {}"), "OK");
}

TEST(ProbePoint, Conditions) {
  EXPECT_EQ(pointsOf("probe a.b if (x > 1)"), "a b optfalse sufffalse (> x 1)\n");
  EXPECT_EQ(pointsOf("probe a? if (enabled), b"), "a opttrue sufffalse enabled\nb optfalse sufffalse _\n");
  EXPECT_NE(errorOf("probe a if x {}"), "OK");
}

TEST(ProbePoint, Errors) {
  EXPECT_NE(errorOf("probe a..b {}"), "OK");
  EXPECT_NE(errorOf("probe .a {}"), "OK");
  EXPECT_NE(errorOf("probe a. {}"), "OK");
  EXPECT_NE(errorOf("probe a,, b {}"), "OK");
  EXPECT_NE(errorOf("probe a, {}"), "OK");
  EXPECT_NE(errorOf("probe begin"), "OK");
  EXPECT_EQ(errorOf("probe { }"), "t.stp:1:9: error: expected a probe point before '}'");
}

TEST(BraceExpansion, Alternatives) {
  EXPECT_EQ(pointsOf("probe {begin, end}"), "begin optfalse sufffalse _\nend optfalse sufffalse _\n");
}

TEST(BraceExpansion, ProductInSourceOrder) {
  // stap: probe begin.x,begin.y,end.x,end.y
  EXPECT_EQ(pointsOf("probe {begin,end}.{x,y}"),
            "begin x optfalse sufffalse _\nbegin y optfalse sufffalse _\n"
            "end x optfalse sufffalse _\nend y optfalse sufffalse _\n");
}

TEST(BraceExpansion, Nesting) {
  // stap: probe a.b.f,a.c.d.f,a.c.e.f
  EXPECT_EQ(pointsOf("probe a.{b,c.{d,e}}.f"),
            "a b f optfalse sufffalse _\na c d f optfalse sufffalse _\na c e f optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe {a, {b, c}}"), "a optfalse sufffalse _\nb optfalse sufffalse _\nc optfalse sufffalse _\n");
}

TEST(BraceExpansion, WithArgumentsMarksAndConditions) {
  EXPECT_EQ(pointsOf("probe process(\"x\").{function(\"f\"),statement(\"g\")}.return"),
            "process(\"x\") function(\"f\") return optfalse sufffalse _\n"
            "process(\"x\") statement(\"g\") return optfalse sufffalse _\n");
  EXPECT_EQ(pointsOf("probe {a,b}? if (c)"), "a opttrue sufffalse c\nb opttrue sufffalse c\n");
}

TEST(BraceExpansion, Errors) {
  EXPECT_NE(errorOf("probe a.{} {}"), "OK");
  EXPECT_NE(errorOf("probe a.{b,} {}"), "OK");
  EXPECT_NE(errorOf("probe a.{b,,c} {}"), "OK");
  EXPECT_NE(errorOf("probe a.{b c} {}"), "OK");
  EXPECT_NE(errorOf("probe a.{b,c {}"), "OK");
}

TEST(BraceExpansion, HugeProductsAreRefused) {
  // 10^6 combinations: an error, not a million probe points.
  std::string group = "{a,b,c,d,e,f,g,h,i,j}";
  std::string head = "probe " + group;
  for (int i = 0; i < 5; ++i) head += "." + group;
  test::Parsed p = parseScript(head + " {}");
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.rendered.find("brace expansion of this probe point gives more than"), std::string::npos) << p.rendered;
}

// ---- aliases ------------------------------------------------------------------

TEST(Alias, PrologueStyle) {
  EXPECT_EQ(dumpOf("probe foo = begin { x = 1 }"),
            "(alias (point foo optfalse sufffalse _) = (point begin optfalse sufffalse _) (block (expr (= x 1))) "
            "_)\n");
}

TEST(Alias, EpilogueStyle) {
  EXPECT_EQ(dumpOf("probe foo += begin { y = 2 }"),
            "(alias (point foo optfalse sufffalse _) = (point begin optfalse sufffalse _) _ (block (expr (= y "
            "2))))\n");
}

TEST(Alias, PrologueAndEpilogue) {
  EXPECT_EQ(dumpOf("probe foo = begin { x = 1 }, { y = 2 }"),
            "(alias (point foo optfalse sufffalse _) = (point begin optfalse sufffalse _) (block (expr (= x 1))) "
            "(block (expr (= y 2))))\n");
}

TEST(Alias, SeveralPointsAndDottedName) {
  EXPECT_EQ(dumpOf("probe foo.bar = a.b, c.d? { }"),
            "(alias (point foo bar optfalse sufffalse _) = (point a b optfalse sufffalse _) (point c d opttrue "
            "sufffalse _) (block) _)\n");
}

TEST(Alias, Errors) {
  EXPECT_EQ(errorOf("probe foo, bar = a {}"),
            "t.stp:1:16: error: an alias defines one name; write one 'probe NAME = ...' for each");
  EXPECT_EQ(errorOf("probe foo? = a {}"), "t.stp:1:7: error: an alias name cannot have '?', '!' or a condition");
  EXPECT_EQ(errorOf("probe foo if (x) = a {}"), "t.stp:1:7: error: an alias name cannot have '?', '!' or a condition");
  EXPECT_EQ(errorOf("probe foo += a {}, {}"),
            "t.stp:1:20: error: a '+=' alias has only an epilogue; use '=' for a prologue and an epilogue");
  EXPECT_NE(errorOf("probe foo = {}"), "OK");
  EXPECT_NE(errorOf("probe foo = a"), "OK");
}

// ---- globals --------------------------------------------------------------------

TEST(Global, Forms) {
  EXPECT_EQ(dumpOf("global a, b[100], c%, d%[10], e = 5, f = \"s\", g = -3, h = 0x10"),
            "(global a privatefalse wrapfalse size-1 _)\n"
            "(global b privatefalse wrapfalse size100 _)\n"
            "(global c privatefalse wraptrue size-1 _)\n"
            "(global d privatefalse wraptrue size10 _)\n"
            "(global e privatefalse wrapfalse size-1 5)\n"
            "(global f privatefalse wrapfalse size-1 \"s\")\n"
            "(global g privatefalse wrapfalse size-1 -3)\n"
            "(global h privatefalse wrapfalse size-1 16)\n");
}

TEST(Global, Private) {
  EXPECT_EQ(dumpOf("private global x"), "(global x privatetrue wrapfalse size-1 _)\n");
  EXPECT_EQ(dumpOf("private x = 1, y"),
            "(global x privatetrue wrapfalse size-1 1)\n(global y privatetrue wrapfalse size-1 _)\n");
}

TEST(Global, OptionalSemicolon) {
  EXPECT_EQ(dumpOf("global x; global y"),
            "(global x privatefalse wrapfalse size-1 _)\n(global y privatefalse wrapfalse size-1 _)\n");
}

TEST(Global, InitializerExtremes) {
  EXPECT_EQ(dumpOf("global x = -9223372036854775808"),
            "(global x privatefalse wrapfalse size-1 -9223372036854775808)\n");
  EXPECT_EQ(dumpOf("global x = 18446744073709551615"), "(global x privatefalse wrapfalse size-1 -1)\n");
  EXPECT_EQ(errorOf("global x = 18446744073709551616"),
            "t.stp:1:12: error: number '18446744073709551616' is too large for 64 bits");
}

TEST(Global, Errors) {
  EXPECT_EQ(errorOf("global x[0]"), "t.stp:1:10: error: an array size must be positive");
  EXPECT_EQ(errorOf("global x[1] = 1"),
            "t.stp:1:13: error: an array cannot have an initializer; only scalar globals can");
  EXPECT_EQ(errorOf("global x% = 1"),
            "t.stp:1:11: error: an array cannot have an initializer; only scalar globals can");
  EXPECT_EQ(errorOf("global x = y"), "t.stp:1:12: error: expected a literal (a number or a string) before 'y'");
  EXPECT_NE(errorOf("global x = 1 + 2"), "OK");
  EXPECT_NE(errorOf("global x[10][20]"), "OK");
  EXPECT_NE(errorOf("global x[n]"), "OK");
  EXPECT_NE(errorOf("global x,"), "OK");
  EXPECT_EQ(errorOf("global if"), "t.stp:1:8: error: 'if' is a reserved word and cannot be used as a name");
  EXPECT_EQ(errorOf("global 9x"), "t.stp:1:8: error: expected an identifier before '9x'");
}

// ---- functions ------------------------------------------------------------------

TEST(Function, TypesOfResultAndParameters) {
  EXPECT_EQ(dumpOf("function f:long(a:long, b:string, c) { return 1 }"),
            "(function f privatefalse type1 a:1 b:2 c:0 prio-1 (block (return 1)))\n");
  EXPECT_EQ(dumpOf("function g:string() { return \"\" }"),
            "(function g privatefalse type2 prio-1 (block (return \"\")))\n");
}

TEST(Function, Priority) {
  EXPECT_EQ(dumpOf("function f():3 { }"), "(function f privatefalse type0 prio3 (block))\n");
  EXPECT_EQ(dumpOf("function f:long(x) :10 { }"), "(function f privatefalse type1 x:0 prio10 (block))\n");
  EXPECT_NE(errorOf("function f() : -1 {}"), "OK");
  EXPECT_NE(errorOf("function f():x {}"), "OK");
}

TEST(Function, Private) {
  EXPECT_EQ(dumpOf("private function f() {}"), "(function f privatetrue type0 prio-1 (block))\n");
}

TEST(Function, EmbeddedBodyAndPragmas) {
  parse::ParseOptions o = test::defaultOptions();
  o.preprocessor.guru = true;
  test::Parsed p = parseScript(
      "function f:long() %{ /* pure */ /* unprivileged */ /* pragma:read:v */ /*pragma:write:w*/\n"
      "  STAP_RETURN(1); /* not a pragma */ /**/ %}",
      o);
  ASSERT_TRUE(p.ok()) << p.rendered;
  auto& f = dynamic_cast<ast::FunctionDecl&>(*p.file->decls[0]);
  ASSERT_TRUE(f.embedded.has_value());
  EXPECT_EQ(f.body, nullptr);
  EXPECT_EQ(*f.embedded,
            " /* pure */ /* unprivileged */ /* pragma:read:v */ /*pragma:write:w*/\n  STAP_RETURN(1); /* not a "
            "pragma */ /**/ ");
  EXPECT_EQ(f.pragmas, (std::vector<std::string>{"pure", "unprivileged", "pragma:read:v", "pragma:write:w"}));
}

TEST(Function, ScriptBodyHasNoPragmas) {
  test::Parsed p = parseScript("function f() { /* pure */ return 1 }");
  ASSERT_TRUE(p.ok()) << p.rendered;
  auto& f = dynamic_cast<ast::FunctionDecl&>(*p.file->decls[0]);
  EXPECT_TRUE(f.pragmas.empty());
  EXPECT_FALSE(f.embedded.has_value());
}

TEST(Function, Errors) {
  EXPECT_EQ(errorOf("function f(a, a) {}"), "t.stp:1:15: error: duplicate parameter 'a'");
  EXPECT_EQ(errorOf("function f(a:int) {}"), "t.stp:1:14: error: expected 'long' or 'string' before 'int'");
  EXPECT_EQ(errorOf("function if() {}"), "t.stp:1:10: error: 'if' is a reserved word and cannot be used as a name");
  EXPECT_NE(errorOf("function f:long:5() {}"), "OK");
  EXPECT_NE(errorOf("function f"), "OK");
  EXPECT_NE(errorOf("function f()"), "OK");
  EXPECT_NE(errorOf("function f(a,) {}"), "OK");
  EXPECT_NE(errorOf("function f(1) {}"), "OK");
  EXPECT_NE(errorOf("function (a) {}"), "OK");
}

// ---- top level ---------------------------------------------------------------------

TEST(TopLevel, EmbeddedC) {
  parse::ParseOptions o = test::defaultOptions();
  o.preprocessor.guru = true;
  EXPECT_EQ(dumpOf("%{ #include <linux/sched.h> %}", o), "(embedded \" #include <linux/sched.h> \")\n");
}

TEST(TopLevel, OnlyDeclarations) {
  EXPECT_EQ(errorOf("x = 1"),
            "t.stp:1:1: error: expected a declaration ('probe', 'global', 'function' or '%{ ... %}') before 'x'");
  EXPECT_NE(errorOf("probe begin {} ;"), "OK");
  EXPECT_NE(errorOf("private probe begin {}"), "OK");
  EXPECT_EQ(dumpOf(""), "");
  EXPECT_EQ(dumpOf("# only a comment\n"), "");
}

// stap -p1 rejects embedded C outside guru mode ("embedded code in
// unprivileged script; need stap -g"), in declarations, function bodies and
// expressions alike.
TEST(GuruRegression, EmbeddedCNeedsGuruMode) {
  EXPECT_NE(errorOf("%{ int x; %} probe begin {}"), "OK");
  EXPECT_NE(errorOf("function f() %{ /* pure */ %}"), "OK");
  EXPECT_NE(errorOf("probe begin { x = %{ 1 %} }"), "OK");
}

}  // namespace
}  // namespace utap
