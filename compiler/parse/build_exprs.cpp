// Expressions: sequences folded by precedence, operands, target variables,
// '@' operators, print calls.
#include "parse/builder.h"

namespace utap::parse::build {

namespace {

// The output functions whose first argument may be a literal format or
// delimiter, parsed into PrintCall.
constexpr PrintFunction kPrintFunctions[] = {
    {"print", PrintCall::Kind::Print},       {"sprint", PrintCall::Kind::Print},
    {"println", PrintCall::Kind::Println},   {"sprintln", PrintCall::Kind::Println},
    {"printf", PrintCall::Kind::Printf},     {"sprintf", PrintCall::Kind::Printf},
    {"printd", PrintCall::Kind::Printd},     {"sprintd", PrintCall::Kind::Printd},
    {"printdln", PrintCall::Kind::Printdln}, {"sprintdln", PrintCall::Kind::Printdln},
};

}  // namespace

const PrintFunction* Builder::printFunction(std::string_view name) {
  for (const PrintFunction& f : kPrintFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

void Builder::indexList(UtapParser::IndexListContext* ctx, std::vector<ExprPtr>& out, bool wildcardsAllowed) {
  for (auto* item : ctx->indexItem()) {
    if (item->STAR()) {
      if (!wildcardsAllowed) diags_.report(DiagKind::WildcardIndex, range(item));
      out.push_back(nullptr);
    } else {
      out.push_back(expr(item->expr()));
    }
  }
  if (out.size() > 9) diags_.report(DiagKind::TooManyIndexes, range(ctx), out.size());
}

void Builder::requireAssignable(const Expr& e, const std::string& what) {
  if (dynamic_cast<const Symbol*>(&e) || dynamic_cast<const IndexExpr*>(&e)) return;
  if (auto* t = dynamic_cast<const TargetExpr*>(&e); t && !t->addressOf && t->pretty == Pretty::None) return;
  diags_.report(DiagKind::NotAssignable, e.range, what);
}

std::optional<BinaryOp> Builder::binaryOp(size_t type) {
  switch (type) {
    case UtapLexer::STAR:
      return BinaryOp::Mul;
    case UtapLexer::SLASH:
      return BinaryOp::Div;
    case UtapLexer::MOD:
      return BinaryOp::Mod;
    case UtapLexer::PLUS:
      return BinaryOp::Add;
    case UtapLexer::MINUS:
      return BinaryOp::Sub;
    case UtapLexer::DOT:
      return BinaryOp::Concat;
    case UtapLexer::SHL:
      return BinaryOp::Shl;
    case UtapLexer::SHR:
      return BinaryOp::Shr;
    case UtapLexer::LT:
      return BinaryOp::Lt;
    case UtapLexer::LE:
      return BinaryOp::Le;
    case UtapLexer::GT:
      return BinaryOp::Gt;
    case UtapLexer::GE:
      return BinaryOp::Ge;
    case UtapLexer::EQ:
      return BinaryOp::Eq;
    case UtapLexer::NE:
      return BinaryOp::Ne;
    case UtapLexer::MATCH:
      return BinaryOp::Match;
    case UtapLexer::NOMATCH:
      return BinaryOp::NoMatch;
    case UtapLexer::AMP:
      return BinaryOp::BitAnd;
    case UtapLexer::CARET:
      return BinaryOp::BitXor;
    case UtapLexer::PIPE:
      return BinaryOp::BitOr;
    case UtapLexer::ANDAND:
      return BinaryOp::LogicalAnd;
    case UtapLexer::OROR:
      return BinaryOp::LogicalOr;
    default:
      return std::nullopt;  // an assignment operator
  }
}

AssignOp Builder::assignOp(size_t type) {
  switch (type) {
    case UtapLexer::ASSIGN:
      return AssignOp::Assign;
    case UtapLexer::PLUS_ASSIGN:
      return AssignOp::Add;
    case UtapLexer::MINUS_ASSIGN:
      return AssignOp::Sub;
    case UtapLexer::STAR_ASSIGN:
      return AssignOp::Mul;
    case UtapLexer::SLASH_ASSIGN:
      return AssignOp::Div;
    case UtapLexer::MOD_ASSIGN:
      return AssignOp::Mod;
    case UtapLexer::SHL_ASSIGN:
      return AssignOp::Shl;
    case UtapLexer::SHR_ASSIGN:
      return AssignOp::Shr;
    case UtapLexer::AND_ASSIGN:
      return AssignOp::BitAnd;
    case UtapLexer::XOR_ASSIGN:
      return AssignOp::BitXor;
    case UtapLexer::OR_ASSIGN:
      return AssignOp::BitOr;
    case UtapLexer::DOT_ASSIGN:
      return AssignOp::Concat;
    default:
      return AssignOp::Aggregate;
  }
}

// Folds "operand (op operand)*" by precedence: a shunting-yard over the
// tails, iterative, so long chains cost no recursion.
// An operand written "[k1, k2] in arr" without parentheses.
bool Builder::isBareTupleIn(UtapParser::UnaryContext* u) {
  return u && u->prefix.empty() && u->primary() && leadToken(u->primary()) == UtapLexer::LBRACKET;
}

ExprPtr Builder::fold(ExprPtr first, const std::vector<UtapParser::ExprTailContext*>& tails, bool firstIsIn) {
  struct Pending {
    int precedence;
    UtapParser::ExprTailContext* tail;
    ExprPtr middle;  // the 'then' of '?:'
  };
  std::vector<ExprPtr> operands;
  std::vector<Pending> ops;
  operands.push_back(std::move(first));
  auto reduce = [&] {
    Pending op = std::move(ops.back());
    ops.pop_back();
    ExprPtr rhs = std::move(operands.back());
    operands.pop_back();
    ExprPtr lhs = std::move(operands.back());
    operands.pop_back();
    operands.push_back(combine(op.tail, std::move(lhs), std::move(op.middle), std::move(rhs)));
  };
  bool lastWasIn = firstIsIn;  // stap ends the expression after "k in arr"
  for (auto* tail : tails) {
    size_t kind = leadToken(tail);
    if (lastWasIn && kind != UtapLexer::QUESTION) {
      std::optional<BinaryOp> op = kind == UtapLexer::IN ? std::nullopt : binaryOp(tail->op->getType());
      if (kind == UtapLexer::IN || (op && precedenceOf(*op) >= kIn))
        diags_.report(DiagKind::InNeedsParens, range(tail->getStart()), tail->getStart()->getText());
    }
    lastWasIn = kind == UtapLexer::IN || (kind != UtapLexer::QUESTION && isBareTupleIn(tail->unary()));
    if (kind == UtapLexer::IN) {
      auto* in = static_cast<UtapParser::ExprTailContext*>(tail);
      while (!ops.empty() && ops.back().precedence > kIn) reduce();
      auto e = std::make_unique<InExpr>();
      e->keys.push_back(std::move(operands.back()));
      operands.pop_back();
      e->array = symbol(in->IDENT());
      e->range = SourceRange::spanning(e->keys[0]->range, e->array->range);
      operands.push_back(std::move(e));
      continue;
    }
    int precedence = kTernary;
    bool rightAssoc = true;
    ExprPtr middle;
    if (kind != UtapLexer::QUESTION) {
      auto* b = static_cast<UtapParser::ExprTailContext*>(tail);
      if (auto op = binaryOp(b->op->getType())) {
        precedence = precedenceOf(*op);
        rightAssoc = false;
      } else {
        precedence = kAssign;
      }
    } else {
      middle = expr(static_cast<UtapParser::ExprTailContext*>(tail)->expr());
    }
    while (!ops.empty() && (ops.back().precedence > precedence || (ops.back().precedence == precedence && !rightAssoc)))
      reduce();
    ops.push_back({precedence, tail, std::move(middle)});
    auto* operand = kind != UtapLexer::QUESTION ? static_cast<UtapParser::ExprTailContext*>(tail)->unary()
                                                : static_cast<UtapParser::ExprTailContext*>(tail)->unary();
    operands.push_back(unary(operand));
  }
  while (!ops.empty()) reduce();
  return std::move(operands.back());
}

ExprPtr Builder::combine(UtapParser::ExprTailContext* tail, ExprPtr lhs, ExprPtr middle, ExprPtr rhs) {
  SourceRange span = SourceRange::spanning(lhs->range, rhs->range);
  if (middle) {
    auto e = std::make_unique<TernaryExpr>();
    e->range = span;
    e->cond = std::move(lhs);
    e->then = std::move(middle);
    e->otherwise = std::move(rhs);
    return e;
  }
  auto* b = static_cast<UtapParser::ExprTailContext*>(tail);
  std::optional<BinaryOp> op = binaryOp(b->op->getType());
  if (!op) {
    auto e = std::make_unique<AssignExpr>();
    e->range = span;
    e->op = assignOp(b->op->getType());
    requireAssignable(*lhs, fmt::format("the left side of '{}'", spelling(e->op)));
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return e;
  }
  auto e = std::make_unique<BinaryExpr>();
  e->range = span;
  e->op = *op;
  if (*op == BinaryOp::Match || *op == BinaryOp::NoMatch) {
    auto* inner = dynamic_cast<BinaryExpr*>(lhs.get());
    if (inner && (inner->op == BinaryOp::Match || inner->op == BinaryOp::NoMatch))
      diags_.report(DiagKind::ChainedRegex, range(b->op));
    else if (!dynamic_cast<StringLit*>(rhs.get()))
      diags_.report(
          DiagKind::SyntaxError, rhs->range,
          fmt::format("the right side of '{}' must be a string literal (a regular expression)", spelling(*op)));
  }
  e->lhs = std::move(lhs);
  e->rhs = std::move(rhs);
  return e;
}

// `wildcards`: a lone "arr[*, k]" is allowed here (delete's operand).
ExprPtr Builder::expr(UtapParser::ExprContext* ctx, bool wildcards) {
  guard();
  bool lone = wildcards && ctx->exprTail().empty() && ctx->unary()->prefix.empty();
  return fold(unary(ctx->unary(), lone), ctx->exprTail(), isBareTupleIn(ctx->unary()));
}

ExprPtr Builder::stmtExpr(UtapParser::StmtExprContext* ctx) {
  guard();
  auto* u = ctx->stmtUnary();
  ExprPtr first;
  if (!u->prefix.empty())
    first = prefixed(u->prefix, unary(u->unary()));
  else
    first = crement(u, u->pre, u->post, u->pre ? primary(u->primary(), false) : stmtPrimary(u->stmtPrimary(), false));
  return fold(std::move(first), ctx->exprTail());
}

ExprPtr Builder::unary(UtapParser::UnaryContext* ctx, bool wildcards) {
  guard();
  return prefixed(ctx->prefix, crement(ctx, ctx->pre, ctx->post, primary(ctx->primary(), wildcards)));
}

// Applies prefix operators, innermost (rightmost) first.
ExprPtr Builder::prefixed(const std::vector<antlr4::Token*>& prefix, ExprPtr operand) {
  for (auto it = prefix.rbegin(); it != prefix.rend(); ++it) {
    auto e = std::make_unique<UnaryExpr>();
    size_t t = (*it)->getType();
    e->op = t == UtapLexer::PLUS    ? UnaryOp::Plus
            : t == UtapLexer::MINUS ? UnaryOp::Minus
            : t == UtapLexer::BANG  ? UnaryOp::Not
                                    : UnaryOp::BitNot;
    e->range = SourceRange::spanning(range(*it), operand->range);
    e->operand = std::move(operand);
    operand = std::move(e);
  }
  return operand;
}

ExprPtr Builder::crement(antlr4::ParserRuleContext* ctx, antlr4::Token* pre, antlr4::Token* post, ExprPtr operand) {
  antlr4::Token* op = pre ? pre : post;
  if (!op) return operand;
  auto e = make<IncDecExpr>(ctx);
  e->increment = op->getType() == UtapLexer::INC || op->getType() == UtapLexer::POST_INC;
  e->prefix = pre != nullptr;
  requireAssignable(*operand, fmt::format("the operand of '{}'", e->increment ? "++" : "--"));
  e->operand = std::move(operand);
  return e;
}

std::vector<ExprPtr> Builder::args(UtapParser::ArgListContext* ctx) {
  std::vector<ExprPtr> out;
  if (ctx)
    for (auto* e : ctx->expr()) out.push_back(expr(e));
  return out;
}

ExprPtr Builder::call(UtapParser::StmtPrimaryContext* c) {
  std::string name = c->IDENT()->getText();
  const PrintFunction* it = printFunction(name);
  if (!it) {
    auto e = make<CallExpr>(c);
    e->name = name;
    e->args = args(c->argList());
    return e;
  }
  auto e = make<PrintCall>(c);
  e->name = name;
  e->kind = it->kind;
  e->toString = name[0] == 's';
  e->args = args(c->argList());
  bool needsLiteral =
      e->kind == PrintCall::Kind::Printf || e->kind == PrintCall::Kind::Printd || e->kind == PrintCall::Kind::Printdln;
  if (needsLiteral) {
    if (e->args.empty()) {
      diags_.report(DiagKind::MissingFormat, range(c->RPAREN()->getSymbol()), name);
    } else if (auto* s = dynamic_cast<StringLit*>(e->args[0].get())) {
      e->format.reset(static_cast<StringLit*>(e->args[0].release()));
      (void)s;
      e->args.erase(e->args.begin());
    } else {
      diags_.report(DiagKind::FormatNotLiteral, e->args[0]->range,
                    e->kind == PrintCall::Kind::Printf ? name : name + " delimiter");
    }
  } else if (e->args.empty() && e->kind == PrintCall::Kind::Print) {
    diags_.report(DiagKind::SyntaxError, e->range, fmt::format("{} needs at least one argument", name));
  }
  return e;
}

std::unique_ptr<StatExpr> Builder::statOp(UtapParser::StatOpContext* c) {
  auto e = make<StatExpr>(c);
  static const std::pair<size_t, StatOp> ops[] = {
      {UtapLexer::AT_COUNT, StatOp::Count},      {UtapLexer::AT_SUM, StatOp::Sum},
      {UtapLexer::AT_MIN, StatOp::Min},          {UtapLexer::AT_MAX, StatOp::Max},
      {UtapLexer::AT_AVG, StatOp::Avg},          {UtapLexer::AT_VARIANCE, StatOp::Variance},
      {UtapLexer::AT_HIST_LOG, StatOp::HistLog}, {UtapLexer::AT_HIST_LINEAR, StatOp::HistLinear},
  };
  for (auto& [type, op] : ops)
    if (c->op->getType() == type) e->op = op;
  auto operands = c->expr();
  e->operand = expr(operands[0]);
  for (size_t i = 1; i < operands.size(); ++i) e->params.push_back(expr(operands[i]));
  return e;
}

// Splits a pretty-print suffix off a name: "$var$$" -> "$var", Deep.
Pretty Builder::stripPretty(std::string& name, size_t keep) {
  size_t end = name.size();
  while (end > keep && name[end - 1] == '$') --end;
  size_t dollars = name.size() - end;
  if (dollars == 0) return Pretty::None;
  name.resize(end);
  return dollars == 1 ? Pretty::Shallow : Pretty::Deep;
}

ExprPtr Builder::target(UtapParser::TargetContext* c, bool addressOf) {
  auto e = make<TargetExpr>(c);
  e->addressOf = addressOf;
  auto* base = c->targetBase();
  if (base->TARGET()) {
    e->name = base->TARGET()->getText();
    size_t keep = e->name.rfind("$$", 0) == 0 ? 2 : 1;  // "$$vars" keeps its "$$"
    e->pretty = stripPretty(e->name, keep);
    if (e->name.size() <= keep) {
      diags_.report(DiagKind::BadTargetName, range(base));
      e->name = "$?";
    }
  } else if (base->AT_CAST()) {
    e->base = TargetExpr::Base::Cast;
    e->castOperand = expr(base->expr());
    e->typeName = string(base->stringLit(0))->value;
    if (base->stringLit().size() > 1) e->module = string(base->stringLit(1))->value;
  } else {
    e->base = TargetExpr::Base::AtVar;
    e->name = string(base->stringLit(0))->value;
    if (base->stringLit().size() > 1) e->module = string(base->stringLit(1))->value;
  }
  for (auto* a : c->accessor()) {
    if (e->pretty != Pretty::None) {
      diags_.report(DiagKind::SyntaxError, range(a), "nothing may follow a pretty-print suffix '$'");
      break;
    }
    Accessor acc;
    acc.range = range(a);
    if (a->memberName()) {
      acc.member = a->memberName()->getText();
      e->pretty = stripPretty(acc.member, 0);
      if (acc.member.empty()) diags_.report(DiagKind::SyntaxError, range(a), "expected a member name after '->'");
    } else {
      acc.index = expr(a->expr());
    }
    e->path.push_back(std::move(acc));
  }
  if (c->PRETTY()) {
    if (e->pretty != Pretty::None)
      diags_.report(DiagKind::SyntaxError, range(c->PRETTY()->getSymbol()), "only one pretty-print suffix is allowed");
    e->pretty = c->PRETTY()->getText() == "$" ? Pretty::Shallow : Pretty::Deep;
  }
  return e;
}

ExprPtr Builder::primary(UtapParser::PrimaryContext* ctx, bool wildcardsAllowed) {
  switch (leadToken(ctx)) {
    case UtapLexer::LPAREN:
      return expr(static_cast<UtapParser::PrimaryContext*>(ctx)->expr());
    case UtapLexer::STRING:
      return string(static_cast<UtapParser::PrimaryContext*>(ctx)->stringLit());
    case UtapLexer::AMP: {
      ExprPtr e = target(static_cast<UtapParser::PrimaryContext*>(ctx)->target(), true);
      e->range = SourceRange::spanning(range(ctx->getStart()), e->range);
      return e;
    }
    case UtapLexer::LBRACKET:
      break;
    default:
      return stmtPrimary(static_cast<UtapParser::PrimaryContext*>(ctx)->stmtPrimary(), wildcardsAllowed);
  }
  auto* c = static_cast<UtapParser::PrimaryContext*>(ctx);
  auto e = make<InExpr>(c);
  indexList(c->indexList(), e->keys, true);
  e->array = symbol(c->IDENT());
  return e;
}

ExprPtr Builder::stmtPrimary(UtapParser::StmtPrimaryContext* ctx, bool wildcardsAllowed) {
  size_t kind = leadToken(ctx);
  if (kind == UtapLexer::IDENT && ctx->children.size() > 1) {
    auto* second = static_cast<antlr4::tree::TerminalNode*>(ctx->children[1]);
    kind = second->getSymbol()->getType() == UtapLexer::LPAREN ? UtapLexer::LPAREN : UtapLexer::LBRACKET;
  }
  switch (kind) {
    case UtapLexer::IDENT:
      kind = 0;
      break;  // a symbol
    case UtapLexer::TARGET:
    case UtapLexer::AT_CAST:
    case UtapLexer::AT_VAR:
      return target(static_cast<UtapParser::StmtPrimaryContext*>(ctx)->target(), false);
    case UtapLexer::AT_COUNT:
    case UtapLexer::AT_SUM:
    case UtapLexer::AT_MIN:
    case UtapLexer::AT_MAX:
    case UtapLexer::AT_AVG:
    case UtapLexer::AT_VARIANCE:
    case UtapLexer::AT_HIST_LOG:
    case UtapLexer::AT_HIST_LINEAR:
      kind = UtapLexer::AT_COUNT;
      break;
    default:
      break;
  }
  if (kind == 0) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    if (printFunction(c->IDENT()->getText())) {
      size_t next = c->IDENT()->getSymbol()->getTokenIndex() + 1;
      diags_.report(DiagKind::PrintNeedsParens, tokens_[std::min(next, tokens_.size() - 1)].range,
                    c->IDENT()->getText());
    }
    return symbol(c->IDENT());
  }
  if (kind == UtapLexer::NUMBER) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    auto n = make<NumberLit>(c);
    n->value = number(c->NUMBER()->getSymbol());
    return n;
  }
  if (kind == UtapLexer::LPAREN) return call(static_cast<UtapParser::StmtPrimaryContext*>(ctx));
  if (kind == UtapLexer::LBRACKET) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    auto e = make<IndexExpr>(c);
    e->base = symbol(c->IDENT());
    indexList(c->indexList(), e->keys, wildcardsAllowed);
    return e;
  }
  if (kind == UtapLexer::AT_COUNT) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    auto s = statOp(c->statOp());
    if (!c->expr(0)) return s;
    if (s->op != StatOp::HistLog && s->op != StatOp::HistLinear)
      diags_.report(DiagKind::SyntaxError, range(c->expr(0)),
                    "only histograms (@hist_log, @hist_linear) can be indexed");
    auto e = make<IndexExpr>(c);
    e->base = std::move(s);
    e->keys.push_back(expr(c->expr(0)));
    return e;
  }
  if (kind == UtapLexer::AT_DEFINED)
    return special(ctx, SpecialExpr::Kind::Defined, static_cast<UtapParser::StmtPrimaryContext*>(ctx)->expr(0));
  if (kind == UtapLexer::AT_ENTRY)
    return special(ctx, SpecialExpr::Kind::Entry, static_cast<UtapParser::StmtPrimaryContext*>(ctx)->expr(0));
  if (kind == UtapLexer::AT_KDEREF || kind == UtapLexer::AT_UDEREF) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    if (kind == UtapLexer::AT_KDEREF) requireGuru(c->op, "@kderef");
    auto kind = c->op->getType() == UtapLexer::AT_KDEREF ? SpecialExpr::Kind::KDeref : SpecialExpr::Kind::UDeref;
    auto e = make<SpecialExpr>(c);
    e->kind = kind;
    for (auto* x : c->expr()) e->operands.push_back(expr(x));
    return e;
  }
  if (kind == UtapLexer::AT_KREGISTER || kind == UtapLexer::AT_UREGISTER) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    if (kind == UtapLexer::AT_KREGISTER) requireGuru(c->op, "@kregister");
    auto kind =
        c->op->getType() == UtapLexer::AT_KREGISTER ? SpecialExpr::Kind::KRegister : SpecialExpr::Kind::URegister;
    return special(c, kind, c->expr(0));
  }
  if (kind == UtapLexer::AT_PERF) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    auto e = make<NamedOpExpr>(c);
    e->kind = NamedOpExpr::Kind::Perf;
    e->name = string(c->stringLit(0))->value;
    return e;
  }
  if (kind == UtapLexer::AT_CONST) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    requireGuru(c->AT_CONST()->getSymbol(), "@const");
    auto e = make<NamedOpExpr>(c);
    e->kind = NamedOpExpr::Kind::Const;
    e->name = string(c->stringLit(0))->value;
    if (c->stringLit().size() > 1) e->header = string(c->stringLit(1))->value;
    return e;
  }
  if (kind == UtapLexer::AT_PROBEWRITE) {
    auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
    auto e = make<NamedOpExpr>(c);
    e->kind = NamedOpExpr::Kind::ProbeWrite;
    e->name = c->IDENT()->getText();
    return e;
  }
  auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
  requireGuru(c->EMBEDDED()->getSymbol(), "an embedded C expression");
  auto e = make<EmbeddedExpr>(c);
  e->code = embeddedCode(c->EMBEDDED()->getText());
  return e;
}

ExprPtr Builder::special(antlr4::ParserRuleContext* c, SpecialExpr::Kind kind, UtapParser::ExprContext* operand) {
  auto e = make<SpecialExpr>(c);
  e->kind = kind;
  e->operands.push_back(expr(operand));
  return e;
}

// stap refuses these in a script without -g already while parsing.
void Builder::requireGuru(antlr4::Token* at, const char* what) {
  if (!guru_) diags_.report(DiagKind::EmbeddedNeedsGuru, range(at), what);
}

}  // namespace utap::parse::build
