// Register names and the one-line spelling of recipes that -v, -p2 and the
// tests print. The spelling is part of what tests compare, so it is stable:
// one word per operation, operands after it, "; " between operations.
#include "dwarf/recipe.h"

#include <fmt/format.h>

namespace utap::dwarf {

namespace {

// In DWARF register number order (recipe.h).
constexpr const char* kRegisterNames[] = {
    "rax",  "rdx",  "rcx",  "rbx",  "rsi",  "rdi",   "rbp",   "rsp",   "r8",    "r9",    "r10",
    "r11",  "r12",  "r13",  "r14",  "r15",  "rip",   "xmm0",  "xmm1",  "xmm2",  "xmm3",  "xmm4",
    "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
};

// Small numbers read best in decimal, addresses and masks in hex.
std::string number(int64_t value) {
  if (value > -65536 && value < 65536) return std::to_string(value);
  if (value < 0) return fmt::format("-{:#x}", -static_cast<uint64_t>(value));
  return fmt::format("{:#x}", value);
}

// "s32" / "u8": the width and signedness of a Read or an Extend.
std::string width(const RecipeOp& op) { return fmt::format("{}{}", op.isSigned ? 's' : 'u', op.size * 8); }

// A register outside the table still prints as something a person can look up.
std::string regName(int reg) {
  const char* name = registerName(reg);
  return *name ? name : fmt::format("dwarf-reg{}", reg);
}

std::string describeOp(const RecipeOp& op) {
  using K = RecipeOp::Kind;
  switch (op.kind) {
    case K::Register: return fmt::format("reg {}", regName(op.reg));
    case K::EntryRegister: return fmt::format("entry-reg {}", regName(op.reg));
    case K::Constant: return fmt::format("const {}", number(op.value));
    case K::ModuleAddress: return fmt::format("module+{:#x}", static_cast<uint64_t>(op.value));
    case K::Input: return fmt::format("input {}", op.value);
    case K::SyscallNumber: return "syscall-nr";
    case K::Read: return fmt::format("read {}", width(op));
    case K::Extend: return fmt::format("extend {}", width(op));
    case K::Add: return "add";
    case K::Sub: return "sub";
    case K::Mul: return "mul";
    case K::Div: return "div";
    case K::Mod: return "mod";
    case K::And: return "and";
    case K::Or: return "or";
    case K::Xor: return "xor";
    case K::Shl: return "shl";
    case K::Shr: return "shr";
    case K::Shra: return "shra";
    case K::Neg: return "neg";
    case K::Not: return "not";
    case K::PlusConstant: return fmt::format("plus {}", number(op.value));
    case K::Fp32ToFp64: return "fp32-to-fp64";
  }
  return "?";
}

}  // namespace

const char* registerName(int dwarfRegister) {
  constexpr int count = sizeof kRegisterNames / sizeof kRegisterNames[0];
  if (dwarfRegister < 0 || dwarfRegister >= count) return "";
  return kRegisterNames[dwarfRegister];
}

std::string ValueRecipe::describe() const {
  if (ops.empty()) return "(empty)";
  std::string text;
  for (const RecipeOp& op : ops) {
    if (!text.empty()) text += "; ";
    text += describeOp(op);
  }
  return text;
}

}  // namespace utap::dwarf
