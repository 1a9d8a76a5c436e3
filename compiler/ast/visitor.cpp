#include "ast/visitor.h"

namespace utap::ast {

#define ACCEPT(T) \
  void T::accept(Visitor& v) { v.visit(*this); }
ACCEPT(NumberLit) ACCEPT(StringLit) ACCEPT(Symbol) ACCEPT(IndexExpr) ACCEPT(CallExpr)
ACCEPT(PrintCall) ACCEPT(UnaryExpr) ACCEPT(IncDecExpr) ACCEPT(BinaryExpr) ACCEPT(AssignExpr)
ACCEPT(TernaryExpr) ACCEPT(InExpr) ACCEPT(StatExpr) ACCEPT(TargetExpr) ACCEPT(SpecialExpr)
ACCEPT(NamedOpExpr) ACCEPT(EmbeddedExpr) ACCEPT(Block) ACCEPT(EmptyStmt) ACCEPT(ExprStmt)
ACCEPT(IfStmt) ACCEPT(WhileStmt) ACCEPT(ForStmt) ACCEPT(ForeachStmt) ACCEPT(DeleteStmt)
ACCEPT(NextStmt) ACCEPT(BreakStmt) ACCEPT(ContinueStmt) ACCEPT(ReturnStmt) ACCEPT(TryStmt)
ACCEPT(ProbeDecl) ACCEPT(AliasDecl) ACCEPT(GlobalDecl) ACCEPT(FunctionDecl) ACCEPT(EmbeddedDecl)
#undef ACCEPT

void Visitor::visit(File& file) {
  for (auto& d : file.decls) d->accept(*this);
}

void Visitor::visit(ProbePoint& point) {
  for (auto& c : point.components) visitIf(c.arg);
  visitIf(point.condition);
}

void Visitor::visit(IndexExpr& n) {
  n.base->accept(*this);
  for (auto& k : n.keys) visitIf(k);
}
void Visitor::visit(CallExpr& n) {
  for (auto& a : n.args) a->accept(*this);
}
void Visitor::visit(PrintCall& n) {
  visitIf(n.format);
  for (auto& a : n.args) a->accept(*this);
}
void Visitor::visit(UnaryExpr& n) { n.operand->accept(*this); }
void Visitor::visit(IncDecExpr& n) { n.operand->accept(*this); }
void Visitor::visit(BinaryExpr& n) {
  n.lhs->accept(*this);
  n.rhs->accept(*this);
}
void Visitor::visit(AssignExpr& n) {
  n.lhs->accept(*this);
  n.rhs->accept(*this);
}
void Visitor::visit(TernaryExpr& n) {
  n.cond->accept(*this);
  n.then->accept(*this);
  n.otherwise->accept(*this);
}
void Visitor::visit(InExpr& n) {
  for (auto& k : n.keys) visitIf(k);
  n.array->accept(*this);
}
void Visitor::visit(StatExpr& n) {
  n.operand->accept(*this);
  for (auto& p : n.params) p->accept(*this);
}
void Visitor::visit(TargetExpr& n) {
  visitIf(n.castOperand);
  for (auto& a : n.path) visitIf(a.index);
}
void Visitor::visit(SpecialExpr& n) {
  for (auto& o : n.operands) o->accept(*this);
}

void Visitor::visit(Block& n) {
  for (auto& s : n.stmts) s->accept(*this);
}
void Visitor::visit(ExprStmt& n) { n.expr->accept(*this); }
void Visitor::visit(IfStmt& n) {
  n.cond->accept(*this);
  n.then->accept(*this);
  visitIf(n.otherwise);
}
void Visitor::visit(WhileStmt& n) {
  n.cond->accept(*this);
  n.body->accept(*this);
}
void Visitor::visit(ForStmt& n) {
  visitIf(n.init);
  visitIf(n.cond);
  visitIf(n.step);
  n.body->accept(*this);
}
void Visitor::visit(ForeachStmt& n) {
  visitIf(n.value);
  for (auto& k : n.keys) k.var->accept(*this);
  n.source->accept(*this);
  visitIf(n.limit);
  n.body->accept(*this);
}
void Visitor::visit(DeleteStmt& n) { n.target->accept(*this); }
void Visitor::visit(ReturnStmt& n) { visitIf(n.value); }
void Visitor::visit(TryStmt& n) {
  n.body->accept(*this);
  visitIf(n.catchVar);
  n.handler->accept(*this);
}

void Visitor::visit(ProbeDecl& n) {
  for (auto& p : n.points) visit(p);
  n.body->accept(*this);
}
void Visitor::visit(AliasDecl& n) {
  for (auto& p : n.names) visit(p);
  for (auto& p : n.points) visit(p);
  visitIf(n.prologue);
  visitIf(n.epilogue);
}
void Visitor::visit(GlobalDecl& n) { visitIf(n.init); }
void Visitor::visit(FunctionDecl& n) { visitIf(n.body); }

const char* spelling(BinaryOp op) {
  static const char* const names[] = {"*", "/", "%", "+", "-", ".", "<<", ">>", "<", "<=", ">", ">=",
                                      "==", "!=", "=~", "!~", "&", "^", "|", "&&", "||"};
  return names[static_cast<int>(op)];
}
const char* spelling(UnaryOp op) {
  static const char* const names[] = {"+", "-", "!", "~"};
  return names[static_cast<int>(op)];
}
const char* spelling(AssignOp op) {
  static const char* const names[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=",
                                      ">>=", "&=", "^=", "|=", ".=", "<<<"};
  return names[static_cast<int>(op)];
}
const char* spelling(StatOp op) {
  static const char* const names[] = {"@count", "@sum", "@min", "@max",
                                      "@avg", "@variance", "@hist_log", "@hist_linear"};
  return names[static_cast<int>(op)];
}

}  // namespace utap::ast
