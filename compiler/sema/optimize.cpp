// Step 3b of pass 2: the first round of stap's optimizer, which runs
// before types. Unless -u, it elides assignments to locals that are never
// read (keeping a value whose computation has side effects), then
// expression statements without side effects, and then probes left with
// nothing to do (elideEmptyProbes, after types). Types are inferred afterwards, so a type clash in
// elided code is no error, as in stap: `x = 1; x = "s"` with x never read,
// or `a <<< 2` on a local, are accepted with the elision warnings, and
// rejected under -u.
//
// An expression statement made of operators is split into statements of
// its operands first (`f() + "a"` is `f(); "a"`), with or without -u, as
// stap does: its operator never runs, so its operands' types are not
// checked against each other.
#include <unordered_map>
#include <unordered_set>

#include "ast/children.h"
#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// ---- side effects --------------------------------------------------------------

// Which functions can do more than compute their value: print, write a
// global or a target variable, run embedded C not marked /* pure */, call
// such a function, end the probe. Recursion alone does not make a
// function impure.
class Purity {
 public:
  explicit Purity(const Program& program) : program_(program) {
    for (auto& f : program.functions)
      if (f->used) impure_[f.get()] = !f->decl->body && !pragmaPure(*f);
    // Impurity spreads to callers; repeat until it stops spreading.
    for (bool changed = true; changed;) {
      changed = false;
      for (auto& f : program.functions) {
        if (!f->used || impure_[f.get()] || !f->decl->body) continue;
        Finder finder(*this, f.get());
        f->decl->body->accept(finder);
        if (finder.found) {
          impure_[f.get()] = true;
          changed = true;
        }
      }
    }
  }

  // Whether evaluating `e` in a probe or function body can do anything but
  // produce its value. Writing a local counts: the write may be read.
  bool sideEffects(ast::Node& e) const {
    Finder finder(*this, nullptr);
    e.accept(finder);
    return finder.found;
  }

 private:
  static bool pragmaPure(const Function& f) {
    for (const auto& p : f.decl->pragmas)
      if (p == "pure") return true;
    return false;
  }

  class Finder : public ast::Visitor {
   public:
    // `owner`: the function whose purity is decided (its own locals and
    // parameters may be written), or null.
    Finder(const Purity& purity, const Function* owner) : purity_(purity), owner_(owner) {}
    bool found = false;

    void visit(ast::CallExpr& n) override {
      if (purity_.callImpure(n)) found = true;
      Visitor::visit(n);
    }
    void visit(ast::PrintCall& n) override {
      if (!n.toString) found = true;
      Visitor::visit(n);
    }
    void visit(ast::AssignExpr& n) override {
      write(*n.lhs);
      Visitor::visit(n);
    }
    void visit(ast::IncDecExpr& n) override {
      write(*n.operand);
      Visitor::visit(n);
    }
    void visit(ast::DeleteStmt& n) override {
      write(*n.target);
      Visitor::visit(n);
    }
    void visit(ast::ForeachStmt& n) override {
      if (!owner_) found = true;  // writes its key and value variables
      Visitor::visit(n);
    }
    void visit(ast::EmbeddedExpr&) override { found = true; }
    // A regex match records what matched() reads (kept on purpose, see
    // the README).
    void visit(ast::BinaryExpr& n) override {
      if (n.op == ast::BinaryOp::Match || n.op == ast::BinaryOp::NoMatch) found = true;
      Visitor::visit(n);
    }
    void visit(ast::NextStmt&) override { found = true; }
    void visit(ast::TryStmt& n) override {
      found = true;  // a catch turns errors into control flow
      Visitor::visit(n);
    }

   private:
    void write(ast::Expr& target) {
      if (owner_)
        if (auto* s = dynamic_cast<ast::Symbol*>(&target)) {
          auto it = purity_.program_.variables.find(s);
          if (it != purity_.program_.variables.end() && it->second->kind != Variable::Kind::Global) return;
        }
      found = true;
    }

    const Purity& purity_;
    const Function* owner_;
  };

  bool callImpure(const ast::CallExpr& call) const {
    auto it = program_.calls.find(&call);
    if (it == program_.calls.end()) return true;
    for (const Function* f : it->second->members) {
      auto i = impure_.find(f);
      if (i == impure_.end() || i->second) return true;
    }
    return false;
  }

  const Program& program_;
  std::unordered_map<const Function*, bool> impure_;
};

// ---- reads of locals ----------------------------------------------------------

// How many times each variable's value is read in a body: every use but
// the target of a plain assignment, of <<<, of delete, and foreach's key
// and value variables.
class Reads : public ast::Visitor {
 public:
  explicit Reads(const Program& program) : program_(program) {}
  std::unordered_map<const Variable*, int> count;

  void visit(ast::Symbol& n) override {
    if (const Variable* v = variableOf(n)) ++count[v];
  }
  void visit(ast::AssignExpr& n) override {
    auto* s = dynamic_cast<ast::Symbol*>(n.lhs.get());
    if (s && (n.op == ast::AssignOp::Assign || n.op == ast::AssignOp::Aggregate)) {
      n.rhs->accept(*this);
      return;
    }
    Visitor::visit(n);
  }
  void visit(ast::DeleteStmt& n) override {
    if (dynamic_cast<ast::Symbol*>(n.target.get())) return;
    Visitor::visit(n);
  }
  void visit(ast::ForeachStmt& n) override {
    visitIf(n.source);
    visitIf(n.limit);
    n.body->accept(*this);
  }

 private:
  const Variable* variableOf(const ast::Symbol& s) const {
    auto it = program_.variables.find(&s);
    return it == program_.variables.end() ? nullptr : it->second;
  }
  const Program& program_;
};

// ---- the rewriting ---------------------------------------------------------------

class Optimizer {
 public:
  Optimizer(Context& ctx, const Purity& purity) : ctx_(ctx), purity_(purity) {}

  // One round over a body: which locals are read is decided first, for
  // the whole round. Returns whether it changed anything.
  bool round(ast::Block& body) {
    changed_ = false;
    Reads reads(ctx_.program);
    body.accept(reads);
    reads_ = &reads.count;
    block(body);
    reads_ = nullptr;
    values_.clear();
    return changed_;
  }

  // Splits operator statements into their operands' statements; the
  // only rewriting done under -u.
  void split(ast::Block& body) { block(body); }

 private:
  static ast::StmtPtr emptyAt(const SourceRange& range) {
    auto e = std::make_unique<ast::EmptyStmt>();
    e->range = range;
    return e;
  }

  // The operands of an operator whose value alone is its effect.
  static std::vector<ast::ExprPtr*> operands(ast::Expr& e) {
    if (auto* n = dynamic_cast<ast::BinaryExpr*>(&e)) {
      using Op = ast::BinaryOp;
      // && and || decide whether their right side runs; a match records
      // what matched() reads.
      if (n->op == Op::LogicalAnd || n->op == Op::LogicalOr || n->op == Op::Match || n->op == Op::NoMatch) return {};
      return {&n->lhs, &n->rhs};
    }
    if (auto* n = dynamic_cast<ast::UnaryExpr*>(&e)) return {&n->operand};
    return {};
  }

  void block(ast::Node& n) {
    ast::forEachChildStmt(n, [&](ast::StmtPtr& s) { stmt(s); });
    ast::forEachChildBlock(n, [&](ast::Block& b) { block(b); });
    ast::forEachChildExpr(n, [&](ast::ExprPtr& e) { expr(e); });
  }

  void stmt(ast::StmtPtr& slot) {
    auto* es = dynamic_cast<ast::ExprStmt*>(slot.get());
    if (!es) {
      block(*slot);
      return;
    }
    expr(es->expr);
    if (reads_ && !purity_.sideEffects(*es->expr)) {
      // The value of an assignment just elided was reported with it.
      if (!values_.count(es->expr.get()) && !inTapset(es->expr->range))
        ctx_.diags.report(DiagKind::ElideExpression, es->expr->range);
      forget(*es->expr);
      slot = emptyAt(slot->range);
      changed_ = true;
      return;
    }
    if (auto parts = operands(*es->expr); !parts.empty()) {
      auto b = std::make_unique<ast::Block>();
      b->range = slot->range;
      for (ast::ExprPtr* part : parts) {
        auto s = std::make_unique<ast::ExprStmt>();
        s->range = (*part)->range;
        s->expr = std::move(*part);
        b->stmts.push_back(std::move(s));
      }
      slot = std::move(b);
      changed_ = true;
      block(*slot);
    }
  }

  void forget(ast::Node& gone) { forgetNode(ctx_.program, gone); }

  // As stap, what is elided from a tapset's code (an alias's variables a
  // script does not read) is not worth a warning.
  bool inTapset(const SourceRange& range) const { return ctx_.isTapset(ctx_.fileOf(range)); }

  // Assignments to locals nobody reads become their value.
  void expr(ast::ExprPtr& slot) {
    ast::forEachChildExpr(*slot, [&](ast::ExprPtr& e) { expr(e); });
    if (!reads_) return;
    auto* assign = dynamic_cast<ast::AssignExpr*>(slot.get());
    if (!assign || (assign->op != ast::AssignOp::Assign && assign->op != ast::AssignOp::Aggregate)) return;
    auto* s = dynamic_cast<ast::Symbol*>(assign->lhs.get());
    if (!s) return;
    auto it = ctx_.program.variables.find(s);
    if (it == ctx_.program.variables.end() || it->second->kind != Variable::Kind::Local) return;
    if (reads_->count(it->second)) return;
    if (!inTapset(assign->range)) ctx_.diags.report(DiagKind::ElideAssignment, assign->range, it->second->name);
    forget(*s);
    slot = std::move(assign->rhs);
    values_.insert(slot.get());
    changed_ = true;
  }

  Context& ctx_;
  const Purity& purity_;
  const std::unordered_map<const Variable*, int>* reads_ = nullptr;
  std::unordered_set<const ast::Expr*> values_;  // of elided assignments
  bool changed_ = false;
};

// Whether a body does nothing: empty statements and blocks only.
bool doesNothing(ast::Stmt& s) {
  if (dynamic_cast<ast::EmptyStmt*>(&s)) return true;
  auto* b = dynamic_cast<ast::Block*>(&s);
  if (!b) return false;
  for (auto& child : b->stmts)
    if (!doesNothing(*child)) return false;
  return true;
}

// Names of the variables a body still mentions.
class Mentions : public ast::Visitor {
 public:
  explicit Mentions(const Program& program) : program_(program) {}
  std::unordered_set<const Variable*> seen;
  void visit(ast::Symbol& n) override {
    auto it = program_.variables.find(&n);
    if (it != program_.variables.end()) seen.insert(it->second);
  }

 private:
  const Program& program_;
};

}  // namespace

void forgetNode(Program& program, ast::Node& gone) {
  if (auto* e = dynamic_cast<ast::Expr*>(&gone)) program.types.erase(e);
  if (auto* s = dynamic_cast<ast::Symbol*>(&gone)) program.variables.erase(s);
  if (auto* c = dynamic_cast<ast::CallExpr*>(&gone)) program.calls.erase(c);
  if (auto* t = dynamic_cast<ast::TargetExpr*>(&gone)) program.targets.erase(t);
  // Symbols that are not expression slots.
  if (auto* n = dynamic_cast<ast::InExpr*>(&gone); n && n->array) forgetNode(program, *n->array);
  if (auto* n = dynamic_cast<ast::ForeachStmt*>(&gone)) {
    for (auto& k : n->keys)
      if (k.var) forgetNode(program, *k.var);
    if (n->value) forgetNode(program, *n->value);
  }
  if (auto* n = dynamic_cast<ast::TryStmt*>(&gone); n && n->catchVar) forgetNode(program, *n->catchVar);
  ast::forEachChildExpr(gone, [&](ast::ExprPtr& e) { forgetNode(program, *e); });
  ast::forEachChildStmt(gone, [&](ast::StmtPtr& s) { forgetNode(program, *s); });
  ast::forEachChildBlock(gone, [&](ast::Block& b) { forgetNode(program, b); });
}

void optimizeBeforeTypes(Context& ctx) {
  Program& program = ctx.program;
  Purity purity(program);
  Optimizer optimizer(ctx, purity);
  auto run = [&](ast::Block& body, std::vector<std::unique_ptr<Variable>>& locals) {
    if (ctx.options.unoptimized) {
      optimizer.split(body);
      return;
    }
    // One round, as stap's types come after its optimizer's first round:
    // eliding 'x = y' leaves y unread, but y's assignments are typed
    // before they go (after types, in elideUnused).
    optimizer.round(body);
    Mentions mentions(program);
    body.accept(mentions);
    std::erase_if(locals, [&](const std::unique_ptr<Variable>& l) { return !mentions.seen.count(l.get()); });
  };
  for (auto& f : program.functions)
    if (f->used && f->decl->body) run(*f->decl->body, f->locals);
  for (auto& p : program.probes) run(*p->body, p->locals);
}

void elideEmptyProbes(Context& ctx) {
  if (ctx.options.unoptimized) return;
  std::erase_if(ctx.program.probes, [&](const std::unique_ptr<Probe>& p) {
    if (!doesNothing(*p->body)) return false;
    if (p->synthesizedFor.empty())
      ctx.diags.report(DiagKind::ElideProbe, p->origin ? p->origin->range : SourceRange{}, p->point->text());
    return true;
  });
}

}  // namespace utap::sema
