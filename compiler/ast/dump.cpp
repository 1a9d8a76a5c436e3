// Structural dump of a tree: every field that the language cares about, no
// source locations. Round-trip and parser unit tests compare these.
#include <fmt/format.h>

#include "ast/printer.h"
#include "ast/visitor.h"
#include "base/stack_guard.h"

namespace utap::ast {

namespace {

class Dumper : public Visitor {
 public:
  std::string out;

  void open(const std::string& head) {
    if (stackExhausted()) throw TooDeep();
    out += "(" + head;
  }
  void close() { out += ")"; }
  void child(Node* n) {
    out += ' ';
    if (n)
      n->accept(*this);
    else
      out += "_";
  }
  template <typename T>
  void children(std::vector<std::unique_ptr<T>>& v) {
    for (auto& n : v) child(n.get());
  }

  void visit(NumberLit& n) override { out += fmt::format("{}", n.value); }
  void visit(StringLit& n) override { out += fmt::format("{:?}", n.value); }
  void visit(Symbol& n) override { out += n.name; }
  void visit(IndexExpr& n) override { open("index"); child(n.base.get()); children(n.keys); close(); }
  void visit(CallExpr& n) override { open("call " + n.name); children(n.args); close(); }
  void visit(PrintCall& n) override { open("print " + n.name); child(n.format.get()); children(n.args); close(); }
  void visit(UnaryExpr& n) override { open(std::string("unary ") + spelling(n.op)); child(n.operand.get()); close(); }
  void visit(IncDecExpr& n) override {
    open(std::string(n.prefix ? "pre" : "post") + (n.increment ? "++" : "--"));
    child(n.operand.get());
    close();
  }
  void visit(BinaryExpr& n) override { open(spelling(n.op)); child(n.lhs.get()); child(n.rhs.get()); close(); }
  void visit(AssignExpr& n) override { open(spelling(n.op)); child(n.lhs.get()); child(n.rhs.get()); close(); }
  void visit(TernaryExpr& n) override {
    open("?:"); child(n.cond.get()); child(n.then.get()); child(n.otherwise.get()); close();
  }
  void visit(InExpr& n) override { open("in " + n.array->name); children(n.keys); close(); }
  void visit(StatExpr& n) override { open(spelling(n.op)); child(n.operand.get()); children(n.params); close(); }
  void visit(TargetExpr& n) override {
    static const char* const bases[] = {"$", "@cast", "@var", "expr"};
    open(fmt::format("target {} {:?} {:?} {:?} &{} pretty{}", bases[static_cast<int>(n.base)], n.name, n.typeName,
                     n.module, n.addressOf, static_cast<int>(n.pretty)));
    child(n.castOperand.get());
    for (auto& a : n.path) {
      if (a.index)
        child(a.index.get());
      else
        out += " ->" + a.member;
    }
    close();
  }
  void visit(SpecialExpr& n) override { open(fmt::format("special{}", static_cast<int>(n.kind))); children(n.operands); close(); }
  void visit(NamedOpExpr& n) override { out += fmt::format("(named{} {:?} {:?})", static_cast<int>(n.kind), n.name, n.header); }
  void visit(EmbeddedExpr& n) override { out += fmt::format("(embedded {:?})", n.code); }

  void visit(Block& n) override { open("block"); children(n.stmts); close(); }
  void visit(EmptyStmt&) override { out += "(empty)"; }
  void visit(ExprStmt& n) override { open("expr"); child(n.expr.get()); close(); }
  void visit(IfStmt& n) override { open("if"); child(n.cond.get()); child(n.then.get()); child(n.otherwise.get()); close(); }
  void visit(WhileStmt& n) override { open("while"); child(n.cond.get()); child(n.body.get()); close(); }
  void visit(ForStmt& n) override {
    open("for"); child(n.init.get()); child(n.cond.get()); child(n.step.get()); child(n.body.get()); close();
  }
  void visit(ForeachStmt& n) override {
    open("foreach");
    child(n.value.get());
    for (auto& k : n.keys) out += fmt::format(" {}{}", k.var->name, static_cast<int>(k.sort));
    out += n.bracketed ? " []" : "";
    child(n.source.get());
    out += fmt::format(" sort{}{}", static_cast<int>(n.valueSort), n.sortAggregate ? spelling(*n.sortAggregate) : "");
    child(n.limit.get());
    child(n.body.get());
    close();
  }
  void visit(DeleteStmt& n) override { open("delete"); child(n.target.get()); close(); }
  void visit(NextStmt&) override { out += "(next)"; }
  void visit(BreakStmt&) override { out += "(break)"; }
  void visit(ContinueStmt&) override { out += "(continue)"; }
  void visit(ReturnStmt& n) override { open("return"); child(n.value.get()); close(); }
  void visit(TryStmt& n) override { open("try"); child(n.body.get()); child(n.catchVar.get()); child(n.handler.get()); close(); }

  void point(ProbePoint& p) {
    out += " (point";
    for (auto& c : p.components) {
      out += " " + c.name;
      if (c.arg) {
        out += "(";
        c.arg->accept(*this);
        out += ")";
      }
    }
    out += fmt::format(" opt{} suff{}", p.optional, p.sufficient);
    child(p.condition.get());
    out += ")";
  }
  void visit(ProbeDecl& n) override {
    open("probe");
    for (auto& p : n.points) point(p);
    child(n.body.get());
    close();
  }
  void visit(AliasDecl& n) override {
    open("alias");
    for (auto& p : n.names) point(p);
    out += " =";
    for (auto& p : n.points) point(p);
    child(n.prologue.get());
    child(n.epilogue.get());
    close();
  }
  void visit(GlobalDecl& n) override {
    open(fmt::format("global {} private{} wrap{} size{}", n.name, n.isPrivate, n.wrap, n.size ? *n.size : -1));
    child(n.init.get());
    close();
  }
  void visit(FunctionDecl& n) override {
    open(fmt::format("function {} private{} type{}", n.name, n.isPrivate, static_cast<int>(n.returnType)));
    for (auto& p : n.params) out += fmt::format(" {}:{}", p.name, static_cast<int>(p.type));
    out += fmt::format(" prio{}", n.priority ? *n.priority : -1);
    if (n.embedded) out += fmt::format(" {:?}", *n.embedded);
    child(n.body.get());
    close();
  }
  void visit(EmbeddedDecl& n) override { out += fmt::format("(embedded {:?})", n.code); }
};

}  // namespace

std::string dumpExpr(const Expr& e) {
  Dumper d;
  const_cast<Expr&>(e).accept(d);
  return d.out;
}

std::string dumpFile(const File& file) {
  Dumper d;
  for (auto& decl : file.decls) {
    decl->accept(d);
    d.out += '\n';
  }
  return d.out;
}

}  // namespace utap::ast
