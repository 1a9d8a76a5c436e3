// Step 2a of pass 2: target expressions ($x, $x->f[i], $$parms, @cast,
// @var) at process points, and @cast anywhere, become recipes
// (compiler/dwarf), and each .function probe gets its place.
//
// The place is decided here because it depends on what the body reads: a
// hit on a function's entry instruction costs a fraction of one after the
// prologue (the kernel emulates the entry `push %rbp`, single-steps most
// others), so a probe goes on the entry whenever every target expression it
// reads can be fetched correctly there, and after the prologue otherwise.
// Either way the values the script sees are the same.
#include <fmt/format.h>

#include "ast/printer.h"
#include "ast/visitor.h"
#include "probes/process.h"
#include "sema/context.h"

namespace utap::sema {

std::vector<const ast::Expr*> targetInputs(const ast::TargetExpr& target, const TargetResolution& resolution) {
  std::vector<const ast::Expr*> inputs;
  if (target.castOperand) inputs.push_back(target.castOperand.get());
  for (size_t step : resolution.inputSteps) inputs.push_back(target.path.at(step).index.get());
  return inputs;
}

namespace {

using Base = dwarf::TargetRequest::Base;

}  // namespace

dwarf::TargetRequest targetRequest(const ast::TargetExpr& t) {
  dwarf::TargetRequest r;
  switch (t.base) {
    case ast::TargetExpr::Base::Cast:
      r.base = Base::Cast;
      r.name = t.typeName;
      break;
    case ast::TargetExpr::Base::AtVar:
      r.base = Base::AtVar;
      r.name = t.name;
      break;
    case ast::TargetExpr::Base::Expr:  // autocast.cpp: the operand, as written, names it in messages
      r.base = Base::Cast;
      r.name = ast::printExpr(*t.castOperand);
      break;
    case ast::TargetExpr::Base::Dollar: {
      static const std::pair<const char*, Base> kSpecial[] = {
          {"$$parms", Base::Parms},    {"$$locals", Base::Locals}, {"$$vars", Base::Vars},
          {"$return", Base::Return},   {"$$return", Base::ReturnPretty}, {"$$name", Base::Name},
          {"$$provider", Base::Provider}};
      r.base = Base::Variable;
      r.name = t.name.substr(t.name.find_first_not_of('$'));
      for (const auto& [spelling, base] : kSpecial)
        if (t.name == spelling) r.base = base;
      break;
    }
  }
  int input = t.castOperand ? 1 : 0;
  for (const ast::Accessor& a : t.path) {
    dwarf::TargetRequest::Step step;
    step.member = a.member;
    if (a.index) {
      if (auto* n = dynamic_cast<const ast::NumberLit*>(a.index.get()))
        step.index = n->value;
      else
        step.indexInput = input++;
    }
    r.path.push_back(std::move(step));
  }
  r.addressOf = t.addressOf;
  r.pretty = t.pretty == ast::Pretty::Shallow ? 1 : t.pretty == ast::Pretty::Deep ? 2 : 0;
  return r;
}

namespace {

// Every target expression of a body, @defined operands included.
class CollectTargets : public ast::Visitor {
 public:
  std::vector<ast::TargetExpr*> found;
  void visit(ast::TargetExpr& n) override {
    found.push_back(&n);
    Visitor::visit(n);
  }
};

// The module a @cast names: a path, a program in $PATH, or a library the
// probed program needs.
std::shared_ptr<const dwarf::Module> castModule(const std::string& name, const probes::ProcessPoint* point,
                                                std::string* error) {
  std::optional<std::string> path;
  if (dwarf::isHeaderModule(name)) {
    path = dwarf::compileHeaders(name, error);
    return path ? dwarf::Module::cached(*path, error) : nullptr;
  }
  if (point && !point->processPath.empty() && name.find('/') == std::string::npos)
    if (auto exe = dwarf::Module::cached(point->processPath, error)) path = dwarf::findLibrary(*exe, name);
  if (!path) path = dwarf::findExecutable(name, error);
  if (!path) return nullptr;
  return dwarf::Module::cached(*path, error);
}

// Resolves the target expressions of one probe: at a process point all of
// them, elsewhere only @cast (which names its module).
class TargetResolver {
 public:
  TargetResolver(Context& ctx, Probe& probe, probes::ProcessPoint* point)
      : ctx_(ctx), probe_(probe), point_(point) {}

  void run() {
    CollectTargets collect;
    probe_.body->accept(collect);
    // The copies of functions made for this probe read at its point too.
    for (const auto& [decl, owner] : ctx_.program.clones)
      if (owner == &probe_ && decl->body) decl->body->accept(collect);
    for (ast::TargetExpr* t : collect.found)
      if ((point_ && t->base != ast::TargetExpr::Base::Expr) || t->base == ast::TargetExpr::Base::Cast)
        targets_.push_back(t);
    for (ast::TargetExpr* t : targets_) requests_.push_back(targetRequest(*t));
    std::vector<TargetResolution> results;
    if (point_ && point_->placement == probes::Placement::Auto && point_->canPlaceAtEntry())
      results = place();
    else
      results = resolveAll();
    for (size_t i = 0; i < targets_.size(); ++i) {
      for (size_t step = 0; step < requests_[i].path.size(); ++step)
        if (requests_[i].path[step].indexInput >= 0) results[i].inputSteps.push_back(step);
      ctx_.program.targets[targets_[i]] = std::move(results[i]);
    }
  }

 private:
  TargetResolution resolve(size_t i) {
    const ast::TargetExpr& t = *targets_[i];
    TargetResolution r;
    if (t.base == ast::TargetExpr::Base::Cast) {
      std::shared_ptr<const dwarf::Module> module;
      if (!t.module.empty())
        module = castModule(t.module, point_, &r.error);
      else if (point_ && point_->module)
        module = point_->module;
      else
        r.error = fmt::format("@cast in a '{}' probe needs the program or library that defines '{}' as its third "
                              "argument: @cast(p, \"{}\", \"/path/to/program\")",
                              probe_.point->text(), t.typeName, t.typeName);
      if (module) r.value = module->resolveCast(requests_[i], &r.error);
      r.module = std::move(module);
      return r;
    }
    if (t.base == ast::TargetExpr::Base::AtVar && !t.module.empty() &&
        (!point_->module || t.module != point_->module->path())) {
      r.error = fmt::format("@var with the module \"{}\" is not supported yet: only the probed module ('{}') can "
                            "be named",
                            t.module, point_->module ? point_->module->path() : "");
      return r;
    }
    r.value = point_->resolveTarget(requests_[i], &r.error);
    r.module = point_->module;
    return r;
  }

  std::vector<TargetResolution> resolveAll() {
    std::vector<TargetResolution> results;
    for (size_t i = 0; i < targets_.size(); ++i) results.push_back(resolve(i));
    return results;
  }

  // The entry unless some expression resolves after the prologue but not
  // at the entry. An expression that resolves nowhere does not decide (an
  // @defined guard may expect that); its error is the one after the
  // prologue, which names the real problem (no such member, ...), not the
  // calling convention.
  std::vector<TargetResolution> place() {
    if (targets_.empty()) {
      point_->place(probes::Placement::Entry, "the probe reads no target variables");
      return {};
    }
    point_->place(probes::Placement::AfterPrologue, "");
    std::vector<TargetResolution> prologue = resolveAll();
    point_->place(probes::Placement::Entry, "");
    std::vector<TargetResolution> entry = resolveAll();
    std::string needsPrologue;
    bool someMissing = false;
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (entry[i].value) continue;
      if (!prologue[i].value) {
        someMissing = true;
        entry[i].error = prologue[i].error;
      } else if (needsPrologue.empty()) {
        needsPrologue = fmt::format("{} cannot be fetched at the entry: {}", ast::printExpr(*targets_[i]),
                                    entry[i].error);
      }
    }
    if (!needsPrologue.empty()) {
      point_->place(probes::Placement::AfterPrologue, needsPrologue);
      return prologue;
    }
    point_->place(probes::Placement::Entry, someMissing
                                               ? "every target variable it reads that exists can be fetched at the entry"
                                               : "every target variable it reads can be fetched at the entry");
    return entry;
  }

  Context& ctx_;
  Probe& probe_;
  probes::ProcessPoint* point_;  // null: not a process point
  std::vector<ast::TargetExpr*> targets_;
  std::vector<dwarf::TargetRequest> requests_;
};

}  // namespace

void resolveTargets(Context& ctx) {
  for (auto& probe : ctx.program.probes) {
    TargetResolver(ctx, *probe, dynamic_cast<probes::ProcessPoint*>(probe->point.get())).run();
  }
}

}  // namespace utap::sema
