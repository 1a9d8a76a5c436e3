// Step 2b of pass 2: decides what is known before types. @defined(E) is 1
// for an expression without target variables or whose target expressions
// all resolved (resolve_targets.cpp), and 0 when one cannot resolve;
// conditions made of literals then decide their branch. The dead branch
// stays until types are inferred, as in stap: its type clashes are errors
// (`if (0) print(1 + "a")`), but its target expressions that do not
// resolve are not, so the documented guard `@defined($x) ? $x : 0` works
// (inferTypes knows dead code by its literal condition). Then
// removeDeadBranches takes it away, before anything else looks at it.
#include "ast/children.h"
#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// Whether an expression has target expressions, and whether each of them
// resolved (those pass 2 resolved at a process point).
class HasTarget : public ast::Visitor {
 public:
  explicit HasTarget(const std::unordered_map<const ast::TargetExpr*, TargetResolution>& resolved)
      : resolved_(resolved) {}
  bool found = false;
  bool unresolved = false;  // one failed to resolve
  bool unknown = false;     // one was not looked at
  bool autocast = false;    // an autocast not resolved yet (autocast.cpp runs after symbols)
  void visit(ast::TargetExpr& n) override {
    found = true;
    auto it = resolved_.find(&n);
    if (it == resolved_.end() && n.base == ast::TargetExpr::Base::Expr)
      autocast = true;
    else if (it == resolved_.end())
      unknown = true;
    else if (!it->second.value)
      unresolved = true;
    Visitor::visit(n);
  }

 private:
  const std::unordered_map<const ast::TargetExpr*, TargetResolution>& resolved_;
};

class Folder {
 public:
  // `targets`: whether target variables can exist where this code runs;
  // `resolved`: what those of a process point resolved to.
  Folder(bool targets, const std::unordered_map<const ast::TargetExpr*, TargetResolution>& resolved)
      : targets_(targets), resolved_(resolved) {}

  void stmt(ast::StmtPtr& slot) {
    ast::forEachChildExpr(*slot, [&](ast::ExprPtr& e) { expr(e); });
    ast::forEachChildStmt(*slot, [&](ast::StmtPtr& s) { stmt(s); });
    ast::forEachChildBlock(*slot, [&](ast::Block& b) { block(b); });
  }

  void block(ast::Block& b) {
    for (auto& s : b.stmts) stmt(s);
  }

 private:
  static std::optional<int64_t> constant(const ast::Expr& e) {
    if (auto* n = dynamic_cast<const ast::NumberLit*>(&e)) return n->value;
    return std::nullopt;
  }

  static ast::ExprPtr number(int64_t v, const SourceRange& range) {
    auto n = std::make_unique<ast::NumberLit>();
    n->value = v;
    n->range = range;
    return n;
  }

  void expr(ast::ExprPtr& slot) {
    ast::forEachChildExpr(*slot, [&](ast::ExprPtr& e) { expr(e); });
    if (auto* n = dynamic_cast<ast::SpecialExpr*>(slot.get())) {
      if (n->kind != ast::SpecialExpr::Kind::Defined || n->operands.empty()) return;
      HasTarget has(resolved_);
      n->operands[0]->accept(has);
      if (!has.found)
        slot = number(1, n->range);
      else if (has.unresolved)
        slot = number(0, n->range);
      else if (has.autocast)
        return;  // decided when foldConstants runs again after resolveAutocasts
      else if (!has.unknown)
        slot = number(1, n->range);
      else if (!targets_)
        slot = number(0, n->range);
    } else if (auto* n = dynamic_cast<ast::UnaryExpr*>(slot.get())) {
      if (auto v = constant(*n->operand); v && n->op == ast::UnaryOp::Not) slot = number(!*v, n->range);
    } else if (auto* n = dynamic_cast<ast::BinaryExpr*>(slot.get())) {
      auto l = constant(*n->lhs);
      if (!l) return;
      if (n->op == ast::BinaryOp::LogicalAnd) {
        if (!*l)
          slot = number(0, n->range);
        else if (auto r = constant(*n->rhs))
          slot = number(*r != 0, n->range);
      } else if (n->op == ast::BinaryOp::LogicalOr) {
        if (*l)
          slot = number(1, n->range);
        else if (auto r = constant(*n->rhs))
          slot = number(*r != 0, n->range);
      }
    }
  }

  bool targets_;
  const std::unordered_map<const ast::TargetExpr*, TargetResolution>& resolved_;
};

}  // namespace

void foldConstants(Context& ctx) {
  for (auto& p : ctx.program.probes) Folder(p->point->hasTargetVariables(), ctx.program.targets).block(*p->body);
  // Function bodies are shared by every caller; a function has no target
  // variables of its own.
  for (auto& file : ctx.program.files)
    for (auto& decl : file->decls)
      if (auto* f = dynamic_cast<ast::FunctionDecl*>(decl.get()); f && f->body)
        Folder(false, ctx.program.targets).block(*f->body);
}

namespace {

// Replaces each if, while and ?: whose condition is a literal with what
// runs.
class DeadBranches {
 public:
  explicit DeadBranches(Program& program) : program_(program) {}

  void block(ast::Node& n) {
    ast::forEachChildStmt(n, [&](ast::StmtPtr& s) { stmt(s); });
    ast::forEachChildBlock(n, [&](ast::Block& b) { block(b); });
    ast::forEachChildExpr(n, [&](ast::ExprPtr& e) { expr(e); });
  }

 private:
  static std::optional<int64_t> constant(const ast::Expr& e) {
    if (auto* n = dynamic_cast<const ast::NumberLit*>(&e)) return n->value;
    return std::nullopt;
  }

  static ast::StmtPtr empty(const SourceRange& range) {
    auto e = std::make_unique<ast::EmptyStmt>();
    e->range = range;
    return e;
  }

  void stmt(ast::StmtPtr& slot) {
    if (auto* n = dynamic_cast<ast::IfStmt*>(slot.get())) {
      if (auto value = constant(*n->cond)) {
        ast::StmtPtr& dead = *value ? n->otherwise : n->then;
        if (dead) forgetNode(program_, *dead);
        ast::StmtPtr live = *value ? std::move(n->then) : std::move(n->otherwise);
        slot = live ? std::move(live) : empty(n->range);
        if (dynamic_cast<ast::EmptyStmt*>(slot.get())) return;
        stmt(slot);
        return;
      }
    } else if (auto* n = dynamic_cast<ast::WhileStmt*>(slot.get())) {
      if (auto value = constant(*n->cond); value && !*value) {
        forgetNode(program_, *slot);
        slot = empty(n->range);
        return;
      }
    }
    block(*slot);
  }

  void expr(ast::ExprPtr& slot) {
    if (auto* n = dynamic_cast<ast::TernaryExpr*>(slot.get()))
      if (auto value = constant(*n->cond)) {
        forgetNode(program_, *value ? *n->otherwise : *n->then);
        ast::ExprPtr live = *value ? std::move(n->then) : std::move(n->otherwise);
        slot = std::move(live);
        expr(slot);
        return;
      }
    ast::forEachChildExpr(*slot, [&](ast::ExprPtr& e) { expr(e); });
  }

  Program& program_;
};

}  // namespace

void removeDeadBranches(Context& ctx) {
  DeadBranches dead(ctx.program);
  for (auto& p : ctx.program.probes) dead.block(*p->body);
  for (auto& f : ctx.program.functions)
    if (f->decl->body) dead.block(*f->decl->body);
}

}  // namespace utap::sema
