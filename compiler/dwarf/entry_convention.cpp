// Parameters at a function's entry instruction from the System V x86-64
// calling convention. At -O0 DWARF places parameters in stack slots the
// prologue has not written yet; at the entry they are still in the
// argument registers. Only the simple classes are computed here: INTEGER
// (integers, enums, pointers, references) and SSE (float, double). A struct,
// union, long double or __int128 before or at the parameter makes the
// register assignment depend on rules this does not model, so it fails.
#include <dwarf.h>
#include <fmt/format.h>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

// rdi rsi rdx rcx r8 r9 as DWARF register numbers.
constexpr int kIntegerArgumentRegisters[] = {5, 4, 1, 2, 8, 9};
constexpr int kFirstXmmRegister = 17;
constexpr int kXmmArgumentRegisters = 8;

enum class ArgumentClass { Integer, Sse, Other };

ArgumentClass classify(Dwarf_Die* declared, std::string* typeText) {
  Dwarf_Die type = *declared;
  *typeText = typeName(declared);
  if (!stripType(&type)) return ArgumentClass::Other;
  uint64_t size = typeSize(&type).value_or(0);
  switch (dwarf_tag(&type)) {
    case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
    case DW_TAG_enumeration_type:
      return ArgumentClass::Integer;
    case DW_TAG_base_type:
      if (isFloatType(&type)) {
        Dwarf_Attribute attr;
        Dwarf_Word encoding = 0;
        bool plainFloat = dwarf_attr(&type, DW_AT_encoding, &attr) && dwarf_formudata(&attr, &encoding) == 0 &&
                          encoding == DW_ATE_float;
        return plainFloat && (size == 4 || size == 8) ? ArgumentClass::Sse : ArgumentClass::Other;
      }
      return size >= 1 && size <= 8 ? ArgumentClass::Integer : ArgumentClass::Other;
    default:
      return ArgumentClass::Other;
  }
}

bool isCplusplus(Dwarf_Die* die) {
  Dwarf_Die cu;
  if (dwarf_diecu(die, &cu, nullptr, nullptr) == nullptr) return false;
  int language = dwarf_srclang(&cu);
  return language == DW_LANG_C_plus_plus || language == DW_LANG_C_plus_plus_11 ||
         language == DW_LANG_C_plus_plus_14 || language == DW_LANG_C_plus_plus_03;
}

// Integer registers taken before the first parameter: 1 when the result is
// returned through memory (the caller's buffer address comes in rdi).
std::optional<int> hiddenArguments(Dwarf_Die* function, std::string* why) {
  Dwarf_Die returnType;
  if (!typeOf(function, &returnType) || !stripType(&returnType)) return 0;
  int tag = dwarf_tag(&returnType);
  if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type) return 0;
  uint64_t size = typeSize(&returnType).value_or(0);
  if (size > 16) return 1;
  if (isCplusplus(function)) {
    // A small class may still be returned in memory when it is not trivially copyable.
    *why = fmt::format("it returns {} by value, and whether that takes rdi depends on C++ rules not modelled here",
                       typeName(&returnType));
    return std::nullopt;
  }
  return 0;
}

}  // namespace

std::optional<ObjectLocation> entryConventionLocation(Dwarf_Die* function, Dwarf_Die* parameter,
                                                      const std::string& subject, const std::string& functionName,
                                                      std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = fmt::format("{} cannot be read at the entry of {}: {}", subject, functionName, why);
    return std::nullopt;
  };
  if (dwarf_tag(function) != DW_TAG_subprogram)
    return fail("an inlined copy has no calling convention, only the DWARF locations of its caller");
  std::string why;
  std::optional<int> integerIndex = hiddenArguments(function, &why);
  if (!integerIndex) return fail(why);
  int sseIndex = 0;
  Dwarf_Die child;
  if (dwarf_child(function, &child) != 0) return fail("the function has no parameters in DWARF");
  do {
    if (dwarf_tag(&child) != DW_TAG_formal_parameter) continue;
    bool isTarget = dwarf_dieoffset(&child) == dwarf_dieoffset(parameter);
    Dwarf_Die type;
    std::string typeText = "void";
    ArgumentClass kind = typeOf(&child, &type) ? classify(&type, &typeText) : ArgumentClass::Other;
    const char* name = dwarf_diename(&child);
    if (kind == ArgumentClass::Other) {
      if (isTarget)
        return fail(fmt::format("it is passed as {}: only integer, pointer and floating-point parameters are "
                                "read from their registers there",
                                typeText));
      return fail(fmt::format("parameter {} before it is {}, so the registers after it are not known here",
                              name ? name : "?", typeText));
    }
    if (kind == ArgumentClass::Integer) {
      if (*integerIndex >= static_cast<int>(std::size(kIntegerArgumentRegisters))) {
        if (isTarget) return fail("it is passed on the stack (the six integer argument registers are used)");
        continue;
      }
      if (isTarget) {
        ObjectLocation location;
        location.kind = ObjectLocation::Kind::Register;
        location.reg = kIntegerArgumentRegisters[*integerIndex];
        return location;
      }
      ++*integerIndex;
    } else {
      if (sseIndex >= kXmmArgumentRegisters) {
        if (isTarget) return fail("it is passed on the stack (the eight xmm argument registers are used)");
        continue;
      }
      if (isTarget) {
        ObjectLocation location;
        location.kind = ObjectLocation::Kind::Register;
        location.reg = kFirstXmmRegister + sseIndex;
        return location;
      }
      ++sseIndex;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return fail("it is not among the function's parameters");
}

}  // namespace utap::dwarf
