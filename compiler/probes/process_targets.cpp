// Target expressions at process points: DWARF variables through
// compiler/dwarf; $argN, $$name, $$provider and $$parms of SDT markers;
// $$name of PLT entries; $syscall, $argN and $return of process.syscall.
#include <fmt/format.h>

#include "probes/process.h"

namespace utap::probes {

namespace {

using Base = dwarf::TargetRequest::Base;
using Op = dwarf::RecipeOp;

dwarf::TargetValue stringValue(std::string s) {
  dwarf::TargetValue v;
  v.kind = dwarf::TargetValue::Kind::String;
  v.typeName = "string";
  dwarf::PrettyPart part;
  part.text = std::move(s);
  part.mayFault = false;
  v.pretty.push_back(std::move(part));
  return v;
}

dwarf::TargetValue register64(int reg) {
  dwarf::TargetValue v;
  v.typeName = "long";
  v.value.ops.push_back(Op{Op::Kind::Register, static_cast<uint8_t>(reg)});
  return v;
}

// "$arg3" -> 3; 0 when the name is not of that form.
int argumentNumber(const std::string& name) {
  if (name.size() < 4 || name.compare(0, 3, "arg") != 0) return 0;
  int n = 0;
  for (size_t i = 3; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || n > 1000) return 0;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

bool plainVariable(const dwarf::TargetRequest& r) { return r.path.empty() && !r.addressOf && r.pretty == 0; }

std::optional<dwarf::TargetValue> markTarget(const dwarf::SdtProbe& mark, const dwarf::TargetRequest& r,
                                             std::string* error) {
  std::string where = fmt::format("marker '{}' of provider '{}'", mark.name, mark.provider);
  if (r.base == Base::Name && plainVariable(r)) return stringValue(mark.name);
  if (r.base == Base::Provider && plainVariable(r)) return stringValue(mark.provider);
  if ((r.base == Base::Parms || r.base == Base::Vars) && plainVariable(r)) {
    dwarf::TargetValue v;
    v.kind = dwarf::TargetValue::Kind::String;
    v.typeName = "string";
    for (size_t i = 0; i < mark.arguments.size(); ++i) {
      dwarf::PrettyPart label;
      label.text = fmt::format("{}arg{}=", i ? " " : "", i + 1);
      label.mayFault = false;
      v.pretty.push_back(label);
      dwarf::PrettyPart value;
      value.format = dwarf::PrettyPart::Format::Hex;
      value.value = mark.arguments[i].value;
      v.pretty.push_back(value);
    }
    return v;
  }
  int n = r.base == Base::Variable ? argumentNumber(r.name) : 0;
  if (n == 0) {
    *error = fmt::format("{} has only $arg1..$arg{}, $$name, $$provider and $$parms; '{}' is not one of them", where,
                         mark.arguments.size(), r.name);
    return std::nullopt;
  }
  if (static_cast<size_t>(n) > mark.arguments.size()) {
    *error = fmt::format("{} has {} argument{}: $arg{} does not exist", where, mark.arguments.size(),
                         mark.arguments.size() == 1 ? "" : "s", n);
    return std::nullopt;
  }
  if (!r.path.empty() || r.addressOf || r.pretty) {
    *error = fmt::format("$arg{} of {} is a plain number: it has no members, elements or address; "
                         "use @cast($arg{}, \"type\") to read what it points to",
                         n, where, n);
    return std::nullopt;
  }
  const dwarf::SdtProbe::Argument& a = mark.arguments[static_cast<size_t>(n - 1)];
  if (!a.error.empty()) {
    *error = fmt::format("$arg{} of {} cannot be read: {}", n, where, a.error);
    return std::nullopt;
  }
  dwarf::TargetValue v;
  v.typeName = "long";
  v.value = a.value;
  return v;
}

std::optional<dwarf::TargetValue> syscallTarget(bool returns, const dwarf::TargetRequest& r, std::string* error) {
  // The system call ABI: arguments in rdi rsi rdx r10 r8 r9 (DWARF 5 4 1 10 8 9).
  static const int kArgumentRegisters[] = {5, 4, 1, 10, 8, 9};
  if (plainVariable(r) && r.base == Base::Variable) {
    if (r.name == "syscall") {
      dwarf::TargetValue v;
      v.typeName = "long";
      v.value.ops.push_back(Op{Op::Kind::SyscallNumber});
      return v;
    }
    if (int n = argumentNumber(r.name); !returns && n >= 1 && n <= 6) return register64(kArgumentRegisters[n - 1]);
  }
  if (plainVariable(r) && r.base == Base::Return && returns) return register64(0);
  *error = returns ? "process.syscall.return probes have $syscall and $return"
                   : "process.syscall probes have $syscall and $arg1..$arg6";
  return std::nullopt;
}

}  // namespace

std::optional<dwarf::TargetValue> ProcessPoint::resolveTarget(const dwarf::TargetRequest& request,
                                                              std::string* error) const {
  switch (kind) {
    case Kind::Mark: return markTarget(*mark, request, error);
    case Kind::Syscall:
    case Kind::SyscallReturn: return syscallTarget(kind == Kind::SyscallReturn, request, error);
    case Kind::Plt:
      if (request.base == Base::Name && plainVariable(request)) return stringValue(plt->name);
      *error = "PLT probes have only $$name: a PLT entry has no debug information for arguments";
      return std::nullopt;
    case Kind::Function:
    case Kind::Statement:
    case Kind::Label: break;
    default: *error = fmt::format("'{}' probes have no target variables", text()); return std::nullopt;
  }
  if (!hasTargetVariables()) {
    *error = fmt::format("'{}' has no debug information: $variables need DWARF", module->path());
    return std::nullopt;
  }
  if (request.base == Base::Name || request.base == Base::Provider) {
    *error = "$$name and $$provider exist only in .mark and .plt probes";
    return std::nullopt;
  }
  if (returns) {
    if (request.base == Base::Return || request.base == Base::ReturnPretty)
      return module->resolveReturn(*function, request, error);
    // The rest are snapshots taken at the entry, before the prologue ran.
    return module->resolve(*function, function->entry, request, true, error);
  }
  if (request.base == Base::Return || request.base == Base::ReturnPretty) {
    *error = "$return is only available in .return probes";
    return std::nullopt;
  }
  bool atEntry = kind == Kind::Function && !function->isInlineInstance && address == function->entry;
  return module->resolve(*function, address, request, atEntry, error);
}

}  // namespace utap::probes
