// The owning slots of a node's direct children, for passes that replace
// subtrees (constant folding) rather than only read them.
#pragma once

#include <functional>

#include "ast/ast.h"

namespace utap::ast {

// Calls `f` on every direct child expression slot of `node` (null slots, the
// '*' keys, are skipped).
void forEachChildExpr(Node& node, const std::function<void(ExprPtr&)>& f);

// Calls `f` on every direct child statement slot of `node` (null slots are
// skipped; a try's blocks are not slots of type StmtPtr and are visited as
// nodes through forEachChildBlock).
void forEachChildStmt(Node& node, const std::function<void(StmtPtr&)>& f);
void forEachChildBlock(Node& node, const std::function<void(Block&)>& f);

}  // namespace utap::ast
