#include "ast/clone.h"

#include "ast/visitor.h"

namespace utap::ast {

namespace {

// Visits the original (the visitor interface takes non-const nodes, the
// original is never modified) and leaves the copy in result_.
class Cloner : public Visitor {
 public:
  template <typename T>
  std::unique_ptr<T> copy(const T& node) {
    const_cast<T&>(node).accept(*this);
    return std::unique_ptr<T>(static_cast<T*>(result_.release()));
  }
  template <typename T>
  std::unique_ptr<T> copyIf(const std::unique_ptr<T>& node) {
    return node ? copy(*node) : nullptr;
  }
  std::vector<ExprPtr> copyAll(const std::vector<ExprPtr>& exprs) {
    std::vector<ExprPtr> out;
    out.reserve(exprs.size());
    for (const auto& e : exprs) out.push_back(copyIf(e));  // null keys are '*'
    return out;
  }

  void visit(NumberLit& n) override {
    make(n, [&](auto& c) { c.value = n.value; });
  }
  void visit(StringLit& n) override {
    make(n, [&](auto& c) { c.value = n.value; });
  }
  void visit(Symbol& n) override {
    make(n, [&](auto& c) { c.name = n.name; });
  }
  void visit(IndexExpr& n) override {
    make(n, [&](auto& c) {
      c.base = copy(*n.base);
      c.keys = copyAll(n.keys);
    });
  }
  void visit(CallExpr& n) override {
    make(n, [&](auto& c) {
      c.name = n.name;
      c.args = copyAll(n.args);
    });
  }
  void visit(PrintCall& n) override {
    make(n, [&](auto& c) {
      c.name = n.name;
      c.kind = n.kind;
      c.toString = n.toString;
      c.format = copyIf(n.format);
      c.args = copyAll(n.args);
    });
  }
  void visit(UnaryExpr& n) override {
    make(n, [&](auto& c) {
      c.op = n.op;
      c.operand = copy(*n.operand);
    });
  }
  void visit(IncDecExpr& n) override {
    make(n, [&](auto& c) {
      c.increment = n.increment;
      c.prefix = n.prefix;
      c.operand = copy(*n.operand);
    });
  }
  void visit(BinaryExpr& n) override {
    make(n, [&](auto& c) {
      c.op = n.op;
      c.lhs = copy(*n.lhs);
      c.rhs = copy(*n.rhs);
    });
  }
  void visit(AssignExpr& n) override {
    make(n, [&](auto& c) {
      c.op = n.op;
      c.lhs = copy(*n.lhs);
      c.rhs = copy(*n.rhs);
    });
  }
  void visit(TernaryExpr& n) override {
    make(n, [&](auto& c) {
      c.cond = copy(*n.cond);
      c.then = copy(*n.then);
      c.otherwise = copy(*n.otherwise);
    });
  }
  void visit(InExpr& n) override {
    make(n, [&](auto& c) {
      c.keys = copyAll(n.keys);
      c.array = copy(*n.array);
    });
  }
  void visit(StatExpr& n) override {
    make(n, [&](auto& c) {
      c.op = n.op;
      c.operand = copy(*n.operand);
      c.params = copyAll(n.params);
    });
  }
  void visit(TargetExpr& n) override {
    make(n, [&](auto& c) {
      c.base = n.base;
      c.name = n.name;
      c.castOperand = copyIf(n.castOperand);
      c.typeName = n.typeName;
      c.module = n.module;
      for (const auto& a : n.path) c.path.push_back(Accessor{a.range, a.member, copyIf(a.index)});
      c.addressOf = n.addressOf;
      c.pretty = n.pretty;
    });
  }
  void visit(SpecialExpr& n) override {
    make(n, [&](auto& c) {
      c.kind = n.kind;
      c.operands = copyAll(n.operands);
    });
  }
  void visit(NamedOpExpr& n) override {
    make(n, [&](auto& c) {
      c.kind = n.kind;
      c.name = n.name;
      c.header = n.header;
    });
  }
  void visit(EmbeddedExpr& n) override {
    make(n, [&](auto& c) { c.code = n.code; });
  }

  void visit(Block& n) override {
    make(n, [&](auto& c) {
      c.stmts.reserve(n.stmts.size());
      for (const auto& s : n.stmts) c.stmts.push_back(copy(*s));
    });
  }
  void visit(EmptyStmt& n) override {
    make(n, [](auto&) {});
  }
  void visit(ExprStmt& n) override {
    make(n, [&](auto& c) { c.expr = copy(*n.expr); });
  }
  void visit(IfStmt& n) override {
    make(n, [&](auto& c) {
      c.cond = copy(*n.cond);
      c.then = copy(*n.then);
      c.otherwise = copyIf(n.otherwise);
    });
  }
  void visit(WhileStmt& n) override {
    make(n, [&](auto& c) {
      c.cond = copy(*n.cond);
      c.body = copy(*n.body);
    });
  }
  void visit(ForStmt& n) override {
    make(n, [&](auto& c) {
      c.init = copyIf(n.init);
      c.cond = copyIf(n.cond);
      c.step = copyIf(n.step);
      c.body = copy(*n.body);
    });
  }
  void visit(ForeachStmt& n) override {
    make(n, [&](auto& c) {
      c.value = copyIf(n.value);
      for (const auto& k : n.keys) c.keys.push_back(ForeachKey{copy(*k.var), k.sort});
      c.bracketed = n.bracketed;
      c.source = copy(*n.source);
      c.valueSort = n.valueSort;
      c.sortAggregate = n.sortAggregate;
      c.limit = copyIf(n.limit);
      c.body = copy(*n.body);
    });
  }
  void visit(DeleteStmt& n) override {
    make(n, [&](auto& c) { c.target = copy(*n.target); });
  }
  void visit(NextStmt& n) override {
    make(n, [](auto&) {});
  }
  void visit(BreakStmt& n) override {
    make(n, [](auto&) {});
  }
  void visit(ContinueStmt& n) override {
    make(n, [](auto&) {});
  }
  void visit(ReturnStmt& n) override {
    make(n, [&](auto& c) { c.value = copyIf(n.value); });
  }
  void visit(TryStmt& n) override {
    make(n, [&](auto& c) {
      c.body = copy(*n.body);
      c.catchVar = copyIf(n.catchVar);
      c.handler = copy(*n.handler);
    });
  }

 private:
  template <typename T, typename Fill>
  void make(const T& original, Fill fill) {
    auto c = std::make_unique<T>();
    c->range = original.range;
    fill(*c);
    result_ = std::move(c);
  }

  std::unique_ptr<Node> result_;
};

}  // namespace

ExprPtr cloneExpr(const Expr& expr) { return Cloner().copy(expr); }
StmtPtr cloneStmt(const Stmt& stmt) { return Cloner().copy(stmt); }
std::unique_ptr<Block> cloneBlock(const Block& block) { return Cloner().copy(block); }

ProbePoint cloneProbePoint(const ProbePoint& point) {
  Cloner cloner;
  ProbePoint copy;
  copy.range = point.range;
  for (const auto& c : point.components) copy.components.push_back(Component{c.range, c.name, cloner.copyIf(c.arg)});
  copy.optional = point.optional;
  copy.sufficient = point.sufficient;
  copy.condition = cloner.copyIf(point.condition);
  return copy;
}

}  // namespace utap::ast
