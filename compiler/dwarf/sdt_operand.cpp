// SDT operands: the assembler text sys/sdt.h records for each marker
// argument ("%edi", "-16(%rbp)", "$5", "counter(%rip)"), decoded into a
// recipe. The text is never assembled, so a rip-relative operand names the
// symbol's address itself, not rip plus a displacement.
#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "dwarf/module.h"

namespace utap::dwarf {

namespace {

using K = RecipeOp::Kind;

struct Register {
  uint8_t reg = 0;        // DWARF number
  uint8_t width = 8;      // bytes the name covers
  bool highByte = false;  // %ah, %bh, %ch, %dh: bits 8..15
  bool isVector = false;  // %xmmN: not an address register
};

// The legacy registers in DWARF order, with their 32-, 16- and 8-bit names.
struct LegacyNames {
  const char *q, *d, *w, *b, *h;
};
constexpr LegacyNames kLegacy[] = {
    {"rax", "eax", "ax", "al", "ah"}, {"rdx", "edx", "dx", "dl", "dh"}, {"rcx", "ecx", "cx", "cl", "ch"},
    {"rbx", "ebx", "bx", "bl", "bh"}, {"rsi", "esi", "si", "sil", ""},  {"rdi", "edi", "di", "dil", ""},
    {"rbp", "ebp", "bp", "bpl", ""},  {"rsp", "esp", "sp", "spl", ""},
};

// A number at the end of `text` after `prefix`, in [0, limit).
std::optional<int> numberAfter(std::string_view text, std::string_view prefix, int limit) {
  if (text.substr(0, prefix.size()) != prefix || text.size() == prefix.size()) return std::nullopt;
  int n = 0;
  auto [end, ec] = std::from_chars(text.data() + prefix.size(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0 || n >= limit) return std::nullopt;
  if (text.size() > prefix.size() + 1 && text[prefix.size()] == '0') return std::nullopt;  // "r08"
  return n;
}

// `name` without the '%'.
std::optional<Register> registerNamed(std::string_view name) {
  for (size_t i = 0; i < std::size(kLegacy); ++i) {
    const LegacyNames& n = kLegacy[i];
    uint8_t reg = static_cast<uint8_t>(i);
    if (name == n.q) return Register{reg, 8};
    if (name == n.d) return Register{reg, 4};
    if (name == n.w) return Register{reg, 2};
    if (name == n.b) return Register{reg, 1};
    if (*n.h && name == n.h) return Register{reg, 1, true};
  }
  if (name == "rip") return Register{kRegisterRip, 8};
  if (auto n = numberAfter(name, "xmm", 16)) return Register{static_cast<uint8_t>(17 + *n), 8, false, true};
  // r8..r15 with the suffixes d, w, b (and Intel's l for b).
  if (name.size() >= 2 && name[0] == 'r') {
    uint8_t width = 8;
    std::string_view digits = name;
    switch (name.back()) {
      case 'd': width = 4; break;
      case 'w': width = 2; break;
      case 'b':
      case 'l': width = 1; break;
      default: break;
    }
    if (width != 8) digits.remove_suffix(1);
    if (auto n = numberAfter(digits, "r", 16); n && *n >= 8) return Register{static_cast<uint8_t>(*n), width};
  }
  return std::nullopt;
}

// Pushes `register` widened to 64 bits: the named part only, extended from
// the narrower of the register and the operand.
void pushRegister(const Register& r, int size, bool isSigned, ValueRecipe* recipe) {
  recipe->ops.push_back({.kind = K::Register, .reg = r.reg});
  if (r.highByte) {
    recipe->ops.push_back({.kind = K::Constant, .value = 8});
    recipe->ops.push_back({.kind = K::Shr});
  }
  int width = std::min<int>(r.width, size);
  if (width < 8) recipe->ops.push_back({.kind = K::Extend, .size = static_cast<uint8_t>(width), .isSigned = isSigned});
}

// `value` truncated to `size` bytes and extended back, as a register would hold it.
int64_t extendConstant(uint64_t value, int size, bool isSigned) {
  if (size >= 8) return static_cast<int64_t>(value);
  int shift = 64 - size * 8;
  if (isSigned) return static_cast<int64_t>(value << shift) >> shift;
  return static_cast<int64_t>((value << shift) >> shift);
}

class OperandParser {
 public:
  OperandParser(std::string_view text, bool moduleRelative, const SymbolLookup& symbols)
      : text_(text), moduleRelative_(moduleRelative), symbols_(symbols) {}

  std::optional<ValueRecipe> parse(int size, bool isSigned, std::string* error) {
    ValueRecipe recipe;
    bool ok = false;
    if (text_.empty()) {
      error_ = "the operand is empty";
    } else if (text_[0] == '%') {
      ok = parseRegisterOperand(size, isSigned, &recipe);
    } else if (text_[0] == '$') {
      ok = parseImmediate(size, isSigned, &recipe);
    } else {
      ok = parseMemory(size, isSigned, &recipe);
    }
    if (ok && pos_ != text_.size()) {
      error_ = fmt::format("unexpected \"{}\" after the operand", text_.substr(pos_));
      ok = false;
    }
    if (!ok) {
      *error = fmt::format("cannot decode \"{}\": {}", text_, error_);
      return std::nullopt;
    }
    return recipe;
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  // "%name" at pos_.
  bool parseRegister(Register* r) {
    size_t start = ++pos_;  // past '%'
    while (!atEnd() && std::isalnum(static_cast<unsigned char>(peek()))) ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    if (peek() == ':') return fail(fmt::format("segment-relative operands (%{}:) are not supported", name));
    auto found = registerNamed(name);
    if (!found) return fail(fmt::format("%{} is not an x86-64 register", name));
    *r = *found;
    return true;
  }

  bool parseRegisterOperand(int size, bool isSigned, ValueRecipe* recipe) {
    Register r;
    if (!parseRegister(&r)) return false;
    pushRegister(r, size, isSigned, recipe);
    return true;
  }

  // A decimal or 0x-hexadecimal number without sign, at pos_.
  bool parseUnsigned(uint64_t* value) {
    int base = 10;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
      base = 16;
      pos_ += 2;
    }
    const char* begin = text_.data() + pos_;
    auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), *value, base);
    if (ec == std::errc::result_out_of_range) return fail("the number does not fit 64 bits");
    if (ec != std::errc() || end == begin) return fail(fmt::format("expected a number at \"{}\"", text_.substr(pos_)));
    pos_ += end - begin;
    return true;
  }

  bool parseImmediate(int size, bool isSigned, ValueRecipe* recipe) {
    ++pos_;  // past '$'
    bool negative = peek() == '-';
    if (negative || peek() == '+') ++pos_;
    if (!std::isdigit(static_cast<unsigned char>(peek())))
      return fail("only numeric constants are supported after '$'");
    uint64_t magnitude = 0;
    if (!parseUnsigned(&magnitude)) return false;
    uint64_t value = negative ? -magnitude : magnitude;
    recipe->ops.push_back({.kind = K::Constant, .value = extendConstant(value, size, isSigned)});
    return true;
  }

  // The displacement before '(' or alone: numbers and at most one symbol,
  // joined by '+' and '-' ("-16", "counter", "16+garr", "foo+8").
  bool parseDisplacement(int64_t* offset, std::string_view* symbol) {
    bool negative = false;
    bool expectTerm = true;
    while (!atEnd() && peek() != '(') {
      char c = peek();
      if (!expectTerm) {
        if (c != '+' && c != '-') return fail(fmt::format("expected '+', '-' or '(' at \"{}\"", text_.substr(pos_)));
        negative = c == '-';
        ++pos_;
        expectTerm = true;
        continue;
      }
      if (c == '-' || c == '+') {
        negative = c == '-';
        ++pos_;
        c = peek();
      }
      if (std::isdigit(static_cast<unsigned char>(c))) {
        uint64_t magnitude = 0;
        if (!parseUnsigned(&magnitude)) return false;
        *offset += static_cast<int64_t>(negative ? -magnitude : magnitude);
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
        size_t start = pos_;
        while (!atEnd() &&
               (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.' || peek() == '$'))
          ++pos_;
        if (!symbol->empty()) return fail("a displacement may name only one symbol");
        if (negative) return fail("a symbol cannot be subtracted");
        *symbol = text_.substr(start, pos_ - start);
      } else {
        return fail(fmt::format("unexpected \"{}\"", text_.substr(pos_)));
      }
      negative = false;
      expectTerm = false;
    }
    if (expectTerm && pos_ > 0 && (text_[pos_ - 1] == '+' || text_[pos_ - 1] == '-'))
      return fail("the displacement ends in an operator");
    return true;
  }

  // An address register: 64-bit general purpose only.
  bool parseAddressRegister(Register* r, const char* role) {
    if (peek() != '%') return fail(fmt::format("expected the {} register at \"{}\"", role, text_.substr(pos_)));
    if (!parseRegister(r)) return false;
    if (r->isVector || r->width != 8)
      return fail(fmt::format("the {} register must be a 64-bit general-purpose register", role));
    return true;
  }

  bool parseMemory(int size, bool isSigned, ValueRecipe* recipe) {
    int64_t offset = 0;
    std::string_view symbol;
    if (!parseDisplacement(&offset, &symbol)) return false;
    bool hasDisplacement = pos_ > 0;
    std::optional<Register> base, index;
    int64_t scale = 1;
    if (peek() == '(') {
      ++pos_;
      if (peek() == '%') {
        Register r;
        if (!parseAddressRegister(&r, "base")) return false;
        base = r;
      }
      if (peek() == ',') {
        ++pos_;
        Register r;
        if (!parseAddressRegister(&r, "index")) return false;
        if (r.reg == 7 || r.reg == kRegisterRip) return fail("%rsp and %rip cannot be an index");
        index = r;
        if (peek() == ',') {
          ++pos_;
          uint64_t s = 0;
          if (!parseUnsigned(&s)) return false;
          if (s != 1 && s != 2 && s != 4 && s != 8) return fail(fmt::format("the scale {} is not 1, 2, 4 or 8", s));
          scale = static_cast<int64_t>(s);
        }
      }
      if (peek() != ')') return fail(fmt::format("expected ')' at \"{}\"", text_.substr(pos_)));
      ++pos_;
      if (!base && !index) return fail("the memory reference names no register");
    } else if (!hasDisplacement) {
      return fail("expected a register, a $constant or a memory reference");
    }

    bool ripRelative = base && base->reg == kRegisterRip;
    if (ripRelative && index) return fail("a rip-relative reference cannot have an index");
    bool started = false;
    if (!symbol.empty()) {
      // The symbol's own address: sdt.h's text is not assembled, so rip
      // does not take part even when the operand is rip-relative.
      std::string why;
      auto address = symbols_(symbol, &why);
      if (!address) return fail(why);
      uint64_t at = *address + static_cast<uint64_t>(offset);
      recipe->ops.push_back(
          {.kind = moduleRelative_ ? K::ModuleAddress : K::Constant, .value = static_cast<int64_t>(at)});
      started = true;
      offset = 0;
      if (ripRelative) base.reset();
    }
    if (base) {
      recipe->ops.push_back({.kind = K::Register, .reg = base->reg});
      if (started) recipe->ops.push_back({.kind = K::Add});
      started = true;
    }
    if (index) {
      recipe->ops.push_back({.kind = K::Register, .reg = index->reg});
      if (scale != 1) {
        recipe->ops.push_back({.kind = K::Constant, .value = scale});
        recipe->ops.push_back({.kind = K::Mul});
      }
      if (started) recipe->ops.push_back({.kind = K::Add});
      started = true;
    }
    if (!started) {
      recipe->ops.push_back({.kind = K::Constant, .value = offset});  // an absolute address
    } else if (offset != 0) {
      recipe->ops.push_back({.kind = K::PlusConstant, .value = offset});
    }
    recipe->ops.push_back({.kind = K::Read, .size = static_cast<uint8_t>(size), .isSigned = isSigned});
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool moduleRelative_;
  const SymbolLookup& symbols_;
  std::string error_;
};

}  // namespace

std::optional<ValueRecipe> decodeSdtOperand(std::string_view operand, int size, bool isSigned, bool moduleRelative,
                                            const SymbolLookup& symbolAddress, std::string* error) {
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    *error = fmt::format("cannot decode \"{}\": its size {} is not 1, 2, 4 or 8 bytes", operand, size);
    return std::nullopt;
  }
  return OperandParser(operand, moduleRelative, symbolAddress).parse(size, isSigned, error);
}

}  // namespace utap::dwarf
