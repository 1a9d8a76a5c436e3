// Statements: one C statement (or a few) per script statement, each counted
// against MAXACTION.
#include "codegen/body_emitter.h"

namespace utap::codegen {

BodyEmitter::BodyEmitter(const sema::Program& program, const SourceManager& sources, Diagnostics& diags,
                         const Layout& layout, CWriter& out, Frame& frame, const sema::Function* function,
                         std::unordered_map<const sema::Variable*, int>& sortSlots, RegexTables& regexes)
    : program_(program),
      sources_(sources),
      diags_(diags),
      layout_(layout),
      out_(out),
      frame_(frame),
      function_(function),
      sortSlots_(sortSlots),
      regexes_(regexes) {}

void BodyEmitter::block(const ast::Block& b) {
  for (const auto& s : b.stmts) stmt(*s);
}

void BodyEmitter::loopBody(const ast::Stmt& body, const std::string& breakLabel, const std::string& continueLabel) {
  loops_.emplace_back(breakLabel, continueLabel);
  // Statements count themselves; an empty body is counted here, so that
  // `while (1) {}` still ends at MAXACTION.
  auto* b = dynamic_cast<const ast::Block*>(&body);
  if (dynamic_cast<const ast::EmptyStmt*>(&body) || (b && b->stmts.empty()))
    out_.line("utap_action(c, " + errorLabel() + ");");
  stmt(body);
  loops_.pop_back();
}

void BodyEmitter::stmt(const ast::Stmt& s) {
  if (auto* n = dynamic_cast<const ast::Block*>(&s)) return block(*n);
  if (dynamic_cast<const ast::EmptyStmt*>(&s)) return;
  if (auto* n = dynamic_cast<const ast::ExprStmt*>(&s)) {
    // MAXACTION names the statement's first identifier, as stap does.
    const ast::Expr* first = n->expr.get();
    for (;;) {
      if (auto* a = dynamic_cast<const ast::AssignExpr*>(first))
        first = a->lhs.get();
      else if (auto* i = dynamic_cast<const ast::IndexExpr*>(first))
        first = i->base.get();
      else if (auto* d = dynamic_cast<const ast::IncDecExpr*>(first); d && !d->prefix)
        first = d->operand.get();
      else if (auto* bin = dynamic_cast<const ast::BinaryExpr*>(first))
        first = bin->lhs.get();
      else
        break;
    }
    std::string name;
    if (auto* sym = dynamic_cast<const ast::Symbol*>(first)) name = sym->name;
    if (auto* call = dynamic_cast<const ast::CallExpr*>(first)) name = call->name;
    if (name.empty())
      out_.line("utap_action(c, " + errorLabel() + ");");
    else
      out_.line("utap_action_at(c, " + errorLabel() + ", " + near("identifier '" + name + "'", *first) + ");");
    // The common statements read as plain C; the rest as an expression.
    if (auto* a = dynamic_cast<const ast::AssignExpr*>(n->expr.get()); a && a->op == ast::AssignOp::Assign) {
      if (const sema::Variable* v = variableOf(*a->lhs); v && v->arity <= 0 && v->type != sema::Type::Stats) {
        std::string value = expr(*a->rhs);
        out_.line(v->type == sema::Type::String ? "utap_string_copy(" + storage(*v) + ", " + value + ");"
                                                : storage(*v) + " = " + value + ";");
        return;
      }
    }
    if (auto* i = dynamic_cast<const ast::IncDecExpr*>(n->expr.get()))
      if (const sema::Variable* v = variableOf(*i->operand); v && v->arity <= 0) {
        std::string x = storage(*v);
        out_.line(x + " = " + (i->increment ? "utap_add(" : "utap_sub(") + x + ", 1);");
        return;
      }
    out_.line("(void)" + expr(*n->expr) + ";");
    return;
  }
  if (auto* n = dynamic_cast<const ast::IfStmt*>(&s)) {
    out_.line("utap_action(c, " + errorLabel() + ");");
    out_.open("if (" + expr(*n->cond) + ")");
    stmt(*n->then);
    if (n->otherwise) {
      out_.chain("} else {");
      stmt(*n->otherwise);
    }
    out_.close();
    return;
  }
  if (auto* n = dynamic_cast<const ast::WhileStmt*>(&s)) {
    out_.open("while (" + expr(*n->cond) + ")");
    loopBody(*n->body, "", "");
    out_.close();
    return;
  }
  if (auto* n = dynamic_cast<const ast::ForStmt*>(&s)) {
    std::string head = "for (";
    head += n->init ? "(void)(" + expr(*n->init) + ")" : "";
    head += "; ";
    head += n->cond ? expr(*n->cond) : "";
    head += "; ";
    head += n->step ? "(void)(" + expr(*n->step) + ")" : "";
    out_.open(head + ")");
    loopBody(*n->body, "", "");
    out_.close();
    return;
  }
  if (auto* n = dynamic_cast<const ast::ForeachStmt*>(&s)) return foreachStmt(*n);
  if (auto* n = dynamic_cast<const ast::DeleteStmt*>(&s)) return deleteStmt(*n);
  if (auto* n = dynamic_cast<const ast::ReturnStmt*>(&s)) return returnStmt(*n);
  if (auto* n = dynamic_cast<const ast::TryStmt*>(&s)) return tryStmt(*n);
  if (dynamic_cast<const ast::NextStmt*>(&s)) {
    // In a function, `next` passes the call to the next overload; in a
    // probe it ends this hit normally.
    if (function_) out_.line("c->next = true;");
    out_.line("goto out;");
    return;
  }
  if (dynamic_cast<const ast::BreakStmt*>(&s)) return out_.line("break;");
  if (dynamic_cast<const ast::ContinueStmt*>(&s)) return out_.line("continue;");
}

void BodyEmitter::returnStmt(const ast::ReturnStmt& n) {
  out_.line("utap_action(c, " + errorLabel() + ");");
  if (n.value && function_) {
    if (function_->returnType == sema::Type::String)
      out_.line("utap_string_copy(ret, " + expr(*n.value) + ");");
    else
      out_.line("l->__retval = " + expr(*n.value) + ";");
  }
  out_.line("goto out;");
}

void BodyEmitter::tryStmt(const ast::TryStmt& n) {
  std::string caught = label("catch_"), done = label("try_done_");
  out_.line("/* try */");
  errorLabels_.push_back(caught);
  block(*n.body);
  errorLabels_.pop_back();
  out_.line("goto " + done + ";");
  out_.flush(caught + ":");
  // abort() is not an error a script can catch.
  out_.line("if (unlikely(c->aborted))");
  out_.line("\tgoto " + errorLabel() + ";");
  const sema::Variable* v = n.catchVar ? variableOf(*n.catchVar) : nullptr;
  out_.line("utap_catch(c, " + (v ? storage(*v) : std::string("NULL")) + ");");
  block(*n.handler);
  out_.flush(done + ":;");
}

}  // namespace utap::codegen
