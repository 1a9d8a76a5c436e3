// DWARF location expressions at one pc → ObjectLocation (a recipe of
// register reads, constants, module addresses and user-memory reads).
// Both are stack machines, so most operations translate one to one; the
// ones that need a value only the CPU knows at run time (the frame's CFA)
// are expanded here from the call-frame information at the pc.
#include <dwarf.h>
#include <fmt/format.h>

#include <cstdlib>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

RecipeOp op(RecipeOp::Kind kind, int64_t value) {
  RecipeOp result{kind};
  result.value = value;
  return result;
}

namespace {

using Kind = RecipeOp::Kind;

RecipeOp registerOp(int reg) {
  RecipeOp result{Kind::Register};
  result.reg = static_cast<uint8_t>(reg);
  return result;
}

// x86-64 has DWARF registers 0-32 (rax..r15, rip, xmm0-15); anything else
// is another machine's or a vector register wider than a recipe value.
constexpr int kLastRegister = 32;

class Evaluator {
 public:
  Evaluator(const LocationContext& ctx, Dwarf_Attribute* attribute, std::string* error)
      : ctx_(ctx), attribute_(attribute), error_(error) {}

  // Translates one expression; `allowFrameOps` is false inside the frame
  // base and the CFA (which cannot refer to themselves).
  std::optional<ObjectLocation> run(const Dwarf_Op* ops, size_t count, bool allowFrameOps);

 private:
  bool fail(std::string why) {
    *error_ = fmt::format("{} in {} cannot be read at {:#x}: {}", ctx_.subject, ctx_.function, ctx_.pc, why);
    return false;
  }
  bool unsupported(const Dwarf_Op& o) {
    return fail(fmt::format("DWARF operation {} is not supported", dwarfOpName(o.atom)));
  }
  bool checkRegister(uint64_t reg) {
    if (reg <= kLastRegister) return true;
    return fail(fmt::format("DWARF register {} is not an x86-64 register utap can read", reg));
  }
  bool translate(const Dwarf_Op& o, bool allowFrameOps, ValueRecipe* out);
  bool frameBase(ValueRecipe* out);
  bool callFrameCfa(ValueRecipe* out);
  bool entryValue(const Dwarf_Op& o, ValueRecipe* out);

  const LocationContext& ctx_;
  Dwarf_Attribute* attribute_;
  std::string* error_;
};

std::optional<ObjectLocation> Evaluator::run(const Dwarf_Op* ops, size_t count, bool allowFrameOps) {
  ObjectLocation whole;
  whole.kind = ObjectLocation::Kind::Pieces;
  ObjectLocation current;
  bool haveCurrent = false;  // an operation since the last piece
  for (size_t i = 0; i < count; ++i) {
    const Dwarf_Op& o = ops[i];
    if (o.atom == DW_OP_piece) {
      if (!haveCurrent) current.kind = ObjectLocation::Kind::Unavailable;
      current.pieceSize = o.number;
      whole.pieces.push_back(std::move(current));
      current = ObjectLocation{};
      haveCurrent = false;
      continue;
    }
    if (o.atom == DW_OP_bit_piece) {
      unsupported(o);
      return std::nullopt;
    }
    // These end a location description: only a piece may follow them.
    bool endsDescription = (o.atom >= DW_OP_reg0 && o.atom <= DW_OP_reg31) || o.atom == DW_OP_regx ||
                           o.atom == DW_OP_stack_value || o.atom == DW_OP_implicit_value;
    if (current.kind != ObjectLocation::Kind::Memory) {
      fail(fmt::format("{} follows a register or value location without a piece", dwarfOpName(o.atom)));
      return std::nullopt;
    }
    haveCurrent = true;
    if (!endsDescription) {
      if (!translate(o, allowFrameOps, &current.recipe)) return std::nullopt;
      continue;
    }
    if (o.atom == DW_OP_stack_value) {
      if (current.recipe.ops.empty()) {
        fail("DW_OP_stack_value on an empty stack");
        return std::nullopt;
      }
      current.kind = ObjectLocation::Kind::Value;
    } else if (o.atom == DW_OP_implicit_value) {
      Dwarf_Block block;
      if (dwarf_getlocation_implicit_value(attribute_, &o, &block) != 0 || block.length > 8) {
        fail("a DW_OP_implicit_value wider than 8 bytes");
        return std::nullopt;
      }
      uint64_t value = 0;  // little-endian target
      for (size_t b = 0; b < block.length; ++b) value |= static_cast<uint64_t>(block.data[b]) << (8 * b);
      current.kind = ObjectLocation::Kind::Value;
      current.recipe.ops = {op(Kind::Constant, static_cast<int64_t>(value))};
    } else {
      uint64_t reg = o.atom == DW_OP_regx ? o.number : o.atom - DW_OP_reg0;
      if (!current.recipe.ops.empty()) {
        fail(fmt::format("{} after other operations", dwarfOpName(o.atom)));
        return std::nullopt;
      }
      if (!checkRegister(reg)) return std::nullopt;
      current.kind = ObjectLocation::Kind::Register;
      current.reg = static_cast<int>(reg);
    }
  }
  if (whole.pieces.empty()) {
    if (current.kind == ObjectLocation::Kind::Memory && current.recipe.ops.empty()) {
      fail("its location expression is empty");
      return std::nullopt;
    }
    return current;
  }
  if (haveCurrent) {
    fail("a composite location ends without DW_OP_piece");
    return std::nullopt;
  }
  return whole;
}

bool Evaluator::translate(const Dwarf_Op& o, bool allowFrameOps, ValueRecipe* out) {
  auto& ops = out->ops;
  unsigned atom = o.atom;
  if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
    ops.push_back(op(Kind::Constant, atom - DW_OP_lit0));
    return true;
  }
  if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
    ops.push_back(registerOp(static_cast<int>(atom - DW_OP_breg0)));
    addOffset(out, static_cast<int64_t>(o.number));
    return true;
  }
  switch (atom) {
    case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u: case DW_OP_constu:
    case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s: case DW_OP_consts:
      // libdw stores signed operands sign-extended in `number`.
      ops.push_back(op(Kind::Constant, static_cast<int64_t>(o.number)));
      return true;
    case DW_OP_addr:
      // ET_DYN files are loaded at a bias the runtime knows; ET_EXEC ones where they are linked.
      ops.push_back(op(ctx_.impl->ehdr.e_type == ET_DYN ? Kind::ModuleAddress : Kind::Constant,
                       static_cast<int64_t>(o.number)));
      return true;
    case DW_OP_bregx:
      if (!checkRegister(o.number)) return false;
      ops.push_back(registerOp(static_cast<int>(o.number)));
      addOffset(out, static_cast<int64_t>(o.number2));
      return true;
    case DW_OP_fbreg:
      if (!allowFrameOps) return unsupported(o);
      if (!frameBase(out)) return false;
      addOffset(out, static_cast<int64_t>(o.number));
      return true;
    case DW_OP_call_frame_cfa:
      if (!allowFrameOps) return unsupported(o);
      return callFrameCfa(out);
    case DW_OP_entry_value:
    case DW_OP_GNU_entry_value:
      return entryValue(o, out);
    case DW_OP_deref:
      ops.push_back({Kind::Read, 0, 8, false, 0});
      return true;
    case DW_OP_deref_size:
      if (o.number != 1 && o.number != 2 && o.number != 4 && o.number != 8)
        return fail(fmt::format("DW_OP_deref_size of {} bytes", o.number));
      ops.push_back({Kind::Read, 0, static_cast<uint8_t>(o.number), false, 0});
      return true;
    case DW_OP_plus_uconst:
      addOffset(out, static_cast<int64_t>(o.number));
      return true;
    case DW_OP_plus: ops.push_back(op(Kind::Add)); return true;
    case DW_OP_minus: ops.push_back(op(Kind::Sub)); return true;
    case DW_OP_mul: ops.push_back(op(Kind::Mul)); return true;
    case DW_OP_div: ops.push_back(op(Kind::Div)); return true;
    case DW_OP_mod: ops.push_back(op(Kind::Mod)); return true;
    case DW_OP_and: ops.push_back(op(Kind::And)); return true;
    case DW_OP_or: ops.push_back(op(Kind::Or)); return true;
    case DW_OP_xor: ops.push_back(op(Kind::Xor)); return true;
    case DW_OP_shl: ops.push_back(op(Kind::Shl)); return true;
    case DW_OP_shr: ops.push_back(op(Kind::Shr)); return true;
    case DW_OP_shra: ops.push_back(op(Kind::Shra)); return true;
    case DW_OP_neg: ops.push_back(op(Kind::Neg)); return true;
    case DW_OP_not: ops.push_back(op(Kind::Not)); return true;
    case DW_OP_nop: return true;
    default:
      return unsupported(o);
  }
}

// DW_AT_frame_base of the out-of-line function: usually DW_OP_call_frame_cfa,
// in old or hand-written DWARF a register (its value is the base) or breg.
bool Evaluator::frameBase(ValueRecipe* out) {
  Dwarf_Attribute attr;
  Dwarf_Die function = ctx_.frameFunction;
  if (!ctx_.hasFrameFunction || dwarf_attr_integrate(&function, DW_AT_frame_base, &attr) == nullptr)
    return fail("DW_OP_fbreg is used but the function has no DW_AT_frame_base");
  Dwarf_Op* ops = nullptr;
  size_t count = 0;
  int found = dwarf_getlocation_addr(&attr, ctx_.pc, &ops, &count, 1);
  if (found <= 0) return fail("the function's frame base is not known at this address");
  // The CFA is the one frame-relative operation a frame base may use.
  if (count == 1 && ops[0].atom == DW_OP_call_frame_cfa) return callFrameCfa(out);
  Evaluator inner(ctx_, &attr, error_);
  auto base = inner.run(ops, count, /*allowFrameOps=*/false);
  if (!base) return false;
  if (base->kind == ObjectLocation::Kind::Register) {
    out->ops.push_back(registerOp(base->reg));
  } else if (base->kind == ObjectLocation::Kind::Memory) {
    out->ops.insert(out->ops.end(), base->recipe.ops.begin(), base->recipe.ops.end());
  } else {
    return fail("the function's frame base is not an address");
  }
  return true;
}

// The canonical frame address at the pc, from .eh_frame of the probed file
// or else .debug_frame: a register plus an offset (rsp+8 at the entry,
// rbp+16 once the prologue has set up rbp).
bool Evaluator::callFrameCfa(ValueRecipe* out) {
  Dwarf_CFI* ownCfi = ctx_.impl->elf ? dwarf_getcfi_elf(ctx_.impl->elf) : nullptr;
  Dwarf_CFI* cfis[] = {ownCfi, ctx_.impl->dwarf ? dwarf_getcfi(ctx_.impl->dwarf) : nullptr};
  bool ok = false, failed = false;
  for (Dwarf_CFI* cfi : cfis) {
    Dwarf_Frame* frame = nullptr;
    if (cfi == nullptr || dwarf_cfi_addrframe(cfi, ctx_.pc, &frame) != 0) continue;
    Dwarf_Op* ops = nullptr;
    size_t count = 0;
    if (dwarf_frame_cfa(frame, &ops, &count) == 0) {
      Evaluator inner(ctx_, attribute_, error_);
      auto cfa = inner.run(ops, count, /*allowFrameOps=*/false);
      if (cfa && cfa->kind == ObjectLocation::Kind::Memory) {
        out->ops.insert(out->ops.end(), cfa->recipe.ops.begin(), cfa->recipe.ops.end());
        ok = true;
      } else {
        if (cfa) fail("the call frame address is not a register plus an offset");
        failed = true;
      }
    }
    free(frame);
    if (ok || failed) break;
  }
  if (ownCfi) dwarf_cfi_end(ownCfi);
  if (!ok && !failed) return fail("no call-frame information covers this address (DW_OP_call_frame_cfa)");
  return ok;
}

// entry_value(X) is X as it was when the function was entered: known only
// when the probe is at the entry instruction and X is a register.
bool Evaluator::entryValue(const Dwarf_Op& o, ValueRecipe* out) {
  Dwarf_Attribute inner;
  Dwarf_Op* ops = nullptr;
  size_t count = 0;
  if (dwarf_getlocation_attr(attribute_, &o, &inner) != 0 || dwarf_getlocation(&inner, &ops, &count) != 0)
    return fail(fmt::format("its {} cannot be decoded", dwarfOpName(o.atom)));
  bool isRegister = count == 1 && ((ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) ||
                                   ops[0].atom == DW_OP_regx);
  if (!isRegister)
    return fail(fmt::format("its value at the function's entry ({}) is not a register", dwarfOpName(o.atom)));
  if (!ctx_.atFunctionEntry)
    return fail(fmt::format("only its value at the function's entry is known ({}), and the probe is not "
                            "at the entry",
                            dwarfOpName(o.atom)));
  uint64_t reg = ops[0].atom == DW_OP_regx ? ops[0].number : ops[0].atom - DW_OP_reg0;
  if (!checkRegister(reg)) return false;
  out->ops.push_back(registerOp(static_cast<int>(reg)));
  return true;
}

}  // namespace

bool isLocationList(Dwarf_Attribute* attribute) {
  unsigned form = dwarf_whatform(attribute);
  return form == DW_FORM_sec_offset || form == DW_FORM_loclistx || form == DW_FORM_data4 ||
         form == DW_FORM_data8;
}

std::optional<ObjectLocation> evaluateLocation(const LocationContext& ctx, Dwarf_Attribute* attribute,
                                               std::string* error) {
  error->clear();
  Dwarf_Op* ops = nullptr;
  size_t count = 0;
  int found = dwarf_getlocation_addr(attribute, ctx.pc, &ops, &count, 1);
  if (found < 0) {
    *error = fmt::format("{} in {}: its DWARF location cannot be read: {}", ctx.subject, ctx.function,
                         dwarf_errmsg(-1));
    return std::nullopt;
  }
  if (found == 0 || count == 0) {
    *error = fmt::format("{} is optimized out at {:#x} in {}", ctx.subject, ctx.pc, ctx.function);
    return std::nullopt;
  }
  Evaluator evaluator(ctx, attribute, error);
  return evaluator.run(ops, count, /*allowFrameOps=*/true);
}

std::string dwarfOpName(unsigned atom) {
  if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) return fmt::format("DW_OP_lit{}", atom - DW_OP_lit0);
  if (atom >= DW_OP_reg0 && atom <= DW_OP_reg31) return fmt::format("DW_OP_reg{}", atom - DW_OP_reg0);
  if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) return fmt::format("DW_OP_breg{}", atom - DW_OP_breg0);
  switch (atom) {
#define NAME(op) \
  case op:       \
    return #op;
    NAME(DW_OP_addr) NAME(DW_OP_deref) NAME(DW_OP_const1u) NAME(DW_OP_const1s) NAME(DW_OP_const2u)
    NAME(DW_OP_const2s) NAME(DW_OP_const4u) NAME(DW_OP_const4s) NAME(DW_OP_const8u) NAME(DW_OP_const8s)
    NAME(DW_OP_constu) NAME(DW_OP_consts) NAME(DW_OP_dup) NAME(DW_OP_drop) NAME(DW_OP_over) NAME(DW_OP_pick)
    NAME(DW_OP_swap) NAME(DW_OP_rot) NAME(DW_OP_xderef) NAME(DW_OP_abs) NAME(DW_OP_and) NAME(DW_OP_div)
    NAME(DW_OP_minus) NAME(DW_OP_mod) NAME(DW_OP_mul) NAME(DW_OP_neg) NAME(DW_OP_not) NAME(DW_OP_or)
    NAME(DW_OP_plus) NAME(DW_OP_plus_uconst) NAME(DW_OP_shl) NAME(DW_OP_shr) NAME(DW_OP_shra) NAME(DW_OP_xor)
    NAME(DW_OP_bra) NAME(DW_OP_eq) NAME(DW_OP_ge) NAME(DW_OP_gt) NAME(DW_OP_le) NAME(DW_OP_lt) NAME(DW_OP_ne)
    NAME(DW_OP_skip) NAME(DW_OP_regx) NAME(DW_OP_fbreg) NAME(DW_OP_bregx) NAME(DW_OP_piece)
    NAME(DW_OP_deref_size) NAME(DW_OP_xderef_size) NAME(DW_OP_nop) NAME(DW_OP_push_object_address)
    NAME(DW_OP_call2) NAME(DW_OP_call4) NAME(DW_OP_call_ref) NAME(DW_OP_form_tls_address)
    NAME(DW_OP_call_frame_cfa) NAME(DW_OP_bit_piece) NAME(DW_OP_implicit_value) NAME(DW_OP_stack_value)
    NAME(DW_OP_implicit_pointer) NAME(DW_OP_addrx) NAME(DW_OP_constx) NAME(DW_OP_entry_value)
    NAME(DW_OP_const_type) NAME(DW_OP_regval_type) NAME(DW_OP_deref_type) NAME(DW_OP_xderef_type)
    NAME(DW_OP_convert) NAME(DW_OP_reinterpret) NAME(DW_OP_GNU_push_tls_address) NAME(DW_OP_GNU_uninit)
    NAME(DW_OP_GNU_encoded_addr) NAME(DW_OP_GNU_implicit_pointer) NAME(DW_OP_GNU_entry_value)
    NAME(DW_OP_GNU_const_type) NAME(DW_OP_GNU_regval_type) NAME(DW_OP_GNU_deref_type)
    NAME(DW_OP_GNU_convert) NAME(DW_OP_GNU_reinterpret) NAME(DW_OP_GNU_parameter_ref)
    NAME(DW_OP_GNU_addr_index) NAME(DW_OP_GNU_const_index) NAME(DW_OP_GNU_variable_value)
#undef NAME
    default:
      return fmt::format("DW_OP_{:#x}", atom);
  }
}

}  // namespace utap::dwarf
