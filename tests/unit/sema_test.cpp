// Pass 2: type inference, alias expansion, tapset inclusion, overloads,
// checks and elision, on small scripts elaborated in-process.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sema/elaborate.h"
#include "test_support.h"

namespace utap {
namespace {

using sema::Type;

// A script elaborated with an optional private tapset library.
struct Elaborated : test::Elaborated {
  bool ok() const { return program != nullptr; }
  const sema::Variable* global(const std::string& name) const {
    for (auto& g : program->globals)
      if (g->name == name) return g.get();
    return nullptr;
  }
  const sema::Variable* local(size_t probe, const std::string& name) const {
    for (auto& l : program->probes.at(probe)->locals)
      if (l->name == name) return l.get();
    return nullptr;
  }
  const sema::Function* function(const std::string& name, size_t nth = 0) const {
    for (auto& f : program->functions)
      if (f->decl->name == name && nth-- == 0) return f.get();
    return nullptr;
  }
  std::string listing(bool verbose = false) const { return ok() ? sema::printProgram(*program, verbose) : rendered; }
};

Elaborated elaborate(const std::string& script, const std::map<std::string, std::string>& tapsets = {},
                     bool guru = false, std::vector<std::pair<std::string, std::string>> defines = {}) {
  sema::ElaborateOptions options;
  options.parse = test::defaultOptions();
  options.guru = guru;
  options.defines = std::move(defines);
  std::filesystem::path tapsetDir;
  if (!tapsets.empty()) {
    static int serial = 0;
    auto& dir = tapsetDir;
    dir = std::filesystem::temp_directory_path() /
               ("utap-sema-test-" + std::to_string(getpid()) + "-" + std::to_string(serial++));
    std::filesystem::create_directories(dir);
    for (const auto& [name, text] : tapsets) std::ofstream(dir / name) << text;
    options.tapsetDirs.push_back(dir.string());
  }
  Elaborated e{test::elaborateScript(script, options)};
  if (!tapsetDir.empty()) std::filesystem::remove_all(tapsetDir);
  return e;
}

// The first error line ("file:line:col: error: message"), or "OK".
std::string errorOf(const std::string& script, const std::map<std::string, std::string>& tapsets = {}) {
  Elaborated e = elaborate(script, tapsets);
  if (e.ok()) return "OK";
  std::string r = e.rendered;
  size_t at = r.find(": error: ");
  if (at == std::string::npos) return r;
  size_t begin = r.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return r.substr(begin, r.find('\n', at) - begin);
}

// ---- type inference ----------------------------------------------------------

TEST(SemaTypes, LiteralsDecideLocals) {
  auto e = elaborate("probe begin { a = 1; b = \"x\"; println(a, b) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.local(0, "a")->type, Type::Long);
  EXPECT_EQ(e.local(0, "b")->type, Type::String);
}

TEST(SemaTypes, ThroughAssignmentChains) {
  auto e = elaborate("probe begin { c = b; b = a; a = \"s\"; println(c) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.local(0, "c")->type, Type::String);
  EXPECT_EQ(e.local(0, "b")->type, Type::String);
}

TEST(SemaTypes, ParametersFromCallersAndReturnsFromBodies) {
  auto e = elaborate(
      "function f(x) { return x . \"!\" }\n"
      "function g(n) { return n + 1 }\n"
      "probe begin { println(f(\"a\"), g(2)) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.function("f")->params[0]->type, Type::String);
  EXPECT_EQ(e.function("f")->returnType, Type::String);
  EXPECT_EQ(e.function("g")->params[0]->type, Type::Long);
  EXPECT_EQ(e.function("g")->returnType, Type::Long);
}

TEST(SemaTypes, ParameterFromItsUseInTheBody) {
  auto e = elaborate(
      "function f(x) { return strlen2(x) }\nfunction strlen2:long (s:string) { return 1 }\n"
      "probe begin { y = f(z); z = \"q\"; println(y) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.function("f")->params[0]->type, Type::String);
  EXPECT_EQ(e.local(0, "z")->type, Type::String);
}

TEST(SemaTypes, ArrayKeysAndValues) {
  auto e =
      elaborate("global a\nprobe begin { a[\"k\", 1] = \"v\" }\nprobe end { foreach ([s, n] in a) println(s, n) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  const auto* a = e.global("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->arity, 2);
  EXPECT_EQ(a->type, Type::String);
  EXPECT_EQ(a->keyTypes, (std::vector<Type>{Type::String, Type::Long}));
  EXPECT_EQ(e.local(1, "s")->type, Type::String);
  EXPECT_EQ(e.local(1, "n")->type, Type::Long);
}

TEST(SemaTypes, GlobalTypeFromAnotherProbe) {
  auto e = elaborate("global g\nprobe end { println(g) }\nprobe begin { g = \"late\" }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.global("g")->type, Type::String);
}

TEST(SemaTypes, GlobalInitializers) {
  auto e = elaborate("global n = 3, s = \"x\"\nprobe begin { println(n, s) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.global("n")->type, Type::Long);
  EXPECT_EQ(e.global("s")->type, Type::String);
}

TEST(SemaTypes, Statistics) {
  auto e = elaborate("global s, h\nprobe begin { s <<< 1; h[\"a\"] <<< 2; println(@count(s), @avg(h[\"a\"])) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.global("s")->type, Type::Stats);
  EXPECT_EQ(e.global("h")->type, Type::Stats);
  EXPECT_EQ(e.global("h")->keyTypes, std::vector<Type>{Type::String});
}

TEST(SemaTypes, HistogramKindIsRecorded) {
  auto e = elaborate("global s\nprobe begin { s <<< 1; print(@hist_linear(s, 0, 100, 10)) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.global("s")->histogram, sema::Variable::Histogram::Linear);
  EXPECT_EQ(e.global("s")->linearParams, (std::vector<int64_t>{0, 100, 10}));
}

TEST(SemaTypes, ExpressionTypesAreRecorded) {
  auto e = elaborate("probe begin { x = \"a\" . \"b\"; println(x) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  size_t strings = 0;
  for (const auto& [expr, type] : e.program->types) strings += type == Type::String;
  EXPECT_GE(strings, 3u);  // "a", "b", the concatenation (and x)
}

TEST(SemaTypes, ConflictNamesBothPlaces) {
  EXPECT_EQ(errorOf("probe begin {\n  x = 1\n  x = \"s\"\n  println(x)\n}"),
            "t.stp:3:3: error: type mismatch: 'x' is string here, long at t.stp:2:3");
}

TEST(SemaTypes, ConflictThroughAFunctionReturn) {
  EXPECT_EQ(errorOf("function f() { return 1 }\nprobe begin { println(f() . \"s\") }"),
            "t.stp:2:23: error: type mismatch: the value of 'f' is string here, long at t.stp:1:23");
}

TEST(SemaTypes, ConflictOnAnArrayKey) {
  EXPECT_EQ(errorOf("global a\nprobe begin { a[1] = 1; a[\"s\"] = 2 }"),
            "t.stp:2:27: error: type mismatch: index 1 of 'a' is string here, long at t.stp:2:17");
}

TEST(SemaTypes, CannotInferNamesTheVariable) {
  EXPECT_EQ(errorOf("global g\nprobe begin { g = g; println(g) }"),
            "t.stp:2:15: error: cannot infer the type of 'g'; assign it a value or declare its type");
}

TEST(SemaTypes, VoidFunctionValue) {
  EXPECT_EQ(errorOf("function f() { }\nprobe begin { println(f()) }"),
            "t.stp:2:23: error: cannot infer the type of the value of 'f'; assign it a value or declare its type");
}

TEST(SemaTypes, StatisticAsValue) {
  EXPECT_NE(
      errorOf("global s\nprobe begin { s <<< 1; x = s + 1; println(x) }").find("type mismatch: 's' is a statistic"),
      std::string::npos);
}

TEST(SemaTypes, PrintfConversions) {
  EXPECT_EQ(errorOf("probe begin { printf(\"%d\\n\", \"s\") }"),
            "t.stp:1:30: error: type mismatch: the format's conversion number 1 needs a long, this is a string");
  EXPECT_EQ(errorOf("probe begin { printf(\"%s %*d\\n\", \"s\", 3, 4) }"), "OK");
  EXPECT_EQ(errorOf("probe begin { printf(\"%s %s\\n\", \"s\") }"),
            "t.stp:1:15: error: wrong number of arguments to printf: the format takes 2 values, 1 given");
  EXPECT_EQ(errorOf("probe begin { printf(\"%q\", 1) }"),
            "t.stp:1:22: error: invalid printf format: unknown conversion '%q' in the format; write '%%' for a literal "
            "'%'");
}

// ---- overloads ---------------------------------------------------------------------

TEST(SemaOverloads, ByArity) {
  auto e = elaborate(
      "function f(a) { return a }\nfunction f(a, b) { return a . b }\n"
      "probe begin { println(f(1), f(\"x\", \"y\")) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.function("f", 0)->returnType, Type::Long);
  EXPECT_EQ(e.function("f", 1)->returnType, Type::String);
  EXPECT_EQ(e.program->overloads.size(), 2u);
}

TEST(SemaOverloads, SameArityOrderedByPriority) {
  auto e = elaborate(
      "function f():3 { return 3 }\nfunction f():1 { if (1 < 2) next; return 1 }\n"
      "function f() { if (2 < 3) next; return 0 }\nprobe begin { println(f()) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->overloads.size(), 1u);
  const auto& members = e.program->overloads[0]->members;
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0]->priority, 0);
  EXPECT_EQ(members[1]->priority, 1);
  EXPECT_EQ(members[2]->priority, 3);
  for (auto* f : members) EXPECT_EQ(f->returnType, Type::Long);
}

TEST(SemaOverloads, WrongArgumentCount) {
  EXPECT_EQ(errorOf("function f(a) { return a }\nprobe begin { println(f(1, 2)) }"),
            "t.stp:2:23: error: wrong number of arguments to 'f': 2 given, it takes 1");
}

TEST(SemaOverloads, UserFunctionRunsBeforeTheTapsetOne) {
  std::map<std::string, std::string> lib = {{"ctx.stp", "function cpu:long () %{ STAP_RETURN(0); %}\n"}};
  // Same arity: one overload group, the script's first; the library one is
  // unreachable unless the script's can `next`.
  auto e = elaborate("function cpu() { return 99 }\nprobe begin { println(cpu()) }", lib);
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->overloads.size(), 1u);
  EXPECT_EQ(e.program->overloads[0]->members.size(), 1u);
  EXPECT_FALSE(e.program->overloads[0]->members[0]->fromTapset);
  auto n = elaborate(
      "function cpu() { if (pid2() > 0) next; return 99 }\nfunction pid2() { return 1 }\n"
      "probe begin { println(cpu()) }",
      lib);
  ASSERT_TRUE(n.ok()) << n.rendered;
  ASSERT_EQ(n.program->overloads.size(), 2u);
  const auto* group =
      n.program->overloads[0]->name == "cpu" ? n.program->overloads[0].get() : n.program->overloads[1].get();
  ASSERT_EQ(group->members.size(), 2u);
  EXPECT_TRUE(group->members[1]->fromTapset);
  // Another arity is another function.
  EXPECT_EQ(errorOf("function cpu(x) { return x }\nprobe begin { println(cpu(), cpu(1)) }", lib), "OK");
  // The overloads must agree on types.
  EXPECT_NE(errorOf("function cpu() { return \"s\" }\nprobe begin { println(cpu()) }", lib).find("type mismatch"),
            std::string::npos);
}

// ---- tapsets ------------------------------------------------------------------------

TEST(SemaTapsets, OnlyUsedFilesAreIncluded) {
  std::map<std::string, std::string> lib = {
      {"a.stp", "function fa:long () { return fb() }\n"},
      {"b.stp", "function fb:long () { return 2 }\n"},
      {"c.stp", "function fc:long () { return 3 }\n"},
  };
  auto e = elaborate("probe begin { println(fa()) }", lib);
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->files.size(), 3u);  // the script, a.stp, and b.stp through a.stp
  for (auto& f : e.program->files) EXPECT_EQ(f->name.find("c.stp"), std::string::npos);
}

TEST(SemaTapsets, GlobalsAndAliasesPullFilesIn) {
  std::map<std::string, std::string> lib = {
      {"g.stp", "global lib_counter\n"},
      {"p.stp", "probe lib.start = begin { started = 1 }\n"},
  };
  auto e = elaborate("probe lib.start { lib_counter++; println(started) }", lib);
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.program->files.size(), 3u);
  EXPECT_NE(e.global("lib_counter"), nullptr);
}

TEST(SemaTapsets, PrivateNamesStayInTheirFile) {
  std::map<std::string, std::string> lib = {
      {"a.stp", "private function helper:long () { return 1 }\nfunction pub:long () { return helper() }\n"}};
  EXPECT_EQ(errorOf("probe begin { println(pub()) }", lib), "OK");
  EXPECT_EQ(errorOf("probe begin { println(helper()) }", lib),
            "t.stp:1:23: error: unresolved function 'helper': no function of that name in the script or the tapset "
            "library");
}

TEST(SemaTapsets, GuruFunctionNeedsGuruAtTheCallSite) {
  std::map<std::string, std::string> lib = {{"g.stp", "function danger:long () %{ /* guru */ STAP_RETURN(1); %}\n"}};
  EXPECT_EQ(errorOf("probe begin { println(danger()) }", lib),
            "t.stp:1:23: error: 'danger' needs guru mode (it is marked /* guru */): run with -g");
  EXPECT_TRUE(elaborate("probe begin { println(danger()) }", lib, true).ok());
}

// ---- aliases -------------------------------------------------------------------------

TEST(SemaAliases, PrologueBodyEpilogueOrder) {
  auto e = elaborate(
      "probe inner = begin { p1 = 1 }\n"
      "probe outer = inner { p2 = p1 + 1 }, { e1 = p2 }\n"
      "probe outer { b = p2; println(b, e1) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->probes.size(), 1u);
  const auto& probe = *e.program->probes[0];
  EXPECT_EQ(probe.point->text(), "begin");
  EXPECT_EQ(sema::probeChain(probe), "<- inner = begin <- outer = inner <- outer");
  std::string body = e.listing(true);
  size_t p1 = body.find("p1 = 1"), p2 = body.find("p2 = p1 + 1"), b = body.find("b = p2"), e1 = body.find("e1 = p2");
  ASSERT_NE(p1, std::string::npos) << body;
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, b);
  EXPECT_LT(b, e1);
}

TEST(SemaAliases, EachProbeGetsItsOwnCopy) {
  auto e = elaborate("probe two = begin, end { x = 1 }\nprobe two { println(x) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->probes.size(), 2u);
  EXPECT_NE(e.program->probes[0]->body.get(), e.program->probes[1]->body.get());
  EXPECT_NE(e.local(0, "x"), e.local(1, "x"));
}

TEST(SemaAliases, WildcardsMatchAliasesAndBuiltins) {
  auto e = elaborate("probe my.a = begin { }\nprobe my.b = end { }\nprobe my.* { println(1) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->probes.size(), 2u);
  EXPECT_EQ(e.program->probes[0]->point->text(), "begin");
  EXPECT_EQ(e.program->probes[1]->point->text(), "end");
  auto t = elaborate("probe timer.* { println(1) }");
  ASSERT_TRUE(t.ok()) << t.rendered;
  ASSERT_EQ(t.program->probes.size(), 1u);
  EXPECT_EQ(t.program->probes[0]->point->text(), "timer.profile");
}

// pn(): the point the script wrote where it named an alias, the alias
// name's wildcards resolved and a suffix kept (stap -p3 names these the
// same); "" (pn() is pp()) where no alias led to the probe.
TEST(SemaAliases, ScriptPointOfEachProbe) {
  auto e = elaborate(
      "probe inner = begin { }\n"
      "probe outer = inner { }\n"
      "probe my.a = end { }\n"
      "probe ticks = timer.ms(10) { }\n"
      "probe outer, inner, my.*, ti*, begin, timer.s(1) { println(1) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  std::vector<std::string> points;
  for (const auto& p : e.program->probes) points.push_back(p->point->text() + " = " + p->scriptPoint);
  EXPECT_EQ(points, (std::vector<std::string>{"begin = outer", "begin = inner", "end = my.a", "timer.ms(10) = ticks",
                                               "begin = ", "timer.s(1) = "}));
}

TEST(SemaAliases, ScriptPointKeepsTheSuffix) {
  auto e = elaborate("probe ms = timer { }\nprobe ms.ms(5), ms.s(2) { println(1) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  ASSERT_EQ(e.program->probes.size(), 2u);
  EXPECT_EQ(e.program->probes[0]->point->text(), "timer.ms(5)");
  EXPECT_EQ(e.program->probes[0]->scriptPoint, "ms.ms(5)");
  EXPECT_EQ(e.program->probes[1]->scriptPoint, "ms.s(2)");
}

TEST(SemaAliases, OptionalAndSufficientPoints) {
  auto e = elaborate("probe nothing?, begin { println(1) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.program->probes.size(), 1u);
  auto s = elaborate("probe begin!, end { println(1) }");
  ASSERT_TRUE(s.ok()) << s.rendered;
  ASSERT_EQ(s.program->probes.size(), 1u);  // begin resolved: end is not needed
  EXPECT_EQ(s.program->probes[0]->point->text(), "begin");
  auto f = elaborate("probe nothing!, end { println(1) }");
  ASSERT_TRUE(f.ok()) << f.rendered;
  ASSERT_EQ(f.program->probes.size(), 1u);
  EXPECT_EQ(f.program->probes[0]->point->text(), "end");
}

TEST(SemaAliases, ConditionsCombine) {
  auto e = elaborate(
      "global on, ready\nprobe gated = timer.s(1) if (ready) { }\n"
      "probe gated if (on) { println(1) }\nprobe begin { on = 1; ready = 1 }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  const auto& probe = *e.program->probes[0];
  ASSERT_NE(probe.condition, nullptr);
  EXPECT_EQ(ast::printExpr(*probe.condition), "on && ready");
}

TEST(SemaAliases, DoubleStarAndSuffixes) {
  auto e = elaborate("probe my.a.b = begin { }\nprobe my.** { println(1) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(sema::probeChain(*e.program->probes.at(0)), "<- my.a.b = begin <- my.**");
  auto s = elaborate("probe t = timer.ms(100) { }\nprobe t.randomize(10) { println(1) }");
  ASSERT_TRUE(s.ok()) << s.rendered;
  EXPECT_EQ(s.program->probes.at(0)->point->text(), "timer.ms(100).randomize(10)");
  // A whole-point match wins over a prefix match.
  auto w = elaborate("probe a.b = begin { }\nprobe a = end { }\nprobe a.b { println(1) }");
  ASSERT_TRUE(w.ok()) << w.rendered;
  ASSERT_EQ(w.program->probes.size(), 1u);
  EXPECT_EQ(w.program->probes[0]->point->text(), "begin");
}

TEST(SemaFolding, DefinedGuardsTargetVariables) {
  auto e = elaborate("probe begin { println(@defined($x) ? $x : 0, @defined($y->z) ? 1 : 2) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_NE(e.listing(true).find("println(0, 2)"), std::string::npos) << e.listing(true);
  auto i = elaborate("probe begin { if (!@defined($x)) println(1) else println($x) }");
  ASSERT_TRUE(i.ok()) << i.rendered;
  auto d = elaborate("probe begin { if (0) { s = \"dead\" } println(1) }");
  ASSERT_TRUE(d.ok()) << d.rendered;
  EXPECT_EQ(d.local(0, "s"), nullptr);
}

TEST(SemaAliases, Errors) {
  EXPECT_EQ(errorOf("probe loop = loop { }\nprobe loop { }"),
            "t.stp:1:14: error: recursive probe alias 'loop': it expands to itself");
  EXPECT_EQ(errorOf("probe nosuch { }"),
            "t.stp:1:7: error: unknown probe point 'nosuch': no built-in probe point or probe alias matches it");
  EXPECT_EQ(errorOf("probe my.* = begin { }\nprobe my.x { }"),
            "t.stp:1:1: error: probe alias name 'my.*' contains a wildcard; an alias name must be plain");
  EXPECT_EQ(errorOf("probe timer.ms(0) { }"),
            "t.stp:1:16: error: timer interval out of range: 0 ms; it must be at least 1");
}

// ---- checks and elision -------------------------------------------------------------------

TEST(SemaChecks, MoreRules) {
  EXPECT_EQ(errorOf("global g\nfunction f() { return g }\nprobe timer.s(1) if (f()) { }\nprobe begin { g = 1 }"),
            "t.stp:3:22: error: a probe condition cannot call functions; compute the value in a probe and keep it in "
            "a global");
  EXPECT_EQ(errorOf("global a\nfunction g() { a[3] = 1 }\nfunction f() { g() }\n"
                    "probe begin { a[1] = 1; foreach (k in a) f() }"),
            "t.stp:4:42: error: 'f' modifies 'a' during its foreach loop (at t.stp:4:25); collect the changes and "
            "apply them after the loop");
  EXPECT_EQ(errorOf("global x\nglobal x\nprobe begin { x = 1 }"),
            "t.stp:2:8: error: duplicate global 'x' (first declared at t.stp:1:8); declare each global once");
  EXPECT_EQ(errorOf("global s\nprobe begin { s <<< 1; println(@variance(s, 1), @variance(s, 2)) }"),
            "t.stp:2:49: error: 's' has one @variance bit shift: 2 here, 1 at t.stp:2:32");
  EXPECT_EQ(errorOf("probe begin { printd(\",\", 1) }"),
            "t.stp:1:15: error: printd needs a delimiter and at least two values");
}

TEST(SemaChecks, Rules) {
  EXPECT_EQ(errorOf("probe begin { break }"), "t.stp:1:15: error: 'break' is only allowed inside a loop");
  EXPECT_EQ(errorOf("probe begin { x = @entry(1); println(x) }"),
            "t.stp:1:19: error: @entry is only allowed in return probes ('.return')");
  EXPECT_EQ(errorOf("global a\nprobe begin { a[1] = 1; foreach (k in a) delete a[k] }"),
            "t.stp:2:49: error: 'a' is modified during its foreach loop (at t.stp:2:25); collect the changes and "
            "apply them after the loop");
  EXPECT_EQ(errorOf("probe begin { x[1] = 1 }"),
            "t.stp:1:15: error: 'x' is not an array: arrays must be globals; declare it with 'global x'");
  EXPECT_EQ(errorOf("probe begin { println($x) }"),
            "t.stp:1:23: error: cannot use target variable '$x' here: 'begin' probes have no target variables");
  EXPECT_EQ(errorOf("probe timer.s(1) if (n > 0) { println(1) }"),
            "t.stp:1:22: error: a probe condition may only use global variables; 'n' is not a global");
}

TEST(SemaElision, UnusedThingsGoWithWarnings) {
  auto e = elaborate(
      "global used, unused\nfunction never() { return 1 }\n"
      "probe begin { dead = 5; used = 1; println(used) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.program->globals.size(), 1u);
  EXPECT_EQ(e.program->functions.size(), 0u);
  EXPECT_EQ(e.local(0, "dead"), nullptr);
  EXPECT_NE(e.rendered.find("warning: eliding unused global 'unused'"), std::string::npos) << e.rendered;
  EXPECT_NE(e.rendered.find("warning: eliding unused function 'never'"), std::string::npos) << e.rendered;
  EXPECT_NE(e.rendered.find("warning: eliding assignment to 'dead'"), std::string::npos) << e.rendered;
  EXPECT_EQ(e.listing(true).find("dead"), std::string::npos);
}

TEST(SemaElision, SideEffectsOfADeadStoreStay) {
  auto e = elaborate("function f() { println(1); return 2 }\nprobe begin { dead = f() }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_NE(e.listing(true).find("f();"), std::string::npos) << e.listing(true);
  EXPECT_EQ(e.program->functions.size(), 1u);
}

TEST(SemaElision, DeadStoresAloneAsALoopOrIfBodyGoToo) {
  auto e = elaborate(
      "global a\nfunction f(k) { println(k); return k }\n"
      "probe begin { a[1] = 1; foreach (k in a) x = f(k); if (a[1]) y = 2; else z = 3; while (a[1] < 0) w = 4 }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  std::string listing = e.listing(true);
  for (const char* name : {"x", "y", "z", "w"}) {
    EXPECT_EQ(e.local(0, name), nullptr) << name;
    EXPECT_NE(e.rendered.find(std::string("eliding assignment to '") + name + "'"), std::string::npos) << name;
  }
  EXPECT_NE(listing.find("    f(k);"), std::string::npos) << listing;
  EXPECT_EQ(listing.find(" = 2"), std::string::npos) << listing;
}

TEST(SemaDisplay, WrittenButNeverReadGlobalsAreShownAtEnd) {
  auto e = elaborate(
      "global total, name, arr, s, shown\n"
      "probe begin { total = 42; name = \"x\"; arr[1, \"a\"] = 5; s <<< 3; shown = 1 }\n"
      "probe end { println(shown) }");
  ASSERT_TRUE(e.ok()) << e.rendered;
  std::string listing = e.listing(true);
  EXPECT_NE(listing.find("printf(\"total=%d\\n\", total);"), std::string::npos) << listing;
  EXPECT_NE(listing.find("printf(\"name=\\\"%#s\\\"\\n\", name);"), std::string::npos) << listing;
  EXPECT_NE(listing.find("foreach (__val = [__idx0, __idx1] in arr-)"), std::string::npos) << listing;
  EXPECT_NE(listing.find("printf(\"s @count=0x0\\n\")"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("shows 'shown'"), std::string::npos) << listing;
  EXPECT_EQ(e.program->probes.size(), 6u);  // begin, end, and four displays
}

// ---- limits ------------------------------------------------------------------------------

TEST(SemaLimits, DefinesAreCarried) {
  auto e =
      elaborate("probe begin { print(1) }", {}, false, {{"MAXMAPENTRIES", "10000"}, {"MAXSTRINGLEN", "0x200"}, {"FOO", ""}});
  ASSERT_TRUE(e.ok()) << e.rendered;
  EXPECT_EQ(e.program->limits.maxMapEntries, 10000);
  EXPECT_EQ(e.program->limits.maxStringLen, 512);
  EXPECT_EQ(e.program->limits.maxAction, 1000);
  EXPECT_EQ(e.program->limits.defines.count("FOO"), 1u);
  auto bad = elaborate("probe begin { }", {}, false, {{"MAXACTION", "-1"}});
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.rendered.find("invalid -D MAXACTION=-1"), std::string::npos);
}

TEST(SemaLimits, MoreProcessPointsThanMaxUprobesAreAnErrorAtTheProbe) {
  // function("*") matches every function of the program: more than 10
  // breakpoints is refused before anything is built, with the way out.
  std::string program = std::string(UTAP_TEST_PROGRAMS) + "/cprog-O0";
  std::string script = "global n\nprobe process(\"" + program + "\").function(\"*\") { n++ }\n";
  auto refused = elaborate(script, {}, false, {{"MAXUPROBES", "10"}});
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.rendered.find("more than MAXUPROBES (10) allows"), std::string::npos) << refused.rendered;
  EXPECT_NE(refused.rendered.find("raise the limit with -DMAXUPROBES=N"), std::string::npos);
  EXPECT_NE(refused.rendered.find(":2:1"), std::string::npos) << refused.rendered;
  auto fits = elaborate(script, {}, false, {{"MAXUPROBES", "100000"}});
  EXPECT_TRUE(fits.ok()) << fits.rendered;
  auto bad = elaborate(script, {}, false, {{"MAXUPROBES", "2000000"}});
  EXPECT_NE(bad.rendered.find("invalid -D MAXUPROBES=2000000"), std::string::npos);
}

}  // namespace
}  // namespace utap
