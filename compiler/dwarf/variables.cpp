// Target variables of one function instance: which are in scope at a pc
// (for -L and $$vars), and Module::resolve / resolveReturn, which turn a
// written target expression into a recipe or a pretty-printed string.
// Parameters at the entry instruction come from the calling convention
// when DWARF describes them only after the prologue (entry_convention.cpp);
// $return is in return_value.cpp.
#include <dwarf.h>
#include <fmt/format.h>

#include <cstdlib>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

// $$vars and $$parms$$ print nested aggregates this deep at most, as a
// recursive type (a list node) would otherwise never end.
constexpr int kDeepPrettyLevels = 8;

// Whether any byte of the object is in memory (not a register or a value).
bool inMemory(const ObjectLocation& location) {
  if (location.kind == ObjectLocation::Kind::Pieces) {
    for (const ObjectLocation& piece : location.pieces)
      if (inMemory(piece)) return true;
    return false;
  }
  return location.kind == ObjectLocation::Kind::Memory;
}

// A fixed address: DW_OP_addr alone (a static variable).
bool isStaticStorage(const ObjectLocation& location) {
  return location.kind == ObjectLocation::Kind::Memory && location.recipe.ops.size() == 1 &&
         (location.recipe.ops[0].kind == RecipeOp::Kind::Constant ||
          location.recipe.ops[0].kind == RecipeOp::Kind::ModuleAddress);
}

// DW_OP_fbreg N >= 0 over a CFA frame base: an argument the caller stored.
bool callerStackSlot(Dwarf_Attribute* location, Dwarf_Die* function) {
  Dwarf_Op* ops = nullptr;
  size_t count = 0;
  if (isLocationList(location) || dwarf_getlocation(location, &ops, &count) != 0 || count != 1 ||
      ops[0].atom != DW_OP_fbreg || static_cast<int64_t>(ops[0].number) < 0)
    return false;
  Dwarf_Attribute frameBase;
  Dwarf_Op* baseOps = nullptr;
  size_t baseCount = 0;
  return dwarf_attr_integrate(function, DW_AT_frame_base, &frameBase) != nullptr &&
         dwarf_getlocation(&frameBase, &baseOps, &baseCount) == 0 && baseCount == 1 &&
         baseOps[0].atom == DW_OP_call_frame_cfa;
}

std::string availableList(const std::vector<ScopedVariable>& variables) {
  std::string list;
  for (const ScopedVariable& v : variables) {
    Dwarf_Die die = v.die;
    list += fmt::format("{}${}", list.empty() ? "" : " ", dwarf_diename(&die));
  }
  return list.empty() ? "none" : list;
}

// One resolution: a function instance at a pc.
class VariableResolver {
 public:
  VariableResolver(const Module::Impl& impl, Dwarf_Die function, const Function& info, uint64_t pc, bool atEntry,
                   std::string* error)
      : impl_(impl), function_(function), functionName_(info.name), entry_(info.entry), pc_(pc),
        atEntry_(atEntry), nestedBlocks_(inNestedBlocks(info, pc)), error_(error) {}
  std::optional<TargetValue> variable(const TargetRequest& request);
  std::optional<TargetValue> atVar(const TargetRequest& request);
  std::optional<TargetValue> cast(const TargetRequest& request);
  std::optional<TargetValue> group(const TargetRequest& request);

 private:
  std::optional<TypedObject> object(Dwarf_Die* variable, bool isLocal, bool isParameter);
  bool applySteps(TypedObject* object, const TargetRequest& request);
  std::optional<TargetValue> finish(const TypedObject& object, const TargetRequest& request);

  const Module::Impl& impl_;
  Dwarf_Die function_;
  std::string functionName_;
  uint64_t entry_, pc_;
  bool atEntry_;
  bool nestedBlocks_;
  std::string* error_;
};

}  // namespace

std::optional<TypedObject> VariableResolver::object(Dwarf_Die* variable, bool isLocal, bool isParameter) {
  TypedObject object;
  const char* name = dwarf_diename(variable);
  object.text = fmt::format("${}", name ? name : "?");
  object.hasType = typeOf(variable, &object.type);
  LocationContext ctx;
  ctx.impl = &impl_;
  ctx.hasFrameFunction = frameFunctionOf(&function_, pc_, &ctx.frameFunction);
  ctx.pc = pc_;
  ctx.atFunctionEntry = atEntry_ || pc_ == entry_;
  ctx.subject = object.text;
  ctx.function = functionName_;
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(variable, DW_AT_const_value, &attr) != nullptr) {
    // Optimized into a constant: the value is in DWARF itself.
    Dwarf_Sword value = 0;
    Dwarf_Block block;
    if (dwarf_formsdata(&attr, &value) != 0) {
      if (dwarf_formblock(&attr, &block) != 0 || block.length > 8) {
        *error_ = fmt::format("{} in {} is a constant DWARF does not give as an integer", object.text,
                              functionName_);
        return std::nullopt;
      }
      uint64_t bits = 0;
      for (size_t b = 0; b < block.length; ++b) bits |= static_cast<uint64_t>(block.data[b]) << (8 * b);
      value = static_cast<Dwarf_Sword>(bits);
    }
    object.location.kind = ObjectLocation::Kind::Value;
    object.location.recipe.ops = {RecipeOp{RecipeOp::Kind::Constant, 0, 0, false, static_cast<int64_t>(value)}};
    return object;
  }
  if (dwarf_attr_integrate(variable, DW_AT_location, &attr) == nullptr) {
    *error_ = fmt::format("{} is optimized out at {:#x} in {} (it has no location)", object.text, pc_, functionName_);
    return std::nullopt;
  }
  std::string listError;
  std::optional<ObjectLocation> location = evaluateLocation(ctx, &attr, &listError);
  if (atEntry_ && isLocal && !(location && !isLocationList(&attr) && isStaticStorage(*location))) {
    // A function's static variable is at a fixed address and readable anywhere.
    *error_ = fmt::format("{} is a local variable of {}: locals are not set at the function's entry", object.text,
                          functionName_);
    return std::nullopt;
  }
  // At the entry instruction a parameter kept in a stack slot for the whole
  // function (-O0) is not there yet: take it from its argument register.
  // Slots at or above the CFA are the caller's (arguments passed on the
  // stack) and are already written.
  bool stackSlot = location && !isLocationList(&attr) && inMemory(*location);
  if (stackSlot && callerStackSlot(&attr, &function_)) stackSlot = false;
  if (stackSlot) listError.clear();
  if (atEntry_ && isParameter && (!location || stackSlot)) {
    location = entryConventionLocation(&function_, variable, object.text, functionName_, error_);
    if (!location && !listError.empty()) *error_ = listError + "; " + *error_;
    if (!location) return std::nullopt;
  } else if (!location) {
    *error_ = listError;
    return std::nullopt;
  }
  object.location = std::move(*location);
  return object;
}

bool VariableResolver::applySteps(TypedObject* object, const TargetRequest& request) {
  for (const TargetRequest::Step& step : request.path) {
    bool ok = step.member.empty() ? accessIndex(object, step.index, step.indexInput, error_)
                                  : accessMember(object, step.member, error_);
    if (!ok) {
      *error_ += fmt::format(" (in {})", functionName_);
      return false;
    }
  }
  return true;
}

std::optional<TargetValue> VariableResolver::finish(const TypedObject& object, const TargetRequest& request) {
  return finishTarget(object, request, error_);
}

namespace {

// The value's DWARF type for autocast (TargetValue::typeDie): a pointer,
// an integer or an enum is a value of the object's type; an array's value
// and &object are the address of an object of that type. The identity
// spells the type with qualifiers and typedefs gone: one '*' per pointer
// level, then the DIE it ends at.
void recordValueType(const TypedObject& object, bool addressOf, TargetValue* result) {
  if (!object.hasType || object.arrayDepth > 0 || object.bitSize != 0) return;
  Dwarf_Die type = object.type;
  if (!stripType(&type)) return;
  int tag = dwarf_tag(&type);
  if (tag == DW_TAG_reference_type || tag == DW_TAG_rvalue_reference_type) return;
  bool addressed = addressOf || tag == DW_TAG_array_type;
  Dwarf_Die declared = object.type;
  result->typeDie = dieOffset(&declared);
  result->typeAddressed = addressed;
  std::string identity = addressed ? "*" : "";
  bool typed = true;
  for (int level = 0; typed && level < 16 && dwarf_tag(&type) == DW_TAG_pointer_type; ++level) {
    identity += "*";
    typed = typeOf(&type, &type) && stripType(&type);
  }
  result->typeIdentity = identity + (typed ? fmt::format("@{:#x}", dieOffset(&type)) : "void");
}

}  // namespace

std::optional<TargetValue> finishTarget(const TypedObject& object, const TargetRequest& request,
                                        std::string* error) {
  TargetValue result;
  Dwarf_Die type = object.type;
  result.typeName = typeName(object.hasType ? &type : nullptr);
  if (request.addressOf) {
    auto address = addressOf(object, error);
    if (!address) return std::nullopt;
    result.value = std::move(*address);
    result.typeName += "*";
    recordValueType(object, true, &result);
    return result;
  }
  if (request.pretty > 0) {
    result.kind = TargetValue::Kind::String;
    int levels = request.pretty == 1 ? 1 : kDeepPrettyLevels;
    if (!appendPretty(object, levels, /*topLevel=*/true, &result.pretty, error)) return std::nullopt;
    return result;
  }
  auto value = fetchValue(object, error);
  if (!value) return std::nullopt;
  result.value = std::move(*value);
  recordValueType(object, false, &result);
  return result;
}

std::optional<TargetValue> VariableResolver::variable(const TargetRequest& request) {
  std::vector<ScopedVariable> variables = scopedVariables(&function_, pc_, nestedBlocks_);
  // Innermost scope first, then the later declaration in one scope.
  const ScopedVariable* found = nullptr;
  for (const ScopedVariable& v : variables) {
    Dwarf_Die die = v.die;
    if (request.name == dwarf_diename(&die) && (found == nullptr || v.depth >= found->depth)) found = &v;
  }
  std::optional<TypedObject> object;
  if (found != nullptr) {
    Dwarf_Die die = found->die;
    object = this->object(&die, !found->isParameter, found->isParameter);
  } else {
    Dwarf_Die global;
    if (!findGlobal(impl_, &function_, request.name, "", &global)) {
      *error_ = fmt::format("${} not found in {}; available: {}", request.name, functionName_,
                            availableList(variables));
      return std::nullopt;
    }
    object = this->object(&global, false, false);
  }
  if (!object || !applySteps(&*object, request)) return std::nullopt;
  return finish(*object, request);
}

std::optional<TargetValue> VariableResolver::atVar(const TargetRequest& request) {
  size_t at = request.name.find('@');
  std::string name = request.name.substr(0, at);
  std::string file = at == std::string::npos ? "" : request.name.substr(at + 1);
  if (file.empty()) {
    TargetRequest plain = request;
    plain.name = name;
    return variable(plain);
  }
  Dwarf_Die global;
  if (!findGlobal(impl_, nullptr, name, file, &global)) {
    *error_ = fmt::format("@var(\"{}\"): no global or static variable '{}' in a compilation unit named {}",
                          request.name, name, file);
    return std::nullopt;
  }
  auto object = this->object(&global, false, false);
  if (!object || !applySteps(&*object, request)) return std::nullopt;
  object->text = fmt::format("@var(\"{}\")", request.name);
  return finish(*object, request);
}

std::optional<TargetValue> VariableResolver::cast(const TargetRequest& request) {
  TypedObject object;
  object.text = fmt::format("@cast(..., \"{}\")", request.name);
  if (!findTypeByName(impl_, request.name, &object.type)) {
    *error_ = fmt::format("@cast: no type named '{}' in the debug information of {}", request.name, impl_.path);
    return std::nullopt;
  }
  object.hasType = true;
  // The object is at the address the script passes: input 0.
  object.location.recipe.ops = {RecipeOp{RecipeOp::Kind::Input, 0, 0, false, 0}};
  // @cast(p, "T")[i] is element i of an array of T at p (unless T is an
  // array or pointer type itself), as stap reads it.
  TargetRequest rest = request;
  if (!rest.path.empty() && rest.path.front().member.empty()) {
    bool done = false;
    const TargetRequest::Step& first = rest.path.front();
    if (!indexAsArray(&object, first.index, first.indexInput, &done, error_)) return std::nullopt;
    if (done) rest.path.erase(rest.path.begin());
  }
  if (!applySteps(&object, rest)) return std::nullopt;
  return finish(object, request);
}

// $$parms, $$locals, $$vars: "a=0x1 p=0x7ffd..." (stap's %#x of each);
// with $ or $$ each value pretty-printed. A variable that cannot be read
// at this pc prints as "?", as stap's do; at the entry instruction the
// whole request fails instead, so the probe goes after the prologue.
std::optional<TargetValue> VariableResolver::group(const TargetRequest& request) {
  using Base = TargetRequest::Base;
  TargetValue result;
  result.kind = TargetValue::Kind::String;
  bool first = true;
  for (const ScopedVariable& v : scopedVariables(&function_, pc_, nestedBlocks_)) {
    if ((request.base == Base::Parms && !v.isParameter) || (request.base == Base::Locals && v.isParameter))
      continue;
    Dwarf_Die die = v.die;
    PrettyPart label;
    label.text = fmt::format("{}{}=", first ? "" : " ", dwarf_diename(&die));
    first = false;
    result.pretty.push_back(label);
    std::string ignored;
    std::vector<PrettyPart> parts;
    bool ok = false;
    Dwarf_Die type;
    int tag = typeOf(&die, &type) && stripType(&type) ? dwarf_tag(&type) : 0;
    if (request.pretty == 0 && (tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
                                tag == DW_TAG_union_type || tag == DW_TAG_array_type)) {
      // stap shows no aggregate in $$vars, so where it is does not matter.
      parts.push_back(PrettyPart{PrettyPart::Format::Text, tag == DW_TAG_array_type ? "[...]" : "{...}", {}, 0, true});
      ok = true;
    } else {
      std::string* savedError = error_;
      error_ = &ignored;
      auto object = this->object(&die, !v.isParameter, v.isParameter);
      error_ = savedError;
      if (object && request.pretty > 0) {
        ok = appendPretty(*object, request.pretty == 1 ? 1 : kDeepPrettyLevels, false, &parts, &ignored);
      } else if (object) {
        auto value = fetchValue(*object, &ignored);
        if (value) parts.push_back(PrettyPart{PrettyPart::Format::Hex, "", std::move(*value), 0, true});
        ok = value.has_value();
      }
    }
    if (!ok && atEntry_) {
      *error_ = fmt::format("${} cannot be printed at the entry of {}: {}", dwarf_diename(&die), functionName_,
                            ignored);
      return std::nullopt;
    }
    if (!ok) parts = {PrettyPart{PrettyPart::Format::Text, "?", {}, 0, true}};
    for (PrettyPart& part : parts) {
      if (part.format == PrettyPart::Format::Text && result.pretty.back().format == PrettyPart::Format::Text)
        result.pretty.back().text += part.text;
      else
        result.pretty.push_back(std::move(part));
    }
  }
  return result;
}

std::vector<VariableInfo> Module::variables(const Function& function, uint64_t pc) const {
  std::vector<VariableInfo> result;
  Dwarf_Die die;
  if (function.fromSymbolTable || impl_->dwarf == nullptr || !impl_->dieAt(function.dieOffset, &die))
    return result;
  for (const ScopedVariable& v : scopedVariables(&die, pc, inNestedBlocks(function, pc))) {
    Dwarf_Die variable = v.die, type;
    // As stap -L: only variables with a value at the pc.
    Dwarf_Attribute attr;
    Dwarf_Op* ops = nullptr;
    size_t count = 0;
    bool located = dwarf_attr_integrate(&variable, DW_AT_const_value, &attr) != nullptr ||
                   (dwarf_attr_integrate(&variable, DW_AT_location, &attr) != nullptr &&
                    dwarf_getlocation_addr(&attr, pc, &ops, &count, 1) > 0);
    if (!located) continue;
    bool typed = typeOf(&variable, &type);
    result.push_back({dwarf_diename(&variable), typeName(typed ? &type : nullptr), v.isParameter});
  }
  return result;
}

std::optional<TargetValue> Module::resolveCast(const TargetRequest& request, std::string* error) const {
  if (impl_->dwarf == nullptr) {
    *error = fmt::format("@cast: {} has no debug information to find the type '{}' in", impl_->path, request.name);
    return std::nullopt;
  }
  // A type by name needs no function: the resolver's function is only
  // named in messages.
  Function none;
  none.name = "@cast";
  VariableResolver resolver(*impl_, Dwarf_Die{}, none, 0, false, error);
  return resolver.cast(request);
}

std::optional<TargetValue> Module::resolveTyped(uint64_t typeDie, bool typeAddressed, const TargetRequest& request,
                                                std::string* error) const {
  TypedObject object;
  object.text = request.name;
  if (!impl_->dieAt(typeDie, &object.type)) {
    *error = fmt::format("{}: its type (DWARF DIE {:#x}) is not in the debug information of {}", request.name,
                         typeDie, impl_->path);
    return std::nullopt;
  }
  object.hasType = true;
  // The value itself (a pointer), or the address of the object (&x, an array).
  object.location.kind = typeAddressed ? ObjectLocation::Kind::Memory : ObjectLocation::Kind::Value;
  object.location.recipe.ops = {op(RecipeOp::Kind::Input, 0)};
  size_t first = 0;
  if (typeAddressed && !request.path.empty() && request.path.front().member.empty()) {
    // (&x)[i], as @cast(p, "T")[i]: element i of an array of x's type.
    bool done = false;
    const TargetRequest::Step& step = request.path.front();
    if (!indexAsArray(&object, step.index, step.indexInput, &done, error)) return std::nullopt;
    first = done ? 1 : 0;
  }
  for (size_t i = first; i < request.path.size(); ++i) {
    const TargetRequest::Step& step = request.path[i];
    bool ok = step.member.empty() ? accessIndex(&object, step.index, step.indexInput, error)
                                  : accessMember(&object, step.member, error);
    if (!ok) return std::nullopt;
  }
  return finishTarget(object, request, error);
}

std::optional<TargetValue> Module::resolve(const Function& function, uint64_t pc, const TargetRequest& request,
                                           bool atEntry, std::string* error) const {
  using Base = TargetRequest::Base;
  if (request.base == Base::Return || request.base == Base::ReturnPretty)
    return resolveReturn(function, request, error);
  Dwarf_Die die;
  if (function.fromSymbolTable || impl_->dwarf == nullptr || !impl_->dieAt(function.dieOffset, &die)) {
    *error = fmt::format("{} has no debug information in {}: target variables need DWARF (build with -g or "
                         "install its debug symbols)",
                         function.name, impl_->path);
    return std::nullopt;
  }
  VariableResolver resolver(*impl_, die, function, pc, atEntry, error);
  switch (request.base) {
    case Base::Variable: return resolver.variable(request);
    case Base::Parms: case Base::Locals: case Base::Vars: return resolver.group(request);
    case Base::AtVar: return resolver.atVar(request);
    case Base::Cast: return resolver.cast(request);
    default:
      *error = fmt::format("this target expression is not a DWARF variable of {}", function.name);
      return std::nullopt;
  }
}

}  // namespace utap::dwarf
