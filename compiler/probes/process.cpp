// process(...) probe points (stapprobes(3stap), USER-SPACE): the family's
// patterns and how resolved points are spelled. Resolving written points is process_resolve.cpp.
#include <fmt/format.h>

#include "probes/process_family.h"

namespace utap::probes {

namespace {

using Kind = ProcessPoint::Kind;

// The components after process(...) [.library("...")].
struct Suffix {
  std::vector<PatternComponent> components;
};

std::vector<Suffix> codeSuffixes() {
  std::vector<Suffix> out;
  const PatternComponent fn{"function", ArgKind::String};
  for (const char* filter : {"", "call", "inline", "exported"}) {
    Suffix s{{fn}};
    if (*filter) s.components.push_back({filter, ArgKind::None});
    out.push_back(s);
    if (std::string_view(filter) != "inline") {
      s.components.push_back({"return", ArgKind::None});
      out.push_back(s);
    }
  }
  out.push_back({{fn, {"label", ArgKind::String}}});
  out.push_back({{{"statement", ArgKind::String}}});
  out.push_back({{{"statement", ArgKind::String}, {"nearest", ArgKind::None}}});
  out.push_back({{{"statement", ArgKind::Number}}});
  out.push_back({{{"mark", ArgKind::String}}});
  out.push_back({{{"provider", ArgKind::String}, {"mark", ArgKind::String}}});
  for (ArgKind arg : {ArgKind::None, ArgKind::String}) {
    out.push_back({{{"plt", arg}}});
    out.push_back({{{"plt", arg}, {"return", ArgKind::None}}});
  }
  return out;
}

const std::vector<std::vector<PatternComponent>>& lifecycleSuffixes() {
  static const std::vector<std::vector<PatternComponent>> s = {
      {{"begin", ArgKind::None}},
      {{"end", ArgKind::None}},
      {{"thread", ArgKind::None}, {"begin", ArgKind::None}},
      {{"thread", ArgKind::None}, {"end", ArgKind::None}},
      {{"syscall", ArgKind::None}},
      {{"syscall", ArgKind::None}, {"return", ArgKind::None}},
  };
  return s;
}

}  // namespace

ProcessFamily::ProcessFamily(const ProviderOptions& options)
    : placement_(options.placement), targetCommand_(options.targetCommand) {
  const std::vector<PatternComponent> processes[] = {
      {{"process", ArgKind::None}}, {{"process", ArgKind::Number}}, {{"process", ArgKind::String}}};
  for (const auto& process : processes) {
    for (const auto& suffix : lifecycleSuffixes()) add(process, {}, suffix);
    // Code needs a program: a path, a PID's, or the -c command's.
    if (process[0].arg == ArgKind::None && targetCommand_.empty()) continue;
    for (const Suffix& suffix : codeSuffixes()) {
      add(process, {}, suffix.components);
      add(process, {{"library", ArgKind::String}}, suffix.components);
    }
  }
  patterns_.push_back({{{"process", ArgKind::Number}, {"statement", ArgKind::Number}, {"absolute", ArgKind::None}}});
}

void ProcessFamily::add(const std::vector<PatternComponent>& process, const std::vector<PatternComponent>& library,
                        const std::vector<PatternComponent>& suffix) {
  Pattern p;
  p.components = process;
  p.components.insert(p.components.end(), library.begin(), library.end());
  p.components.insert(p.components.end(), suffix.begin(), suffix.end());
  patterns_.push_back(std::move(p));
}

namespace {

const char* lifecycleSpelling(Kind kind) {
  switch (kind) {
    case Kind::Begin: return "begin";
    case Kind::End: return "end";
    case Kind::ThreadBegin: return "thread.begin";
    case Kind::ThreadEnd: return "thread.end";
    case Kind::Syscall: return "syscall";
    case Kind::SyscallReturn: return "syscall.return";
    default: return "";
  }
}

}  // namespace

std::string ProcessPoint::text() const {
  std::string process = "process";
  if (pid && (processPath.empty() || kind == Kind::Absolute))
    process += fmt::format("({})", *pid);
  else if (!processPath.empty())
    process += "(" + quoted(processPath) + ")";
  if (viaLibrary && module) process += ".library(" + quoted(module->path()) + ")";
  const char* lifecycle = lifecycleSpelling(kind);
  return process + "." + (*lifecycle ? lifecycle : spelling);
}

std::string ProcessPoint::annotation() const {
  if (!module) return "";
  return module->isSharedObject() ? fmt::format("pc=.dynamic+{:#x}", address) : fmt::format("pc={:#x}", address);
}

bool ProcessPoint::hasTargetVariables() const {
  switch (kind) {
    case Kind::Syscall:
    case Kind::SyscallReturn:
    case Kind::Mark:
    case Kind::Plt: return true;
    case Kind::Function:
    case Kind::Statement:
    case Kind::Label: return module && module->hasDebugInfo() && function && !function->fromSymbolTable;
    default: return false;
  }
}

void ProcessPoint::place(Placement where, std::string reason) {
  if (!function || kind != Kind::Function || returns) return;
  placement = where;
  placementReason = std::move(reason);
  address = where == Placement::Entry ? function->entry : function->afterPrologue;
}

std::unique_ptr<Family> makeProcessFamily(const ProviderOptions& options) {
  return std::make_unique<ProcessFamily>(options);
}

}  // namespace utap::probes
