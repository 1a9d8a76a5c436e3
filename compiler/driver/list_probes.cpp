#include "driver/list_probes.h"

#include <fmt/format.h>

#include <map>

#include "ast/printer.h"
#include "probes/process.h"

namespace utap::driver {

namespace {

using Kind = probes::ProcessPoint::Kind;

std::string variablesOf(const probes::ProcessPoint& p) {
  std::string out;
  auto add = [&](const std::string& name, const std::string& type) { out += fmt::format(" ${}:{}", name, type); };
  switch (p.kind) {
    case Kind::Syscall:
    case Kind::SyscallReturn:
      add("syscall", "long");
      if (p.kind == Kind::SyscallReturn)
        add("return", "long");
      else
        for (int i = 1; i <= 6; ++i) add(fmt::format("arg{}", i), "long");
      break;
    case Kind::Mark:
      for (size_t i = 0; i < p.mark->arguments.size(); ++i) add(fmt::format("arg{}", i + 1), "long");
      break;
    case Kind::Function:
    case Kind::Statement:
    case Kind::Label: {
      if (!p.hasTargetVariables()) break;
      // The variables where stap would probe, whatever place was chosen.
      uint64_t pc = p.kind == Kind::Function ? p.function->afterPrologue : p.address;
      if (p.returns) {
        std::string error;
        dwarf::TargetRequest request;
        request.base = dwarf::TargetRequest::Base::Return;
        if (auto r = p.module->resolveReturn(*p.function, request, &error)) add("return", r->typeName);
        pc = p.function->entry;
      }
      for (const dwarf::VariableInfo& v : p.module->variables(*p.function, pc))
        if (!p.returns || v.isParameter) add(v.name, v.typeName);
      break;
    }
    default: break;
  }
  return out;
}

}  // namespace

std::string listingScript(const std::string& pattern) { return "probe " + pattern + " {}\n"; }

std::string listProbes(const sema::Program& program, bool withVariables) {
  // One line per spelling (inlined copies share one), the first point's
  // variables, sorted as stap sorts.
  std::map<std::string, std::string> lines;
  for (const auto& probe : program.probes) {
    // Points reached through an alias are listed by the alias's name.
    std::string text = probe->aliases.empty() ? probe->point->text()
                                              : ast::printProbePoint(probe->aliases.back()->names.at(0));
    if (lines.count(text)) continue;
    std::string& variables = lines[text];
    if (withVariables && probe->aliases.empty())
      if (auto* p = dynamic_cast<const probes::ProcessPoint*>(probe->point.get())) variables = variablesOf(*p);
  }
  std::string out;
  for (const auto& [text, variables] : lines) out += text + variables + "\n";
  return out;
}

void reportPlacements(const sema::Program& program) {
  for (const auto& probe : program.probes) {
    auto* p = dynamic_cast<const probes::ProcessPoint*>(probe->point.get());
    if (!p || p->kind != Kind::Function || !p->function) continue;
    const dwarf::Function& f = *p->function;
    const char* where = p->returns                   ? "at the entry, for the return"
                        : f.isInlineInstance         ? "at the inlined copy"
                        : f.entry == f.afterPrologue ? "at the entry (it has no prologue)"
                        : p->address == f.entry      ? "at the entry"
                                                     : "after the prologue";
    fmt::print(stderr, "{}: {:#x} {}{}{}\n", p->text(), p->address, where, p->placementReason.empty() ? "" : ": ",
               p->placementReason);
  }
}

}  // namespace utap::driver
