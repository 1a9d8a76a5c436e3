// Statements.
#include "parse/builder.h"

namespace utap::parse::build {

std::unique_ptr<Block> Builder::block(UtapParser::BlockContext* ctx) {
  auto b = make<Block>(ctx);
  for (auto* s : ctx->statement()) b->stmts.push_back(statement(s));
  return b;
}

StmtPtr Builder::statement(UtapParser::StatementContext* ctx) {
  guard();
  switch (leadToken(ctx)) {
    case UtapLexer::LBRACE:
      return block(ctx->block(0));
    case UtapLexer::SEMI:
      return make<EmptyStmt>(ctx);
    case UtapLexer::IF:
      return ifStmt(ctx);
    case UtapLexer::WHILE:
      return whileStmt(ctx);
    case UtapLexer::FOR:
      return forStmt(ctx);
    case UtapLexer::FOREACH:
      return foreachStmt(ctx);
    case UtapLexer::DELETE:
      return deleteStmt(ctx);
    case UtapLexer::RETURN:
      return returnStmt(ctx);
    case UtapLexer::TRY:
      return tryStmt(ctx);
    case UtapLexer::NEXT:
      return make<NextStmt>(ctx);
    case UtapLexer::BREAK:
      return make<BreakStmt>(ctx);
    case UtapLexer::CONTINUE:
      return make<ContinueStmt>(ctx);
    default: {
      auto* c = ctx;
      auto s = make<ExprStmt>(c);
      s->expr = stmtExpr(c->stmtExpr());
      return s;
    }
  }
}

StmtPtr Builder::ifStmt(UtapParser::StatementContext* c) {
  auto s = make<IfStmt>(c);
  s->cond = expr(c->expr(0));
  s->then = statement(c->statement(0));
  if (c->ELSE()) s->otherwise = statement(c->statement(1));
  return s;
}

StmtPtr Builder::whileStmt(UtapParser::StatementContext* c) {
  auto s = make<WhileStmt>(c);
  s->cond = expr(c->expr(0));
  s->body = statement(c->statement(0));
  return s;
}

StmtPtr Builder::forStmt(UtapParser::StatementContext* c) {
  auto s = make<ForStmt>(c);
  if (c->init) s->init = expr(c->init);
  if (c->cond) s->cond = expr(c->cond);
  if (c->step) s->step = expr(c->step);
  s->body = statement(c->statement(0));
  return s;
}

StmtPtr Builder::deleteStmt(UtapParser::StatementContext* c) {
  auto s = make<DeleteStmt>(c);
  s->target = expr(c->expr(0), /*wildcardsAllowed=*/true);
  Expr* t = s->target.get();
  if (!dynamic_cast<Symbol*>(t) && !dynamic_cast<IndexExpr*>(t) && !dynamic_cast<TargetExpr*>(t))
    diags_.report(DiagKind::BadDeleteTarget, t->range);
  return s;
}

StmtPtr Builder::returnStmt(UtapParser::StatementContext* c) {
  auto s = make<ReturnStmt>(c);
  if (!inFunction_) diags_.report(DiagKind::ReturnOutsideFunction, range(c->RETURN()->getSymbol()));
  if (c->expr(0)) {
    s->value = expr(c->expr(0));
  } else if (!c->SEMI(0)) {
    // Like stap, a bare 'return' ends at ';' or '}', so "return return"
    // or "return if" is a mistake rather than two statements.
    size_t next = c->RETURN()->getSymbol()->getTokenIndex() + 1;
    if (next < tokens_.size() && tokens_[next].type != UtapLexer::RBRACE)
      diags_.report(DiagKind::ReturnWithoutValue, tokens_[next].range);
  }
  return s;
}

StmtPtr Builder::tryStmt(UtapParser::StatementContext* c) {
  auto s = make<TryStmt>(c);
  s->body = block(c->block(0));
  if (c->IDENT()) {
    s->catchVar = std::make_unique<Symbol>();
    s->catchVar->range = range(c->IDENT()->getSymbol());
    s->catchVar->name = c->IDENT()->getText();
  }
  s->handler = block(c->block(1));
  return s;
}

Sort Builder::sortOf(antlr4::Token* t) {
  if (!t) return Sort::None;
  return t->getType() == UtapLexer::PLUS ? Sort::Ascending : Sort::Descending;
}

std::unique_ptr<Symbol> Builder::symbol(antlr4::tree::TerminalNode* ident) {
  auto s = std::make_unique<Symbol>();
  s->range = range(ident->getSymbol());
  s->name = ident->getText();
  return s;
}

StmtPtr Builder::foreachStmt(UtapParser::StatementContext* c) {
  auto s = make<ForeachStmt>(c);
  auto* head = c->foreachHead();
  std::vector<antlr4::Token*> sorts;
  if (head->value) {
    s->value = std::make_unique<Symbol>();
    s->value->range = range(head->value);
    s->value->name = head->value->getText();
  }
  auto* keys = head->foreachKeys();
  s->bracketed = keys->LBRACKET() != nullptr;
  for (auto* k : keys->foreachKey()) {
    ForeachKey key{symbol(k->IDENT()), sortOf(k->sort)};
    if (k->sort) sorts.push_back(k->sort);
    s->keys.push_back(std::move(key));
  }
  if (s->keys.size() > 9) diags_.report(DiagKind::TooManyIndexes, range(keys), s->keys.size());
  auto* src = head->foreachSource();
  if (src->statOp()) {
    s->source = statOp(src->statOp());
  } else if (src->indexList()) {
    auto idx = make<IndexExpr>(src);
    idx->base = symbol(src->IDENT());
    indexList(src->indexList(), idx->keys, true);
    idx->range = SourceRange::spanning(range(src->IDENT()->getSymbol()), range(src->RBRACKET()->getSymbol()));
    s->source = std::move(idx);
  } else {
    s->source = symbol(src->IDENT());
  }
  s->valueSort = sortOf(src->sort);
  if (src->sort) sorts.push_back(src->sort);
  if (head->valueSort) {
    s->valueSort = sortOf(head->valueSort);
    sorts.insert(sorts.begin(), head->valueSort);
  }
  if (src->aggregate) {
    static const std::pair<size_t, StatOp> aggregates[] = {{UtapLexer::AT_COUNT, StatOp::Count},
                                                           {UtapLexer::AT_SUM, StatOp::Sum},
                                                           {UtapLexer::AT_MIN, StatOp::Min},
                                                           {UtapLexer::AT_MAX, StatOp::Max},
                                                           {UtapLexer::AT_AVG, StatOp::Avg},
                                                           {UtapLexer::AT_VARIANCE, StatOp::Variance}};
    for (auto& [type, op] : aggregates)
      if (src->aggregate->getType() == type) s->sortAggregate = op;
    if (!src->sort)
      diags_.report(
          DiagKind::SyntaxError, range(src->aggregate),
          fmt::format("'{}' in foreach must be followed by '+' or '-' to sort by it", src->aggregate->getText()));
  }
  if (sorts.size() > 1) diags_.report(DiagKind::MultipleSorts, range(sorts[1]));
  if (head->expr()) s->limit = expr(head->expr());
  s->body = statement(c->statement(0));
  return s;
}

}  // namespace utap::parse::build
