// A visitor whose every method traverses the node's children by default, so
// a pass overrides only the nodes it cares about (and calls the base method
// when it still wants the children visited).
#pragma once

#include "ast/ast.h"

namespace utap::ast {

class Visitor {
 public:
  virtual ~Visitor() = default;

  void visit(File& file);
  void visit(ProbePoint& point);

  // Expressions
  virtual void visit(NumberLit&) {}
  virtual void visit(StringLit&) {}
  virtual void visit(Symbol&) {}
  virtual void visit(IndexExpr& n);
  virtual void visit(CallExpr& n);
  virtual void visit(PrintCall& n);
  virtual void visit(UnaryExpr& n);
  virtual void visit(IncDecExpr& n);
  virtual void visit(BinaryExpr& n);
  virtual void visit(AssignExpr& n);
  virtual void visit(TernaryExpr& n);
  virtual void visit(InExpr& n);
  virtual void visit(StatExpr& n);
  virtual void visit(TargetExpr& n);
  virtual void visit(SpecialExpr& n);
  virtual void visit(NamedOpExpr&) {}
  virtual void visit(EmbeddedExpr&) {}

  // Statements
  virtual void visit(Block& n);
  virtual void visit(EmptyStmt&) {}
  virtual void visit(ExprStmt& n);
  virtual void visit(IfStmt& n);
  virtual void visit(WhileStmt& n);
  virtual void visit(ForStmt& n);
  virtual void visit(ForeachStmt& n);
  virtual void visit(DeleteStmt& n);
  virtual void visit(NextStmt&) {}
  virtual void visit(BreakStmt&) {}
  virtual void visit(ContinueStmt&) {}
  virtual void visit(ReturnStmt& n);
  virtual void visit(TryStmt& n);

  // Declarations
  virtual void visit(ProbeDecl& n);
  virtual void visit(AliasDecl& n);
  virtual void visit(GlobalDecl& n);
  virtual void visit(FunctionDecl& n);
  virtual void visit(EmbeddedDecl&) {}

 protected:
  template <typename T>
  void visitIf(T& ptr) {
    if (ptr) ptr->accept(*this);
  }
};

}  // namespace utap::ast
