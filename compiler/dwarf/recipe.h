// Recipes: how the runtime fetches a target variable at a probe hit, as an
// explicit program of reads that pass 3 turns into C. Nothing here depends
// on libdw; pass 2 builds recipes from DWARF location expressions and types
// (compiler/dwarf/location.cpp), later passes only read them.
//
// A recipe is a small stack program over 64-bit values. It never loops and
// never branches; every user-memory read is explicit, so pass 3 can emit
// each as a checked, non-faulting read and report a fault at the variable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace utap::dwarf {

// x86-64 DWARF register numbers (System V psABI): 0 rax, 1 rdx, 2 rcx,
// 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 return address (rip),
// 17-32 xmm0-xmm15 (the low 64 bits).
constexpr int kRegisterRip = 16;
const char* registerName(int dwarfRegister);  // "rdi", "xmm0"; "" if unknown

struct RecipeOp {
  enum class Kind : uint8_t {
    Register,       // push register `reg` as the probed thread had it at the hit
    EntryRegister,  // push register `reg` as it was at the function's entry (.return probes: saved at entry)
    Constant,       // push `value`
    ModuleAddress,  // push the module's load bias + `value` (a link-time address: PIE, shared libraries)
    Input,          // push script value number `value`: an index written as an expression, @cast's pointer
    SyscallNumber,  // push the system call number of a process.syscall probe (orig_ax)
    Read,           // pop an address, push `size` bytes of user memory there, extended per `isSigned`
    Extend,         // truncate the top to `size` bytes, then sign- or zero-extend it per `isSigned`
    Add, Sub, Mul, Div, Mod, And, Or, Xor, Shl, Shr, Shra,  // pop b, pop a, push a OP b
    Neg, Not,       // unary on the top
    PlusConstant,   // top += `value`
    Fp32ToFp64,     // the top's low 32 bits, an IEEE single, become the bits of the same value as a
                    // double: what stap 4.8 gives for a float (its fp32_to_fp64; a double is its bits)
  };
  Kind kind;
  uint8_t reg = 0;
  uint8_t size = 0;  // Read, Extend: 1, 2, 4 or 8
  bool isSigned = false;
  int64_t value = 0;

  bool operator==(const RecipeOp&) const = default;
};

// A program that leaves one 64-bit value on the stack.
struct ValueRecipe {
  std::vector<RecipeOp> ops;
  bool operator==(const ValueRecipe&) const = default;
  std::string describe() const;  // "reg rdi; extend s32" for -v, -p2 and tests
};

// A string-valued target expression: pretty printing ($var$, $var$$,
// $$parms...), assembled from literal text and formatted values in order.
struct PrettyPart {
  enum class Format : uint8_t {
    Text,        // `text` as is
    Signed,      // %d of `value`
    Unsigned,    // %u
    Hex,         // %#x (pointers, stap's default for $$vars)
    Char,        // a quoted character: 'a'
    UserString,  // "..." read from user memory at `value`, at most `maxLength` bytes, quoted and escaped
                 // (char arrays: their size; char pointers: UINT32_MAX, so MAXSTRINGLEN bounds them)
  };
  Format format = Format::Text;
  std::string text;
  ValueRecipe value;
  uint32_t maxLength = 0;
  // Printed instead of the value when a read of it faults, as stap prints "?".
  bool mayFault = true;
};

// What a target expression resolved to at one probe point.
struct TargetValue {
  enum class Kind : uint8_t { Long, String };
  Kind kind = Kind::Long;
  ValueRecipe value;               // Long
  std::vector<PrettyPart> pretty;  // String
  std::string typeName;            // the C type, as -L prints it: "struct pt*"
  // The DWARF type of a Long value, for stap's autocast ("r = $p; r->x"):
  // the DIE offset of the value's type in the resolving module's debug
  // file (0: none), or with `typeAddressed` of the object the value is the
  // address of (&$x, an array). `typeIdentity` is equal for two values
  // stap counts as one type (qualifiers and typedefs aside, the same DIEs).
  uint64_t typeDie = 0;
  bool typeAddressed = false;
  std::string typeIdentity;
};

}  // namespace utap::dwarf
