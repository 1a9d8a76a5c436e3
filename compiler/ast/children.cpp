#include "ast/children.h"

namespace utap::ast {

namespace {

void each(std::vector<ExprPtr>& exprs, const std::function<void(ExprPtr&)>& f) {
  for (auto& e : exprs)
    if (e) f(e);
}

}  // namespace

void forEachChildExpr(Node& node, const std::function<void(ExprPtr&)>& f) {
  auto one = [&](ExprPtr& e) {
    if (e) f(e);
  };
  if (auto* n = dynamic_cast<IndexExpr*>(&node)) {
    one(n->base);
    each(n->keys, f);
  } else if (auto* n = dynamic_cast<CallExpr*>(&node)) {
    each(n->args, f);
  } else if (auto* n = dynamic_cast<PrintCall*>(&node)) {
    each(n->args, f);
  } else if (auto* n = dynamic_cast<UnaryExpr*>(&node)) {
    one(n->operand);
  } else if (auto* n = dynamic_cast<IncDecExpr*>(&node)) {
    one(n->operand);
  } else if (auto* n = dynamic_cast<BinaryExpr*>(&node)) {
    one(n->lhs);
    one(n->rhs);
  } else if (auto* n = dynamic_cast<AssignExpr*>(&node)) {
    one(n->lhs);
    one(n->rhs);
  } else if (auto* n = dynamic_cast<TernaryExpr*>(&node)) {
    one(n->cond);
    one(n->then);
    one(n->otherwise);
  } else if (auto* n = dynamic_cast<InExpr*>(&node)) {
    each(n->keys, f);
  } else if (auto* n = dynamic_cast<StatExpr*>(&node)) {
    one(n->operand);
    each(n->params, f);
  } else if (auto* n = dynamic_cast<TargetExpr*>(&node)) {
    one(n->castOperand);
    for (auto& a : n->path) one(a.index);
  } else if (auto* n = dynamic_cast<SpecialExpr*>(&node)) {
    each(n->operands, f);
  } else if (auto* n = dynamic_cast<ExprStmt*>(&node)) {
    one(n->expr);
  } else if (auto* n = dynamic_cast<IfStmt*>(&node)) {
    one(n->cond);
  } else if (auto* n = dynamic_cast<WhileStmt*>(&node)) {
    one(n->cond);
  } else if (auto* n = dynamic_cast<ForStmt*>(&node)) {
    one(n->init);
    one(n->cond);
    one(n->step);
  } else if (auto* n = dynamic_cast<ForeachStmt*>(&node)) {
    one(n->source);
    one(n->limit);
  } else if (auto* n = dynamic_cast<DeleteStmt*>(&node)) {
    one(n->target);
  } else if (auto* n = dynamic_cast<ReturnStmt*>(&node)) {
    one(n->value);
  }
}

void forEachChildStmt(Node& node, const std::function<void(StmtPtr&)>& f) {
  auto one = [&](StmtPtr& s) {
    if (s) f(s);
  };
  if (auto* n = dynamic_cast<Block*>(&node)) {
    for (auto& s : n->stmts) one(s);
  } else if (auto* n = dynamic_cast<IfStmt*>(&node)) {
    one(n->then);
    one(n->otherwise);
  } else if (auto* n = dynamic_cast<WhileStmt*>(&node)) {
    one(n->body);
  } else if (auto* n = dynamic_cast<ForStmt*>(&node)) {
    one(n->body);
  } else if (auto* n = dynamic_cast<ForeachStmt*>(&node)) {
    one(n->body);
  }
}

void forEachChildBlock(Node& node, const std::function<void(Block&)>& f) {
  if (auto* n = dynamic_cast<TryStmt*>(&node)) {
    f(*n->body);
    f(*n->handler);
  }
}

}  // namespace utap::ast
