#include "parse/ast_builder.h"

#include <fmt/format.h>

#include "UtapLexer.h"
#include "UtapParser.h"
#include "ast/precedence.h"
#include "ast/printer.h"
#include "base/stack_guard.h"
#include "parse/literals.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;
using grammar::UtapParser;
using namespace ast;

constexpr size_t kMaxBraceExpansions = 100'000;

class Builder {
 public:
  Builder(const Tokens& tokens, Diagnostics& diags, bool guru) : tokens_(tokens), diags_(diags), guru_(guru) {}

  void script(UtapParser::ScriptContext* ctx, File& file) {
    for (auto* d : ctx->declaration()) declaration(d, file.decls);
  }

 private:
  // ---- locations ----

  SourceRange range(antlr4::Token* t) const { return tokens_[t->getTokenIndex()].range; }
  SourceRange range(antlr4::ParserRuleContext* ctx) const {
    SourceRange r = range(ctx->getStart());
    if (ctx->getStop() && ctx->getStop()->getTokenIndex() >= ctx->getStart()->getTokenIndex())
      r = SourceRange::spanning(r, range(ctx->getStop()));
    return r;
  }
  template <typename T>
  std::unique_ptr<T> make(antlr4::ParserRuleContext* ctx) {
    auto n = std::make_unique<T>();
    n->range = range(ctx);
    return n;
  }
  void guard() {
    if (stackExhausted()) throw TooDeep();
  }

  // ---- literals ----

  int64_t number(antlr4::Token* t, bool negative = false) {
    NumberResult r = decodeNumber(t->getText());
    if (r.tooLarge) {
      diags_.report(DiagKind::NumberTooLarge, range(t), t->getText());
      return 0;
    }
    if (!r.value) {
      diags_.report(DiagKind::InvalidNumber, range(t), t->getText(), r.problem);
      return 0;
    }
    return negative ? static_cast<int64_t>(0 - static_cast<uint64_t>(*r.value)) : *r.value;
  }

  std::unique_ptr<StringLit> string(UtapParser::StringLitContext* ctx) {
    auto s = make<StringLit>(ctx);
    for (auto* t : ctx->STRING()) s->value += decodeString(t->getText());
    return s;
  }

  // A signed number or a string: probe point arguments, global initializers.
  template <typename Ctx>
  ExprPtr literal(Ctx* ctx) {
    if (ctx->stringLit()) return string(ctx->stringLit());
    auto n = make<NumberLit>(ctx);
    n->value = number(ctx->NUMBER()->getSymbol(), ctx->MINUS() != nullptr);
    return n;
  }

  // ---- declarations ----

  void declaration(UtapParser::DeclarationContext* ctx, std::vector<DeclPtr>& out) {
    if (auto* p = ctx->probeDecl()) {
      probe(p, out);
    } else if (auto* g = ctx->globalDecl()) {
      for (auto* v : g->globalVar()) out.push_back(global(v, g->PRIVATE() != nullptr));
    } else if (auto* f = ctx->functionDecl()) {
      out.push_back(function(f));
    } else {
      requireGuru(ctx->EMBEDDED()->getSymbol(), "embedded C code");
      auto e = make<EmbeddedDecl>(ctx);
      e->code = embeddedCode(ctx->EMBEDDED()->getText());
      out.push_back(std::move(e));
    }
  }

  static std::string embeddedCode(const std::string& text) { return text.substr(2, text.size() - 4); }

  void probe(UtapParser::ProbeDeclContext* ctx, std::vector<DeclPtr>& out) {
    auto points = ctx->probePoint();
    auto blocks = ctx->block();
    if (!ctx->aliasOp) {
      auto p = make<ProbeDecl>(ctx);
      for (auto* pp : points) probePoint(pp, p->points);
      p->body = block(blocks[0]);
      out.push_back(std::move(p));
      return;
    }
    auto a = make<AliasDecl>(ctx);
    // Points before the '=' or '+=' are the alias names.
    for (auto* pp : points) {
      if (pp->getStart()->getTokenIndex() < ctx->aliasOp->getTokenIndex()) {
        probePoint(pp, a->names);
      } else {
        probePoint(pp, a->points);
      }
    }
    if (a->names.size() > 1) diags_.report(DiagKind::AliasOneName, range(ctx->aliasOp));
    for (auto& n : a->names) {
      if (n.condition || n.optional || n.sufficient)
        diags_.report(DiagKind::SyntaxError, n.range, "an alias name cannot have '?', '!' or a condition");
    }
    if (ctx->aliasOp->getType() == UtapLexer::ASSIGN) {
      a->prologue = block(blocks[0]);
      if (blocks.size() > 1) a->epilogue = block(blocks[1]);
    } else {
      a->epilogue = block(blocks[0]);
      if (blocks.size() > 1)
        diags_.report(DiagKind::SyntaxError, range(blocks[1]),
                      "a '+=' alias has only an epilogue; use '=' for a prologue and an epilogue");
    }
    out.push_back(std::move(a));
  }

  // Brace expansion: a point is a sequence of components, some of which are
  // "{alt1, alt2}" groups; each combination becomes its own probe point.
  using Path = std::vector<UtapParser::ComponentContext*>;

  std::vector<Path> expandComponents(const std::vector<UtapParser::ComponentContext*>& comps) {
    std::vector<Path> paths{Path{}};
    for (auto* c : comps) {
      if (c->componentName()) {
        for (auto& p : paths) p.push_back(c);
        continue;
      }
      std::vector<Path> choices;
      for (auto* alt : c->alternative()) {
        auto sub = expandComponents(alt->component());
        choices.insert(choices.end(), sub.begin(), sub.end());
      }
      std::vector<Path> next;
      for (auto& p : paths)
        for (auto& ch : choices) {
          if (next.size() >= kMaxBraceExpansions) return next;
          Path joined = p;
          joined.insert(joined.end(), ch.begin(), ch.end());
          next.push_back(std::move(joined));
        }
      paths = std::move(next);
    }
    return paths;
  }

  void probePoint(UtapParser::ProbePointContext* ctx, std::vector<ProbePoint>& out) {
    std::vector<Path> paths = expandComponents(ctx->component());
    if (paths.size() >= kMaxBraceExpansions) {
      diags_.report(DiagKind::SyntaxError, range(ctx),
                    fmt::format("brace expansion of this probe point gives more than {} points", kMaxBraceExpansions));
      return;
    }
    for (auto& path : paths) {
      ProbePoint p;
      p.range = range(ctx);
      for (auto* c : path) p.components.push_back(component(c));
      if (ctx->mark) {
        p.optional = ctx->mark->getType() == UtapLexer::QUESTION;
        p.sufficient = !p.optional;
      }
      if (ctx->expr()) p.condition = expr(ctx->expr());
      out.push_back(std::move(p));
    }
  }

  Component component(UtapParser::ComponentContext* ctx) {
    Component c;
    c.range = range(ctx);
    auto pieces = ctx->componentName()->namePiece();
    SourceRange prev{};
    bool spaced = false;
    for (auto* piece : pieces) {
      SourceRange r = range(piece);
      if (!spaced && prev.begin.valid() &&
          (r.begin.line != prev.end.line || r.begin.column != prev.end.column + 1 || r.expansion != prev.expansion)) {
        diags_.report(DiagKind::SpacedComponentName, r, piece->getText());
        spaced = true;
      }
      c.name += piece->getText();
      prev = r;
    }
    if (auto* arg = ctx->componentArg()) c.arg = literal(arg);
    return c;
  }

  DeclPtr global(UtapParser::GlobalVarContext* ctx, bool isPrivate) {
    auto g = make<GlobalDecl>(ctx);
    g->name = ctx->IDENT()->getText();
    g->isPrivate = isPrivate;
    g->wrap = ctx->wrap != nullptr;
    if (ctx->size) {
      g->size = number(ctx->size);
      if (*g->size <= 0) diags_.report(DiagKind::SyntaxError, range(ctx->size), "an array size must be positive");
    }
    if (auto* init = ctx->globalInit()) {
      g->init = literal(init);
      if (g->size || g->wrap) diags_.report(DiagKind::ArrayInitializer, range(ctx->ASSIGN()->getSymbol()));
    }
    return g;
  }

  static Type type(UtapParser::TypeSuffixContext* ctx) {
    if (!ctx) return Type::Unknown;
    return ctx->LONG() ? Type::Long : Type::String;
  }

  DeclPtr function(UtapParser::FunctionDeclContext* ctx) {
    auto f = make<FunctionDecl>(ctx);
    f->name = ctx->IDENT()->getText();
    f->isPrivate = ctx->PRIVATE() != nullptr;
    f->returnType = type(ctx->typeSuffix());
    for (auto* p : ctx->param()) {
      for (auto& other : f->params)
        if (other.name == p->IDENT()->getText())
          diags_.report(DiagKind::SyntaxError, range(p), fmt::format("duplicate parameter '{}'", other.name));
      f->params.push_back({range(p), p->IDENT()->getText(), type(p->typeSuffix())});
    }
    if (ctx->priority) f->priority = number(ctx->priority);
    if (ctx->block()) {
      inFunction_ = true;
      f->body = block(ctx->block());
      inFunction_ = false;
    } else {
      requireGuru(ctx->EMBEDDED()->getSymbol(), "an embedded C function");
      f->embedded = embeddedCode(ctx->EMBEDDED()->getText());
      f->pragmas = pragmas(*f->embedded);
    }
    return f;
  }

  // "/* pure */", "/* pragma:read:var */": comments that carry a word and
  // nothing else are pragmas.
  static std::vector<std::string> pragmas(const std::string& code) {
    std::vector<std::string> out;
    for (size_t at = code.find("/*"); at != std::string::npos; at = code.find("/*", at + 2)) {
      size_t end = code.find("*/", at + 2);
      if (end == std::string::npos) break;
      std::string word = code.substr(at + 2, end - at - 2);
      size_t b = word.find_first_not_of(" \t\n");
      size_t e = word.find_last_not_of(" \t\n");
      if (b == std::string::npos) continue;
      word = word.substr(b, e - b + 1);
      if (word.find_first_of(" \t\n") == std::string::npos) out.push_back(word);
    }
    return out;
  }

  // ---- statements ----

  std::unique_ptr<Block> block(UtapParser::BlockContext* ctx) {
    auto b = make<Block>(ctx);
    for (auto* s : ctx->statement()) b->stmts.push_back(statement(s));
    return b;
  }

  // Which labeled alternative a context is, from its first token: the
  // grammar makes that unambiguous, and it is far cheaper than trying a
  // dynamic_cast per alternative (most of the builder's time otherwise).
  static size_t leadToken(antlr4::ParserRuleContext* ctx) { return ctx->getStart()->getType(); }

  StmtPtr statement(UtapParser::StatementContext* ctx) {
    guard();
    switch (leadToken(ctx)) {
      case UtapLexer::LBRACE: return block(static_cast<UtapParser::StatementContext*>(ctx)->block(0));
      case UtapLexer::SEMI: return make<EmptyStmt>(ctx);
      case UtapLexer::IF: return ifStmt(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::WHILE: return whileStmt(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::FOR: return forStmt(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::FOREACH: return foreach(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::DELETE: return deleteStmt(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::RETURN: return returnStmt(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::TRY: return tryStmt(static_cast<UtapParser::StatementContext*>(ctx));
      case UtapLexer::NEXT: return make<NextStmt>(ctx);
      case UtapLexer::BREAK: return make<BreakStmt>(ctx);
      case UtapLexer::CONTINUE: return make<ContinueStmt>(ctx);
      default: {
        auto* c = static_cast<UtapParser::StatementContext*>(ctx);
      auto s = make<ExprStmt>(c);
      s->expr = stmtExpr(c->stmtExpr());
      return s;
      }
    }
  }

  StmtPtr ifStmt(UtapParser::StatementContext* c) {
      auto s = make<IfStmt>(c);
      s->cond = expr(c->expr(0));
      s->then = statement(c->statement(0));
      if (c->ELSE()) s->otherwise = statement(c->statement(1));
      return s;
  }

  StmtPtr whileStmt(UtapParser::StatementContext* c) {
      auto s = make<WhileStmt>(c);
      s->cond = expr(c->expr(0));
      s->body = statement(c->statement(0));
      return s;
  }

  StmtPtr forStmt(UtapParser::StatementContext* c) {
      auto s = make<ForStmt>(c);
      if (c->init) s->init = expr(c->init);
      if (c->cond) s->cond = expr(c->cond);
      if (c->step) s->step = expr(c->step);
      s->body = statement(c->statement(0));
      return s;
  }

  StmtPtr deleteStmt(UtapParser::StatementContext* c) {
      auto s = make<DeleteStmt>(c);
      s->target = expr(c->expr(0), /*wildcardsAllowed=*/true);
      Expr* t = s->target.get();
      if (!dynamic_cast<Symbol*>(t) && !dynamic_cast<IndexExpr*>(t) && !dynamic_cast<TargetExpr*>(t))
        diags_.report(DiagKind::BadDeleteTarget, t->range);
      return s;
  }

  StmtPtr returnStmt(UtapParser::StatementContext* c) {
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

  StmtPtr tryStmt(UtapParser::StatementContext* c) {
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

  static Sort sortOf(antlr4::Token* t) {
    if (!t) return Sort::None;
    return t->getType() == UtapLexer::PLUS ? Sort::Ascending : Sort::Descending;
  }

  static bool isPrintFunction(const std::string& name) {
    static const char* const names[] = {"print", "sprint", "println", "sprintln", "printf",
                                        "sprintf", "printd", "sprintd", "printdln", "sprintdln"};
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
  }

  std::unique_ptr<Symbol> symbol(antlr4::tree::TerminalNode* ident) {
    auto s = std::make_unique<Symbol>();
    s->range = range(ident->getSymbol());
    s->name = ident->getText();
    return s;
  }

  StmtPtr foreach(UtapParser::StatementContext* c) {
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
      static const std::pair<size_t, StatOp> aggregates[] = {
          {UtapLexer::AT_COUNT, StatOp::Count}, {UtapLexer::AT_SUM, StatOp::Sum}, {UtapLexer::AT_MIN, StatOp::Min},
          {UtapLexer::AT_MAX, StatOp::Max},     {UtapLexer::AT_AVG, StatOp::Avg}};
      for (auto& [type, op] : aggregates)
        if (src->aggregate->getType() == type) s->sortAggregate = op;
      if (!src->sort)
        diags_.report(DiagKind::SyntaxError, range(src->aggregate),
                      fmt::format("'{}' in foreach must be followed by '+' or '-' to sort by it",
                                  src->aggregate->getText()));
    }
    if (sorts.size() > 1) diags_.report(DiagKind::MultipleSorts, range(sorts[1]));
    if (head->expr()) s->limit = expr(head->expr());
    s->body = statement(c->statement(0));
    return s;
  }

  // ---- expressions ----

  void indexList(UtapParser::IndexListContext* ctx, std::vector<ExprPtr>& out, bool wildcardsAllowed) {
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

  void requireAssignable(const Expr& e, const std::string& what) {
    if (dynamic_cast<const Symbol*>(&e) || dynamic_cast<const IndexExpr*>(&e)) return;
    if (auto* t = dynamic_cast<const TargetExpr*>(&e); t && !t->addressOf && t->pretty == Pretty::None) return;
    diags_.report(DiagKind::NotAssignable, e.range, what);
  }

  static std::optional<BinaryOp> binaryOp(size_t type) {
    switch (type) {
      case UtapLexer::STAR: return BinaryOp::Mul;
      case UtapLexer::SLASH: return BinaryOp::Div;
      case UtapLexer::MOD: return BinaryOp::Mod;
      case UtapLexer::PLUS: return BinaryOp::Add;
      case UtapLexer::MINUS: return BinaryOp::Sub;
      case UtapLexer::DOT: return BinaryOp::Concat;
      case UtapLexer::SHL: return BinaryOp::Shl;
      case UtapLexer::SHR: return BinaryOp::Shr;
      case UtapLexer::LT: return BinaryOp::Lt;
      case UtapLexer::LE: return BinaryOp::Le;
      case UtapLexer::GT: return BinaryOp::Gt;
      case UtapLexer::GE: return BinaryOp::Ge;
      case UtapLexer::EQ: return BinaryOp::Eq;
      case UtapLexer::NE: return BinaryOp::Ne;
      case UtapLexer::MATCH: return BinaryOp::Match;
      case UtapLexer::NOMATCH: return BinaryOp::NoMatch;
      case UtapLexer::AMP: return BinaryOp::BitAnd;
      case UtapLexer::CARET: return BinaryOp::BitXor;
      case UtapLexer::PIPE: return BinaryOp::BitOr;
      case UtapLexer::ANDAND: return BinaryOp::LogicalAnd;
      case UtapLexer::OROR: return BinaryOp::LogicalOr;
      default: return std::nullopt;  // an assignment operator
    }
  }

  static AssignOp assignOp(size_t type) {
    switch (type) {
      case UtapLexer::ASSIGN: return AssignOp::Assign;
      case UtapLexer::PLUS_ASSIGN: return AssignOp::Add;
      case UtapLexer::MINUS_ASSIGN: return AssignOp::Sub;
      case UtapLexer::STAR_ASSIGN: return AssignOp::Mul;
      case UtapLexer::SLASH_ASSIGN: return AssignOp::Div;
      case UtapLexer::MOD_ASSIGN: return AssignOp::Mod;
      case UtapLexer::SHL_ASSIGN: return AssignOp::Shl;
      case UtapLexer::SHR_ASSIGN: return AssignOp::Shr;
      case UtapLexer::AND_ASSIGN: return AssignOp::BitAnd;
      case UtapLexer::XOR_ASSIGN: return AssignOp::BitXor;
      case UtapLexer::OR_ASSIGN: return AssignOp::BitOr;
      case UtapLexer::DOT_ASSIGN: return AssignOp::Concat;
      default: return AssignOp::Aggregate;
    }
  }

  // ---- expression sequences ----

  // Folds "operand (op operand)*" by precedence: a shunting-yard over the
  // tails, iterative, so long chains cost no recursion.
  // An operand written "[k1, k2] in arr" without parentheses.
  static bool isBareTupleIn(UtapParser::UnaryContext* u) {
    return u && u->prefix.empty() && u->primary() && leadToken(u->primary()) == UtapLexer::LBRACKET;
  }

  ExprPtr fold(ExprPtr first, const std::vector<UtapParser::ExprTailContext*>& tails, bool firstIsIn = false) {
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
      lastWasIn = kind == UtapLexer::IN ||
                  (kind != UtapLexer::QUESTION && isBareTupleIn(tail->unary()));
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

  ExprPtr combine(UtapParser::ExprTailContext* tail, ExprPtr lhs, ExprPtr middle, ExprPtr rhs) {
    SourceRange range = SourceRange::spanning(lhs->range, rhs->range);
    if (middle) {
      auto e = std::make_unique<TernaryExpr>();
      e->range = range;
      e->cond = std::move(lhs);
      e->then = std::move(middle);
      e->otherwise = std::move(rhs);
      return e;
    }
    auto* b = static_cast<UtapParser::ExprTailContext*>(tail);
    std::optional<BinaryOp> op = binaryOp(b->op->getType());
    if (!op) {
      auto e = std::make_unique<AssignExpr>();
      e->range = range;
      e->op = assignOp(b->op->getType());
      requireAssignable(*lhs, fmt::format("the left side of '{}'", spelling(e->op)));
      e->lhs = std::move(lhs);
      e->rhs = std::move(rhs);
      return e;
    }
    auto e = std::make_unique<BinaryExpr>();
    e->range = range;
    e->op = *op;
    if (*op == BinaryOp::Match || *op == BinaryOp::NoMatch) {
      auto* inner = dynamic_cast<BinaryExpr*>(lhs.get());
      if (inner && (inner->op == BinaryOp::Match || inner->op == BinaryOp::NoMatch))
        diags_.report(DiagKind::ChainedRegex, range_(b->op));
      else if (!dynamic_cast<StringLit*>(rhs.get()))
        diags_.report(DiagKind::SyntaxError, rhs->range,
                      fmt::format("the right side of '{}' must be a string literal (a regular expression)",
                                  spelling(*op)));
    }
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return e;
  }

  SourceRange range_(antlr4::Token* t) const { return range(t); }

  // `wildcards`: a lone "arr[*, k]" is allowed here (delete's operand).
  ExprPtr expr(UtapParser::ExprContext* ctx, bool wildcards = false) {
    guard();
    bool lone = wildcards && ctx->exprTail().empty() && ctx->unary()->prefix.empty();
    return fold(unary(ctx->unary(), lone), ctx->exprTail(), isBareTupleIn(ctx->unary()));
  }

  ExprPtr stmtExpr(UtapParser::StmtExprContext* ctx) {
    guard();
    auto* u = ctx->stmtUnary();
    ExprPtr first;
    if (!u->prefix.empty())
      first = prefixed(u->prefix, unary(u->unary()));
    else
      first = crement(u, u->pre, u->post, u->pre ? primary(u->primary(), false) : stmtPrimary(u->stmtPrimary(), false));
    return fold(std::move(first), ctx->exprTail());
  }

  ExprPtr unary(UtapParser::UnaryContext* ctx, bool wildcards = false) {
    guard();
    return prefixed(ctx->prefix, crement(ctx, ctx->pre, ctx->post, primary(ctx->primary(), wildcards)));
  }

  // Applies prefix operators, innermost (rightmost) first.
  ExprPtr prefixed(const std::vector<antlr4::Token*>& prefix, ExprPtr operand) {
    for (auto it = prefix.rbegin(); it != prefix.rend(); ++it) {
      auto e = std::make_unique<UnaryExpr>();
      size_t t = (*it)->getType();
      e->op = t == UtapLexer::PLUS ? UnaryOp::Plus : t == UtapLexer::MINUS ? UnaryOp::Minus
              : t == UtapLexer::BANG ? UnaryOp::Not : UnaryOp::BitNot;
      e->range = SourceRange::spanning(range(*it), operand->range);
      e->operand = std::move(operand);
      operand = std::move(e);
    }
    return operand;
  }

  ExprPtr crement(antlr4::ParserRuleContext* ctx, antlr4::Token* pre, antlr4::Token* post, ExprPtr operand) {
    antlr4::Token* op = pre ? pre : post;
    if (!op) return operand;
    auto e = make<IncDecExpr>(ctx);
    e->increment = op->getType() == UtapLexer::INC || op->getType() == UtapLexer::POST_INC;
    e->prefix = pre != nullptr;
    requireAssignable(*operand, fmt::format("the operand of '{}'", e->increment ? "++" : "--"));
    e->operand = std::move(operand);
    return e;
  }

  std::vector<ExprPtr> args(UtapParser::ArgListContext* ctx) {
    std::vector<ExprPtr> out;
    if (ctx)
      for (auto* e : ctx->expr()) out.push_back(expr(e));
    return out;
  }

  ExprPtr call(UtapParser::StmtPrimaryContext* c) {
    std::string name = c->IDENT()->getText();
    static const std::pair<const char*, PrintCall::Kind> printers[] = {
        {"print", PrintCall::Kind::Print},       {"sprint", PrintCall::Kind::Print},
        {"println", PrintCall::Kind::Println},   {"sprintln", PrintCall::Kind::Println},
        {"printf", PrintCall::Kind::Printf},     {"sprintf", PrintCall::Kind::Printf},
        {"printd", PrintCall::Kind::Printd},     {"sprintd", PrintCall::Kind::Printd},
        {"printdln", PrintCall::Kind::Printdln}, {"sprintdln", PrintCall::Kind::Printdln},
    };
    auto it = std::find_if(std::begin(printers), std::end(printers), [&](auto& p) { return name == p.first; });
    if (it == std::end(printers)) {
      auto e = make<CallExpr>(c);
      e->name = name;
      e->args = args(c->argList());
      return e;
    }
    auto e = make<PrintCall>(c);
    e->name = name;
    e->kind = it->second;
    e->toString = name[0] == 's';
    e->args = args(c->argList());
    bool needsLiteral = e->kind == PrintCall::Kind::Printf || e->kind == PrintCall::Kind::Printd ||
                        e->kind == PrintCall::Kind::Printdln;
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

  std::unique_ptr<StatExpr> statOp(UtapParser::StatOpContext* c) {
    auto e = make<StatExpr>(c);
    static const std::pair<size_t, StatOp> ops[] = {
        {UtapLexer::AT_COUNT, StatOp::Count},       {UtapLexer::AT_SUM, StatOp::Sum},
        {UtapLexer::AT_MIN, StatOp::Min},           {UtapLexer::AT_MAX, StatOp::Max},
        {UtapLexer::AT_AVG, StatOp::Avg},           {UtapLexer::AT_VARIANCE, StatOp::Variance},
        {UtapLexer::AT_HIST_LOG, StatOp::HistLog},  {UtapLexer::AT_HIST_LINEAR, StatOp::HistLinear},
    };
    for (auto& [type, op] : ops)
      if (c->op->getType() == type) e->op = op;
    auto operands = c->expr();
    e->operand = expr(operands[0]);
    for (size_t i = 1; i < operands.size(); ++i) e->params.push_back(expr(operands[i]));
    return e;
  }

  // Splits a pretty-print suffix off a name: "$var$$" -> "$var", Deep.
  static Pretty stripPretty(std::string& name, size_t keep) {
    size_t end = name.size();
    while (end > keep && name[end - 1] == '$') --end;
    size_t dollars = name.size() - end;
    if (dollars == 0) return Pretty::None;
    name.resize(end);
    return dollars == 1 ? Pretty::Shallow : Pretty::Deep;
  }

  ExprPtr target(UtapParser::TargetContext* c, bool addressOf) {
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
        if (acc.member.empty())
          diags_.report(DiagKind::SyntaxError, range(a), "expected a member name after '->'");
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

  ExprPtr primary(UtapParser::PrimaryContext* ctx, bool wildcardsAllowed) {
    switch (leadToken(ctx)) {
      case UtapLexer::LPAREN: return expr(static_cast<UtapParser::PrimaryContext*>(ctx)->expr());
      case UtapLexer::STRING: return string(static_cast<UtapParser::PrimaryContext*>(ctx)->stringLit());
      case UtapLexer::AMP: {
        ExprPtr e = target(static_cast<UtapParser::PrimaryContext*>(ctx)->target(), true);
        e->range = SourceRange::spanning(range(ctx->getStart()), e->range);
        return e;
      }
      case UtapLexer::LBRACKET: break;
      default: return stmtPrimary(static_cast<UtapParser::PrimaryContext*>(ctx)->stmtPrimary(), wildcardsAllowed);
    }
    auto* c = static_cast<UtapParser::PrimaryContext*>(ctx);
    auto e = make<InExpr>(c);
    indexList(c->indexList(), e->keys, true);
    e->array = symbol(c->IDENT());
    return e;
  }

  ExprPtr stmtPrimary(UtapParser::StmtPrimaryContext* ctx, bool wildcardsAllowed) {
    size_t kind = leadToken(ctx);
    if (kind == UtapLexer::IDENT && ctx->children.size() > 1) {
      auto* second = static_cast<antlr4::tree::TerminalNode*>(ctx->children[1]);
      kind = second->getSymbol()->getType() == UtapLexer::LPAREN ? UtapLexer::LPAREN : UtapLexer::LBRACKET;
    }
    switch (kind) {
      case UtapLexer::IDENT: kind = 0; break;  // a symbol
      case UtapLexer::TARGET: case UtapLexer::AT_CAST: case UtapLexer::AT_VAR:
        return target(static_cast<UtapParser::StmtPrimaryContext*>(ctx)->target(), false);
      case UtapLexer::AT_COUNT: case UtapLexer::AT_SUM: case UtapLexer::AT_MIN: case UtapLexer::AT_MAX:
      case UtapLexer::AT_AVG: case UtapLexer::AT_VARIANCE: case UtapLexer::AT_HIST_LOG:
      case UtapLexer::AT_HIST_LINEAR:
        kind = UtapLexer::AT_COUNT;
        break;
      default: break;
    }
    if (kind == 0) {
      auto* c = static_cast<UtapParser::StmtPrimaryContext*>(ctx);
      if (isPrintFunction(c->IDENT()->getText())) {
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
        diags_.report(DiagKind::SyntaxError, range(c->expr(0)), "only histograms (@hist_log, @hist_linear) can be indexed");
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
      auto kind = c->op->getType() == UtapLexer::AT_KREGISTER ? SpecialExpr::Kind::KRegister : SpecialExpr::Kind::URegister;
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

  ExprPtr special(antlr4::ParserRuleContext* c, SpecialExpr::Kind kind, UtapParser::ExprContext* operand) {
    auto e = make<SpecialExpr>(c);
    e->kind = kind;
    e->operands.push_back(expr(operand));
    return e;
  }

  const Tokens& tokens_;
  Diagnostics& diags_;
  bool inFunction_ = false;
  bool guru_;  // embedded C and raw memory/register operators allowed

  // stap refuses these in a script without -g already while parsing.
  void requireGuru(antlr4::Token* at, const char* what) {
    if (!guru_) diags_.report(DiagKind::EmbeddedNeedsGuru, range(at), what);
  }
};

}  // namespace

std::unique_ptr<ast::File> buildAst(antlr4::ParserRuleContext* script, const Tokens& tokens, FileId file,
                                    const SourceManager& sources, Diagnostics& diags, bool guru) {
  auto out = std::make_unique<ast::File>();
  out->id = file;
  out->name = sources.path(file);
  Builder(tokens, diags, guru).script(static_cast<UtapParser::ScriptContext*>(script), *out);
  return out;
}

}  // namespace utap::parse
