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
  for (auto* item : ctx->items) {
    if (item->star) {
      if (!wildcardsAllowed) diags_.report(DiagKind::WildcardIndex, range(item));
      out.push_back(nullptr);
    } else {
      out.push_back(expr(item->e));
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

// An operand written "[k1, k2] in arr" without parentheses.
bool Builder::isTupleAtom(UtapParser::PostfixContext* p) {
  return p && p->accessors.empty() && !p->pretty && leadToken(p->base) == UtapLexer::TUPLE_LBRACKET;
}

bool Builder::isBareTupleIn(UtapParser::UnaryContext* u) {
  return u && u->prefix.empty() && !u->pre && !u->post && isTupleAtom(u->operand);
}

// Folds "operand (op operand)*" by precedence: a shunting-yard over the
// tails, iterative, so long chains cost no recursion.
ExprPtr Builder::fold(ExprPtr first, const std::vector<UtapParser::ExprTailContext*>& tails, bool firstIsIn) {
  if (tails.empty()) return first;
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
        diags_.report(DiagKind::InNeedsParens, range(tail->getStart()), text(tail->getStart()));
    }
    lastWasIn = kind == UtapLexer::IN || (kind != UtapLexer::QUESTION && isBareTupleIn(tail->rhs));
    if (kind == UtapLexer::IN) {
      while (!ops.empty() && ops.back().precedence > kIn) reduce();
      auto e = std::make_unique<InExpr>();
      e->keys.push_back(std::move(operands.back()));
      operands.pop_back();
      e->array = symbol(tail->arr);
      e->range = SourceRange::spanning(e->keys[0]->range, e->array->range);
      operands.push_back(std::move(e));
      continue;
    }
    int precedence = kTernary;
    bool rightAssoc = true;
    ExprPtr middle;
    if (kind != UtapLexer::QUESTION) {
      if (auto op = binaryOp(tail->op->getType())) {
        precedence = precedenceOf(*op);
        rightAssoc = false;
      } else {
        precedence = kAssign;
      }
    } else {
      middle = expr(tail->then);
    }
    while (!ops.empty() && (ops.back().precedence > precedence || (ops.back().precedence == precedence && !rightAssoc)))
      reduce();
    ops.push_back({precedence, tail, std::move(middle)});
    operands.push_back(unary(tail->rhs));
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
  std::optional<BinaryOp> op = binaryOp(tail->op->getType());
  if (!op) {
    auto e = std::make_unique<AssignExpr>();
    e->range = span;
    e->op = assignOp(tail->op->getType());
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
      diags_.report(DiagKind::ChainedRegex, range(tail->op));
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
  auto* u = ctx->first;
  bool lone = wildcards && ctx->tails.empty() && u->prefix.empty() && !u->pre && !u->post;
  return fold(unary(u, lone), ctx->tails, isBareTupleIn(u));
}

ExprPtr Builder::unary(UtapParser::UnaryContext* ctx, bool wildcards) {
  guard();
  return prefixed(ctx->prefix, crement(ctx, ctx->pre, ctx->post, postfix(ctx->operand, wildcards)));
}

// Applies prefix operators, innermost (rightmost) first.
ExprPtr Builder::prefixed(const std::vector<antlr4::Token*>& prefix, ExprPtr operand) {
  for (auto it = prefix.rbegin(); it != prefix.rend(); ++it) {
    size_t t = (*it)->getType();
    if (t == UtapLexer::UAMP) {
      operand = addressOf(*it, std::move(operand));
      continue;
    }
    auto e = std::make_unique<UnaryExpr>();
    e->op = t == UtapLexer::POS   ? UnaryOp::Plus
            : t == UtapLexer::NEG ? UnaryOp::Minus
            : t == UtapLexer::BANG ? UnaryOp::Not
                                   : UnaryOp::BitNot;
    e->range = SourceRange::spanning(range(*it), operand->range);
    e->operand = std::move(operand);
    operand = std::move(e);
  }
  return operand;
}

ExprPtr Builder::addressOf(antlr4::Token* amp, ExprPtr operand) {
  SourceRange span = SourceRange::spanning(range(amp), operand->range);
  if (auto* t = dynamic_cast<TargetExpr*>(operand.get()); t && !t->addressOf) {
    t->addressOf = true;
    t->range = span;
    return operand;
  }
  auto e = std::make_unique<TargetExpr>();
  e->base = TargetExpr::Base::Expr;
  e->castOperand = std::move(operand);
  e->addressOf = true;
  e->range = span;
  return e;
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
  if (ctx) {
    out.reserve(ctx->items.size());
    for (auto* e : ctx->items) out.push_back(expr(e));
  }
  return out;
}

ExprPtr Builder::call(UtapParser::AtomContext* c) {
  const std::string& name = text(c->name);
  const PrintFunction* it = printFunction(name);
  if (!it) {
    auto e = make<CallExpr>(c);
    e->name = name;
    e->args = args(c->args);
    return e;
  }
  auto e = make<PrintCall>(c);
  e->name = name;
  e->kind = it->kind;
  e->toString = name[0] == 's';
  e->args = args(c->args);
  bool needsLiteral =
      e->kind == PrintCall::Kind::Printf || e->kind == PrintCall::Kind::Printd || e->kind == PrintCall::Kind::Printdln;
  if (needsLiteral) {
    if (e->args.empty()) {
      diags_.report(DiagKind::MissingFormat, range(c->getStop()), name);
    } else if (dynamic_cast<StringLit*>(e->args[0].get())) {
      e->format.reset(static_cast<StringLit*>(e->args[0].release()));
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
  e->operand = expr(c->operand);
  for (auto* p : c->params) e->params.push_back(expr(p));
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

ExprPtr Builder::postfix(UtapParser::PostfixContext* ctx, bool wildcardsAllowed) {
  const auto& accessors = ctx->accessors;
  size_t used = 0;
  ExprPtr e = atom(ctx->base, wildcardsAllowed && accessors.size() <= 1, accessors, used);
  if (used == accessors.size() && !ctx->pretty) return e;
  // The rest extends a target variable's path, or makes one from any other
  // operand (stap's autocast: "(p)->f", "f(x)->g", "a[k][i]").
  auto* t = dynamic_cast<TargetExpr*>(e.get());
  if (used < accessors.size() && (!t || t->addressOf)) {
    auto cast = std::make_unique<TargetExpr>();
    cast->base = TargetExpr::Base::Expr;
    cast->range = e->range;
    cast->castOperand = std::move(e);
    t = cast.get();
    e = std::move(cast);
  }
  for (size_t i = used; i < accessors.size(); ++i) {
    auto* a = accessors[i];
    if (t->pretty != Pretty::None) {
      diags_.report(DiagKind::SyntaxError, range(a), "nothing may follow a pretty-print suffix '$'");
      break;
    }
    if (a->suffix) {
      // stap's printed form of a pretty-print suffix: "$p->$".
      t->pretty = text(a->suffix) == "$" ? Pretty::Shallow : Pretty::Deep;
      continue;
    }
    Accessor acc;
    acc.range = range(a);
    if (a->member) {
      acc.member = text(a->member->name);
      t->pretty = stripPretty(acc.member, 0);
      if (acc.member.empty()) diags_.report(DiagKind::SyntaxError, range(a), "expected a member name after '->'");
    } else {
      const auto& items = a->idx->items;
      if (items.size() != 1 || items[0]->star) diags_.report(DiagKind::IndexOneExpression, range(a));
      if (items[0]->e) acc.index = expr(items[0]->e);
      if (!acc.index) break;
    }
    t->path.push_back(std::move(acc));
  }
  if (t) t->range = SourceRange::spanning(t->range, range(ctx));
  if (ctx->pretty) {
    if (!t) {
      diags_.report(DiagKind::PrettyNotTarget, range(ctx->pretty));
    } else {
      if (t->pretty != Pretty::None)
        diags_.report(DiagKind::SyntaxError, range(ctx->pretty), "only one pretty-print suffix is allowed");
      t->pretty = text(ctx->pretty) == "$" ? Pretty::Shallow : Pretty::Deep;
    }
  }
  return e;
}

ExprPtr Builder::atom(UtapParser::AtomContext* c, bool wildcardsAllowed,
                      const std::vector<UtapParser::AccessorContext*>& accessors, size_t& used) {
  size_t kind = leadToken(c);
  switch (kind) {
    case UtapLexer::NUMBER: {
      auto n = make<NumberLit>(c);
      n->value = number(c->num);
      return n;
    }
    case UtapLexer::STRING:
      return string(c->str);
    case UtapLexer::IDENT: {
      if (c->call) return call(c);
      if (!accessors.empty() && accessors[0]->idx) {
        // The first '[...]' after a name indexes the array of that name.
        used = 1;
        auto e = make<IndexExpr>(c);
        e->base = symbol(c->name);
        indexList(accessors[0]->idx, e->keys, wildcardsAllowed);
        e->range = SourceRange::spanning(e->range, range(accessors[0]));
        return e;
      }
      if (printFunction(text(c->name)))
        diags_.report(DiagKind::PrintNeedsParens, rangeAt(c->name->getTokenIndex() + 1), text(c->name));
      return symbol(c->name);
    }
    case UtapLexer::TARGET: {
      auto e = make<TargetExpr>(c);
      e->name = text(c->target);
      size_t keep = e->name.rfind("$$", 0) == 0 ? 2 : 1;  // "$$vars" keeps its "$$"
      e->pretty = stripPretty(e->name, keep);
      if (e->name.size() <= keep) {
        diags_.report(DiagKind::BadTargetName, range(c));
        e->name = "$?";
      }
      return e;
    }
    case UtapLexer::AT_CAST: {
      auto e = make<TargetExpr>(c);
      e->base = TargetExpr::Base::Cast;
      e->castOperand = expr(c->operand);
      e->typeName = string(c->typeName)->value;
      if (c->module) e->module = string(c->module)->value;
      return e;
    }
    case UtapLexer::AT_VAR: {
      auto e = make<TargetExpr>(c);
      e->base = TargetExpr::Base::AtVar;
      e->name = string(c->str)->value;
      if (c->module) e->module = string(c->module)->value;
      return e;
    }
    case UtapLexer::AT_COUNT:
    case UtapLexer::AT_SUM:
    case UtapLexer::AT_MIN:
    case UtapLexer::AT_MAX:
    case UtapLexer::AT_AVG:
    case UtapLexer::AT_VARIANCE:
    case UtapLexer::AT_HIST_LOG:
    case UtapLexer::AT_HIST_LINEAR: {
      auto s = statOp(c->stat);
      if (accessors.empty() || !accessors[0]->idx) return s;
      // "@hist_log(x)[3]": one bucket of a histogram.
      used = 1;
      if (s->op != StatOp::HistLog && s->op != StatOp::HistLinear)
        diags_.report(DiagKind::SyntaxError, range(accessors[0]->idx),
                      "only histograms (@hist_log, @hist_linear) can be indexed");
      auto e = make<IndexExpr>(c);
      e->range = SourceRange::spanning(e->range, range(accessors[0]));
      e->base = std::move(s);
      indexList(accessors[0]->idx, e->keys, false);
      if (e->keys.size() != 1) diags_.report(DiagKind::IndexOneExpression, range(accessors[0]));
      return e;
    }
    case UtapLexer::LPAREN:
      return expr(c->inner);
    case UtapLexer::TUPLE_LBRACKET: {
      auto e = make<InExpr>(c);
      indexList(c->keys, e->keys, true);
      e->array = symbol(c->arr);
      return e;
    }
    case UtapLexer::AT_DEFINED:
      return special(c, SpecialExpr::Kind::Defined, c->operand);
    case UtapLexer::AT_ENTRY:
      return special(c, SpecialExpr::Kind::Entry, c->operand);
    case UtapLexer::AT_KDEREF:
    case UtapLexer::AT_UDEREF: {
      if (kind == UtapLexer::AT_KDEREF) requireGuru(c->op, "@kderef");
      auto e = make<SpecialExpr>(c);
      e->kind = kind == UtapLexer::AT_KDEREF ? SpecialExpr::Kind::KDeref : SpecialExpr::Kind::UDeref;
      e->operands.push_back(expr(c->operand));
      e->operands.push_back(expr(c->operand2));
      return e;
    }
    case UtapLexer::AT_KREGISTER:
    case UtapLexer::AT_UREGISTER:
      if (kind == UtapLexer::AT_KREGISTER) requireGuru(c->op, "@kregister");
      return special(c, kind == UtapLexer::AT_KREGISTER ? SpecialExpr::Kind::KRegister : SpecialExpr::Kind::URegister,
                     c->operand);
    case UtapLexer::AT_PERF: {
      auto e = make<NamedOpExpr>(c);
      e->kind = NamedOpExpr::Kind::Perf;
      e->name = string(c->str)->value;
      return e;
    }
    case UtapLexer::AT_CONST: {
      requireGuru(c->getStart(), "@const");
      auto e = make<NamedOpExpr>(c);
      e->kind = NamedOpExpr::Kind::Const;
      e->name = string(c->str)->value;
      if (c->module) e->header = string(c->module)->value;
      return e;
    }
    case UtapLexer::AT_PROBEWRITE: {
      auto e = make<NamedOpExpr>(c);
      e->kind = NamedOpExpr::Kind::ProbeWrite;
      e->name = text(c->name);
      return e;
    }
    default: {
      requireGuru(c->embedded, "an embedded C expression");
      auto e = make<EmbeddedExpr>(c);
      e->code = embeddedCode(text(c->embedded));
      return e;
    }
  }
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
