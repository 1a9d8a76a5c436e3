// Step 2a of pass 2 for procfs probes: their one target variable, $value,
// and the files they make. A read probe sets $value (only '=' and '.=': it
// is the text the reader gets, up to MAXSIZE bytes, longer than a string);
// a write probe reads it (the text written) and cannot set it. Each file
// has at most one read probe, and a path is a file or a directory, not
// both. stap makes the same checks, the last one only when the module
// loads.
#include <fmt/format.h>

#include <map>

#include "ast/printer.h"
#include "ast/visitor.h"
#include "probes/families.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

class ProcfsValues : public ast::Visitor {
 public:
  ProcfsValues(Context& ctx, const probes::ProcfsPoint& point) : ctx_(ctx), point_(point) {}

  void visit(ast::AssignExpr& n) override {
    auto* t = dynamic_cast<ast::TargetExpr*>(n.lhs.get());
    if (!t || !isValue(*t)) return Visitor::visit(n);
    if (point_.write)
      fail(*t, "procfs's $value is read-only in a write probe: it is the text that was written");
    else if (n.op != ast::AssignOp::Assign && n.op != ast::AssignOp::Concat)
      fail(*t, fmt::format("'{}' on procfs's $value: a read probe sets it with '=' or appends with '.='",
                           ast::spelling(n.op)));
    resolve(*t);
    n.rhs->accept(*this);
  }

  void visit(ast::IncDecExpr& n) override {
    if (auto* t = dynamic_cast<ast::TargetExpr*>(n.operand.get()); t && isValue(*t)) {
      fail(*t, "'++' and '--' do not apply to procfs's $value, a string");
      resolve(*t);
      return;
    }
    Visitor::visit(n);
  }

  void visit(ast::SpecialExpr& n) override {
    bool defined = n.kind == ast::SpecialExpr::Kind::Defined;
    defined_ += defined;
    Visitor::visit(n);
    defined_ -= defined;
  }

  void visit(ast::TargetExpr& n) override {
    Visitor::visit(n);
    // @cast and autocast name their own types: they read anywhere.
    if (n.base == ast::TargetExpr::Base::Cast || n.base == ast::TargetExpr::Base::Expr) return;
    TargetResolution r;
    if (n.base == ast::TargetExpr::Base::AtVar || n.name != "$value") {
      r.error = fmt::format("procfs probes have one target variable, $value, not '{}'", ast::printExpr(n));
      ctx_.program.targets[&n] = std::move(r);
      return;
    }
    if (!isValue(n))
      fail(n, "procfs's $value is a string: it has no members, elements, address or pretty form");
    else if (!point_.write && !defined_)
      fail(n, "procfs's $value cannot be read in a read probe: the probe sets it ('=', '.=') for the reader");
    resolve(n);
  }

 private:
  static bool isValue(const ast::TargetExpr& t) {
    return t.base == ast::TargetExpr::Base::Dollar && t.name == "$value" && t.path.empty() && !t.addressOf &&
           t.pretty == ast::Pretty::None;
  }

  void fail(const ast::TargetExpr& t, const std::string& why) {
    ctx_.diags.report(DiagKind::ProcfsValue, t.range, why);
  }

  // Typed as a string whatever went wrong, so one mistake is one message.
  void resolve(ast::TargetExpr& t) {
    TargetResolution r;
    r.value.emplace();
    r.value->kind = dwarf::TargetValue::Kind::String;
    r.value->typeName = "string";
    r.procfsValue = true;
    ctx_.program.targets[&t] = std::move(r);
  }

  Context& ctx_;
  const probes::ProcfsPoint& point_;
  int defined_ = 0;
};

SourceRange rangeOf(const Probe& p) { return p.origin ? p.origin->range : SourceRange{}; }

// One read probe per file; no path both a file and another's directory.
void checkFiles(Context& ctx) {
  std::map<std::string, const Probe*> files, readers;
  for (const auto& p : ctx.program.probes) {
    auto* point = dynamic_cast<const probes::ProcfsPoint*>(p->point.get());
    if (!point) continue;
    const std::string& path = point->path();
    if (!point->write) {
      auto [it, added] = readers.emplace(path, p.get());
      if (!added)
        ctx.diags.report(DiagKind::ProcfsFile, rangeOf(*p),
                         fmt::format("a second read probe for procfs file \"{}\" (the first at {}); a file has one "
                                     "read probe: print everything in it",
                                     path, ctx.sources.format(rangeOf(*it->second).begin)));
    }
    files.emplace(path, p.get());
  }
  for (const auto& [path, probe] : files) {
    auto next = files.upper_bound(path);
    if (next != files.end() && next->first.compare(0, path.size() + 1, path + "/") == 0)
      ctx.diags.report(DiagKind::ProcfsFile, rangeOf(*probe),
                       fmt::format("procfs path \"{}\" is a file here and a directory of \"{}\" (at {}); rename one",
                                   path, next->first, ctx.sources.format(rangeOf(*next->second).begin)));
  }
}

}  // namespace

void resolveProcfsValues(Context& ctx) {
  for (const auto& p : ctx.program.probes)
    if (auto* point = dynamic_cast<const probes::ProcfsPoint*>(p->point.get())) {
      ProcfsValues values(ctx, *point);
      p->body->accept(values);
    }
  checkFiles(ctx);
}

}  // namespace utap::sema
