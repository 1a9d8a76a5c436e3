// DWARF types as stap prints and lays them out: names for -L, sizes,
// signedness, members (anonymous ones and C++ bases included), bitfields,
// and types looked up by name for @cast.
#include <dwarf.h>
#include <fmt/format.h>

#include <cstring>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

// Where a declarator's suffixes go in a function-pointer name:
// "int (*) (int)" is built as "int (\x01) (int)" and the pointer lands at
// the mark. Types without the mark take suffixes at the end.
constexpr char kHole = '\x01';

std::string withSuffix(std::string inner, const char* suffix) {
  size_t hole = inner.find(kHole);
  if (hole == std::string::npos) return inner + suffix;
  inner.insert(hole, suffix);
  return inner;
}

std::string dieName(Dwarf_Die* die) {
  const char* name = dwarf_diename(die);
  return name ? name : "";
}

// DWARF 4 type units (-fdebug-types-section): a declaration in a unit
// names its type's definition in .debug_types by signature.
bool typeUnitDefinition(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  Dwarf_Die definition;
  if (!dwarf_hasattr(die, DW_AT_signature) || dwarf_attr(die, DW_AT_signature, &attr) == nullptr ||
      dwarf_formref_die(&attr, &definition) == nullptr)
    return false;
  *die = definition;
  return true;
}

std::string rawTypeName(Dwarf_Die* type, int depth);

std::string subroutineName(Dwarf_Die* type, int depth) {
  Dwarf_Die returnType;
  std::string result = rawTypeName(typeOf(type, &returnType) ? &returnType : nullptr, depth + 1);
  result += " (";
  result += kHole;
  result += ") (";
  std::string parameters;
  Dwarf_Die child;
  if (dwarf_child(type, &child) == 0) {
    do {
      std::string one;
      if (dwarf_tag(&child) == DW_TAG_formal_parameter) {
        Dwarf_Die parameterType;
        one = rawTypeName(typeOf(&child, &parameterType) ? &parameterType : nullptr, depth + 1);
      } else if (dwarf_tag(&child) == DW_TAG_unspecified_parameters) {
        one = "...";
      } else {
        continue;
      }
      // A parameter of function-pointer type prints without its mark.
      std::erase(one, kHole);
      parameters += parameters.empty() ? one : ", " + one;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (parameters.empty()) parameters = dwarf_hasattr(type, DW_AT_prototyped) ? "void" : "...";
  return result + parameters + ")";
}

std::string rawTypeName(Dwarf_Die* type, int depth) {
  if (type == nullptr) return "void";
  if (depth > 64) return "...";  // a malformed cycle
  Dwarf_Die definition = *type;
  if (typeUnitDefinition(&definition)) type = &definition;
  Dwarf_Die inner;
  bool hasInner = typeOf(type, &inner);
  auto innerName = [&] { return rawTypeName(hasInner ? &inner : nullptr, depth + 1); };
  switch (dwarf_tag(type)) {
    case DW_TAG_pointer_type: return withSuffix(innerName(), "*");
    case DW_TAG_reference_type: return withSuffix(innerName(), "&");
    case DW_TAG_rvalue_reference_type: return withSuffix(innerName(), "&&");
    case DW_TAG_const_type: return withSuffix(innerName(), " const");
    case DW_TAG_volatile_type: return withSuffix(innerName(), " volatile");
    case DW_TAG_restrict_type: return withSuffix(innerName(), " restrict");
    case DW_TAG_atomic_type: return withSuffix(innerName(), " _Atomic");
    case DW_TAG_array_type: return withSuffix(innerName(), "[]");
    case DW_TAG_subroutine_type: return subroutineName(type, depth);
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type: case DW_TAG_enumeration_type: {
      const char* keyword = dwarf_tag(type) == DW_TAG_structure_type ? "struct "
                            : dwarf_tag(type) == DW_TAG_class_type   ? "class "
                            : dwarf_tag(type) == DW_TAG_union_type   ? "union "
                                                                     : "enum ";
      std::string name = dieName(type);
      return keyword + (name.empty() ? std::string("{...}") : name);
    }
    case DW_TAG_ptr_to_member_type: return withSuffix(innerName(), "::*");
    default: {
      std::string name = dieName(type);  // base types, typedefs, unspecified_type ("decltype(nullptr)")
      return name.empty() ? "void" : name;
    }
  }
}

// DW_AT_data_member_location: a constant, or (DWARF 2) DW_OP_plus_uconst N.
uint64_t memberOffset(Dwarf_Die* member) {
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(member, DW_AT_data_member_location, &attr) == nullptr) return 0;
  Dwarf_Word value = 0;
  if (dwarf_formudata(&attr, &value) == 0) return value;
  Dwarf_Op* ops = nullptr;
  size_t count = 0;
  if (dwarf_getlocation(&attr, &ops, &count) == 0 && count == 1 && ops[0].atom == DW_OP_plus_uconst)
    return ops[0].number;
  return 0;
}

uint64_t udataOr(Dwarf_Die* die, unsigned name, uint64_t fallback) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr_integrate(die, name, &attr) == nullptr || dwarf_formudata(&attr, &value) != 0) return fallback;
  return value;
}

// A member DIE's place, relative to its aggregate plus `base`.
MemberInfo memberInfo(Dwarf_Die* member, uint64_t base) {
  MemberInfo info;
  info.hasType = typeOf(member, &info.type);
  info.byteOffset = base + memberOffset(member);
  uint64_t bitSize = udataOr(member, DW_AT_bit_size, 0);
  if (bitSize == 0 || bitSize > 64) return info;
  info.bitSize = static_cast<int>(bitSize);
  Dwarf_Die stripped = info.type;
  uint64_t typeBytes = info.hasType && stripType(&stripped) ? typeSize(&stripped).value_or(4) : 4;
  if (dwarf_hasattr(member, DW_AT_data_bit_offset)) {
    // DWARF 4+: bits from the start of the aggregate, LSB first on x86-64.
    uint64_t bit = udataOr(member, DW_AT_data_bit_offset, 0);
    info.byteOffset = base + bit / 8;
    info.bitShift = static_cast<int>(bit % 8);
    info.storageSize = 1;
    while (info.storageSize < 8 && static_cast<uint64_t>(info.bitShift) + bitSize > info.storageSize * 8)
      info.storageSize *= 2;
  } else {
    // DWARF 2/3: a storage unit of DW_AT_byte_size at the member location,
    // DW_AT_bit_offset counted from its most significant bit.
    info.storageSize = udataOr(member, DW_AT_byte_size, typeBytes);
    uint64_t fromTop = udataOr(member, DW_AT_bit_offset, 0);
    info.bitShift = static_cast<int>(info.storageSize * 8 - fromTop - bitSize);
  }
  return info;
}

bool isAggregateTag(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

bool findMemberAt(Dwarf_Die* aggregate, const std::string& name, uint64_t base, MemberInfo* out, int depth) {
  Dwarf_Die child;
  if (depth > 32 || dwarf_child(aggregate, &child) != 0) return false;
  do {
    int tag = dwarf_tag(&child);
    if (tag != DW_TAG_member && tag != DW_TAG_inheritance) continue;
    const char* childName = dwarf_diename(&child);
    if (tag == DW_TAG_member && childName != nullptr) {
      if (name == childName) {
        *out = memberInfo(&child, base);
        return true;
      }
      continue;
    }
    // An anonymous struct/union member or a C++ base class: search inside.
    Dwarf_Die inner;
    if (!typeOf(&child, &inner) || !stripType(&inner) || !isAggregateTag(dwarf_tag(&inner))) continue;
    if (findMemberAt(&inner, name, base + memberOffset(&child), out, depth + 1)) return true;
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

bool matchesTypeName(Dwarf_Die* die, int wantedTag, const std::string& name) {
  int tag = dwarf_tag(die);
  if (wantedTag != 0 ? tag != wantedTag
                     : !(tag == DW_TAG_typedef || tag == DW_TAG_base_type || isAggregateTag(tag) ||
                         tag == DW_TAG_enumeration_type))
    return false;
  const char* dieName = dwarf_diename(die);
  return dieName != nullptr && name == dieName && !dwarf_hasattr(die, DW_AT_declaration);
}

}  // namespace

bool typeOf(Dwarf_Die* die, Dwarf_Die* type) {
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(die, DW_AT_type, &attr) == nullptr) return false;
  return dwarf_formref_die(&attr, type) != nullptr;
}

bool stripType(Dwarf_Die* type) {
  for (int i = 0; i < 64; ++i) {
    switch (dwarf_tag(type)) {
      case DW_TAG_typedef: case DW_TAG_const_type: case DW_TAG_volatile_type:
      case DW_TAG_restrict_type: case DW_TAG_atomic_type:
        if (!typeOf(type, type)) return false;
        break;
      default:
        if (!typeUnitDefinition(type)) return true;
        break;
    }
  }
  return false;
}

std::string typeName(Dwarf_Die* type) {
  std::string name = rawTypeName(type, 0);
  std::erase(name, kHole);
  return name;
}

std::optional<uint64_t> typeSize(Dwarf_Die* type) {
  switch (dwarf_tag(type)) {
    case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
    case DW_TAG_ptr_to_member_type:
      return 8;
    default:
      break;
  }
  Dwarf_Word size = 0;
  if (dwarf_aggregate_size(type, &size) == 0) return size;
  return std::nullopt;
}

bool isSignedType(Dwarf_Die* type) {
  Dwarf_Die t = *type;
  if (!stripType(&t)) return false;
  if (dwarf_tag(&t) == DW_TAG_enumeration_type) {
    Dwarf_Die underlying;
    if (typeOf(&t, &underlying)) return isSignedType(&underlying);
    return false;  // gcc picks unsigned int unless an enumerator is negative, and then says so
  }
  if (dwarf_tag(&t) != DW_TAG_base_type) return false;
  uint64_t encoding = udataOr(&t, DW_AT_encoding, 0);
  return encoding == DW_ATE_signed || encoding == DW_ATE_signed_char;
}

bool isCharType(Dwarf_Die* type) {
  Dwarf_Die t = *type;
  if (!stripType(&t) || dwarf_tag(&t) != DW_TAG_base_type || typeSize(&t).value_or(0) != 1) return false;
  uint64_t encoding = udataOr(&t, DW_AT_encoding, 0);
  return encoding == DW_ATE_signed_char || encoding == DW_ATE_unsigned_char;
}

bool isFloatType(Dwarf_Die* type) {
  Dwarf_Die t = *type;
  if (!stripType(&t) || dwarf_tag(&t) != DW_TAG_base_type) return false;
  uint64_t encoding = udataOr(&t, DW_AT_encoding, 0);
  return encoding == DW_ATE_float || encoding == DW_ATE_complex_float || encoding == DW_ATE_decimal_float;
}

bool findMember(Dwarf_Die* aggregate, const std::string& name, MemberInfo* member) {
  return findMemberAt(aggregate, name, 0, member, 0);
}

std::vector<std::pair<std::string, MemberInfo>> dataMembers(Dwarf_Die* aggregate) {
  std::vector<std::pair<std::string, MemberInfo>> members;
  Dwarf_Die child;
  if (dwarf_child(aggregate, &child) != 0) return members;
  do {
    // Static members (C++) have no place in the object.
    if (dwarf_tag(&child) != DW_TAG_member || dwarf_hasattr(&child, DW_AT_declaration)) continue;
    members.emplace_back(dieName(&child), memberInfo(&child, 0));
  } while (dwarf_siblingof(&child, &child) == 0);
  return members;
}

bool findTypeByName(const Module::Impl& impl, const std::string& written, Dwarf_Die* type) {
  if (impl.dwarf == nullptr) return false;
  int tag = 0;
  std::string name = written;
  static const std::pair<const char*, int> kKeywords[] = {{"struct ", DW_TAG_structure_type},
                                                          {"class ", DW_TAG_class_type},
                                                          {"union ", DW_TAG_union_type},
                                                          {"enum ", DW_TAG_enumeration_type}};
  for (const auto& [keyword, keywordTag] : kKeywords) {
    if (name.rfind(keyword, 0) == 0) {
      tag = keywordTag;
      name = name.substr(strlen(keyword));
      break;
    }
  }
  Dwarf_Off offset = 0, next = 0;
  size_t headerSize = 0;
  while (dwarf_nextcu(impl.dwarf, offset, &next, &headerSize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu, child;
    if (dwarf_offdie(impl.dwarf, offset + headerSize, &cu) != nullptr && dwarf_child(&cu, &child) == 0) {
      do {
        // C++ spells `struct pt` as `pt` too, and a class as a struct.
        bool match = matchesTypeName(&child, tag, name) ||
                     (tag == DW_TAG_structure_type && matchesTypeName(&child, DW_TAG_class_type, name));
        if (match) {
          *type = child;
          return true;
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    offset = next;
  }
  // DWARF 4 type units (.debug_types, -fdebug-types-section): each holds
  // one type (and what it needs) under its unit DIE.
  offset = 0;
  uint64_t signature = 0;
  Dwarf_Off typeOffset = 0;
  while (dwarf_next_unit(impl.dwarf, offset, &next, &headerSize, nullptr, nullptr, nullptr, nullptr, &signature,
                         &typeOffset) == 0) {
    Dwarf_Die unit, child;
    if (dwarf_offdie_types(impl.dwarf, offset + headerSize, &unit) != nullptr && dwarf_child(&unit, &child) == 0) {
      do {
        bool match = matchesTypeName(&child, tag, name) ||
                     (tag == DW_TAG_structure_type && matchesTypeName(&child, DW_TAG_class_type, name));
        if (match) {
          *type = child;
          return true;
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    offset = next;
  }
  return false;
}

}  // namespace utap::dwarf
