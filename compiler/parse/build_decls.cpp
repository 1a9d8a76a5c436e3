// Declarations: probes and aliases (with brace expansion of probe points),
// globals, functions.
#include "parse/builder.h"

namespace utap::parse::build {

void Builder::declaration(UtapParser::DeclarationContext* ctx, std::vector<DeclPtr>& out) {
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

void Builder::probe(UtapParser::ProbeDeclContext* ctx, std::vector<DeclPtr>& out) {
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

std::vector<Builder::Path> Builder::expandComponents(const std::vector<UtapParser::ComponentContext*>& comps) {
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

void Builder::probePoint(UtapParser::ProbePointContext* ctx, std::vector<ProbePoint>& out) {
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

Component Builder::component(UtapParser::ComponentContext* ctx) {
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

DeclPtr Builder::global(UtapParser::GlobalVarContext* ctx, bool isPrivate) {
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

Type Builder::type(UtapParser::TypeSuffixContext* ctx) {
  if (!ctx) return Type::Unknown;
  return ctx->LONG() ? Type::Long : Type::String;
}

DeclPtr Builder::function(UtapParser::FunctionDeclContext* ctx) {
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
std::vector<std::string> Builder::pragmas(const std::string& code) {
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

}  // namespace utap::parse::build
