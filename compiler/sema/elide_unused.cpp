// Step 6 of pass 2: what the program does not need goes, with the warnings
// stap users know: assignments to locals that are never read, and unused
// functions and globals of the user script (tapset ones go silently).
#include <algorithm>
#include <unordered_set>

#include "ast/children.h"
#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// Whether evaluating `e` can do anything but produce its value.
class SideEffects : public ast::Visitor {
 public:
  bool found = false;
  void visit(ast::CallExpr&) override { found = true; }
  void visit(ast::PrintCall&) override { found = true; }
  void visit(ast::AssignExpr&) override { found = true; }
  void visit(ast::IncDecExpr&) override { found = true; }
  void visit(ast::TargetExpr&) override { found = true; }  // a user-memory read may fault
  void visit(ast::EmbeddedExpr&) override { found = true; }
  // Division may raise a division-by-zero error; a regex match records
  // what matched() reads.
  void visit(ast::BinaryExpr& n) override {
    using Op = ast::BinaryOp;
    if (n.op == Op::Div || n.op == Op::Mod || n.op == Op::Match || n.op == Op::NoMatch) found = true;
    Visitor::visit(n);
  }
};

bool hasSideEffects(ast::Expr& e) {
  SideEffects s;
  e.accept(s);
  return s.found;
}

// Drops "x = value" statements whose local is never read, wherever a
// statement stands (a block, or alone as an if/loop body); keeps the value
// when computing it has side effects.
class DeadStores {
 public:
  DeadStores(Context& ctx) : ctx_(ctx) {}

  void run(ast::Node& body) { children(body); }

 private:
  void children(ast::Node& n) {
    ast::forEachChildStmt(n, [&](ast::StmtPtr& s) { slot(s); });
    ast::forEachChildBlock(n, [&](ast::Block& b) { children(b); });
  }

  void slot(ast::StmtPtr& s) {
    auto* stmt = dynamic_cast<ast::ExprStmt*>(s.get());
    auto* assign = stmt ? dynamic_cast<ast::AssignExpr*>(stmt->expr.get()) : nullptr;
    Variable* v = nullptr;
    if (assign && assign->op == ast::AssignOp::Assign)
      if (auto* sym = dynamic_cast<ast::Symbol*>(assign->lhs.get())) {
        auto it = ctx_.program.variables.find(sym);
        if (it != ctx_.program.variables.end()) v = it->second;
      }
    if (!v || v->kind != Variable::Kind::Local || v->read) {
      children(*s);
      return;
    }
    if (!ctx_.isTapset(ctx_.fileOf(assign->range))) ctx_.diags.report(DiagKind::ElideAssignment, assign->range, v->name);
    if (hasSideEffects(*assign->rhs)) {
      stmt->expr = std::move(assign->rhs);
    } else {
      auto empty = std::make_unique<ast::EmptyStmt>();
      empty->range = s->range;
      s = std::move(empty);
    }
  }

  Context& ctx_;
};

}  // namespace

void elideUnused(Context& ctx) {
  Program& program = ctx.program;
  DeadStores deadStores(ctx);
  auto localWarnings = [&](std::vector<std::unique_ptr<Variable>>& locals) {
    for (auto& l : locals)
      if (l->read && !l->written) ctx.diags.report(DiagKind::NeverAssignedLocal, l->firstUse, l->name);
  };
  // -u: stores and locals stay (functions and globals nothing uses go
  // silently under -u too, as in stap).
  bool keep = ctx.options.unoptimized;
  for (auto& p : program.probes) {
    if (!keep) deadStores.run(*p->body);
    localWarnings(p->locals);
  }
  for (auto& f : program.functions)
    if (f->used && f->decl->body) {
      if (!keep) deadStores.run(*f->decl->body);
      localWarnings(f->locals);
    }
  elideEmptyProbes(ctx);
  // Locals that were only written are gone with their stores.
  auto dropDead = [&](std::vector<std::unique_ptr<Variable>>& locals) {
    std::erase_if(locals, [&](const std::unique_ptr<Variable>& l) { return !l->read && !(keep && l->written); });
  };
  for (auto& p : program.probes) dropDead(p->locals);
  for (auto& f : program.functions) dropDead(f->locals);

  std::erase_if(program.globals, [&](const std::unique_ptr<Variable>& g) {
    if (g->firstUse.begin.valid()) {
      // A tapset's global a script only reads (a query before any event)
      // is its author's design, not the script's mistake.
      if (g->read && !g->written && !g->global->init && !ctx.isTapset(g->file))
        ctx.diags.report(DiagKind::NeverAssignedGlobal, g->firstUse, g->name);
      return false;
    }
    if (!ctx.isTapset(g->file)) ctx.diags.report(DiagKind::ElideGlobal, g->declared, g->name);
    return true;
  });
  for (auto& group : program.overloads) std::erase_if(group->members, [](const Function* f) { return !f->reachable; });
  std::erase_if(program.overloads, [](const std::unique_ptr<OverloadGroup>& g) { return g->members.empty(); });
  std::erase_if(program.functions, [&](const std::unique_ptr<Function>& f) {
    if (f->reachable) return false;
    if (f->used) return true;  // an overload no call can reach: checked, not kept
    if (!f->fromTapset) ctx.diags.report(DiagKind::ElideFunction, f->decl->range, f->decl->name);
    return true;
  });

  // The side tables keep only what is still in the program.
  std::unordered_set<const Variable*> live;
  for (auto& g : program.globals) live.insert(g.get());
  for (auto& p : program.probes)
    for (auto& l : p->locals) live.insert(l.get());
  for (auto& f : program.functions) {
    for (auto& v : f->params) live.insert(v.get());
    for (auto& l : f->locals) live.insert(l.get());
  }
  std::erase_if(program.variables, [&](const auto& entry) { return !live.count(entry.second); });
  std::unordered_set<const OverloadGroup*> groups;
  for (auto& g : program.overloads) groups.insert(g.get());
  std::erase_if(program.calls, [&](const auto& entry) { return !groups.count(entry.second); });
}

}  // namespace utap::sema
