// Statements.
#include "parse/builder.h"

namespace utap::parse::build {

std::unique_ptr<Block> Builder::block(UtapParser::BlockContext* ctx) {
  auto b = make<Block>(ctx);
  b->stmts.reserve(ctx->stmts.size());
  for (auto* s : ctx->stmts) b->stmts.push_back(statement(s));
  return b;
}

StmtPtr Builder::statement(UtapParser::StatementContext* ctx) {
  guard();
  switch (leadToken(ctx)) {
    case UtapLexer::LBRACE:
      return block(ctx->inner);
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
      auto s = make<ExprStmt>(ctx);
      s->expr = expr(ctx->e);
      return s;
    }
  }
}

StmtPtr Builder::ifStmt(UtapParser::StatementContext* c) {
  auto s = make<IfStmt>(c);
  s->cond = expr(c->cond);
  s->then = statement(c->then);
  if (c->otherwise) s->otherwise = statement(c->otherwise);
  return s;
}

StmtPtr Builder::whileStmt(UtapParser::StatementContext* c) {
  auto s = make<WhileStmt>(c);
  s->cond = expr(c->cond);
  s->body = statement(c->body);
  return s;
}

StmtPtr Builder::forStmt(UtapParser::StatementContext* c) {
  auto s = make<ForStmt>(c);
  if (c->init) s->init = expr(c->init);
  if (c->cond) s->cond = expr(c->cond);
  if (c->step) s->step = expr(c->step);
  s->body = statement(c->body);
  return s;
}

StmtPtr Builder::deleteStmt(UtapParser::StatementContext* c) {
  auto s = make<DeleteStmt>(c);
  s->target = expr(c->e, /*wildcardsAllowed=*/true);
  Expr* t = s->target.get();
  if (!dynamic_cast<Symbol*>(t) && !dynamic_cast<IndexExpr*>(t) && !dynamic_cast<TargetExpr*>(t))
    diags_.report(DiagKind::BadDeleteTarget, t->range);
  return s;
}

StmtPtr Builder::returnStmt(UtapParser::StatementContext* c) {
  auto s = make<ReturnStmt>(c);
  if (!inFunction_) diags_.report(DiagKind::ReturnOutsideFunction, range(c->ret));
  if (c->e) {
    s->value = expr(c->e);
  } else if (!c->semi) {
    // Like stap, a bare 'return' ends at ';' or '}', so "return return"
    // or "return if" is a mistake rather than two statements.
    size_t next = c->ret->getTokenIndex() + 1;
    if (next < tokens_.size() && tokens_[next].type != UtapLexer::RBRACE)
      diags_.report(DiagKind::ReturnWithoutValue, tokens_[next].range);
  }
  return s;
}

StmtPtr Builder::tryStmt(UtapParser::StatementContext* c) {
  auto s = make<TryStmt>(c);
  s->body = block(c->inner);
  if (c->var) s->catchVar = symbol(c->var);
  s->handler = block(c->handler);
  return s;
}

Sort Builder::sortOf(antlr4::Token* t) {
  if (!t) return Sort::None;
  size_t type = t->getType();
  return type == UtapLexer::PLUS || type == UtapLexer::POS ? Sort::Ascending : Sort::Descending;
}

std::unique_ptr<Symbol> Builder::symbol(antlr4::Token* ident) {
  auto s = std::make_unique<Symbol>();
  s->range = range(ident);
  s->name = text(ident);
  return s;
}

StmtPtr Builder::foreachStmt(UtapParser::StatementContext* c) {
  auto s = make<ForeachStmt>(c);
  auto* head = c->head;
  std::vector<antlr4::Token*> sorts;
  if (head->value) s->value = symbol(head->value);
  auto* keys = head->keys;
  s->bracketed = keys->one == nullptr;
  auto addKey = [&](UtapParser::ForeachKeyContext* k) {
    ForeachKey key{symbol(k->name), sortOf(k->sort)};
    if (k->sort) sorts.push_back(k->sort);
    s->keys.push_back(std::move(key));
  };
  if (keys->one) addKey(keys->one);
  for (auto* k : keys->many) addKey(k);
  if (s->keys.size() > 9) diags_.report(DiagKind::TooManyIndexes, range(keys), s->keys.size());
  auto* src = head->src;
  if (src->stat) {
    s->source = statOp(src->stat);
  } else if (src->idx) {
    auto idx = make<IndexExpr>(src);
    idx->base = symbol(src->arr);
    indexList(src->idx, idx->keys, true);
    // From the name to the ']' after the index list.
    idx->range = SourceRange::spanning(range(src->arr), rangeAt(src->idx->getStop()->getTokenIndex() + 1));
    s->source = std::move(idx);
  } else {
    s->source = symbol(src->arr);
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
      diags_.report(DiagKind::SyntaxError, range(src->aggregate),
                    fmt::format("'{}' in foreach must be followed by '+' or '-' to sort by it", text(src->aggregate)));
  }
  if (sorts.size() > 1) diags_.report(DiagKind::MultipleSorts, range(sorts[1]));
  if (head->limit) s->limit = expr(head->limit);
  s->body = statement(c->body);
  return s;
}

}  // namespace utap::parse::build
