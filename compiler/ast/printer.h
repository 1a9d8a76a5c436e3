// The -p1 printer: writes a tree back as script text in one normalized
// layout, with just the parentheses the precedence needs, so that the
// output parses again to the same tree.
#pragma once

#include <string>

#include "ast/ast.h"

namespace utap::ast {

// Thrown when a tree is too deep to print on the remaining stack.
struct TooDeep {};

std::string printFile(const File& file);
std::string printExpr(const Expr& expr);
std::string printProbePoint(const ProbePoint& point);     // "timer.ms(5)? if (x)"
std::string printStmt(const Stmt& stmt, int indent = 0);  // lines, each ending in '\n'

// A compact structural dump, "(+ (sym a) (num 1))", without locations; two
// trees are the same exactly when their dumps are. Used by tests.
std::string dumpFile(const File& file);
std::string dumpExpr(const Expr& expr);

}  // namespace utap::ast
