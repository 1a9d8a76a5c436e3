// The preprocessor: %( %? %: %) conditionals and what they can ask about,
// script arguments ($1 @1 $# @#), and @define macros (local and library).
#include <gtest/gtest.h>

#include "parse/lexer.h"
#include "test_support.h"

namespace utap {
namespace {

using test::defaultOptions;
using test::dumpOf;
using test::errorOf;
using test::exprDump;
using test::parseScript;

// Which branch "%( COND %? 1 %: 2 %)" takes: "then", "else", or the error.
std::string pick(const std::string& cond, const parse::ParseOptions& options = defaultOptions()) {
  test::Parsed p = parseScript("probe begin { x = %( " + cond + " %? 1 %: 2 %) }", options);
  if (!p.ok()) return "ERROR: " + p.rendered.substr(0, p.rendered.find('\n'));
  std::string d = p.dump();
  if (d.find("(= x 1)") != std::string::npos) return "then";
  if (d.find("(= x 2)") != std::string::npos) return "else";
  return "UNEXPECTED: " + d;
}

parse::ParseOptions withRelease(const std::string& release) {
  parse::ParseOptions o = defaultOptions();
  o.preprocessor.kernelRelease = release;
  return o;
}

// ---- kernel versions ------------------------------------------------------------

TEST(KernelVersion, VersionOfARelease) {
  // Made-up releases.
  EXPECT_EQ(parse::kernelVersionOf("6.1.0-99-amd64"), "6.1.0");
  EXPECT_EQ(parse::kernelVersionOf("6.12.999+deb12-amd64"), "6.12.999");
  EXPECT_EQ(parse::kernelVersionOf("4.18.0-305.el8.x86_64"), "4.18.0");
  EXPECT_EQ(parse::kernelVersionOf("5.10"), "5.10");
  EXPECT_EQ(parse::kernelVersionOf(""), "");
}

TEST(KernelVersion, OrderComparisonsUseStrverscmp) {
  // kernel_v is "6.1.0" here.
  EXPECT_EQ(pick("kernel_v >= \"6.1\""), "then");
  EXPECT_EQ(pick("kernel_v > \"6.1\""), "then");
  EXPECT_EQ(pick("kernel_v < \"6.10\""), "then");  // numeric, not lexical: 1 < 10
  EXPECT_EQ(pick("kernel_v > \"5.19.17\""), "then");
  EXPECT_EQ(pick("kernel_v < \"2.6.9\""), "else");
  EXPECT_EQ(pick("kernel_v <= \"6.1.0\""), "then");
  EXPECT_EQ(pick("kernel_v > \"6.1.0-rc1\""), "else");  // as stap: a prefix sorts first
  EXPECT_EQ(pick("kernel_v >= \"6.01\""), "then");
}

TEST(KernelVersion, EqualityIsExactWithoutWildcards) {
  EXPECT_EQ(pick("kernel_v == \"6.1.0\""), "then");
  EXPECT_EQ(pick("kernel_v == \"6.1\""), "else");  // stap: (x) = (2)
  EXPECT_EQ(pick("kernel_v != \"6.1\""), "then");
}

TEST(KernelVersion, EqualityWithWildcards) {
  EXPECT_EQ(pick("kernel_v == \"6.*\""), "then");
  EXPECT_EQ(pick("kernel_v == \"6.1.?\""), "then");
  EXPECT_EQ(pick("kernel_v == \"5.*\""), "else");
  EXPECT_EQ(pick("kernel_v != \"5.*\""), "then");
  EXPECT_EQ(pick("kernel_vr == \"6.1.0-99*\""), "then");
  EXPECT_EQ(pick("kernel_vr == \"*-amd64\""), "then");
  EXPECT_EQ(pick("kernel_vr == \"*-arm64\""), "else");
  EXPECT_EQ(pick("kernel_vr == \"6.1.0-[0-9][0-9]-amd64\""), "then");
}

TEST(KernelVersion, ReleaseComparisons) {
  // kernel_vr is test::kRelease, made up; so is the 6.12 release.
  EXPECT_EQ(pick("kernel_vr == \"6.1.0-99-amd64\""), "then");
  EXPECT_EQ(pick("kernel_vr > \"6.1.0-9-amd64\""), "then");  // 99 > 9 numerically
  EXPECT_EQ(pick("kernel_vr < \"6.1.0-100-amd64\""), "then");
  EXPECT_EQ(pick("kernel_v >= \"6.12\"", withRelease("6.12.999+deb12-amd64")), "then");
  EXPECT_EQ(pick("kernel_vr >= \"6.12.9+deb12\"", withRelease("6.12.999+deb12-amd64")), "then");
}

// stap: "wildcard not allowed with order comparison operators".
TEST(KernelVersionRegression, WildcardsWithOrderComparisonsAreErrors) {
  EXPECT_EQ(pick("kernel_v < \"6.*\"").rfind("ERROR", 0), 0u);
  EXPECT_EQ(pick("kernel_vr >= \"6.1.?-99-amd64\"").rfind("ERROR", 0), 0u);
}

TEST(KernelVersion, NeedsAString) {
  EXPECT_EQ(
      pick("kernel_v >= 6"),
      "ERROR: t.stp:1:34: error: invalid preprocessor condition: 'kernel_v' must be compared with a string literal");
  EXPECT_EQ(
      pick("kernel_v"),
      "ERROR: t.stp:1:31: error: invalid preprocessor condition: 'kernel_v' must be compared with something (e.g. "
      "'== \"x\"')");
}

// ---- other names -------------------------------------------------------------------

TEST(Conditions, Arch) {
  EXPECT_EQ(pick("arch == \"x86_64\""), "then");
  EXPECT_EQ(pick("arch == \"x86_*\""), "then");
  EXPECT_EQ(pick("arch == \"i?86\""), "else");
  EXPECT_EQ(pick("arch != \"arm*\""), "then");
  parse::ParseOptions arm = defaultOptions();
  arm.preprocessor.arch = "arm64";
  EXPECT_EQ(pick("arch == \"arm*\"", arm), "then");
  EXPECT_EQ(pick("arch < \"x\""),
            "ERROR: t.stp:1:27: error: invalid preprocessor condition: 'arch' can only be compared with == or !=");
}

TEST(Conditions, Runtime) {
  EXPECT_EQ(pick("runtime == \"kernel\""), "then");
  EXPECT_EQ(pick("runtime == \"dyninst\""), "else");
  EXPECT_EQ(pick("runtime != \"bpf\""), "then");
}

TEST(Conditions, SystemtapVersion) {
  EXPECT_EQ(pick("systemtap_v >= \"2.0\""), "then");
  EXPECT_EQ(pick("systemtap_v >= \"4.8\""), "then");
  EXPECT_EQ(pick("systemtap_v > \"4.10\""), "else");  // 4.8 < 4.10
  parse::ParseOptions old = defaultOptions();
  old.preprocessor.compatVersion = "1.8";
  EXPECT_EQ(pick("systemtap_v < \"2.0\"", old), "then");
  EXPECT_EQ(pick("systemtap_v == \"1.*\"", old), "then");
}

TEST(Conditions, Privilege) {
  EXPECT_EQ(pick("systemtap_privilege == \"stapdev\""), "then");
  EXPECT_EQ(pick("systemtap_privilege != \"stapusr\""), "then");
  parse::ParseOptions usr = defaultOptions();
  usr.preprocessor.privilege = "stapusr";
  EXPECT_EQ(pick("systemtap_privilege == \"stapusr\"", usr), "then");
}

// stap compares the privilege exactly: 'systemtap_privilege == "stap*"' is
// false there.
TEST(ConditionsRegression, PrivilegeIsComparedExactly) { EXPECT_EQ(pick("systemtap_privilege == \"stap*\""), "else"); }

TEST(Conditions, GuruMode) {
  EXPECT_EQ(pick("guru_mode == 0"), "then");
  EXPECT_EQ(pick("guru_mode != 1"), "then");
  parse::ParseOptions guru = defaultOptions();
  guru.preprocessor.guru = true;
  EXPECT_EQ(pick("guru_mode == 1", guru), "then");
  EXPECT_EQ(pick("guru_mode == 0", guru), "else");
  EXPECT_EQ(pick("guru_mode > 0").rfind("ERROR", 0), 0u);
  EXPECT_EQ(pick("guru_mode == \"1\"").rfind("ERROR", 0), 0u);
}

// stap: "expected 0 or 1"; utap's own message says so too, but does not check.
TEST(ConditionsRegression, GuruModeOnlyComparesWithZeroOrOne) {
  EXPECT_EQ(pick("guru_mode == 2").rfind("ERROR", 0), 0u);
}

TEST(Conditions, KernelConfigStrings) {
  EXPECT_EQ(pick("CONFIG_MODULES == \"y\""), "then");
  EXPECT_EQ(pick("CONFIG_EXT4_FS == \"m\""), "then");
  EXPECT_EQ(pick("CONFIG_EXT4_FS == \"[ym]\""), "then");
  EXPECT_EQ(pick("CONFIG_MODULES != \"y\""), "else");
  EXPECT_EQ(pick("CONFIG_UNSET == \"y\""), "else");
  EXPECT_EQ(pick("CONFIG_UNSET == \"\""), "then");
  EXPECT_EQ(pick("CONFIG_LOCALVERSION == \"-debian\""), "then");
  EXPECT_EQ(pick("CONFIG_LOCALVERSION == \"-deb*\""), "then");
}

TEST(Conditions, KernelConfigNumbers) {
  EXPECT_EQ(pick("CONFIG_HZ == 250"), "then");
  EXPECT_EQ(pick("CONFIG_HZ >= 100"), "then");
  EXPECT_EQ(pick("CONFIG_HZ < 100"), "else");
  EXPECT_EQ(pick("CONFIG_NR_CPUS == 512"), "then");  // "0x200": C notation
  EXPECT_EQ(pick("CONFIG_NEGATIVE < 0"), "then");
}

// stap reads an unset option as 0 in a numeric comparison ("CONFIG_X < 5" is
// true) and rejects a non-numeric value ("Config option value not a number").
TEST(ConditionsRegression, KernelConfigNumericComparisonsAsInStap) {
  EXPECT_EQ(pick("CONFIG_UNSET < 5"), "then");
  EXPECT_EQ(pick("CONFIG_UNSET == 0"), "then");
  EXPECT_EQ(pick("CONFIG_MODULES < 5").rfind("ERROR", 0), 0u);
}

TEST(Conditions, LiteralComparisons) {
  EXPECT_EQ(pick("1 == 1"), "then");
  EXPECT_EQ(pick("1 < 2"), "then");
  EXPECT_EQ(pick("-1 < 0"), "then");
  EXPECT_EQ(pick("0x10 == 16"), "then");
  EXPECT_EQ(pick("\"a\" < \"b\""), "then");
  EXPECT_EQ(pick("\"abc\" == \"abc\""), "then");
  EXPECT_EQ(pick("1 == \"a\""),
            "ERROR: t.stp:1:27: error: invalid preprocessor condition: cannot compare a string with a number");
}

TEST(Conditions, AndBindsTighterThanOr) {
  EXPECT_EQ(pick("1 == 1 || 1 == 2 && 1 == 2"), "then");  // 1 || (0 && 0)
  EXPECT_EQ(pick("1 == 2 && 1 == 2 || 1 == 1"), "then");  // (0 && 0) || 1
  EXPECT_EQ(pick("1 == 1 && 1 == 2 || 1 == 2"), "else");  // (1 && 0) || 0
  EXPECT_EQ(pick("1 == 2 || 1 == 1 && 1 == 2"), "else");  // 0 || (1 && 0)
  EXPECT_EQ(pick("1 == 1 && 2 == 2 && 3 == 3"), "then");
  EXPECT_EQ(pick("1 == 2 || 2 == 3 || 3 == 3"), "then");
}

TEST(Conditions, Errors) {
  EXPECT_EQ(
      pick("foo == 1"),
      "ERROR: t.stp:1:22: error: invalid preprocessor condition: unknown name 'foo'; expected kernel_v, kernel_vr, "
      "arch, runtime, systemtap_v, systemtap_privilege, guru_mode or CONFIG_...");
  EXPECT_EQ(pick(""), "ERROR: t.stp:1:23: error: invalid preprocessor condition: the condition is empty");
  EXPECT_EQ(pick("arch = \"x\""),
            "ERROR: t.stp:1:27: error: invalid preprocessor condition: expected a comparison operator instead of '='");
  EXPECT_EQ(pick("1 == 1 &&").rfind("ERROR", 0), 0u);
  EXPECT_EQ(pick("(1 == 1)").rfind("ERROR", 0), 0u);
  EXPECT_EQ(pick("1 == 1 1 == 1").rfind("ERROR", 0), 0u);
  EXPECT_EQ(pick("\"x\" == arch").rfind("ERROR", 0), 0u);
  EXPECT_EQ(pick("arch == x86_64").rfind("ERROR", 0), 0u);
}

// ---- conditional structure ----------------------------------------------------------

TEST(Conditional, WithoutElse) {
  EXPECT_EQ(exprDump("x = 1 %( arch == \"x86_64\" %? + 1 %)"), "(= x (+ 1 1))");
  EXPECT_EQ(exprDump("x = 1 %( arch == \"nope\" %? + 1 %)"), "(= x 1)");
}

TEST(Conditional, Nested) {
  std::string s = "probe begin { x = %( arch == \"x86_64\" %? %( kernel_v >= \"7.0\" %? 1 %: 2 %) %: 3 %) }";
  EXPECT_EQ(dumpOf(s), "(probe (point begin optfalse sufffalse _) (block (expr (= x 2))))\n");
  s = "probe begin { x = %( arch == \"arm\" %? %( 1 == 1 %? 1 %: 2 %) %: %( 1 == 1 %? 3 %: 4 %) %) }";
  EXPECT_EQ(dumpOf(s), "(probe (point begin optfalse sufffalse _) (block (expr (= x 3))))\n");
}

TEST(Conditional, AroundDeclarationsAndProbePoints) {
  EXPECT_EQ(dumpOf("%( arch == \"x86_64\" %? global a %: global b %)"), "(global a privatefalse wrapfalse size-1 _)\n");
  EXPECT_EQ(dumpOf("probe %( kernel_v >= \"2.6\" %? begin %: end %) {}"),
            "(probe (point begin optfalse sufffalse _) (block))\n");
  EXPECT_EQ(dumpOf("probe a.%( arch == \"nope\" %? b %: c %) {}"),
            "(probe (point a c optfalse sufffalse _) (block))\n");
}

TEST(Conditional, EmptyBranches) {
  EXPECT_EQ(exprDump("x = 1 %( 1 == 1 %? %: + 2 %)"), "(= x 1)");
  EXPECT_EQ(exprDump("x = 1 %( 1 == 2 %? + 2 %: %)"), "(= x 1)");
}

TEST(Conditional, TokensOfTheUntakenBranchNeedNotParse) {
  EXPECT_EQ(exprDump("x = %( 1 == 2 %? ) ) ] } garbage ( %: 5 %)"), "(= x 5)");
}

TEST(Conditional, ConditionsInsideAnUntakenBranchAreNotEvaluated) {
  // stap: (x) = (3)
  EXPECT_EQ(exprDump("x = %( 1 == 2 %? %( garbage %? y %) %: 3 %)"), "(= x 3)");
}

TEST(Conditional, Errors) {
  EXPECT_EQ(errorOf("probe begin { x = %( 1 == 1 1 %? 1 %) }"),
            "t.stp:1:29: error: invalid preprocessor condition: expected '%?' (or '&&', '||') instead of '1'");
  EXPECT_EQ(errorOf("probe begin { x = %( 1 == 1 %: 1 %) }"),
            "t.stp:1:19: error: expected '%?' after the preprocessor condition");
  EXPECT_EQ(errorOf("probe begin { x = %( 1 == 1 %? 1 }"),
            "t.stp:1:19: error: unterminated preprocessor conditional; '%(' needs a matching '%)'");
  EXPECT_EQ(errorOf("probe begin { x = 1 %: 2 }"),
            "t.stp:1:21: error: '%:' without a preprocessor conditional '%( ... %?' before it");
  EXPECT_EQ(errorOf("probe begin { x = 1 %) }"), "t.stp:1:21: error: '%)' without a matching '%('");
  EXPECT_EQ(errorOf("probe begin { x = 1 %? 2 }"),
            "t.stp:1:21: error: '%?' without a preprocessor conditional '%(' before it");
  EXPECT_EQ(errorOf("probe begin { x = %( 1 == 1 %? 1 %: 2 %: 3 %) }"),
            "t.stp:1:39: error: a second '%:' in one preprocessor conditional");
}

// ---- script arguments -----------------------------------------------------------------

TEST(ScriptArgs, DollarArgumentsArePastedAsTokens) {
  EXPECT_EQ(test::parseWithArgs("probe begin { x = $1 }", {"42"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 42))))\n");
  // Pasted text, not a value: "5+5" * 2 is 5 + 5 * 2.
  EXPECT_EQ(test::parseWithArgs("probe begin { x = $1 * 2 }", {"5+5"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (+ 5 (* 5 2))))))\n");
  EXPECT_EQ(test::parseWithArgs("probe timer.ms($1) {}", {"100"}).dump(),
            "(probe (point timer ms(100) optfalse sufffalse _) (block))\n");
  EXPECT_EQ(test::parseWithArgs("probe begin { $1 = 1 }", {"name"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= name 1))))\n");
}

TEST(ScriptArgs, AtArgumentsAreStrings) {
  EXPECT_EQ(test::parseWithArgs("probe begin { x = @1 . @2 }", {"100", "a\"b\\c"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (. \"100\" \"a\\\"b\\\\c\")))))\n");
  EXPECT_EQ(test::parseWithArgs("probe process(@1).function(\"main\") {}", {"/bin/ls"}).dump(),
            "(probe (point process(\"/bin/ls\") function(\"main\") optfalse sufffalse _) (block))\n");
}

TEST(ScriptArgs, Counts) {
  EXPECT_EQ(test::parseWithArgs("probe begin { x = $# y = @# }", {"a", "b", "c"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 3)) (expr (= y \"3\"))))\n");
  EXPECT_EQ(test::parseWithArgs("probe begin { x = $# }", {}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 0))))\n");
}

TEST(ScriptArgs, TenOrMore) {
  std::vector<std::string> args;
  for (int i = 1; i <= 12; ++i) args.push_back(std::to_string(i * 100));
  EXPECT_EQ(test::parseWithArgs("probe begin { x = $10 + $12 }", args).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (+ 1000 1200)))))\n");
}

TEST(ScriptArgs, OutOfRange) {
  test::Parsed p = test::parseWithArgs("probe begin { x = $2 }", {"1"});
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:1:19: error: script argument $2 out of range: 1 argument(s) given");
  p = test::parseWithArgs("probe begin { x = @1 }", {});
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:1:19: error: script argument @1 out of range: 0 argument(s) given");
  p = test::parseWithArgs("probe begin { x = $0 }", {"1"});
  EXPECT_TRUE(p.has(DiagKind::ScriptArgOutOfRange));
}

TEST(ScriptArgs, OutOfRangeInAnUntakenBranchIsFine) {
  EXPECT_EQ(test::parseWithArgs("probe begin { x = %( $# > 0 %? $1 %: 3 %) }", {}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 3))))\n");
  EXPECT_EQ(test::parseWithArgs("probe begin { x = %( $# >= 2 %? @2 %: \"none\" %) }", {"a"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x \"none\"))))\n");
  EXPECT_EQ(test::parseWithArgs("probe begin { x = %( arch == \"nope\" %? $9 %: 3 %) }", {}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 3))))\n");
}

TEST(ScriptArgs, InConditions) {
  EXPECT_EQ(test::parseWithArgs("probe begin { x = %( $1 == 5 %? 1 %: 2 %) }", {"5"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 1))))\n");
  EXPECT_EQ(test::parseWithArgs("probe begin { x = %( @1 == \"fast\" %? 1 %: 2 %) }", {"slow"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 2))))\n");
  EXPECT_EQ(test::parseWithArgs("probe begin { x = %( @# == \"2\" %? 1 %: 2 %) }", {"a", "b"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 1))))\n");
  // An argument the condition needs but that was not given is an error.
  EXPECT_TRUE(
      test::parseWithArgs("probe begin { x = %( $1 == 5 %? 1 %: 2 %) }", {}).has(DiagKind::ScriptArgOutOfRange));
}

TEST(ScriptArgs, ConditionsAreEvaluatedWhole) {
  // No short circuit, as in stap ("command line argument out of range").
  test::Parsed p = test::parseWithArgs("probe begin { x = %( $# > 0 && $1 == 5 %? 1 %: 2 %) }", {});
  EXPECT_EQ(p.rendered.substr(0, p.rendered.find('\n')),
            "t.stp:1:32: error: script argument $1 out of range: 0 argument(s) given");
}

TEST(ScriptArgs, BadArgumentTextIsReportedWithItsExpansion) {
  test::Parsed p = test::parseWithArgs("probe begin { x = $1 }", {"5 `"});
  EXPECT_EQ(p.rendered,
            "<argument $1>:1:3: error: stray character '`' in the script\n"
            "    1 | 5 `\n"
            "      |   ^\n"
            "t.stp:1:19: note: in script argument $1 ('5 `')\n");
}

// ---- macros --------------------------------------------------------------------

TEST(Macro, WithoutParameters) { EXPECT_EQ(exprDump("@define ten %( 10 %) x = @ten * 2"), "(= x (* 10 2))"); }

TEST(Macro, BodyIsPastedAsTokens) {
  EXPECT_EQ(exprDump("@define three %( 1 + 2 %) x = @three * 3"), "(= x (+ 1 (* 2 3)))");
}

// stap lets a macro take the name of a built-in '@' operator (with a
// warning, "macro redefines built-in operator '@sum'"); its uses then expand.
TEST(MacroRegression, MacrosNamedLikeBuiltinOperatorsExpand) {
  EXPECT_EQ(exprDump("@define sum %( 1 + 2 %) x = @sum * 3"), "(= x (+ 1 (* 2 3)))");
  EXPECT_EQ(exprDump("@define var %( 5 %) x = @var"), "(= x 5)");
}

TEST(Macro, Parameters) {
  EXPECT_EQ(exprDump("@define add(a, b) %( (@a + @b) %) x = @add(1, y)"), "(= x (+ 1 y))");
  EXPECT_EQ(exprDump("@define twice(s) %( @s @s %) @twice(x++)"), "(expr (post++ x)) ; (expr (post++ x))");
}

TEST(Macro, ArgumentsKeepNestedCommas) {
  EXPECT_EQ(exprDump("@define f(a) %( @a %) x = @f(g(1, 2))"), "(= x (call g 1 2))");
  EXPECT_EQ(exprDump("@define f(a) %( @a %) x = @f([1, 2] in arr)"), "(= x (in arr 1 2))");
  EXPECT_EQ(exprDump("@define f(a) %( @a %) x = @f(arr[1, 2])"), "(= x (index arr 1 2))");
}

TEST(Macro, NestedCallsAsArguments) {
  EXPECT_EQ(exprDump("@define add(a, b) %( (@a + @b) %) x = @add(@add(1, 2), @add(3, 4))"),
            "(= x (+ (+ 1 2) (+ 3 4)))");
}

TEST(Macro, MacrosUsingMacros) {
  EXPECT_EQ(exprDump("@define one %( 1 %) @define two %( (@one + @one) %) x = @two"), "(= x (+ 1 1))");
  // A macro may be used before a later one it refers to is defined: uses
  // expand where they are used.
  EXPECT_EQ(dumpOf("@define a %( @b %) @define b %( 7 %) probe begin { x = @a }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 7))))\n");
}

TEST(Macro, ParametersNamedLikeBuiltins) {
  EXPECT_EQ(exprDump("@define f(var) %( @var * 2 %) x = @f(y)"), "(= x (* y 2))");
  EXPECT_EQ(exprDump("@define f(count) %( @count + 1 %) x = @f(y)"), "(= x (+ y 1))");
  EXPECT_EQ(exprDump("@define f(cast, entry) %( @cast - @entry %) x = @f(a, b)"), "(= x (- a b))");
}

TEST(Macro, ConditionalsInBodiesAndArguments) {
  EXPECT_EQ(exprDump("@define a %( %( arch == \"x86_64\" %? 1 %: 2 %) %) x = @a"), "(= x 1)");
  EXPECT_EQ(exprDump("@define f(v) %( @v %) x = @f(%( 1 == 1 %? 5 %: 6 %))"), "(= x 5)");
}

TEST(Macro, InProbePointsAndDeclarations) {
  EXPECT_EQ(dumpOf("@define p %( begin %) probe @p {}"), "(probe (point begin optfalse sufffalse _) (block))\n");
  EXPECT_EQ(dumpOf("@define g(n) %( global @n %) @g(counter)"), "(global counter privatefalse wrapfalse size-1 _)\n");
}

TEST(Macro, DefinitionInsideABody) {
  EXPECT_EQ(exprDump("@define f %( 1 %) x = @f"), "(= x 1)");
  EXPECT_EQ(dumpOf("probe begin { @define f %( 1 %) x = @f }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 1))))\n");
}

TEST(Macro, ScriptArgumentsInsideMacros) {
  EXPECT_EQ(test::parseWithArgs("@define first %( $1 %) probe begin { x = @first }", {"9"}).dump(),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 9))))\n");
}

TEST(Macro, Recursion) {
  EXPECT_EQ(errorOf("@define r %( @r %) probe begin { x = @r }"),
            "t.stp:1:14: error: recursive macro '@r' expands to itself");
  test::Parsed p = parseScript("@define a %( @b %) @define b %( @a %) probe begin { x = @a }");
  EXPECT_TRUE(p.has(DiagKind::RecursiveMacro));
  EXPECT_EQ(p.errors(), 1u);
}

TEST(Macro, WrongArgumentCount) {
  EXPECT_EQ(errorOf("@define f(a) %( @a %) probe begin { x = @f(1, 2) }"),
            "t.stp:1:41: error: macro '@f' expects 1 argument(s) but was given 2");
  EXPECT_EQ(errorOf("@define f(a) %( @a %) probe begin { x = @f }"),
            "t.stp:1:41: error: macro '@f' expects 1 argument(s) but was given 0");
  EXPECT_EQ(errorOf("@define f(a, b) %( @a @b %) probe begin { x = @f(1) }"),
            "t.stp:1:47: error: macro '@f' expects 2 argument(s) but was given 1");
  EXPECT_EQ(errorOf("@define f(a) %( @a %) probe begin { x = @f(1,) }"),
            "t.stp:1:41: error: macro '@f' expects 1 argument(s) but was given 2");
}

TEST(Macro, Unknown) {
  EXPECT_EQ(errorOf("probe begin { x = @nope }"),
            "t.stp:1:19: error: unknown macro '@nope'; define it with '@define nope %( ... %)'");
}

TEST(Macro, BadDefinitions) {
  EXPECT_EQ(errorOf("@define %( 1 %)"),
            "t.stp:1:9: error: invalid macro definition: expected an identifier (the macro name) after '@define'");
  EXPECT_EQ(errorOf("@define a"),
            "t.stp:1:10: error: invalid macro definition: expected '%(' to start the body of '@a'");
  EXPECT_EQ(errorOf("@define a %( 1 "),
            "t.stp:1:11: error: invalid macro definition: the body of '@a' has no closing '%)'");
  EXPECT_EQ(errorOf("@define a(x,) %( @x %)"),
            "t.stp:1:13: error: invalid macro definition: expected an identifier (a parameter name) in the definition "
            "of '@a'");
  EXPECT_EQ(errorOf("@define a(x %( @x %)"),
            "t.stp:1:13: error: invalid macro definition: expected ',' or ')' in the parameters of '@a'");
  // stap: "expected identifier" for an empty parameter list too.
  EXPECT_NE(errorOf("@define f() %( 1 %)"), "OK");
  EXPECT_EQ(errorOf("@define f %( 1 %) @define f %( 2 %)"), "t.stp:1:27: error: macro '@f' is already defined");
}

TEST(Macro, UnterminatedCall) {
  EXPECT_EQ(errorOf("@define f(a) %( @a %) probe begin { x = @f(1"),
            "t.stp:1:41: error: unterminated argument list of macro '@f'");
}

TEST(Macro, ExpansionNotesPointAtTheUse) {
  test::Parsed p = parseScript("@define f(a) %( @b %)\nprobe begin { x = @f(1) }");
  EXPECT_EQ(p.rendered,
            "t.stp:1:17: error: unknown macro '@b'; define it with '@define b %( ... %)'\n"
            "    1 | @define f(a) %( @b %)\n"
            "      |                 ^~\n"
            "t.stp:2:19: note: in expansion of macro '@f'\n");
}

TEST(Macro, ExponentialExpansionIsRefused) {
  // 2^40 tokens: refused, not attempted.
  std::string text = "@define m0 %( 1 %)\n";
  for (int i = 1; i <= 40; ++i)
    text +=
        "@define m" + std::to_string(i) + " %( @m" + std::to_string(i - 1) + " + @m" + std::to_string(i - 1) + " %)\n";
  text += "probe begin { x = @m40 }";
  test::Parsed p;
  test::onLargeStack([&] { p = parseScript(text); });
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(p.has(DiagKind::TooComplex)) << p.rendered.substr(0, 300);
}

// One cause, one error: the refusal is reported once, not once per level of
// macro nesting.
TEST(MacroRegression, ExponentialExpansionIsReportedOnce) {
  std::string text = "@define m0 %( 1 %)\n";
  for (int i = 1; i <= 40; ++i)
    text +=
        "@define m" + std::to_string(i) + " %( @m" + std::to_string(i - 1) + " + @m" + std::to_string(i - 1) + " %)\n";
  text += "probe begin { x = @m40 }";
  test::Parsed p;
  test::onLargeStack([&] { p = parseScript(text); });
  EXPECT_EQ(p.errors(), 1u);
}

// stap resolves a conditional before it reads the @define inside it: the
// untaken branch defines nothing and its macro uses are not expanded.
TEST(MacroRegression, DefinitionsInUntakenBranchesAreIgnored) {
  EXPECT_EQ(dumpOf("%( kernel_v >= \"2.6\" %? @define m %( 1 %) %: @define m %( 2 %) %) probe begin { x = @m }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 1))))\n");
  EXPECT_EQ(dumpOf("%( arch == \"nope\" %? @define m %( 1 %) %: @define m %( 2 %) %) probe begin { x = @m }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 2))))\n");
  // A macro defined only in the untaken branch does not exist.
  EXPECT_NE(errorOf("%( arch == \"nope\" %? @define m %( 1 %) %) probe begin { x = @m }"), "OK");
}

TEST(MacroRegression, UnknownMacrosInUntakenBranchesAreNotErrors) {
  EXPECT_EQ(exprDump("x = %( arch == \"nope\" %? @undefined %: 3 %)"), "(= x 3)");
}

// ---- library macros (.stpm) -------------------------------------------------------

class LibraryMacros : public ::testing::Test {
 protected:
  bool load(const std::string& text, const parse::ParseOptions& options = defaultOptions()) {
    FileId id = sources.addFile("lib.stpm", text);
    return parse::parseMacroFile(id, sources, diags, options, library);
  }
  std::string use(const std::string& script) {
    parse::ParseOptions o = defaultOptions();
    o.libraryMacros = &library;
    FileId id = sources.addFile("t.stp", script);
    auto file = parse::parseFile(id, sources, diags, o);
    std::string out = file ? ast::dumpFile(*file) : "ERROR: " + diags.renderToString();
    return out;
  }
  SourceManager sources;
  Diagnostics diags{sources};
  parse::MacroTable library;
};

TEST_F(LibraryMacros, EmptyFileLoads) {
  EXPECT_TRUE(load("# nothing here\n")) << diags.renderToString();
  EXPECT_TRUE(library.macros.empty());
}

TEST_F(LibraryMacros, OnlyDefinitionsAreAllowed) {
  EXPECT_FALSE(load("probe begin {}"));
  EXPECT_EQ(
      diags.renderToString().substr(0, 105),
      "lib.stpm:1:1: error: invalid macro definition: a .stpm file may only contain @define (and preprocessor co");
}

// A table filled by expandMacros (what parseMacroFile fills) is used by
// parseFile as the library.
TEST_F(LibraryMacros, LibraryTableIsConsultedAfterTheScriptsOwn) {
  FileId id = sources.addFile("lib.stpm", "@define lib_twice(x) %( (@x * 2) %) @define m %( 1 %)");
  parse::expandMacros(parse::lex(id, sources, diags), library, nullptr, sources, diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.renderToString();
  ASSERT_EQ(library.macros.size(), 2u);
  EXPECT_EQ(library.find("lib_twice")->params, std::vector<std::string>{"x"});
  EXPECT_TRUE(library.find("lib_twice")->hasParamList);
  EXPECT_FALSE(library.find("m")->hasParamList);
  EXPECT_EQ(library.find("missing"), nullptr);
  EXPECT_EQ(use("probe begin { x = @lib_twice(@m) }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (* 1 2)))))\n");
  // The script's own definition wins.
  EXPECT_EQ(use("@define m %( 2 %) probe begin { x = @m }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x 2))))\n");
}

// (parseMacroFile once read the "%( BODY %)" of every @define as a
// conditional: every .stpm file with a macro failed.)
TEST_F(LibraryMacros, DefinitionsAreUsableFromScripts) {
  ASSERT_TRUE(load("@define lib_twice(x) %( (@x * 2) %)\n@define lib_one %( 1 %)\n")) << diags.renderToString();
  EXPECT_EQ(library.macros.size(), 2u);
  EXPECT_EQ(use("probe begin { x = @lib_twice(@lib_one) }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (* 1 2)))))\n");
}

TEST_F(LibraryMacros, ConditionalsChooseDefinitions) {
  ASSERT_TRUE(load("%( kernel_v >= \"5.0\" %? @define lib_v %( \"new\" %) %: @define lib_v %( \"old\" %) %)"))
      << diags.renderToString();
  EXPECT_EQ(use("probe begin { x = @lib_v }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x \"new\"))))\n");
}

TEST_F(LibraryMacros, RedefinitionAcrossLibraryFilesIsAnError) {
  ASSERT_TRUE(load("@define m %( 1 %)"));
  EXPECT_FALSE(load("@define m %( 2 %)"));
  EXPECT_NE(diags.renderToString().find("macro '@m' is already defined"), std::string::npos);
}

// ---- the stages on their own ------------------------------------------------------

TEST(Stages, ExpandMacrosRemovesDefinitions) {
  SourceManager sources;
  Diagnostics diags(sources);
  FileId id = sources.addFile("t.stp", "@define m(a) %( @a + 1 %) @m(2)");
  parse::Tokens raw = parse::lex(id, sources, diags);
  parse::MacroTable local;
  parse::Tokens out = parse::expandMacros(raw, local, nullptr, sources, diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.renderToString();
  std::string text;
  for (const auto& t : out) text += t.text + " ";
  EXPECT_EQ(text, "2 + 1 <EOF> ");
  ASSERT_NE(local.find("m"), nullptr);
  EXPECT_EQ(local.find("m")->body.size(), 3u);
  // Tokens from the body remember the expansion they came from.
  EXPECT_NE(out[1].range.expansion, 0u);
  EXPECT_EQ(sources.expansion(out[1].range.expansion).what, "expansion of macro '@m'");
}

TEST(Stages, ResolveConditionalsKeepsOneBranch) {
  SourceManager sources;
  Diagnostics diags(sources);
  FileId id = sources.addFile("t.stp", "a %( arch == \"x86_64\" %? b %: c %) d $#");
  parse::Tokens raw = parse::lex(id, sources, diags);
  parse::PreprocessorConfig config;
  config.args = {"x", "y"};
  parse::Tokens out = parse::resolveConditionals(raw, config, sources, diags);
  ASSERT_FALSE(diags.hasErrors()) << diags.renderToString();
  std::string text;
  for (const auto& t : out) text += t.text + " ";
  EXPECT_EQ(text, "a b d 2 <EOF> ");
}

}  // namespace
}  // namespace utap
