// process(...) probe points: user-space programs and shared libraries,
// resolved through compiler/dwarf to (file, link-time address) pairs, and
// the process lifecycle events (begin/end/thread.begin/thread.end/syscall).
// Public so that sema (target variables, placement) and codegen can read
// the resolved points.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dwarf/module.h"
#include "probes/provider.h"

namespace utap::probes {

class ProcessPoint : public ResolvedPoint {
 public:
  enum class Kind : uint8_t {
    Begin, End, ThreadBegin, ThreadEnd, Syscall, SyscallReturn,  // lifecycle: no address
    Function,   // .function(...), .call, .inline, .exported, .return
    Statement,  // .statement("f@file:N"), .statement(ADDRESS)
    Label,      // .function(...).label("name")
    Mark,       // .mark("name"), .provider("p").mark("name")
    Plt,        // .plt("name"), .plt("name").return
    Absolute,   // process(PID).statement(ADDRESS).absolute: a raw virtual address
  };

  ProcessPoint(const Family& family, Kind kind) : ResolvedPoint(family), kind(kind) {}
  std::string text() const override;
  bool isReturn() const override { return returns; }
  bool hasTargetVariables() const override;
  // -p2's annotation after the point, as stap prints it: "pc=.dynamic+0x1144".
  std::string annotation() const;

  // Resolves a target expression at this point's address (target variables
  // of DWARF points, $argN/$$name/$$provider of marks, $syscall/$argN of
  // syscalls). On failure returns nothing with *error set.
  std::optional<dwarf::TargetValue> resolveTarget(const dwarf::TargetRequest& request, std::string* error) const;
  // The .function placement: Entry or AfterPrologue moves `address` there
  // and records why (for -v).
  void place(Placement where, std::string reason);
  bool canPlaceAtEntry() const { return kind == Kind::Function && function && !function->isInlineInstance &&
                                        function->entry != function->afterPrologue && !returns; }

  const Kind kind;
  bool returns = false;
  // The process component: process("PATH") (resolved), process(PID), or
  // process alone (every process: empty path, no pid).
  std::string processPath;
  std::optional<int64_t> pid;
  // `process` alone: with -c, the command's program, and only in the
  // command's process tree (stapprobes(3stap)).
  bool unnamedProcess = false;
  // The file probed: the executable, or the library of .library(...).
  std::shared_ptr<const dwarf::Module> module;
  bool viaLibrary = false;  // named as process("EXE").library("LIB")
  const dwarf::Function* function = nullptr;  // Function, Statement, Label
  const dwarf::SdtProbe* mark = nullptr;
  const dwarf::PltEntry* plt = nullptr;
  uint64_t address = 0;  // link-time; Absolute: the raw address
  Placement placement = Placement::Auto;
  std::string placementReason;
  // What text() prints after process("..."): function("add@/tmp/t.c:3").call
  std::string spelling;
};

std::unique_ptr<Family> makeProcessFamily(const ProviderOptions& options);

}  // namespace utap::probes
