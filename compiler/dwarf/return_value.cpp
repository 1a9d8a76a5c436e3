// $return and $$return in .return probes: the value is where the System V
// x86-64 convention returns it (rax for integers, enums and pointers; xmm0
// for double), read when the function returns.
#include <dwarf.h>
#include <fmt/format.h>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

namespace {
constexpr int kRax = 0;
constexpr int kXmm0 = 17;
}  // namespace

std::optional<TargetValue> Module::resolveReturn(const Function& function, const TargetRequest& request,
                                                 std::string* error) const {
  Dwarf_Die die;
  if (function.fromSymbolTable || impl_->dwarf == nullptr || !impl_->dieAt(function.dieOffset, &die)) {
    *error = fmt::format("$return of {} needs debug information, which {} does not have", function.name,
                         impl_->path);
    return std::nullopt;
  }
  TypedObject object;
  object.text = "$return";
  object.hasType = typeOf(&die, &object.type);
  bool pretty = request.base == TargetRequest::Base::ReturnPretty;
  if (!object.hasType) {
    if (pretty) {
      // stap's $$return of a void function is the empty string.
      TargetValue empty;
      empty.kind = TargetValue::Kind::String;
      return empty;
    }
    *error = fmt::format("$return is not available: {} returns void (test it with @defined($return))",
                         function.name);
    return std::nullopt;
  }
  Dwarf_Die type = object.type;
  stripType(&type);
  int tag = dwarf_tag(&type);
  if (tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type) {
    *error = fmt::format("$return of {} is {}: a struct returned by value is not in one register, and utap "
                         "does not read it",
                         function.name, typeName(&object.type));
    return std::nullopt;
  }
  object.location.kind = ObjectLocation::Kind::Register;
  object.location.reg = isFloatType(&type) ? kXmm0 : kRax;
  if (!pretty) {
    for (const TargetRequest::Step& step : request.path) {
      bool ok = step.member.empty() ? accessIndex(&object, step.index, step.indexInput, error)
                                    : accessMember(&object, step.member, error);
      if (!ok) return std::nullopt;
    }
    return finishTarget(object, request, error);
  }
  auto value = fetchValue(object, error);
  if (!value) return std::nullopt;
  TargetValue result;
  result.kind = TargetValue::Kind::String;
  result.typeName = typeName(&object.type);
  result.pretty.push_back(PrettyPart{PrettyPart::Format::Text, "return=", {}, 0, true});
  result.pretty.push_back(PrettyPart{PrettyPart::Format::Hex, "", std::move(*value), 0, true});
  return result;
}

}  // namespace utap::dwarf
