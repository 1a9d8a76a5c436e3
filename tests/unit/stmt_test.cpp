// Statements: blocks, if/else, loops, foreach in all its forms, delete,
// next/break/continue/return, try/catch, and their syntax errors.
#include <gtest/gtest.h>

#include "test_support.h"

namespace utap {
namespace {

using test::bodyDump;
using test::dumpOf;
using test::errorOf;

TEST(Block, NestedAndEmptyBlocks) {
  EXPECT_EQ(bodyDump("{ }"), "(block)");
  EXPECT_EQ(bodyDump("{ { x = 1 } y = 2 }"), "(block (block (expr (= x 1))) (expr (= y 2)))");
  EXPECT_EQ(bodyDump(""), "");
}

TEST(If, WithAndWithoutElse) {
  EXPECT_EQ(bodyDump("if (a) x = 1"), "(if a (expr (= x 1)) _)");
  EXPECT_EQ(bodyDump("if (a) x = 1 else x = 2"), "(if a (expr (= x 1)) (expr (= x 2)))");
  EXPECT_EQ(bodyDump("if (a) { x = 1 } else { x = 2 }"), "(if a (block (expr (= x 1))) (block (expr (= x 2))))");
  EXPECT_EQ(bodyDump("if (a) ; else ;"), "(if a (empty) (empty))");
}

TEST(If, DanglingElseBindsToTheInnermostIf) {
  EXPECT_EQ(bodyDump("if (a) if (b) x = 1 else x = 2"), "(if a (if b (expr (= x 1)) (expr (= x 2))) _)");
  EXPECT_EQ(bodyDump("if (a) { if (b) x = 1 } else x = 2"), "(if a (block (if b (expr (= x 1)) _)) (expr (= x 2)))");
}

TEST(If, ElseIfChains) {
  EXPECT_EQ(bodyDump("if (a) x = 1 else if (b) x = 2 else if (c) x = 3 else x = 4"),
            "(if a (expr (= x 1)) (if b (expr (= x 2)) (if c (expr (= x 3)) (expr (= x 4)))))");
}

TEST(If, ConditionIsAFullExpression) {
  EXPECT_EQ(bodyDump("if (x = f()) {}"), "(if (= x (call f)) (block) _)");
  EXPECT_EQ(bodyDump("if (a in b && !c) {}"), "(if (&& (in b a) (unary ! c)) (block) _)");
}

TEST(If, Errors) {
  EXPECT_EQ(errorOf("probe begin { if () x = 1 }"), "t.stp:1:19: error: expected an expression before ')'");
  EXPECT_NE(errorOf("probe begin { if x x = 1 }"), "OK");
  EXPECT_NE(errorOf("probe begin { else x = 1 }"), "OK");
  EXPECT_NE(errorOf("probe begin { if (a) x = 1 else else x = 2 }"), "OK");
}

TEST(While, Forms) {
  EXPECT_EQ(bodyDump("while (i < 10) i++"), "(while (< i 10) (expr (post++ i)))");
  EXPECT_EQ(bodyDump("while (1) { break }"), "(while 1 (block (break)))");
  EXPECT_NE(errorOf("probe begin { while () {} }"), "OK");
}

TEST(For, AllParts) {
  EXPECT_EQ(bodyDump("for (i = 0; i < 10; i++) x += i"), "(for (= i 0) (< i 10) (post++ i) (expr (+= x i)))");
}

TEST(For, EmptyParts) {
  EXPECT_EQ(bodyDump("for (;;) break"), "(for _ _ _ (break))");
  EXPECT_EQ(bodyDump("for (i = 0;;) {}"), "(for (= i 0) _ _ (block))");
  EXPECT_EQ(bodyDump("for (; i < 3;) {}"), "(for _ (< i 3) _ (block))");
  EXPECT_EQ(bodyDump("for (;; i++) {}"), "(for _ _ (post++ i) (block))");
}

TEST(For, Errors) {
  EXPECT_NE(errorOf("probe begin { for (;) {} }"), "OK");
  EXPECT_NE(errorOf("probe begin { for (;;;) {} }"), "OK");
  EXPECT_NE(errorOf("probe begin { for (i = 0, j = 0;;) {} }"), "OK");
}

TEST(Foreach, SingleKey) {
  EXPECT_EQ(bodyDump("foreach (k in arr) {}"), "(foreach _ k0 arr sort0 _ (block))");
  EXPECT_EQ(bodyDump("foreach ([k] in arr) {}"), "(foreach _ k0 [] arr sort0 _ (block))");
}

TEST(Foreach, TupleKeys) {
  EXPECT_EQ(bodyDump("foreach ([a, b, c] in arr) x = 1"), "(foreach _ a0 b0 c0 [] arr sort0 _ (expr (= x 1)))");
}

TEST(Foreach, ValueBinding) {
  EXPECT_EQ(bodyDump("foreach (v = k in arr) {}"), "(foreach v k0 arr sort0 _ (block))");
  EXPECT_EQ(bodyDump("foreach (v = [a, b] in arr) {}"), "(foreach v a0 b0 [] arr sort0 _ (block))");
}

TEST(Foreach, SortOnAKey) {
  EXPECT_EQ(bodyDump("foreach (k- in arr) {}"), "(foreach _ k2 arr sort0 _ (block))");
  EXPECT_EQ(bodyDump("foreach ([a, b+] in arr) {}"), "(foreach _ a0 b1 [] arr sort0 _ (block))");
}

TEST(Foreach, SortOnTheValue) {
  EXPECT_EQ(bodyDump("foreach (k in arr+) {}"), "(foreach _ k0 arr sort1 _ (block))");
  EXPECT_EQ(bodyDump("foreach (v = [a, b] in arr-) {}"), "(foreach v a0 b0 [] arr sort2 _ (block))");
  // "v- = k in arr" is stap's other spelling of "v = k in arr-".
  EXPECT_EQ(bodyDump("foreach (v- = k in arr) {}"), bodyDump("foreach (v = k in arr-) {}"));
}

TEST(Foreach, SortOnAnAggregate) {
  EXPECT_EQ(bodyDump("foreach (k in arr @sum-) {}"), "(foreach _ k0 arr sort2@sum _ (block))");
  EXPECT_EQ(bodyDump("foreach (k in arr @count+) {}"), "(foreach _ k0 arr sort1@count _ (block))");
  EXPECT_EQ(bodyDump("foreach (k in arr @min- limit 3) {}"), "(foreach _ k0 arr sort2@min 3 (block))");
  EXPECT_EQ(bodyDump("foreach (v = k in arr @avg+) {}"), "(foreach v k0 arr sort1@avg _ (block))");
  EXPECT_EQ(bodyDump("foreach (k in arr @max-) {}"), "(foreach _ k0 arr sort2@max _ (block))");
}

TEST(Foreach, AggregateWithoutSortIsAnError) {
  EXPECT_EQ(errorOf("probe begin { foreach (k in arr @sum) {} }"),
            "t.stp:1:33: error: '@sum' in foreach must be followed by '+' or '-' to sort by it");
}

TEST(Foreach, Limit) {
  EXPECT_EQ(bodyDump("foreach (k in arr limit 10) {}"), "(foreach _ k0 arr sort0 10 (block))");
  EXPECT_EQ(bodyDump("foreach (v = k in arr- limit n + 1) {}"), "(foreach v k0 arr sort2 (+ n 1) (block))");
  EXPECT_NE(errorOf("probe begin { foreach (k in arr limit) {} }"), "OK");
}

TEST(Foreach, Slices) {
  EXPECT_EQ(bodyDump("foreach ([k, l] in arr[*, 1]) {}"), "(foreach _ k0 l0 [] (index arr _ 1) sort0 _ (block))");
  EXPECT_EQ(bodyDump("foreach ([a, b, c] in arr[*, \"x\", *]) {}"),
            "(foreach _ a0 b0 c0 [] (index arr _ \"x\" _) sort0 _ (block))");
  EXPECT_EQ(bodyDump("foreach ([k, l] in arr[*, n + 1] limit 2) {}"),
            "(foreach _ k0 l0 [] (index arr _ (+ n 1)) sort0 2 (block))");
}

TEST(Foreach, OverHistograms) {
  EXPECT_EQ(bodyDump("foreach (b in @hist_log(s)) {}"), "(foreach _ b0 (@hist_log s) sort0 _ (block))");
  EXPECT_EQ(bodyDump("foreach (b in @hist_linear(s[1], 0, 10, 1)) {}"),
            "(foreach _ b0 (@hist_linear (index s 1) 0 10 1) sort0 _ (block))");
}

TEST(Foreach, MultipleSortsAreAnError) {
  EXPECT_EQ(errorOf("probe begin { foreach (k- in arr+) {} }"),
            "t.stp:1:33: error: more than one sort directive in foreach; sort by one key or by the value");
  EXPECT_EQ(errorOf("probe begin { foreach ([a-, b+] in arr) {} }"),
            "t.stp:1:30: error: more than one sort directive in foreach; sort by one key or by the value");
  EXPECT_EQ(errorOf("probe begin { foreach (v+ = k- in arr) {} }"),
            "t.stp:1:30: error: more than one sort directive in foreach; sort by one key or by the value");
}

TEST(Foreach, OtherErrors) {
  EXPECT_EQ(errorOf("probe begin { foreach ([a,b,c,d,e,f,g,h,i,j] in arr) {} }"),
            "t.stp:1:24: error: 10 indexes given; arrays have at most 9");
  EXPECT_NE(errorOf("probe begin { foreach (k arr) {} }"), "OK");
  EXPECT_NE(errorOf("probe begin { foreach ([] in arr) {} }"), "OK");
  EXPECT_NE(errorOf("probe begin { foreach (1 in arr) {} }"), "OK");
  EXPECT_NE(errorOf("probe begin { foreach (k in) {} }"), "OK");
  EXPECT_NE(errorOf("probe begin { foreach k in arr {} }"), "OK");
}

TEST(Delete, Targets) {
  EXPECT_EQ(bodyDump("delete arr"), "(delete arr)");
  EXPECT_EQ(bodyDump("delete arr[1, \"a\"]"), "(delete (index arr 1 \"a\"))");
  EXPECT_EQ(bodyDump("delete arr[*, 2];"), "(delete (index arr _ 2))");
  EXPECT_EQ(bodyDump("delete $p->x"), "(delete (target $ \"$p\" \"\" \"\" &false pretty0 _ ->x))");
}

TEST(Delete, BadTargets) {
  EXPECT_EQ(errorOf("probe begin { delete 1 }"),
            "t.stp:1:22: error: delete needs a variable, an array or an array element");
  EXPECT_EQ(errorOf("probe begin { delete f(x) }"),
            "t.stp:1:22: error: delete needs a variable, an array or an array element");
  EXPECT_NE(errorOf("probe begin { delete }"), "OK");
  // The wildcard is for delete's own index, not for one nested in it.
  EXPECT_NE(errorOf("probe begin { delete arr[other[*]] }"), "OK");
}

TEST(Jumps, NextBreakContinue) {
  EXPECT_EQ(bodyDump("next"), "(next)");
  EXPECT_EQ(bodyDump("next; next"), "(next) ; (next)");
  EXPECT_EQ(bodyDump("while (1) { break; continue }"), "(while 1 (block (break) (continue)))");
}

TEST(Return, InFunctions) {
  EXPECT_EQ(dumpOf("function f() { return 1 }"), "(function f privatefalse type0 prio-1 (block (return 1)))\n");
  EXPECT_EQ(dumpOf("function f() { return; }"), "(function f privatefalse type0 prio-1 (block (return _)))\n");
  EXPECT_EQ(dumpOf("function f() { return }"), "(function f privatefalse type0 prio-1 (block (return _)))\n");
  EXPECT_EQ(dumpOf("function f() { if (x) return x + 1 return 0 }"),
            "(function f privatefalse type0 prio-1 (block (if x (return (+ x 1)) _) (return 0)))\n");
}

TEST(Return, OutsideAFunctionIsAnError) {
  EXPECT_EQ(errorOf("probe begin { return 1 }"),
            "t.stp:1:15: error: 'return' is only allowed in functions; use 'next' to leave a probe");
}

TEST(Return, BareReturnMustEndTheStatement) {
  EXPECT_EQ(errorOf("function f() { return return }"),
            "t.stp:1:23: error: expected an expression, ';' or '}' after 'return'");
}

TEST(Try, WithAndWithoutCatchVariable) {
  EXPECT_EQ(bodyDump("try { x = 1 } catch { y = 2 }"), "(try (block (expr (= x 1))) _ (block (expr (= y 2))))");
  EXPECT_EQ(bodyDump("try { error(\"e\") } catch (msg) { println(msg) }"),
            "(try (block (expr (call error \"e\"))) msg (block (expr (print println _ msg))))");
  EXPECT_EQ(bodyDump("try { try {} catch {} } catch {}"), "(try (block (try (block) _ (block))) _ (block))");
}

TEST(Try, Errors) {
  EXPECT_NE(errorOf("probe begin { try { } }"), "OK");
  EXPECT_NE(errorOf("probe begin { catch { } }"), "OK");
  EXPECT_NE(errorOf("probe begin { try x = 1 catch { } }"), "OK");
  EXPECT_NE(errorOf("probe begin { try { } catch () { } }"), "OK");
  EXPECT_NE(errorOf("probe begin { try { } catch (e) }"), "OK");
}

TEST(Statements, KeywordsCannotBeVariables) {
  EXPECT_EQ(errorOf("probe begin { next = 1 }"), "t.stp:1:20: error: expected a statement or '}' before '='");
  EXPECT_EQ(errorOf("probe begin { x = limit }"), "t.stp:1:19: error: expected an expression before keyword 'limit'");
  EXPECT_NE(errorOf("probe begin { foreach (in in arr) {} }"), "OK");
}

TEST(Statements, UnclosedBlockReportsTheOpenBrace) {
  test::Parsed p = test::parseScript("probe begin {\n  if (x) {\n    y = 1\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.firstMessage(), "unexpected end of file; expected '}'");
  ASSERT_FALSE(p.all()[0].notes.empty());
  EXPECT_EQ(p.all()[0].notes[0].message, "'{' opened here");
  EXPECT_EQ(p.all()[0].notes[0].range.begin.line, 2u);
  EXPECT_EQ(p.all()[0].notes[0].range.begin.column, 10u);
}

}  // namespace
}  // namespace utap
