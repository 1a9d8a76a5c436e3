// The steps of a target expression over typed objects: members, indexes,
// dereferences, and the final fetch of a value or an address. Each step
// turns a location and a type into another location and type, so the
// recipe grows by the reads the step implies and nothing else.
#include <dwarf.h>
#include <fmt/format.h>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

using Kind = RecipeOp::Kind;

RecipeOp sized(Kind kind, uint64_t size, bool isSigned) {
  RecipeOp result{kind};
  result.size = static_cast<uint8_t>(size);
  result.isSigned = isSigned;
  return result;
}

bool isPow2Size(uint64_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

// Dimensions of an array type, outermost first (0 for an unknown bound).
std::vector<uint64_t> arrayDimensions(Dwarf_Die* array) {
  std::vector<uint64_t> dims;
  Dwarf_Die child;
  if (dwarf_child(array, &child) != 0) return dims;
  do {
    if (dwarf_tag(&child) != DW_TAG_subrange_type) continue;
    Dwarf_Attribute attr;
    Dwarf_Word value = 0;
    if (dwarf_attr_integrate(&child, DW_AT_count, &attr) && dwarf_formudata(&attr, &value) == 0) {
      dims.push_back(value);
    } else if (dwarf_attr_integrate(&child, DW_AT_upper_bound, &attr) && dwarf_formudata(&attr, &value) == 0) {
      dims.push_back(value + 1);
    } else {
      dims.push_back(0);
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return dims;
}

// The object's type with typedefs and qualifiers gone; false for void.
bool strippedType(const TypedObject& object, Dwarf_Die* type) {
  if (!object.hasType) return false;
  *type = object.type;
  return stripType(type);
}

std::string describeType(const TypedObject& object) {
  Dwarf_Die type = object.type;
  return typeName(object.hasType ? &type : nullptr);
}

// Moves `offset` bytes into the object (a member or element at a constant offset).
bool offsetLocation(ObjectLocation* location, uint64_t offset, uint64_t size, const std::string& text,
                    std::string* error) {
  switch (location->kind) {
    case ObjectLocation::Kind::Memory:
      addOffset(&location->recipe, static_cast<int64_t>(offset));
      return true;
    case ObjectLocation::Kind::Pieces: {
      uint64_t start = 0;
      for (ObjectLocation& piece : location->pieces) {
        if (offset >= start && offset + size <= start + piece.pieceSize) {
          ObjectLocation inner = piece;
          *location = std::move(inner);
          return offsetLocation(location, offset - start, size, text, error);
        }
        start += piece.pieceSize;
      }
      *error = fmt::format("{} spans pieces of a composite DWARF location (bytes {} to {})", text, offset,
                           offset + size);
      return false;
    }
    case ObjectLocation::Kind::Register:
    case ObjectLocation::Kind::Value: {
      if (offset + size > 8) {
        *error = fmt::format("{} lies beyond the 8 bytes of its register or value", text);
        return false;
      }
      if (offset == 0) return true;
      // Part of a register: its value shifted down; no longer addressable.
      auto whole = loadScalar(*location, 8, false, error);
      if (!whole) return false;
      whole->ops.push_back(op(Kind::Constant, static_cast<int64_t>(offset * 8)));
      whole->ops.push_back(op(Kind::Shr));
      location->kind = ObjectLocation::Kind::Value;
      location->recipe = std::move(*whole);
      return true;
    }
    case ObjectLocation::Kind::Unavailable:
      *error = fmt::format("{} is optimized out (its piece of the variable has no location)", text);
      return false;
  }
  return false;
}

}  // namespace

void addOffset(ValueRecipe* recipe, int64_t offset) {
  if (offset == 0) return;
  // Constants and module addresses take the offset in; so does an earlier offset.
  Kind last = recipe->ops.empty() ? Kind::Read : recipe->ops.back().kind;
  if (last == Kind::Constant || last == Kind::ModuleAddress) {
    recipe->ops.back().value += offset;
    return;
  }
  if (last == Kind::PlusConstant) {
    recipe->ops.back().value += offset;
    if (recipe->ops.back().value == 0) recipe->ops.pop_back();
    return;
  }
  recipe->ops.push_back(op(Kind::PlusConstant, offset));
}

std::optional<ValueRecipe> loadScalar(const ObjectLocation& location, uint64_t size, bool isSigned,
                                      std::string* error) {
  ValueRecipe recipe;
  switch (location.kind) {
    case ObjectLocation::Kind::Memory:
      recipe = location.recipe;
      recipe.ops.push_back(sized(Kind::Read, size, isSigned));
      return recipe;
    case ObjectLocation::Kind::Register:
    case ObjectLocation::Kind::Value:
      if (location.kind == ObjectLocation::Kind::Register) {
        RecipeOp reg{Kind::Register};
        reg.reg = static_cast<uint8_t>(location.reg);
        recipe.ops.push_back(reg);
      } else {
        recipe = location.recipe;
      }
      if (size < 8) recipe.ops.push_back(sized(Kind::Extend, size, isSigned));
      return recipe;
    case ObjectLocation::Kind::Pieces: {
      // Assemble the value from the pieces that make up its bytes.
      uint64_t start = 0;
      bool first = true;
      for (const ObjectLocation& piece : location.pieces) {
        if (start >= size) break;
        uint64_t pieceBytes = std::min(piece.pieceSize, size - start);
        if (!isPow2Size(pieceBytes)) {
          *error = fmt::format("a piece of {} bytes cannot be read as a whole", pieceBytes);
          return std::nullopt;
        }
        if (piece.kind == ObjectLocation::Kind::Unavailable) {
          *error = "part of it is optimized out";
          return std::nullopt;
        }
        auto part = loadScalar(piece, pieceBytes, false, error);
        if (!part) return std::nullopt;
        recipe.ops.insert(recipe.ops.end(), part->ops.begin(), part->ops.end());
        if (start != 0) {
          recipe.ops.push_back(op(Kind::Constant, static_cast<int64_t>(start * 8)));
          recipe.ops.push_back(op(Kind::Shl));
        }
        if (!first) recipe.ops.push_back(op(Kind::Or));
        first = false;
        start += piece.pieceSize;
      }
      if (first || start < size) {
        *error = "its composite location covers fewer bytes than its type";
        return std::nullopt;
      }
      if (size < 8 && isSigned) recipe.ops.push_back(sized(Kind::Extend, size, true));
      return recipe;
    }
    case ObjectLocation::Kind::Unavailable:
      *error = "it is optimized out";
      return std::nullopt;
  }
  return std::nullopt;
}

bool dereference(TypedObject* object, std::string* error) {
  Dwarf_Die type;
  if (!strippedType(*object, &type)) {
    *error = fmt::format("{} is void and cannot be dereferenced", object->text);
    return false;
  }
  int tag = dwarf_tag(&type);
  if (tag != DW_TAG_pointer_type && tag != DW_TAG_reference_type && tag != DW_TAG_rvalue_reference_type) {
    *error = fmt::format("{} is {}, not a pointer", object->text, describeType(*object));
    return false;
  }
  auto pointer = loadScalar(object->location, 8, false, error);
  if (!pointer) {
    *error = fmt::format("{}: {}", object->text, *error);
    return false;
  }
  object->location = ObjectLocation{};
  object->location.recipe = std::move(*pointer);
  object->hasType = typeOf(&type, &object->type);
  object->arrayDepth = 0;
  if (!object->hasType) {
    *error = fmt::format("{} is a void pointer: cast it with @cast to read through it", object->text);
    return false;
  }
  return true;
}

bool placeMember(TypedObject* object, const MemberInfo& info, std::string text, std::string* error) {
  uint64_t size = info.bitSize ? info.storageSize : 0;
  if (!info.bitSize && info.hasType) {
    Dwarf_Die memberType = info.type;
    size = stripType(&memberType) ? typeSize(&memberType).value_or(0) : 0;
  }
  if (!offsetLocation(&object->location, info.byteOffset, size, text, error)) return false;
  object->type = info.type;
  object->hasType = info.hasType;
  object->bitSize = info.bitSize;
  object->bitShift = info.bitShift;
  object->storageSize = info.storageSize;
  object->arrayDepth = 0;
  object->text = std::move(text);
  return true;
}

bool accessMember(TypedObject* object, const std::string& member, std::string* error) {
  Dwarf_Die type;
  if (strippedType(*object, &type)) {
    int tag = dwarf_tag(&type);
    // stap's -> reaches through any number of pointers and references.
    for (int i = 0; i < 8 && (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
                              tag == DW_TAG_rvalue_reference_type);
         ++i) {
      if (!dereference(object, error) || !strippedType(*object, &type)) return false;
      tag = dwarf_tag(&type);
    }
  }
  std::string text = object->text + "->" + member;
  if (!object->hasType || !strippedType(*object, &type) ||
      (dwarf_tag(&type) != DW_TAG_structure_type && dwarf_tag(&type) != DW_TAG_class_type &&
       dwarf_tag(&type) != DW_TAG_union_type)) {
    *error = fmt::format("{}: {} is {}, not a struct, union or class", text, object->text, describeType(*object));
    return false;
  }
  if (dwarf_hasattr(&type, DW_AT_declaration)) {
    *error = fmt::format("{}: {} is incomplete here (only declared in this compilation unit)", text,
                         typeName(&type));
    return false;
  }
  MemberInfo info;
  if (!findMember(&type, member, &info)) {
    *error = fmt::format("{}: no member named '{}' in {}", text, member, typeName(&type));
    return false;
  }
  return placeMember(object, info, text, error);
}

bool indexAsArray(TypedObject* object, std::optional<int64_t> index, int input, bool* done, std::string* error) {
  *done = false;
  Dwarf_Die type;
  if (!strippedType(*object, &type)) return true;
  int tag = dwarf_tag(&type);
  if (tag == DW_TAG_array_type || tag == DW_TAG_pointer_type) return true;
  std::string text = object->text + (index ? fmt::format("[{}]", *index) : std::string("[...]"));
  uint64_t size = typeSize(&type).value_or(0);
  if (size == 0) {
    *error = fmt::format("{}: the size of {} is not known", text, describeType(*object));
    return false;
  }
  if (object->location.kind != ObjectLocation::Kind::Memory) {
    *error = fmt::format("{}: {} is not in memory here", text, object->text);
    return false;
  }
  if (index) {
    addOffset(&object->location.recipe, *index * static_cast<int64_t>(size));
  } else {
    auto& ops = object->location.recipe.ops;
    ops.push_back(op(Kind::Input, input));
    ops.push_back(op(Kind::Constant, static_cast<int64_t>(size)));
    ops.push_back(op(Kind::Mul));
    ops.push_back(op(Kind::Add));
  }
  object->bitSize = 0;
  object->text = std::move(text);
  *done = true;
  return true;
}

bool accessIndex(TypedObject* object, std::optional<int64_t> index, int input, std::string* error) {
  std::string text = object->text + (index ? fmt::format("[{}]", *index) : std::string("[...]"));
  Dwarf_Die type;
  if (!strippedType(*object, &type)) {
    *error = fmt::format("{}: {} is void and cannot be indexed", text, object->text);
    return false;
  }
  uint64_t elementSize = 0;
  Dwarf_Die elementType;
  bool hasElement = typeOf(&type, &elementType);
  bool stillArray = false;
  if (dwarf_tag(&type) == DW_TAG_array_type) {
    if (object->location.kind != ObjectLocation::Kind::Memory) {
      *error = fmt::format("{}: the array {} is not in memory here", text, object->text);
      return false;
    }
    std::vector<uint64_t> dims = arrayDimensions(&type);
    Dwarf_Die stripped = elementType;
    elementSize = hasElement && stripType(&stripped) ? typeSize(&stripped).value_or(0) : 0;
    for (size_t d = static_cast<size_t>(object->arrayDepth) + 1; d < dims.size(); ++d) elementSize *= dims[d];
    stillArray = static_cast<size_t>(object->arrayDepth) + 1 < dims.size();
  } else if (dwarf_tag(&type) == DW_TAG_pointer_type) {
    if (!dereference(object, error)) return false;
    Dwarf_Die stripped = object->type;
    elementSize = stripType(&stripped) ? typeSize(&stripped).value_or(0) : 0;
    elementType = object->type;
    hasElement = true;
  } else {
    *error = fmt::format("{}: {} is {}, not an array or pointer", text, object->text, describeType(*object));
    return false;
  }
  if (elementSize == 0) {
    *error = fmt::format("{}: the size of its elements is not known", text);
    return false;
  }
  auto& ops = object->location.recipe.ops;
  if (index) {
    addOffset(&object->location.recipe, *index * static_cast<int64_t>(elementSize));
  } else {
    ops.push_back(op(Kind::Input, input));
    ops.push_back(op(Kind::Constant, static_cast<int64_t>(elementSize)));
    ops.push_back(op(Kind::Mul));
    ops.push_back(op(Kind::Add));
  }
  if (stillArray) {
    object->arrayDepth += 1;
  } else {
    object->type = elementType;
    object->hasType = hasElement;
    object->arrayDepth = 0;
  }
  object->bitSize = 0;
  object->text = std::move(text);
  return true;
}

std::optional<ValueRecipe> fetchValue(const TypedObject& object, std::string* error) {
  Dwarf_Die type;
  if (!strippedType(object, &type)) {
    *error = fmt::format("{} has no value: its type is void", object.text);
    return std::nullopt;
  }
  if (object.bitSize != 0) {
    auto storage = loadScalar(object.location, object.storageSize, false, error);
    if (!storage) {
      *error = fmt::format("{}: {}", object.text, *error);
      return std::nullopt;
    }
    // Move the field to the top bits, then back down with its sign.
    storage->ops.push_back(op(Kind::Constant, 64 - object.bitShift - object.bitSize));
    storage->ops.push_back(op(Kind::Shl));
    storage->ops.push_back(op(Kind::Constant, 64 - object.bitSize));
    storage->ops.push_back(op(isSignedType(&type) ? Kind::Shra : Kind::Shr));
    return storage;
  }
  int tag = dwarf_tag(&type);
  if (object.arrayDepth > 0 || tag == DW_TAG_array_type) {
    // stap gives an array's address, so $buf works with user_string($buf).
    return addressOf(object, error);
  }
  if (tag == DW_TAG_reference_type || tag == DW_TAG_rvalue_reference_type) {
    TypedObject referent = object;
    if (!dereference(&referent, error)) return std::nullopt;
    return fetchValue(referent, error);
  }
  if (tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type) {
    *error = fmt::format("{} is {}, which has no single value: print it with {}$ or read a member with "
                         "{}->member",
                         object.text, describeType(object), object.text, object.text);
    return std::nullopt;
  }
  uint64_t size = typeSize(&type).value_or(0);
  if (isFloatType(&type) && size == 4 && dwarf_tag(&type) == DW_TAG_base_type) {
    // stap 4.8 gives a float as the bits of the same value as a double, and a double as its bits.
    auto bits = loadScalar(object.location, 4, false, error);
    if (!bits) {
      *error = fmt::format("{}: {}", object.text, *error);
      return std::nullopt;
    }
    bits->ops.push_back(op(Kind::Fp32ToFp64));
    return bits;
  }
  if (isFloatType(&type) && size != 8) {
    *error = fmt::format("{} is {}: utap reads float and double values (as the bits of a double, as stap "
                         "does), not floating-point values of {} bytes",
                         object.text, describeType(object), size);
    return std::nullopt;
  }
  if (!isPow2Size(size) || (tag != DW_TAG_base_type && tag != DW_TAG_enumeration_type &&
                            tag != DW_TAG_pointer_type && tag != DW_TAG_ptr_to_member_type)) {
    *error = fmt::format("{} is {} ({} bytes), which is not an integer, pointer or enum a script can hold",
                         object.text, describeType(object), size);
    return std::nullopt;
  }
  auto value = loadScalar(object.location, size, isSignedType(&type), error);
  if (!value) *error = fmt::format("{}: {}", object.text, *error);
  return value;
}

std::optional<ValueRecipe> addressOf(const TypedObject& object, std::string* error) {
  if (object.bitSize != 0) {
    *error = fmt::format("{} is a bitfield and has no address", object.text);
    return std::nullopt;
  }
  switch (object.location.kind) {
    case ObjectLocation::Kind::Memory:
      return object.location.recipe;
    case ObjectLocation::Kind::Register:
      *error = fmt::format("{} is in register {} here and has no address", object.text,
                           registerName(object.location.reg));
      return std::nullopt;
    default:
      *error = fmt::format("{} is not in memory here (the compiler keeps it as a computed value or in "
                           "pieces) and has no address",
                           object.text);
      return std::nullopt;
  }
}

}  // namespace utap::dwarf
