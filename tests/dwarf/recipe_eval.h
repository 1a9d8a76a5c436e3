// A ptrace-based evaluator of dwarf::ValueRecipe: runs a test program to a
// link-time address and computes a recipe from the stopped thread's
// registers and memory, as the generated module would at a uprobe hit.
// Tests compare its results with gdb's, which proves a recipe right.
#pragma once

#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dwarf/recipe.h"

namespace utap::test {

struct Registers {
  user_regs_struct general{};
  user_fpregs_struct fp{};  // xmm0-15 in fp.xmm_space, four 32-bit words each
};

// The value of x86-64 DWARF register `dwarfRegister` (recipe.h's numbering;
// xmm registers give their low 64 bits). Nothing for numbers it lacks.
std::optional<uint64_t> registerValue(const Registers& registers, int dwarfRegister);

// A program under ptrace, started stopped at its exec with address space
// randomization off (the load addresses gdb sees with its default
// disable-randomization). Killed when destroyed.
class TracedProgram {
 public:
  // argv[0] is a path. The program's stdout and stderr go to /dev/null.
  static std::unique_ptr<TracedProgram> start(const std::vector<std::string>& argv, std::string* error);
  ~TracedProgram();
  TracedProgram(const TracedProgram&) = delete;
  TracedProgram& operator=(const TracedProgram&) = delete;

  pid_t pid() const { return pid_; }
  // Where the ELF file `path` is mapped minus its link-time address, from
  // /proc/PID/maps; nothing when it is not mapped (yet).
  std::optional<uint64_t> loadBias(const std::string& path) const;
  // Runs until the thread is about to execute link-time `address` of the
  // mapped file `modulePath` (an int3 there, removed at the hit). A library
  // not mapped yet is waited for at the program's entry point, when the
  // dynamic loader has mapped every DT_NEEDED library.
  bool runTo(const std::string& modulePath, uint64_t address, std::string* error);
  // The registers at the last stop.
  const Registers& registers() const { return registers_; }
  bool readMemory(uint64_t address, void* buffer, size_t size) const;

 private:
  explicit TracedProgram(pid_t pid) : pid_(pid) {}
  bool runToRuntimeAddress(uint64_t address, std::string* error);
  std::optional<uint64_t> entryPoint() const;

  pid_t pid_;
  int memFd_ = -1;
  bool pastEntry_ = false;
  Registers registers_;
};

// What a recipe reads besides the program's state at the stop.
struct RecipeContext {
  const TracedProgram* program = nullptr;
  uint64_t moduleBias = 0;                    // for ModuleAddress
  std::vector<int64_t> inputs;                // for Input
  const Registers* entryRegisters = nullptr;  // for EntryRegister (.return probes)
};

// Runs `recipe` as the generated code does: 64-bit stack values, Read
// extends per isSigned, Div is signed (DW_OP_div), Mod and Shr unsigned,
// Shra arithmetic, Fp32ToFp64 widens a float's bits to a double's. On failure (a faulting read, an empty stack, division
// by zero) returns nothing and sets *error.
std::optional<uint64_t> evaluateRecipe(const dwarf::ValueRecipe& recipe, const RecipeContext& context,
                                       std::string* error);

// A TargetValue as the script sees it: Long as a signed decimal, String
// assembled from its parts (Signed %d, Unsigned %u, Hex %#x, Char 'c',
// UserString "..." with C escapes; a faulting part prints "?").
std::optional<std::string> evaluateTarget(const dwarf::TargetValue& value, const RecipeContext& context,
                                          std::string* error);

}  // namespace utap::test
