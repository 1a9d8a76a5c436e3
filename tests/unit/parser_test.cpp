// parseFile as an API: what it returns, the file it names, and the source
// ranges the nodes carry (diagnostics of later passes point with them).
#include "parse/parser.h"

#include <gtest/gtest.h>

#include "ast/printer.h"
#include "test_support.h"

namespace utap {
namespace {

std::string dumpOf(const std::string& script) {
  SourceManager sources;
  Diagnostics diags(sources);
  parse::ParseOptions options;
  auto file = parse::parseFile(sources.addFile("t.stp", script), sources, diags, options);
  if (!file) return "ERROR: " + diags.renderToString();
  return ast::dumpFile(*file);
}

TEST(Parser, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(dumpOf("probe begin { x = 1 + 2 * 3 }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (+ 1 (* 2 3))))))\n");
}

TEST(Parser, DefaultOptionsParseAPlainScript) {
  EXPECT_EQ(
      dumpOf("global n probe begin { n++ }"),
      "(global n privatefalse wrapfalse size-1 _)\n(probe (point begin optfalse sufffalse _) (block (expr (post++ "
      "n))))\n");
}

TEST(Parser, FileCarriesItsIdAndName) {
  SourceManager sources;
  Diagnostics diags(sources);
  sources.addFile("first.stp", "");
  FileId id = sources.addFile("dir/second.stp", "probe begin {}");
  auto file = parse::parseFile(id, sources, diags, test::defaultOptions());
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->id, id);
  EXPECT_EQ(file->name, "dir/second.stp");
  EXPECT_EQ(file->decls.size(), 1u);
}

TEST(Parser, NullOnErrorWithTheErrorsReported) {
  SourceManager sources;
  Diagnostics diags(sources);
  auto file = parse::parseFile(sources.addFile("t.stp", "probe begin { x = }"), sources, diags, test::defaultOptions());
  EXPECT_EQ(file, nullptr);
  EXPECT_TRUE(diags.hasErrors());
}

// parseFile builds each declaration as soon as it is parsed; what the
// builder reports must still be what one parse of the whole file reports.
std::string diagnosticsOf(const std::string& script) {
  SourceManager sources;
  Diagnostics diags(sources);
  auto file = parse::parseFile(sources.addFile("t.stp", script), sources, diags, test::defaultOptions());
  std::string out = file ? "AST\n" : "NULL\n";
  for (const Diagnostic& d : diags.all())
    out += fmt::format("{}:{} {}\n", d.range.begin.line, d.range.begin.column, d.message);
  return out + fmt::format("errors {}, shown {}\n", diags.errorCount(), diags.shownErrorCount());
}

TEST(Parser, ASyntaxErrorHidesTheBuildersErrorsInEarlierDeclarations) {
  // Line 1 alone is a builder error (a number too large); line 2 a syntax
  // error: only the syntax error is reported, as before any AST is built.
  std::string both = diagnosticsOf("probe begin { x = 99999999999999999999 }\nprobe end { x = }\n");
  EXPECT_EQ(both.find("99999999999999999999"), std::string::npos) << both;
  EXPECT_NE(both.find("NULL"), std::string::npos) << both;
  EXPECT_NE(diagnosticsOf("probe begin { x = 99999999999999999999 }\n").find("99999999999999999999"),
            std::string::npos);
}

TEST(Parser, TheBuildersDiagnosticsComeInOrderWithTheirLimits) {
  // 60 builder errors in 60 declarations: 50 shown, 60 counted.
  std::string script;
  for (int i = 0; i < 60; ++i) script += "probe begin { x = 99999999999999999999 }\n";
  std::string out = diagnosticsOf(script);
  EXPECT_NE(out.find("errors 60, shown 50"), std::string::npos) << out;
  EXPECT_NE(out.find("\n1:19 "), std::string::npos) << out;
  EXPECT_EQ(out.find("\n51:19 "), std::string::npos) << out;
}

TEST(Parser, EmptyFileIsAnEmptyTree) {
  SourceManager sources;
  Diagnostics diags(sources);
  auto file = parse::parseFile(sources.addFile("t.stp", ""), sources, diags, test::defaultOptions());
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->decls.empty());
  EXPECT_FALSE(diags.hasErrors());
}

// ---- source ranges ------------------------------------------------------------

struct Located {
  test::Parsed parsed;
  ast::ProbeDecl* probe = nullptr;
  ast::Expr* firstExpr() const { return static_cast<ast::ExprStmt&>(*probe->body->stmts.at(0)).expr.get(); }
};

Located locate(const std::string& text) {
  Located l{test::parseScript(text)};
  EXPECT_TRUE(l.parsed.ok()) << l.parsed.rendered;
  if (l.parsed.ok()) l.probe = dynamic_cast<ast::ProbeDecl*>(l.parsed.file->decls.at(0).get());
  return l;
}

void expectRange(const SourceRange& r, uint32_t line, uint32_t from, uint32_t endLine, uint32_t to) {
  EXPECT_EQ(r.begin.line, line);
  EXPECT_EQ(r.begin.column, from);
  EXPECT_EQ(r.end.line, endLine);
  EXPECT_EQ(r.end.column, to);
}

TEST(Ranges, BinaryExpressionSpansItsOperands) {
  Located l = locate("probe begin { x = a + bc }");
  ASSERT_NE(l.probe, nullptr);
  auto& assign = dynamic_cast<ast::AssignExpr&>(*l.firstExpr());
  expectRange(assign.range, 1, 15, 1, 24);
  expectRange(assign.lhs->range, 1, 15, 1, 15);
  expectRange(assign.rhs->range, 1, 19, 1, 24);
  auto& sum = dynamic_cast<ast::BinaryExpr&>(*assign.rhs);
  expectRange(sum.rhs->range, 1, 23, 1, 24);
}

TEST(Ranges, MultiLineConstructs) {
  Located l = locate("probe begin {\n  if (a)\n    x = 1\n}\n");
  ASSERT_NE(l.probe, nullptr);
  expectRange(l.probe->range, 1, 1, 4, 1);
  expectRange(l.probe->body->range, 1, 13, 4, 1);
  expectRange(l.probe->body->stmts[0]->range, 2, 3, 3, 9);
}

TEST(Ranges, ProbePointsAndComponents) {
  Located l = locate("probe process(\"a\").function(\"f\")?, end {}");
  ASSERT_NE(l.probe, nullptr);
  ASSERT_EQ(l.probe->points.size(), 2u);
  const ast::ProbePoint& p = l.probe->points[0];
  expectRange(p.range, 1, 7, 1, 33);  // with its '?'
  ASSERT_EQ(p.components.size(), 2u);
  expectRange(p.components[0].range, 1, 7, 1, 18);
  expectRange(p.components[1].range, 1, 20, 1, 32);
  expectRange(l.probe->points[1].range, 1, 36, 1, 38);
}

TEST(Ranges, StringsAndNumbersCoverTheirText) {
  Located l = locate("probe begin { x = \"ab\" \"c\" . 0x10 }");
  ASSERT_NE(l.probe, nullptr);
  auto& concat = dynamic_cast<ast::BinaryExpr&>(*dynamic_cast<ast::AssignExpr&>(*l.firstExpr()).rhs);
  expectRange(concat.lhs->range, 1, 19, 1, 26);
  expectRange(concat.rhs->range, 1, 30, 1, 33);
}

TEST(Ranges, MacroExpansionsAreRecorded) {
  Located l = locate("@define two %( 2 %)\nprobe begin { x = @two }");
  ASSERT_NE(l.probe, nullptr);
  auto& assign = dynamic_cast<ast::AssignExpr&>(*l.firstExpr());
  // The literal comes from the macro body, and says where it was expanded.
  expectRange(assign.rhs->range, 1, 16, 1, 16);
  ASSERT_NE(assign.rhs->range.expansion, 0u);
  const Expansion& x = l.parsed.sources->expansion(assign.rhs->range.expansion);
  EXPECT_EQ(x.what, "expansion of macro '@two'");
  expectRange(x.site, 2, 19, 2, 22);
  EXPECT_EQ(assign.lhs->range.expansion, 0u);
}

TEST(Ranges, ScriptArgumentsAreRecorded) {
  test::Parsed p = test::parseWithArgs("probe begin { x = $1 }", {"41 + 1"});
  ASSERT_TRUE(p.ok()) << p.rendered;
  auto& probe = dynamic_cast<ast::ProbeDecl&>(*p.file->decls[0]);
  auto& assign = dynamic_cast<ast::AssignExpr&>(*static_cast<ast::ExprStmt&>(*probe.body->stmts[0]).expr);
  ASSERT_NE(assign.rhs->range.expansion, 0u);
  const Expansion& x = p.sources->expansion(assign.rhs->range.expansion);
  EXPECT_EQ(x.what, "script argument $1 ('41 + 1')");
  expectRange(x.site, 1, 19, 1, 20);
}

}  // namespace
}  // namespace utap
