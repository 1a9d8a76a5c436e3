// Deep copies of trees. Pass 2 gives every probe its own copy of the alias
// prologues and epilogues it expands to, so that each copy gets its own
// locals and types.
#pragma once

#include "ast/ast.h"

namespace utap::ast {

ExprPtr cloneExpr(const Expr& expr);
StmtPtr cloneStmt(const Stmt& stmt);
std::unique_ptr<Block> cloneBlock(const Block& block);
ProbePoint cloneProbePoint(const ProbePoint& point);

}  // namespace utap::ast
