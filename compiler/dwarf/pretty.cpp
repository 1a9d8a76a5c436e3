// Pretty printing of target values as stap 4.8 formats them: $x$, $x$$ and
// each variable of $$parms$ / $$locals$ / $$vars$. Integers in decimal by
// signedness, chars quoted, char pointers and char arrays as quoted strings,
// other pointers in hex, structs as {.a=1, .b=2} and arrays as [first, ...];
// what stap cannot show (floats) is "?".
#include <dwarf.h>
#include <fmt/format.h>

#include <cstdint>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

void text(std::vector<PrettyPart>* parts, std::string value) {
  if (!parts->empty() && parts->back().format == PrettyPart::Format::Text) {
    parts->back().text += value;
    return;
  }
  PrettyPart part;
  part.text = std::move(value);
  parts->push_back(std::move(part));
}

void formatted(std::vector<PrettyPart>* parts, PrettyPart::Format format, ValueRecipe value,
               uint32_t maxLength = 0) {
  PrettyPart part;
  part.format = format;
  part.value = std::move(value);
  part.maxLength = maxLength;
  parts->push_back(std::move(part));
}

bool isAggregate(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

uint64_t elementCount(Dwarf_Die* array) {
  uint64_t count = 1;
  Dwarf_Die child;
  if (dwarf_child(array, &child) != 0) return 0;
  do {
    if (dwarf_tag(&child) != DW_TAG_subrange_type) continue;
    Dwarf_Attribute attr;
    Dwarf_Word value = 0;
    if (dwarf_attr_integrate(&child, DW_AT_count, &attr) && dwarf_formudata(&attr, &value) == 0)
      count *= value;
    else if (dwarf_attr_integrate(&child, DW_AT_upper_bound, &attr) && dwarf_formudata(&attr, &value) == 0)
      count *= value + 1;
    else
      return 0;
  } while (dwarf_siblingof(&child, &child) == 0);
  return count;
}

bool appendAggregate(const TypedObject& object, Dwarf_Die* type, int levels, std::vector<PrettyPart>* parts,
                     std::string* error) {
  if (levels <= 0) {
    text(parts, "{...}");
    return true;
  }
  text(parts, "{");
  bool first = true;
  for (auto& [name, info] : dataMembers(type)) {
    if (!first) text(parts, ", ");
    first = false;
    Dwarf_Die memberType = info.type;
    bool typed = info.hasType && stripType(&memberType);
    if (name.empty()) {
      // An anonymous struct or union member: stap names it by its kind.
      text(parts, typed && dwarf_tag(&memberType) == DW_TAG_union_type ? "<union>=" : "<class>=");
    } else {
      text(parts, "." + name + "=");
    }
    TypedObject member = object;
    std::string memberText = object.text + "->" + (name.empty() ? std::string("<anonymous>") : name);
    if (!placeMember(&member, info, memberText, error) || !appendPretty(member, levels - 1, false, parts, error))
      return false;
  }
  text(parts, "}");
  return true;
}

bool appendArray(const TypedObject& object, Dwarf_Die* type, int levels, std::vector<PrettyPart>* parts,
                 std::string* error) {
  Dwarf_Die element;
  bool hasElement = typeOf(type, &element);
  uint64_t count = elementCount(type);
  bool inMemory = object.location.kind == ObjectLocation::Kind::Memory;
  if (inMemory && hasElement && isCharType(&element) && levels > 0 && count > 0) {
    formatted(parts, PrettyPart::Format::UserString, object.location.recipe, static_cast<uint32_t>(count));
    return true;
  }
  if (levels <= 0) {
    text(parts, "[...]");
    return true;
  }
  // stap shows the first element and marks the rest.
  // The first element is at offset 0, wherever the array is (a small
  // array can live in a register).
  TypedObject first = object;
  MemberInfo at;
  at.type = element;
  at.hasType = hasElement;
  if (!placeMember(&first, at, object.text + "[0]", error)) return false;
  text(parts, "[");
  if (!appendPretty(first, levels - 1, false, parts, error)) return false;
  text(parts, count == 1 ? "]" : ", ...]");
  return true;
}

}  // namespace

bool appendPretty(const TypedObject& object, int levels, bool topLevel, std::vector<PrettyPart>* parts,
                  std::string* error) {
  Dwarf_Die type = object.type;
  if (!object.hasType || !stripType(&type)) {
    *error = fmt::format("{} has no value: its type is void", object.text);
    return false;
  }
  int tag = dwarf_tag(&type);
  if (object.bitSize == 0 && isAggregate(tag)) return appendAggregate(object, &type, levels, parts, error);
  if (object.bitSize == 0 && tag == DW_TAG_array_type) return appendArray(object, &type, levels, parts, error);
  if (isFloatType(&type)) {
    text(parts, "?");
    return true;
  }
  if (tag == DW_TAG_pointer_type) {
    Dwarf_Die pointee;
    bool hasPointee = typeOf(&type, &pointee);
    if (hasPointee && isCharType(&pointee)) {
      auto value = fetchValue(object, error);
      if (!value) return false;
      formatted(parts, PrettyPart::Format::UserString, std::move(*value), UINT32_MAX);
      return true;
    }
    Dwarf_Die strippedPointee = pointee;
    if (topLevel && levels > 0 && hasPointee && stripType(&strippedPointee) &&
        isAggregate(dwarf_tag(&strippedPointee))) {
      // $p$ on a pointer to a struct shows the struct.
      TypedObject target = object;
      if (!dereference(&target, error)) return false;
      return appendPretty(target, levels, false, parts, error);
    }
  }
  auto value = fetchValue(object, error);
  if (!value) return false;
  if (tag == DW_TAG_pointer_type || tag == DW_TAG_ptr_to_member_type) {
    formatted(parts, PrettyPart::Format::Hex, std::move(*value));
  } else if (isCharType(&type) && object.bitSize == 0) {
    formatted(parts, PrettyPart::Format::Char, std::move(*value));
  } else {
    formatted(parts, isSignedType(&type) ? PrettyPart::Format::Signed : PrettyPart::Format::Unsigned,
              std::move(*value));
  }
  return true;
}

}  // namespace utap::dwarf
