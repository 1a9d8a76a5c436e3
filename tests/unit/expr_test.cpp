// Expressions: precedence and associativity of every operator (checked
// against SystemTap 4.8's own parse), optional statement separators, and the
// primary forms (calls, print functions, target variables, statistics, '@'
// operators).
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "test_support.h"

namespace utap {
namespace {

using test::bodyDump;
using test::errorOf;
using test::exprDump;

std::string E(const std::string& expr) { return test::rhsDump(expr); }
// The same in guru mode (-g), for @kderef, @kregister, @const and embedded C.
std::string G(const std::string& expr) {
  parse::ParseOptions guru = test::defaultOptions();
  guru.preprocessor.guru = true;
  return test::rhsDump(expr, guru);
}

// ---- SystemTap as the oracle ------------------------------------------------

struct OracleRow {
  const char* expr;
  const char* stap;  // stap -p1's body for "r = expr"
};

const OracleRow kOracle[] = {
#include "stap_oracle.inc"
};

const std::map<std::string, std::string>& oracle() {
  static const std::map<std::string, std::string> m = [] {
    std::map<std::string, std::string> out;
    for (const OracleRow& r : kOracle) out.emplace(r.expr, r.stap);
    return out;
  }();
  return m;
}

// Our tree for "r = EXPR" must be the tree of stap's fully parenthesized
// output, read as it is ("(r) = (...)": a statement may start with '(').
void expectSameAsStap(const std::string& expr) {
  auto it = oracle().find(expr);
  ASSERT_NE(it, oracle().end()) << "no stap output recorded for " << expr;
  std::string ours = bodyDump("r = " + expr);
  std::string stap = bodyDump(it->second);
  EXPECT_EQ(ours, stap) << "expression: " << expr << "\nstap -p1: " << it->second;
  EXPECT_EQ(ours.find("ERROR"), std::string::npos) << ours;
}

const char* const kBinaryOps[] = {
    "*", "/", "%", "+", "-", ".", "<<", ">>", "<", "<=", ">", ">=", "==", "!=", "&", "^", "|", "&&", "||"};

class BinaryPairs : public ::testing::TestWithParam<const char*> {};

// "a OP1 b OP2 c" for every pair: precedence between levels, associativity
// within one.
TEST_P(BinaryPairs, MatchStapForEverySecondOperator) {
  for (const char* second : kBinaryOps) {
    SCOPED_TRACE(std::string("a ") + GetParam() + " b " + second + " c");
    expectSameAsStap(std::string("a ") + GetParam() + " b " + second + " c");
  }
}

// OP with unary operators, 'in', '?:', assignment and ++/-- around it.
TEST_P(BinaryPairs, MatchStapAroundOtherOperators) {
  std::string op = GetParam();
  bool comparison = op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=";
  std::vector<std::string> cases = {
      "a " + op + " b in c", "a " + op + " b ? c : d", "a ? b : c " + op + " d", "a ? b " + op + " c : d",
      "x = a " + op + " b",  "a++ " + op + " b--",     "++a " + op + " --b",
  };
  cases.push_back(comparison ? "a " + op + " (b =~ \"c\")" : "a " + op + " b =~ \"c\"");
  for (const char* u : {"+", "-", "!", "~"}) {
    cases.push_back(std::string(u) + "a " + op + " b");
    cases.push_back("a " + op + " " + u + "b");
  }
  for (const std::string& e : cases) {
    SCOPED_TRACE(e);
    expectSameAsStap(e);
  }
}

std::string opName(const ::testing::TestParamInfo<const char*>& info) {
  static const std::map<std::string, std::string> names = {
      {"*", "Mul"},    {"/", "Div"},    {"%", "Mod"},   {"+", "Add"},     {"-", "Sub"},  {".", "Concat"}, {"<<", "Shl"},
      {">>", "Shr"},   {"<", "Lt"},     {"<=", "Le"},   {">", "Gt"},      {">=", "Ge"},  {"==", "Eq"},    {"!=", "Ne"},
      {"&", "BitAnd"}, {"^", "BitXor"}, {"|", "BitOr"}, {"&&", "AndAnd"}, {"||", "OrOr"}};
  return names.at(info.param);
}

INSTANTIATE_TEST_SUITE_P(Stap, BinaryPairs, ::testing::ValuesIn(kBinaryOps), opName);

TEST(StapOracle, RegexMatchesAgainstLooserOperators) {
  for (const char* op : {"&", "^", "|", "&&", "||"}) expectSameAsStap(std::string("a =~ \"b\" ") + op + " c");
  expectSameAsStap("a !~ \"x\" || b");
  expectSameAsStap("a =~ \"x\" && b !~ \"y\"");
}

TEST(StapOracle, InOperatorAgainstLooserOperators) {
  for (const char* op : {"&", "^", "|", "&&", "||"}) expectSameAsStap(std::string("a in b ") + op + " c");
  for (const char* op : {"&", "&&", "||"}) expectSameAsStap(std::string("[a, b] in c ") + op + " d");
  for (const char* e : {"!a in b", "-a in b", "~a in b", "a in b ? c : d", "a ? b in c : d", "a ? b : c in d",
                        "x = a in b", "x += a in b"})
    expectSameAsStap(e);
}

TEST(StapOracle, AssignmentsChainToTheRight) {
  for (const char* e : {"a = b = c = d", "a += b -= c *= d", "a /= b %= c <<= d", "a >>= b &= c ^= d", "a |= b .= c",
                        "a <<< b", "a <<< b + c", "a = b <<< c"})
    expectSameAsStap(e);
}

TEST(StapOracle, TernaryNesting) {
  for (const char* e :
       {"a ? b : c ? d : e", "a ? b ? c : d : e", "a || b ? c : d", "a ? b || c : d || e", "a ? b = c : d"})
    expectSameAsStap(e);
}

TEST(StapOracle, UnaryAndIncrementCombinations) {
  for (const char* e : {"- - a", "- -a",    "-(-a)",  "!!a",       "~~a",      "~!a",       "-!a",       "+-a",
                        "-+a",   "- ++a",   "-a++",   "!a--",      "~a++ * 2", "a++ + ++b", "a-- - --b", "a---b",
                        "a+++b", "a++ . b", "a[1]++", "++a[1, 2]", "$x++",     "++$x->y"})
    expectSameAsStap(e);
}

TEST(StapOracle, LiteralAndPrimaryMixtures) {
  for (const char* e : {"a . b . c . d", "a . \"s\" . b", "\"a\" \"b\" . c", "a == b == c",   "a < b >= c",
                        "a & b & c",     "a && b && c",   "a || b || c",     "a * -b",        "a - -b",
                        "a + +b",        "a*-1",          "1 - 2 - 3",       "8 / 4 / 2",     "2 << 1 << 1",
                        "-1 << 2",       "@count(s) + 1", "@hist_log(s)[2]", "f(a, b) + g()", "arr[a + 1, b . c]"})
    expectSameAsStap(e);
}

TEST(StapOracle, EveryRecordedRowMatches) {
  // The whole table at once, so that a row no other test names is checked too.
  for (const OracleRow& r : kOracle) {
    SCOPED_TRACE(r.expr);
    EXPECT_EQ(bodyDump(std::string("r = ") + r.expr), bodyDump(r.stap));
  }
}

// ---- readable precedence checks ----------------------------------------------

TEST(Precedence, MultiplicativeOverAdditive) {
  EXPECT_EQ(E("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(E("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(E("a - b % c"), "(- a (% b c))");
  EXPECT_EQ(E("a / b - c"), "(- (/ a b) c)");
}

TEST(Precedence, LeftAssociativeArithmetic) {
  EXPECT_EQ(E("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(E("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(E("a / b * c % d"), "(% (* (/ a b) c) d)");
  EXPECT_EQ(E("a - b + c"), "(+ (- a b) c)");
}

TEST(Precedence, ConcatenationIsLooserThanAdditive) {
  EXPECT_EQ(E("a . b + c"), "(. a (+ b c))");
  EXPECT_EQ(E("a + b . c"), "(. (+ a b) c)");
  EXPECT_EQ(E("a . b . c"), "(. (. a b) c)");
}

TEST(Precedence, ShiftIsLooserThanConcatenation) {
  EXPECT_EQ(E("a << b . c"), "(<< a (. b c))");
  EXPECT_EQ(E("a . b >> c"), "(>> (. a b) c)");
  EXPECT_EQ(E("a >> b >> c"), "(>> (>> a b) c)");
  EXPECT_EQ(E("a >> b + c"), "(>> a (+ b c))");
}

TEST(Precedence, ComparisonsAreLeftAssociativeAndLooserThanShift) {
  EXPECT_EQ(E("a < b << c"), "(< a (<< b c))");
  EXPECT_EQ(E("a < b < c"), "(< (< a b) c)");
  EXPECT_EQ(E("a == b != c"), "(!= (== a b) c)");
  EXPECT_EQ(E("a <= b >= c"), "(>= (<= a b) c)");
  EXPECT_EQ(E("a > b == c"), "(== (> a b) c)");
}

TEST(Precedence, RegexMatchSitsAtComparisonLevel) {
  EXPECT_EQ(E("a . b =~ \"x\""), "(=~ (. a b) \"x\")");
  EXPECT_EQ(E("a !~ \"x\" && b"), "(&& (!~ a \"x\") b)");
  EXPECT_EQ(E("a =~ \"x\" | b"), "(| (=~ a \"x\") b)");
}

TEST(Precedence, InIsBetweenComparisonAndBitAnd) {
  EXPECT_EQ(E("a < b in c"), "(in c (< a b))");
  EXPECT_EQ(E("a + b in c"), "(in c (+ a b))");
  EXPECT_EQ(E("a & b in c"), "(& a (in c b))");
  EXPECT_EQ(E("a in b && c"), "(&& (in b a) c)");
  EXPECT_EQ(E("!a in b"), "(in b (unary ! a))");
}

TEST(Precedence, BitwiseOperatorsOrderAndThenXorThenOr) {
  EXPECT_EQ(E("a | b ^ c & d"), "(| a (^ b (& c d)))");
  EXPECT_EQ(E("a & b ^ c | d"), "(| (^ (& a b) c) d)");
  EXPECT_EQ(E("a & b == c"), "(& a (== b c))");
  EXPECT_EQ(E("a & b & c"), "(& (& a b) c)");
}

TEST(Precedence, LogicalAndOverLogicalOr) {
  EXPECT_EQ(E("a || b && c || d"), "(|| (|| a (&& b c)) d)");
  EXPECT_EQ(E("a && b | c"), "(&& a (| b c))");
  EXPECT_EQ(E("a && b && c"), "(&& (&& a b) c)");
}

TEST(Precedence, TernaryIsRightAssociative) {
  EXPECT_EQ(E("a ? b : c ? d : e"), "(?: a b (?: c d e))");
  EXPECT_EQ(E("a ? b ? c : d : e"), "(?: a (?: b c d) e)");
  EXPECT_EQ(E("a || b ? c : d"), "(?: (|| a b) c d)");
  EXPECT_EQ(E("x = a ? b : c"), "(= x (?: a b c))");
}

TEST(Precedence, AssignmentsAreRightAssociative) {
  EXPECT_EQ(E("a = b = c"), "(= a (= b c))");
  EXPECT_EQ(E("a += b -= c"), "(+= a (-= b c))");
  EXPECT_EQ(E("a = b || c"), "(= a (|| b c))");
  EXPECT_EQ(E("a .= b . c"), "(.= a (. b c))");
}

TEST(Precedence, EveryCompoundAssignmentOperator) {
  for (const char* op : {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", ".=", "<<<"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(E(std::string("a ") + op + " b + 1"), std::string("(") + op + " a (+ b 1))");
  }
}

TEST(Precedence, AggregationTakesAWholeExpression) {
  EXPECT_EQ(E("s <<< a + b"), "(<<< s (+ a b))");
  EXPECT_EQ(E("s[k] <<< 1"), "(<<< (index s k) 1)");
  EXPECT_EQ(E("x = s <<< 1"), "(= x (<<< s 1))");
}

TEST(Precedence, UnaryOperatorsBindTighterThanBinary) {
  EXPECT_EQ(E("-a * b"), "(* (unary - a) b)");
  EXPECT_EQ(E("!a == b"), "(== (unary ! a) b)");
  EXPECT_EQ(E("~a & b"), "(& (unary ~ a) b)");
  EXPECT_EQ(E("+a . b"), "(. (unary + a) b)");
  EXPECT_EQ(E("- - a"), "(unary - (unary - a))");
  EXPECT_EQ(E("!~a"), "ERROR: t.stp:2:5: error: expected an expression before '!~'");  // as stap: '!~' is one token
}

TEST(Precedence, IncrementAndDecrementForms) {
  EXPECT_EQ(E("a++"), "(post++ a)");
  EXPECT_EQ(E("a--"), "(post-- a)");
  EXPECT_EQ(E("++a"), "(pre++ a)");
  EXPECT_EQ(E("--a"), "(pre-- a)");
  EXPECT_EQ(E("-a++"), "(unary - (post++ a))");
  EXPECT_EQ(E("a+++b"), "(+ (post++ a) b)");
  EXPECT_EQ(E("a-->b"), "(> (post-- a) b)");
  EXPECT_EQ(E("arr[1, 2]++"), "(post++ (index arr 1 2))");
  EXPECT_EQ(E("--$p->x"), "(pre-- (target $ \"$p\" \"\" \"\" &false pretty0 _ ->x))");
}

TEST(Precedence, InWithTuplesAndWildcards) {
  EXPECT_EQ(E("[a, b] in arr"), "(in arr a b)");
  EXPECT_EQ(E("[a + 1, \"s\"] in arr"), "(in arr (+ a 1) \"s\")");
  EXPECT_EQ(E("[*, 1] in arr"), "(in arr _ 1)");
  EXPECT_EQ(E("[a] in arr"), E("a in arr"));
  EXPECT_EQ(E("!([a, b] in arr)"), "(unary ! (in arr a b))");
  EXPECT_EQ(E("[a, b] in arr && c"), "(&& (in arr a b) c)");
}

TEST(Precedence, ParenthesesOverride) {
  EXPECT_EQ(E("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(E("a - (b - c)"), "(- a (- b c))");
  EXPECT_EQ(E("(a = b) + 1"), "(+ (= a b) 1)");
  EXPECT_EQ(E("((((a))))"), "a");
  EXPECT_EQ(E("(a in b) in c"), "(in c (in b a))");
}

// stap ends an 'in' expression after the array name: "r = a in b + c" is
// two statements there ("r = ([a] in b); +(c);"), and "a in b == c" or
// "a in b in c" are syntax errors. utap reads the same statements, and
// refuses an operator that cannot start one.
TEST(PrecedenceRegression, InResultIsNotAnOperandOfTighterOperators) {
  EXPECT_EQ(bodyDump("r = a in b + c"), "(expr (= r (in b a))) ; (expr (unary + c))");
  EXPECT_EQ(bodyDump("r = [a, b] in c - d"), "(expr (= r (in c a b))) ; (expr (unary - d))");
  EXPECT_EQ(bodyDump("r = a in b . c").rfind("ERROR", 0), 0u);
}

TEST(PrecedenceRegression, InResultCannotBeCompared) {
  EXPECT_NE(errorOf("probe begin { r = a in b == 1 }"), "OK");
  EXPECT_NE(errorOf("probe begin { r = a in b * 2 }"), "OK");
  EXPECT_NE(errorOf("probe begin { r = a in b in c }"), "OK");
}

// ---- optional statement separators ------------------------------------------

TEST(Separators, AssignmentsWithoutSemicolonsAreSeparateStatements) {
  EXPECT_EQ(bodyDump("x = 1 y = 2"), "(expr (= x 1)) ; (expr (= y 2))");
  EXPECT_EQ(bodyDump("x = a b = 2"), "(expr (= x a)) ; (expr (= b 2))");
}

TEST(Separators, PostfixThenPrefixOnTheNextLineStayTwoStatements) {
  EXPECT_EQ(bodyDump("x++\n--y"), "(expr (post++ x)) ; (expr (pre-- y))");
  EXPECT_EQ(bodyDump("x--\n++y"), "(expr (post-- x)) ; (expr (pre++ y))");
}

TEST(Separators, BinaryOperatorOnTheNextLineContinuesTheExpression) {
  // As in stap: newlines are not statement separators.
  EXPECT_EQ(bodyDump("x = a\n-b"), "(expr (= x (- a b)))");
  EXPECT_EQ(bodyDump("x--\n-y"), "(expr (- (post-- x) y))");
}

TEST(Separators, IncrementBindsToThePrecedingOperand) {
  // stap: "x = a ++b" is "(x) = ((a)++); b;".
  EXPECT_EQ(bodyDump("x = a\n++b"), "(expr (= x (post++ a))) ; (expr b)");
  EXPECT_EQ(bodyDump("x = y ++ z"), "(expr (= x (post++ y))) ; (expr z)");
}

TEST(Separators, CallNeedsNoSeparator) {
  EXPECT_EQ(bodyDump("x = y (z)"), "(expr (= x (call y z)))");
  EXPECT_EQ(bodyDump("a[1] (b)"), "(expr (index a 1)) ; (expr b)");
}

// As in stap, a statement may start with any expression; a token that can
// continue the expression before it does (stap reads greedily), one that
// cannot starts the next statement. Each is decided from the token before.
TEST(Separators, StatementsMayStartWithAnyExpression) {
  EXPECT_EQ(bodyDump("(x) = 1"), "(expr (= x 1))");
  EXPECT_EQ(bodyDump("x = 1; (y) = 2"), "(expr (= x 1)) ; (expr (= y 2))");
  EXPECT_EQ(bodyDump("x = 1 (y) = 2"), "(expr (= x 1)) ; (expr (= y 2))");
  EXPECT_EQ(bodyDump("-x"), "(expr (unary - x))");
  EXPECT_EQ(bodyDump("+x"), "(expr (unary + x))");
  EXPECT_EQ(bodyDump("[a] in b"), "(expr (in b a))");
  EXPECT_EQ(bodyDump("\"s\""), "(expr \"s\")");
  EXPECT_EQ(bodyDump("x = 1 \"s\""), "(expr (= x 1)) ; (expr \"s\")");
  EXPECT_EQ(bodyDump("x = \"a\" \"b\""), "(expr (= x \"ab\"))");
  EXPECT_EQ(bodyDump("++x --x"), "(expr (pre++ x)) ; (expr (pre-- x))");
  EXPECT_EQ(bodyDump("x = a\n& b"), "(expr (= x (& a b)))");
  EXPECT_EQ(bodyDump("!x"), "(expr (unary ! x))");
  EXPECT_EQ(bodyDump("~x"), "(expr (unary ~ x))");
  EXPECT_EQ(bodyDump("++x"), "(expr (pre++ x))");
  EXPECT_EQ(bodyDump("$x = 1"), "(expr (= (target $ \"$x\" \"\" \"\" &false pretty0 _) 1))");
  EXPECT_EQ(bodyDump("@count(s)"), "(expr (@count s))");
}

TEST(Separators, ExtraSemicolonsAreEmptyStatements) {
  EXPECT_EQ(bodyDump(";; x = 1;;"), "(empty) ; (empty) ; (expr (= x 1)) ; (empty)");
  EXPECT_EQ(bodyDump("delete a b = 1"), "(delete a) ; (expr (= b 1))");
}

// ---- primaries ------------------------------------------------------------------

TEST(Primary, AdjacentStringLiteralsAreJoined) {
  EXPECT_EQ(E("x = \"a\" \"b\"  \"c\""), "(= x \"abc\")");
  EXPECT_EQ(E("x = a . \"b\" \"c\""), "(= x (. a \"bc\"))");
}

TEST(Primary, NumbersInExpressions) {
  EXPECT_EQ(E("x = 0x10 + 010 + 10"), "(= x (+ (+ 16 8) 10))");
  EXPECT_EQ(E("x = 1.5"), "(= x (. 1 5))");  // stap: ((1) . (5))
  EXPECT_EQ(E("x = -9223372036854775808"), "(= x (unary - -9223372036854775808))");
  EXPECT_EQ(E("x = 18446744073709551615"), "(= x -1)");
}

TEST(Primary, FunctionCalls) {
  EXPECT_EQ(E("f()"), "(call f)");
  EXPECT_EQ(E("f(1, a + b, g(c))"), "(call f 1 (+ a b) (call g c))");
  EXPECT_EQ(errorOf("probe begin { f(1,) }"), "t.stp:1:19: error: expected an expression before ')'");
  EXPECT_EQ(errorOf("probe begin { f(,1) }"), "t.stp:1:17: error: expected an expression before ','");
}

TEST(Primary, ArrayIndexes) {
  EXPECT_EQ(E("arr[1]"), "(index arr 1)");
  EXPECT_EQ(E("arr[a, \"b\", c + 1]"), "(index arr a \"b\" (+ c 1))");
  EXPECT_EQ(E("arr[1,2,3,4,5,6,7,8,9]"), "(index arr 1 2 3 4 5 6 7 8 9)");
  test::Parsed p = test::parseScript("probe begin { x = arr[1,2,3,4,5,6,7,8,9,10] }");
  EXPECT_TRUE(p.has(DiagKind::TooManyIndexes)) << p.rendered;
}

TEST(Primary, WildcardIndexOnlyWhereAllowed) {
  EXPECT_EQ(errorOf("probe begin { x = arr[*] }"),
            "t.stp:1:23: error: '*' is only allowed in foreach, delete and membership ('in') indexes");
  EXPECT_EQ(bodyDump("delete arr[*, 1]"), "(delete (index arr _ 1))");
  EXPECT_EQ(E("[*, *] in arr"), "(in arr _ _)");
}

TEST(Primary, PrintFamilyFormatsAndKinds) {
  test::Parsed p = test::parseScript(
      "probe begin { printf(\"%d\\n\", 1) x = sprintf(\"%s\", s) printd(\",\", a, b) println(a) "
      "sprintdln(\"-\", a) print(a, b) }");
  ASSERT_TRUE(p.ok()) << p.rendered;
  auto& stmts = static_cast<ast::ProbeDecl&>(*p.file->decls[0]).body->stmts;
  ASSERT_EQ(stmts.size(), 6u);
  auto printOf = [&](size_t i) -> ast::PrintCall& {
    ast::Expr* e = static_cast<ast::ExprStmt&>(*stmts[i]).expr.get();
    if (auto* a = dynamic_cast<ast::AssignExpr*>(e)) e = a->rhs.get();
    return dynamic_cast<ast::PrintCall&>(*e);
  };
  EXPECT_EQ(printOf(0).kind, ast::PrintCall::Kind::Printf);
  EXPECT_FALSE(printOf(0).toString);
  EXPECT_EQ(printOf(0).format->value, "%d\n");
  EXPECT_EQ(printOf(0).args.size(), 1u);
  EXPECT_EQ(printOf(1).kind, ast::PrintCall::Kind::Printf);
  EXPECT_TRUE(printOf(1).toString);
  EXPECT_EQ(printOf(2).kind, ast::PrintCall::Kind::Printd);
  EXPECT_EQ(printOf(2).format->value, ",");
  EXPECT_EQ(printOf(2).args.size(), 2u);
  EXPECT_EQ(printOf(3).kind, ast::PrintCall::Kind::Println);
  EXPECT_EQ(printOf(3).format, nullptr);
  EXPECT_EQ(printOf(4).kind, ast::PrintCall::Kind::Printdln);
  EXPECT_TRUE(printOf(4).toString);
  EXPECT_EQ(printOf(5).kind, ast::PrintCall::Kind::Print);
  EXPECT_EQ(printOf(5).args.size(), 2u);
}

TEST(Primary, PrintFamilyErrors) {
  EXPECT_EQ(errorOf("probe begin { printf(fmt, 1) }"), "t.stp:1:22: error: printf format must be a string literal");
  EXPECT_EQ(errorOf("probe begin { printf() }"),
            "t.stp:1:22: error: expected a format string as the first argument of printf");
  EXPECT_EQ(errorOf("probe begin { printd(d, 1) }"),
            "t.stp:1:22: error: printd delimiter format must be a string literal");
  EXPECT_EQ(errorOf("probe begin { print }"),
            "t.stp:1:21: error: expected '(' after 'print': it is a built-in output function");
  EXPECT_EQ(errorOf("probe begin { print() }"), "t.stp:1:15: error: print needs at least one argument");
  EXPECT_EQ(errorOf("probe begin { println() }"), "OK");
}

TEST(Primary, TargetVariables) {
  EXPECT_EQ(E("$var"), "(target $ \"$var\" \"\" \"\" &false pretty0 _)");
  EXPECT_EQ(E("$p->a->b[2]"), "(target $ \"$p\" \"\" \"\" &false pretty0 _ ->a ->b 2)");
  EXPECT_EQ(E("&$p->a"), "(target $ \"$p\" \"\" \"\" &true pretty0 _ ->a)");
  EXPECT_EQ(E("$p$"), "(target $ \"$p\" \"\" \"\" &false pretty1 _)");
  EXPECT_EQ(E("$p->a$$"), "(target $ \"$p\" \"\" \"\" &false pretty2 _ ->a)");
  EXPECT_EQ(E("$$vars"), "(target $ \"$$vars\" \"\" \"\" &false pretty0 _)");
  EXPECT_EQ(E("$$parms$$"), "(target $ \"$$parms\" \"\" \"\" &false pretty2 _)");
  EXPECT_EQ(E("$p->if"), "(target $ \"$p\" \"\" \"\" &false pretty0 _ ->if)");  // keywords name members
}

TEST(Primary, CastAndVar) {
  EXPECT_EQ(E("@cast(p, \"task_struct\", \"kernel\")->pid"),
            "(target @cast \"\" \"task_struct\" \"kernel\" &false pretty0 p ->pid)");
  EXPECT_EQ(E("@cast(p + 8, \"t\")$"), "(target @cast \"\" \"t\" \"\" &false pretty1 (+ p 8))");
  EXPECT_EQ(E("@var(\"counter@main.c\", \"/bin/app\")[3]"),
            "(target @var \"counter@main.c\" \"\" \"/bin/app\" &false pretty0 _ 3)");
}

TEST(Primary, TargetVariableErrors) {
  EXPECT_EQ(errorOf("probe begin { x = $p$->a }"), "t.stp:1:22: error: nothing may follow a pretty-print suffix '$'");
  EXPECT_EQ(errorOf("probe begin { x = $p->1 }"),
            "t.stp:1:23: error: expected an identifier (a member name) after '->' before '1'");
  EXPECT_EQ(errorOf("probe begin { x = $$$ }"), "t.stp:1:19: error: expected a variable name after '$'");
  EXPECT_EQ(errorOf("probe begin { x = @cast(p) }"), "t.stp:1:26: error: expected ',' before ')'");
}

TEST(Primary, StatisticOperators) {
  EXPECT_EQ(E("@count(s)"), "(@count s)");
  EXPECT_EQ(E("@sum(s[1, 2])"), "(@sum (index s 1 2))");
  EXPECT_EQ(E("@min(s) + @max(s) + @avg(s)"), "(+ (+ (@min s) (@max s)) (@avg s))");
  EXPECT_EQ(E("@variance(s)"), "(@variance s)");
  EXPECT_EQ(E("@variance(s, 3)"), "(@variance s 3)");
  EXPECT_EQ(E("@hist_log(s)"), "(@hist_log s)");
  EXPECT_EQ(E("@hist_linear(s, 0, 100, 10)"), "(@hist_linear s 0 100 10)");
  EXPECT_EQ(E("@hist_linear(s, 0, 100, 10)[5]"), "(index (@hist_linear s 0 100 10) 5)");
  EXPECT_EQ(errorOf("probe begin { x = @count(s)[1] }"),
            "t.stp:1:29: error: only histograms (@hist_log, @hist_linear) can be indexed");
  EXPECT_NE(errorOf("probe begin { x = @hist_linear(s, 0, 100) }"), "OK");
}

TEST(Primary, AtOperators) {
  EXPECT_EQ(E("@defined($a) ? 1 : 0"), "(?: (special0 (target $ \"$a\" \"\" \"\" &false pretty0 _)) 1 0)");
  EXPECT_EQ(E("@entry($a + 1)"), "(special1 (+ (target $ \"$a\" \"\" \"\" &false pretty0 _) 1))");
  EXPECT_EQ(G("@kderef(4, p)"), "(special2 4 p)");
  EXPECT_EQ(E("@uderef(8, p + 1)"), "(special3 8 (+ p 1))");
  EXPECT_EQ(G("@kregister(0)"), "(special4 0)");
  EXPECT_EQ(E("@uregister(1)"), "(special5 1)");
  EXPECT_EQ(E("@perf(\"cycles\")"), "(named0 \"cycles\" \"\")");
  EXPECT_EQ(G("@const(\"O_RDONLY\")"), "(named1 \"O_RDONLY\" \"\")");
  EXPECT_EQ(G("@const(\"X\", \"<linux/x.h>\")"), "(named1 \"X\" \"<linux/x.h>\")");
  EXPECT_EQ(E("@probewrite(v)"), "(named2 \"v\" \"\")");
}

TEST(Primary, GuruOperatorsNeedGuruMode) {
  EXPECT_EQ(E("@kderef(4, p)"), "ERROR: t.stp:2:5: error: @kderef in a script needs guru mode: run with -g");
  EXPECT_EQ(E("%{ 1 %}"), "ERROR: t.stp:2:5: error: an embedded C expression in a script needs guru mode: run with -g");
  EXPECT_EQ(E("@uderef(4, p)"), "(special3 4 p)");  // user memory is fine
}

TEST(Primary, EmbeddedCExpression) { EXPECT_EQ(G("x = %{ 1 + 2 %}"), "(= x (embedded \" 1 + 2 \"))"); }

TEST(Assignability, LeftSidesThatCannotBeAssigned) {
  EXPECT_EQ(errorOf("probe begin { 1 = 2 }"), "t.stp:1:15: error: the left side of '=' is not assignable");
  EXPECT_EQ(errorOf("probe begin { f() += 2 }"), "t.stp:1:15: error: the left side of '+=' is not assignable");
  EXPECT_EQ(errorOf("probe begin { $p$ = 2 }"), "t.stp:1:15: error: the left side of '=' is not assignable");
  EXPECT_TRUE(test::parseScript("probe begin { x = &$p = 2 }").has(DiagKind::NotAssignable));
  EXPECT_EQ(errorOf("probe begin { ++1 }"), "t.stp:1:17: error: the operand of '++' is not assignable");
  EXPECT_EQ(errorOf("probe begin { x = \"s\"-- }"), "t.stp:1:19: error: the operand of '--' is not assignable");
  // stap accepts "(a ? b : c) = d" in pass 1 and rejects it later.
  EXPECT_NE(errorOf("probe begin { a ? b : c = d }"), "OK");
}

// The range of "&$p" starts at the '&'.
TEST(AssignabilityRegression, AddressOfRangeIncludesTheAmpersand) {
  EXPECT_EQ(errorOf("probe begin { x = &$p = 2 }"), "t.stp:1:19: error: the left side of '=' is not assignable");
}

TEST(Assignability, AssignableForms) {
  EXPECT_EQ(errorOf("probe begin { a = 1 arr[1, 2] = 2 $p->x = 3 @cast(p, \"t\")->y = 4 x = (b) = 5 }"), "OK");
}

TEST(Regex, ChainedMatchesAreRejected) {
  EXPECT_EQ(errorOf("probe begin { x = a =~ \"x\" =~ \"y\" }"),
            "t.stp:1:28: error: regular expression matches cannot be chained; add parentheses");
}

TEST(Regex, RightSideMustBeALiteral) {
  EXPECT_EQ(errorOf("probe begin { x = a =~ b }"),
            "t.stp:1:24: error: the right side of '=~' must be a string literal (a regular expression)");
  EXPECT_EQ(errorOf("probe begin { x = a !~ (\"x\" . \"y\") }"),
            "t.stp:1:25: error: the right side of '!~' must be a string literal (a regular expression)");
}

// stap ends a regex match after its literal: "r = a =~ "b" + c" is
// "(r) = ((a) =~ "b"); +(c);" there, and so in utap.
TEST(Regex, MatchEndsAtItsLiteral) {
  EXPECT_EQ(bodyDump("r = a =~ \"b\" + c"), "(expr (= r (=~ a \"b\"))) ; (expr (unary + c))");
  EXPECT_NE(errorOf("probe begin { r = a =~ \"b\" * c }"), "OK");  // stap: a syntax error
}

}  // namespace
}  // namespace utap
