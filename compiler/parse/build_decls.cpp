// Declarations: probes and aliases (with brace expansion of probe points),
// globals, functions.
#include "parse/builder.h"

namespace utap::parse::build {

void Builder::declaration(UtapParser::DeclarationContext* ctx, std::vector<DeclPtr>& out) {
  if (auto* p = ctx->probe) {
    probe(p, out);
  } else if (auto* g = ctx->global) {
    for (auto* v : g->vars) {
      out.push_back(global(v, g->priv != nullptr));
      checkGlobal(static_cast<const GlobalDecl&>(*out.back()));
    }
  } else if (auto* f = ctx->func) {
    out.push_back(function(f));
  } else {
    requireGuru(ctx->embedded, "embedded C code");
    auto e = make<EmbeddedDecl>(ctx);
    e->code = embeddedCode(text(ctx->embedded));
    out.push_back(std::move(e));
  }
}

// stap refuses these already while parsing: a name declared twice in one
// file, or declared both global and private.
void Builder::checkGlobal(const GlobalDecl& g) {
  auto [it, fresh] = globals_.emplace(g.name, &g);
  if (fresh) return;
  const GlobalDecl& first = *it->second;
  std::string where = sources_.format(first.range.begin);
  if (first.isPrivate != g.isPrivate)
    diags_.report(DiagKind::GlobalPrivateConflict, g.range, g.name, where);
  else
    diags_.report(DiagKind::DuplicateGlobal, g.range, g.name, where);
}

void Builder::probe(UtapParser::ProbeDeclContext* ctx, std::vector<DeclPtr>& out) {
  const auto& points = ctx->points;
  if (!ctx->aliasOp) {
    auto p = make<ProbeDecl>(ctx);
    for (auto* pp : points) probePoint(pp, p->points);
    p->body = block(ctx->body);
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
    a->prologue = block(ctx->body);
    if (ctx->second) a->epilogue = block(ctx->second);
  } else {
    a->epilogue = block(ctx->body);
    if (ctx->second)
      diags_.report(DiagKind::SyntaxError, range(ctx->second),
                    "a '+=' alias has only an epilogue; use '=' for a prologue and an epilogue");
  }
  out.push_back(std::move(a));
}

std::vector<Builder::Path> Builder::expandComponents(const std::vector<UtapParser::ComponentContext*>& comps) {
  std::vector<Path> paths{Path{}};
  for (size_t k = 0; k < comps.size(); ++k) {
    auto* c = comps[k];
    if (c->name) {
      for (auto& p : paths) p.comps.push_back(c);
      continue;
    }
    std::vector<Path> choices;
    for (auto* alt : c->alts) {
      auto sub = expandComponents(alt->comps);
      if (alt->mark || alt->cond) {
        // "{a!, b}": the '?', '!' or condition belongs to the points this
        // alternative gives, so it must end them.
        auto* at = alt->mark ? alt->mark : alt->cond->getStart();
        if (k + 1 < comps.size()) {
          diags_.report(DiagKind::MarkNotAtEnd, range(at));
        } else {
          for (auto& p : sub) {
            if ((alt->mark && p.mark) || (alt->cond && p.cond)) diags_.report(DiagKind::MarkRepeated, range(at));
            if (alt->mark) p.mark = alt->mark;
            if (alt->cond) p.cond = alt->cond;
          }
        }
      }
      choices.insert(choices.end(), sub.begin(), sub.end());
    }
    std::vector<Path> next;
    for (auto& p : paths)
      for (auto& ch : choices) {
        if (next.size() >= kMaxBraceExpansions) return next;
        Path joined = p;
        joined.comps.insert(joined.comps.end(), ch.comps.begin(), ch.comps.end());
        joined.mark = ch.mark;
        joined.cond = ch.cond;
        next.push_back(std::move(joined));
      }
    paths = std::move(next);
  }
  return paths;
}

void Builder::probePoint(UtapParser::ProbePointContext* ctx, std::vector<ProbePoint>& out) {
  std::vector<Path> paths = expandComponents(ctx->comps);
  if (paths.size() >= kMaxBraceExpansions) {
    diags_.report(DiagKind::SyntaxError, range(ctx),
                  fmt::format("brace expansion of this probe point gives more than {} points", kMaxBraceExpansions));
    return;
  }
  bool repeated = false;
  for (auto& path : paths) {
    ProbePoint p;
    p.range = range(ctx);
    for (auto* c : path.comps) p.components.push_back(component(c));
    antlr4::Token* mark = path.mark;
    UtapParser::ExprContext* cond = path.cond;
    if ((ctx->mark && mark) || (ctx->cond && cond)) {
      if (!repeated) diags_.report(DiagKind::MarkRepeated, range(ctx->mark ? ctx->mark : ctx->cond->getStart()));
      repeated = true;
    }
    if (ctx->mark) mark = ctx->mark;
    if (ctx->cond) cond = ctx->cond;
    if (mark) {
      p.optional = mark->getType() == UtapLexer::QUESTION;
      p.sufficient = !p.optional;
    }
    if (cond) p.condition = expr(cond);
    out.push_back(std::move(p));
  }
}

Component Builder::component(UtapParser::ComponentContext* ctx) {
  Component c;
  c.range = range(ctx);
  SourceRange prev{};
  bool spaced = false;
  for (auto* piece : ctx->name->pieces) {
    SourceRange r = range(piece);
    if (!spaced && prev.begin.valid() &&
        (r.begin.line != prev.end.line || r.begin.column != prev.end.column + 1 || r.expansion != prev.expansion)) {
      diags_.report(DiagKind::SpacedComponentName, r, text(piece));
      spaced = true;
    }
    c.name += text(piece);
    prev = r;
  }
  if (ctx->arg) c.arg = literal(ctx->arg);
  return c;
}

DeclPtr Builder::global(UtapParser::GlobalVarContext* ctx, bool isPrivate) {
  auto g = make<GlobalDecl>(ctx);
  g->name = text(ctx->name);
  g->isPrivate = isPrivate;
  g->wrap = ctx->wrap != nullptr;
  if (ctx->size) {
    g->size = number(ctx->size);
    if (*g->size <= 0) diags_.report(DiagKind::SyntaxError, range(ctx->size), "an array size must be positive");
  }
  if (ctx->init) {
    g->init = literal(ctx->init);
    if (g->size || g->wrap) diags_.report(DiagKind::ArrayInitializer, range(ctx->eq));
  }
  return g;
}

Type Builder::type(UtapParser::TypeSuffixContext* ctx) {
  if (!ctx) return Type::Unknown;
  return ctx->t->getType() == UtapLexer::LONG ? Type::Long : Type::String;
}

DeclPtr Builder::function(UtapParser::FunctionDeclContext* ctx) {
  auto f = make<FunctionDecl>(ctx);
  f->name = text(ctx->name);
  f->isPrivate = ctx->priv != nullptr;
  f->returnType = type(ctx->ret);
  for (auto* p : ctx->params) {
    const std::string& name = text(p->name);
    for (auto& other : f->params)
      if (other.name == name)
        diags_.report(DiagKind::SyntaxError, range(p), fmt::format("duplicate parameter '{}'", other.name));
    f->params.push_back({range(p), name, type(p->ptype)});
  }
  if (ctx->priority) f->priority = number(ctx->priority);
  if (ctx->body) {
    inFunction_ = true;
    f->body = block(ctx->body);
    inFunction_ = false;
  } else {
    requireGuru(ctx->embedded, "an embedded C function");
    f->embedded = embeddedCode(text(ctx->embedded));
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
