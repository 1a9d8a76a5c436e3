// Step 5 of pass 2: the rules that are not about types. What may be
// assigned or deleted, arrays not modified while a foreach walks them,
// break/continue inside loops, @entry in return probes, @probewrite and
// locals in probe conditions, guru-only functions and target-variable
// writes. Also records which variables are read and which are written,
// for elision.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

class UsageChecker : public ast::Visitor {
 public:
  explicit UsageChecker(Context& ctx) : ctx_(ctx), program_(ctx.program) {}

  void run() {
    computeWrites();
    for (auto& p : program_.probes) {
      probe_ = p.get();
      p->body->accept(*this);
    }
    probe_ = nullptr;
    for (auto& f : program_.functions) {
      if (!f->used || !f->decl->body) continue;
      function_ = f.get();
      for (auto& param : f->params) param->written = true;
      f->decl->body->accept(*this);
    }
  }

 private:
  Variable* variableOf(const ast::Expr* e) const {
    auto* s = dynamic_cast<const ast::Symbol*>(e);
    if (!s) return nullptr;
    auto it = program_.variables.find(s);
    return it == program_.variables.end() ? nullptr : it->second;
  }

  static std::string describe(const ast::Expr& e) {
    if (dynamic_cast<const ast::NumberLit*>(&e)) return "a number";
    if (dynamic_cast<const ast::StringLit*>(&e)) return "a string";
    if (auto* c = dynamic_cast<const ast::CallExpr*>(&e)) return "a function call '" + c->name + "(...)'";
    if (auto* s = dynamic_cast<const ast::StatExpr*>(&e)) return std::string(ast::spelling(s->op)) + "(...)";
    if (dynamic_cast<const ast::PrintCall*>(&e)) return "a print call";
    return "this expression";
  }

  // An assignment, ++/--, <<< or delete of `target`. `alsoReads`: compound
  // assignments and ++/-- read the old value.
  void write(ast::Expr& target, bool alsoReads, const SourceRange& at, bool deleting = false) {
    if (Variable* v = variableOf(&target)) {
      mark(*v, true, alsoReads);
      checkForeach(*v, at);
      return;
    }
    if (auto* index = dynamic_cast<ast::IndexExpr*>(&target)) {
      if (Variable* v = variableOf(index->base.get())) {
        mark(*v, true, alsoReads);
        checkForeach(*v, at);
        for (auto& k : index->keys) visitIf(k);
        return;
      }
    }
    if (auto* t = dynamic_cast<ast::TargetExpr*>(&target)) {
      if (!deleting) {
        auto resolved = ctx_.program.targets.find(t);
        bool procfs = resolved != ctx_.program.targets.end() && resolved->second.procfsValue;
        if (probe_ && probe_->point->hasTargetVariables() && !ctx_.options.guru && !procfs)
          ctx_.diags.report(DiagKind::TargetAssignNeedsGuru, target.range, t->name);
        t->accept(*this);
        return;
      }
    }
    if (deleting)
      ctx_.diags.report(DiagKind::BadDeleteTarget, target.range);
    else
      ctx_.diags.report(DiagKind::NotAssignable, target.range, describe(target));
    target.accept(*this);
  }

  void mark(Variable& v, bool written, bool read) {
    v.written |= written;
    v.read |= read;
  }

  void checkForeach(Variable& v, const SourceRange& at) {
    for (const auto& [array, where] : iterating_)
      if (array == &v) {
        ctx_.diags.report(DiagKind::ForeachModifies, at, v.name, ctx_.sources.format(where.begin));
        return;
      }
  }

  void visit(ast::Symbol& n) override {
    if (Variable* v = variableOf(&n)) {
      v->read = true;
      if (inCondition_ && v->kind != Variable::Kind::Global)
        ctx_.diags.report(DiagKind::ConditionLocal, n.range, n.name);
    }
  }

  void visit(ast::AssignExpr& n) override {
    n.rhs->accept(*this);
    write(*n.lhs, n.op != ast::AssignOp::Assign && n.op != ast::AssignOp::Aggregate, n.lhs->range);
  }
  void visit(ast::IncDecExpr& n) override { write(*n.operand, true, n.operand->range); }
  void visit(ast::DeleteStmt& n) override { write(*n.target, false, n.target->range, true); }

  void visit(ast::CallExpr& n) override {
    if (inCondition_) ctx_.diags.report(DiagKind::ConditionCall, n.range);
    auto it = program_.calls.find(&n);
    if (it != program_.calls.end())
      for (const auto& [array, where] : iterating_)
        for (Function* f : it->second->members)
          if (writes_[f].count(array)) {
            ctx_.diags.report(DiagKind::ForeachModifiesByCall, n.range, n.name, array->name,
                              ctx_.sources.format(where.begin));
            goto reported;
          }
  reported:
    if (it != program_.calls.end() && !ctx_.options.guru && !ctx_.isTapset(ctx_.fileOf(n.range)))
      for (Function* f : it->second->members)
        if (f->decl->embedded && f->decl->embedded->find("/* guru */") != std::string::npos) {
          ctx_.diags.report(DiagKind::NeedsGuru, n.range, n.name);
          break;
        }
    Visitor::visit(n);
  }

  void visit(ast::SpecialExpr& n) override {
    if (n.kind == ast::SpecialExpr::Kind::Entry && !(probe_ && probe_->point->isReturn()))
      ctx_.diags.report(DiagKind::EntryNotInReturn, n.range);
    if (n.kind == ast::SpecialExpr::Kind::Defined) return;  // may name what does not exist
    Visitor::visit(n);
  }

  void visit(ast::NamedOpExpr& n) override {
    if (n.kind == ast::NamedOpExpr::Kind::ProbeWrite && !inCondition_)
      ctx_.diags.report(DiagKind::ProbeWriteOutsideCondition, n.range);
  }

  void visit(ast::IfStmt& n) override {
    // The check expandProbes put first in a probe body is the probe's condition.
    bool condition = probe_ && probe_->condition && n.cond.get() != nullptr &&
                     dynamic_cast<ast::UnaryExpr*>(n.cond.get()) &&
                     static_cast<ast::UnaryExpr*>(n.cond.get())->operand.get() == probe_->condition;
    inCondition_ = condition;
    n.cond->accept(*this);
    inCondition_ = false;
    n.then->accept(*this);
    visitIf(n.otherwise);
  }

  void visit(ast::WhileStmt& n) override {
    n.cond->accept(*this);
    loop(*n.body);
  }
  void visit(ast::ForStmt& n) override {
    visitIf(n.init);
    visitIf(n.cond);
    visitIf(n.step);
    loop(*n.body);
  }
  void visit(ast::ForeachStmt& n) override {
    for (auto& k : n.keys)
      if (Variable* v = variableOf(k.var.get())) mark(*v, true, false);
    if (n.value)
      if (Variable* v = variableOf(n.value.get())) mark(*v, true, false);
    n.source->accept(*this);
    visitIf(n.limit);
    auto* slice = dynamic_cast<ast::IndexExpr*>(n.source.get());
    Variable* array = variableOf(slice ? slice->base.get() : n.source.get());
    if (array) iterating_.emplace_back(array, n.range);
    loop(*n.body);
    if (array) iterating_.pop_back();
  }
  void loop(ast::Stmt& body) {
    ++loops_;
    body.accept(*this);
    --loops_;
  }
  void visit(ast::BreakStmt& n) override {
    if (!loops_) ctx_.diags.report(DiagKind::OutsideLoop, n.range, "break");
  }
  void visit(ast::ContinueStmt& n) override {
    if (!loops_) ctx_.diags.report(DiagKind::OutsideLoop, n.range, "continue");
  }
  void visit(ast::TryStmt& n) override {
    n.body->accept(*this);
    if (n.catchVar)
      if (Variable* v = variableOf(n.catchVar.get())) mark(*v, true, false);
    n.handler->accept(*this);
  }

  // The globals each function writes, itself or through what it calls.
  void computeWrites() {
    struct Direct : ast::Visitor {
      const Program& program;
      std::unordered_set<Variable*> writes;
      std::vector<OverloadGroup*> callees;
      explicit Direct(const Program& p) : program(p) {}
      void target(ast::Expr& e) {
        ast::Expr* base = &e;
        if (auto* index = dynamic_cast<ast::IndexExpr*>(&e)) base = index->base.get();
        if (auto* sym = dynamic_cast<ast::Symbol*>(base)) {
          auto it = program.variables.find(sym);
          if (it != program.variables.end() && it->second->kind == Variable::Kind::Global) writes.insert(it->second);
        }
      }
      void visit(ast::AssignExpr& n) override {
        target(*n.lhs);
        Visitor::visit(n);
      }
      void visit(ast::IncDecExpr& n) override {
        target(*n.operand);
        Visitor::visit(n);
      }
      void visit(ast::DeleteStmt& n) override {
        target(*n.target);
        Visitor::visit(n);
      }
      void visit(ast::CallExpr& n) override {
        auto it = program.calls.find(&n);
        if (it != program.calls.end()) callees.push_back(it->second);
        Visitor::visit(n);
      }
    };
    std::unordered_map<Function*, std::vector<OverloadGroup*>> callees;
    for (auto& f : program_.functions) {
      if (!f->used || !f->decl->body) continue;
      Direct direct(program_);
      f->decl->body->accept(direct);
      writes_[f.get()] = std::move(direct.writes);
      callees[f.get()] = std::move(direct.callees);
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (auto& [f, groups] : callees)
        for (OverloadGroup* g : groups)
          for (Function* callee : g->members)
            for (Variable* v : writes_[callee]) changed |= writes_[f].insert(v).second;
    }
  }

  Context& ctx_;
  Program& program_;
  std::unordered_map<Function*, std::unordered_set<Variable*>> writes_;
  Probe* probe_ = nullptr;
  Function* function_ = nullptr;
  int loops_ = 0;
  bool inCondition_ = false;
  std::vector<std::pair<Variable*, SourceRange>> iterating_;
};

}  // namespace

void checkUsage(Context& ctx) { UsageChecker(ctx).run(); }

}  // namespace utap::sema
