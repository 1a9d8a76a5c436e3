// Step 2 of pass 2: every probe declaration becomes concrete probes. Each
// written point is matched against the probe aliases of the included files
// and the built-in providers; an alias expands to its own points, recursively,
// and contributes its prologue (before the body) or epilogue (after it).
// Each concrete probe gets its own copy of every block it runs.
#include <algorithm>
#include <deque>
#include <set>
#include <string_view>
#include <unordered_map>

#include "ast/children.h"
#include "ast/clone.h"
#include "ast/printer.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// One concrete point found under a written point, with the aliases that led
// to it (innermost first) and the conditions on the way.
struct Found {
  std::unique_ptr<probes::ResolvedPoint> point;
  std::vector<const ast::AliasDecl*> aliases;
  std::vector<const ast::Expr*> conditions;
  std::string scriptPoint;  // pn(): the outermost alias point, or "" (see Probe)
};

// The variables a probe's own body writes (assigned, incremented,
// aggregated into, deleted): script variables by name, target variables
// as written ("$var").
void collectWritten(ast::Node& node, std::set<std::string>& out) {
  auto target = [&](ast::Expr* e) {
    if (auto* index = dynamic_cast<ast::IndexExpr*>(e)) e = index->base.get();
    if (auto* symbol = dynamic_cast<ast::Symbol*>(e)) out.insert(symbol->name);
    if (auto* t = dynamic_cast<ast::TargetExpr*>(e); t && t->base == ast::TargetExpr::Base::Dollar) out.insert(t->name);
  };
  if (auto* a = dynamic_cast<ast::AssignExpr*>(&node)) target(a->lhs.get());
  if (auto* i = dynamic_cast<ast::IncDecExpr*>(&node)) target(i->operand.get());
  if (auto* d = dynamic_cast<ast::DeleteStmt*>(&node)) target(d->target.get());
  ast::forEachChildExpr(node, [&](ast::ExprPtr& e) { collectWritten(*e, out); });
  ast::forEachChildStmt(node, [&](ast::StmtPtr& st) { collectWritten(*st, out); });
  ast::forEachChildBlock(node, [&](ast::Block& b) { collectWritten(b, out); });
}

// @probewrite(VAR) in an alias's prologue or epilogue: 1 when the body of
// the probe using the alias writes VAR, else 0 (stapprobes: "Probes with
// an alias can make use of the @probewrite predicate").
void resolveProbeWrites(ast::Node& node, const std::set<std::string>& written) {
  ast::forEachChildExpr(node, [&](ast::ExprPtr& e) {
    auto* op = dynamic_cast<ast::NamedOpExpr*>(e.get());
    if (op && op->kind == ast::NamedOpExpr::Kind::ProbeWrite) {
      auto n = std::make_unique<ast::NumberLit>();
      n->value = written.count(op->name) ? 1 : 0;
      n->range = op->range;
      e = std::move(n);
      return;
    }
    resolveProbeWrites(*e, written);
  });
  ast::forEachChildStmt(node, [&](ast::StmtPtr& st) { resolveProbeWrites(*st, written); });
  ast::forEachChildBlock(node, [&](ast::Block& b) { resolveProbeWrites(b, written); });
}

bool hasWildcard(const ast::ProbePoint& point) {
  return std::any_of(point.components.begin(), point.components.end(),
                     [](const ast::Component& c) { return c.name.find_first_of("*?[") != std::string::npos; });
}

// Glob over dotted names: '**' matches anything, '*' anything but a dot,
// '?' one character but a dot.
bool dottedGlob(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.substr(0, 2) == "**") {
    for (size_t i = 0; i <= text.size(); ++i)
      if (dottedGlob(pattern.substr(2), text.substr(i))) return true;
    return false;
  }
  if (pattern[0] == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (dottedGlob(pattern.substr(1), text.substr(i))) return true;
      if (i < text.size() && text[i] == '.') break;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern[0] == '?' ? text[0] != '.' : pattern[0] == text[0]) return dottedGlob(pattern.substr(1), text.substr(1));
  return false;
}

}  // namespace

size_t matchAliasName(const ast::ProbePoint& written, const ast::ProbePoint& name) {
  bool crossing = std::any_of(written.components.begin(), written.components.end(),
                              [](const ast::Component& c) { return c.name.find("**") != std::string::npos; });
  if (crossing) {
    std::string pattern, text;
    for (const auto& c : written.components) {
      if (c.arg) return 0;
      pattern += (pattern.empty() ? "" : ".") + c.name;
    }
    for (const auto& c : name.components) text += (text.empty() ? "" : ".") + c.name;
    // Bounded work: names are short, but a pattern of many '**' is not.
    if (pattern.size() > 512) return 0;
    return dottedGlob(pattern, text) ? written.components.size() : 0;
  }
  if (written.components.size() < name.components.size()) return 0;
  for (size_t i = 0; i < name.components.size(); ++i)
    if (written.components[i].arg || !probes::componentNameMatches(written.components[i].name, name.components[i].name))
      return 0;
  return name.components.size();
}

namespace {

// The text of `written` as pn() gives it: the alias name it matched (its
// wildcards resolved, as stap does) and the components of `written` after
// those the name covered (an alias's suffix: "outer.call").
std::string scriptPoint(const ast::ProbePoint& name, const ast::ProbePoint& written, size_t covered) {
  ast::ProbePoint point;
  auto add = [&](const ast::Component& c) {
    point.components.push_back(ast::Component{c.range, c.name, c.arg ? ast::cloneExpr(*c.arg) : nullptr});
  };
  for (const auto& c : name.components) add(c);
  for (size_t i = covered; i < written.components.size(); ++i) add(written.components[i]);
  return ast::printProbePoint(point);
}

class Expander {
 public:
  explicit Expander(Context& ctx) : ctx_(ctx) {
    for (auto& file : ctx.program.files)
      for (auto& decl : file->decls)
        if (auto* alias = dynamic_cast<ast::AliasDecl*>(decl.get())) {
          bool ok = true;
          for (auto& name : alias->names)
            if (hasWildcard(name)) {
              ctx.diags.report(DiagKind::AliasNameWildcard, alias->range, ast::printProbePoint(name));
              ok = false;
            }
          if (!ok) continue;
          aliases_.push_back(alias);
          for (auto& name : alias->names)
            if (!name.components.empty()) byFirstName_[name.components[0].name].push_back(alias);
        }
  }

  void run() {
    for (auto& file : ctx_.program.files)
      for (auto& decl : file->decls)
        if (auto* probe = dynamic_cast<ast::ProbeDecl*>(decl.get())) expandDecl(*probe);
  }

 private:
  void expandDecl(const ast::ProbeDecl& decl) {
    for (const auto& written : decl.points) {
      std::vector<Found> found;
      bool failed = false;
      expand(written, found, failed);
      if (failed) continue;
      for (auto& f : found) build(decl, std::move(f));
      // '!': a point that resolved makes the later points unnecessary.
      if (written.sufficient && !found.empty()) break;
    }
  }

  void expand(const ast::ProbePoint& written, std::vector<Found>& out, bool& failed) {
    bool optional = written.optional || written.sufficient;
    bool matched = false;
    size_t before = out.size();
    // Aliases that match the whole point win over those that match a prefix.
    struct AliasMatch {
      const ast::AliasDecl* alias;
      const ast::ProbePoint* name;
      size_t covered;
    };
    std::vector<AliasMatch> aliases;
    bool exact = false;
    for (const auto* alias : candidates(written))
      for (const auto& name : alias->names)
        if (size_t covered = matchAliasName(written, name)) {
          bool whole = covered == written.components.size();
          if (whole && !exact) aliases.clear();
          exact |= whole;
          if (whole || !exact) aliases.push_back(AliasMatch{alias, &name, covered});
          break;
        }
    for (const auto& [alias, name, covered] : aliases) {
      matched = true;
      if (std::find(active_.begin(), active_.end(), alias) != active_.end()) {
        ctx_.diags.report(DiagKind::RecursiveAlias, written.range, ast::printProbePoint(alias->names[0]));
        failed = true;
        return;
      }
      active_.push_back(alias);
      size_t first = out.size();
      for (const auto& original : alias->points) {
        const ast::ProbePoint* target = &original;
        if (covered < written.components.size()) {
          // The written point's remaining components go after each target.
          ast::ProbePoint extended = ast::cloneProbePoint(original);
          for (size_t i = covered; i < written.components.size(); ++i) {
            const ast::Component& c = written.components[i];
            extended.components.push_back(ast::Component{c.range, c.name, c.arg ? ast::cloneExpr(*c.arg) : nullptr});
          }
          synthesized_.push_back(std::move(extended));
          target = &synthesized_.back();
        }
        expand(*target, out, failed);
        if (failed) break;
        if (target->sufficient && out.size() > first) break;
      }
      active_.pop_back();
      if (failed) return;
      // The outer levels come later and overwrite: what stays is the
      // point the script wrote, its alias names' wildcards resolved.
      std::string point = scriptPoint(*name, written, covered);
      for (size_t i = first; i < out.size(); ++i) {
        out[i].aliases.push_back(alias);
        out[i].scriptPoint = point;
      }
    }
    for (const auto& match : ctx_.registry.match(written)) {
      matched = true;
      size_t errors = ctx_.diags.errorCount();
      for (auto& point : ctx_.registry.resolve(match, written, ctx_.diags))
        out.push_back(Found{std::move(point), {}, {}, {}});
      if (ctx_.diags.errorCount() != errors) {
        failed = true;
        return;
      }
    }
    if (!matched) {
      if (!optional) {
        ctx_.diags.report(DiagKind::UnknownProbePoint, written.range, ast::printProbePoint(written));
        static const char* const kernelFamilies[] = {"kernel", "module", "syscall",  "nd_syscall",
                                                     "kprobe", "perf",   "netfilter"};
        const std::string& first = written.components.empty() ? std::string() : written.components[0].name;
        for (const char* family : kernelFamilies)
          if (first == family) ctx_.diags.note(DiagKind::NoteKernelProbe, written.range, family);
        if (first == "process" && written.components.size() > 1 && !written.components[0].arg)
          ctx_.diags.note(DiagKind::NoteProcessNeedsProgram, written.range);
        failed = true;
      }
      return;
    }
    if (out.size() == before && !optional) {
      ctx_.diags.report(DiagKind::ProbePointMatchedNothing, written.range, ast::printProbePoint(written));
      failed = true;
      return;
    }
    if (written.condition)
      for (size_t i = before; i < out.size(); ++i) out[i].conditions.push_back(written.condition.get());
  }

  void build(const ast::ProbeDecl& decl, Found found) {
    auto probe = std::make_unique<Probe>();
    probe->origin = &decl;
    probe->index = ctx_.program.probes.size();
    probe->aliases = found.aliases;
    probe->scriptPoint = std::move(found.scriptPoint);
    probe->point = std::move(found.point);

    auto body = std::make_unique<ast::Block>();
    body->range = decl.body->range;
    if (!found.conditions.empty()) {
      // Outer conditions first; all must hold.
      ast::ExprPtr cond;
      for (auto it = found.conditions.rbegin(); it != found.conditions.rend(); ++it) {
        ast::ExprPtr c = ast::cloneExpr(**it);
        if (!cond) {
          cond = std::move(c);
          continue;
        }
        auto both = std::make_unique<ast::BinaryExpr>();
        both->op = ast::BinaryOp::LogicalAnd;
        both->range = SourceRange::spanning(cond->range, c->range);
        both->lhs = std::move(cond);
        both->rhs = std::move(c);
        cond = std::move(both);
      }
      probe->condition = cond.get();
      auto negated = std::make_unique<ast::UnaryExpr>();
      negated->op = ast::UnaryOp::Not;
      negated->range = cond->range;
      negated->operand = std::move(cond);
      auto check = std::make_unique<ast::IfStmt>();
      check->range = negated->range;
      check->cond = std::move(negated);
      check->then = std::make_unique<ast::NextStmt>();
      check->then->range = check->range;
      body->stmts.push_back(std::move(check));
    }
    std::set<std::string> written;
    if (!found.aliases.empty()) collectWritten(*decl.body, written);
    auto aliasBlock = [&](const ast::Block& b) {
      auto copy = ast::cloneBlock(b);
      resolveProbeWrites(*copy, written);
      body->stmts.push_back(std::move(copy));
    };
    for (const auto* alias : found.aliases)
      if (alias->prologue) aliasBlock(*alias->prologue);
    body->stmts.push_back(ast::cloneBlock(*decl.body));
    for (auto it = found.aliases.rbegin(); it != found.aliases.rend(); ++it)
      if ((*it)->epilogue) aliasBlock(*(*it)->epilogue);
    probe->body = std::move(body);
    ctx_.program.probes.push_back(std::move(probe));
  }

  // The aliases a written point may match: all of them when its first
  // component has a wildcard, else those whose first component is the same.
  const std::vector<const ast::AliasDecl*>& candidates(const ast::ProbePoint& written) const {
    static const std::vector<const ast::AliasDecl*> none;
    if (written.components.empty()) return none;
    const std::string& first = written.components[0].name;
    bool crossing = std::any_of(written.components.begin(), written.components.end(),
                                [](const ast::Component& c) { return c.name.find("**") != std::string::npos; });
    if (crossing || first.find_first_of("*?[") != std::string::npos) return aliases_;
    auto it = byFirstName_.find(first);
    return it == byFirstName_.end() ? none : it->second;
  }

  Context& ctx_;
  std::vector<const ast::AliasDecl*> aliases_;
  std::unordered_map<std::string, std::vector<const ast::AliasDecl*>> byFirstName_;
  std::vector<const ast::AliasDecl*> active_;  // aliases being expanded (recursion check)
  std::deque<ast::ProbePoint> synthesized_;    // alias targets with a written suffix
};

}  // namespace

void expandProbes(Context& ctx) { Expander(ctx).run(); }

}  // namespace utap::sema
