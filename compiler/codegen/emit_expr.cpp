// Expressions: each becomes one C expression. Longs are int64_t with
// wrap-around (computed in uint64_t); strings are `const char *` into a
// buffer (a variable, or a string temporary of the frame). A construct that
// can fail is a GNU statement expression that checks c->error right away and
// jumps to the error label, so evaluation stops where stap's does.
#include <fmt/format.h>

#include <algorithm>

#include "codegen/body_emitter.h"
#include "sema/print_format.h"

namespace utap::codegen {

using sema::Type;

std::string BodyEmitter::unsupported(const ast::Node& n, const std::string& what) {
  diags_.report(DiagKind::NotTranslatedYet, n.range, what);
  return "0";
}

const sema::Variable* BodyEmitter::variableOf(const ast::Expr& e) const {
  auto* s = dynamic_cast<const ast::Symbol*>(&e);
  if (!s) return nullptr;
  auto it = program_.variables.find(s);
  return it == program_.variables.end() ? nullptr : it->second;
}

std::string BodyEmitter::storage(const sema::Variable& v) const {
  if (v.kind == sema::Variable::Kind::Global) return layout_.global(v);
  return "l->" + Layout::local(v.name);
}

// "operator '/' at x.stp:3:9", for "ERROR: ... near ...".
std::string BodyEmitter::near(const std::string& what, const ast::Node& n) const {
  return cString(what + " at " + sources_.format(n.range.begin));
}

// The operator's own location, as stap reports it: the first occurrence of
// its spelling after the left operand, on the operand's last line.
std::string BodyEmitter::nearOperator(const std::string& spelling, const ast::Node& lhs, const ast::Node& whole) const {
  SourceLoc at = lhs.range.end;
  if (at.valid() && lhs.range.expansion == 0) {
    std::string_view line = sources_.lineText(at.file, at.line);
    // Columns count code points; the scan is in bytes, so only ASCII lines.
    bool ascii = std::all_of(line.begin(), line.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
    size_t found = ascii && at.column <= line.size() ? line.find(spelling, at.column) : std::string_view::npos;
    if (found != std::string_view::npos) {
      SourceLoc loc{at.file, at.line, static_cast<uint32_t>(found + 1)};
      return cString("operator '" + spelling + "' at " + sources_.format(loc));
    }
  }
  return near("operator '" + spelling + "'", whole);
}

std::string BodyEmitter::checked(const std::string& cexpr, const std::string& type, const std::string& nearText) {
  return fmt::format("({{ {} __v = {}; if (unlikely(c->error)) {{ utap_error_near(c, {}); goto {}; }} __v; }})", type,
                     cexpr, nearText, errorLabel());
}

namespace {

// Whether evaluating `e` can do more than read: calls, assignments, output.
bool hasEffects(const ast::Expr& e) {
  return !(dynamic_cast<const ast::NumberLit*>(&e) || dynamic_cast<const ast::StringLit*>(&e) ||
           dynamic_cast<const ast::Symbol*>(&e));
}

}  // namespace

std::string BodyEmitter::expr(const ast::Expr& e) {
  if (auto* n = dynamic_cast<const ast::NumberLit*>(&e)) return cNumber(n->value);
  if (auto* n = dynamic_cast<const ast::StringLit*>(&e)) return cString(n->value);
  if (auto* n = dynamic_cast<const ast::Symbol*>(&e)) return symbol(*n);
  if (auto* n = dynamic_cast<const ast::BinaryExpr*>(&e)) return binary(*n);
  if (auto* n = dynamic_cast<const ast::AssignExpr*>(&e)) return assign(*n);
  if (auto* n = dynamic_cast<const ast::IncDecExpr*>(&e)) return incDec(*n);
  if (auto* n = dynamic_cast<const ast::CallExpr*>(&e)) return call(*n);
  if (auto* n = dynamic_cast<const ast::PrintCall*>(&e)) return print(*n);
  if (auto* n = dynamic_cast<const ast::UnaryExpr*>(&e)) {
    std::string v = expr(*n->operand);
    switch (n->op) {
      case ast::UnaryOp::Plus: return v;
      case ast::UnaryOp::Minus: return "utap_neg(" + v + ")";
      case ast::UnaryOp::Not: return "(int64_t)!(" + v + ")";
      case ast::UnaryOp::BitNot: return "(int64_t)~(" + v + ")";
    }
  }
  if (auto* n = dynamic_cast<const ast::TernaryExpr*>(&e))
    return "(" + expr(*n->cond) + " ? " + expr(*n->then) + " : " + expr(*n->otherwise) + ")";
  if (auto* n = dynamic_cast<const ast::EmbeddedExpr*>(&e)) return "(" + n->code + ")";
  if (auto* n = dynamic_cast<const ast::IndexExpr*>(&e)) return indexRead(*n);
  if (auto* n = dynamic_cast<const ast::InExpr*>(&e)) return inExpr(*n);
  if (auto* n = dynamic_cast<const ast::StatExpr*>(&e)) return statExpr(*n);
  if (auto* n = dynamic_cast<const ast::TargetExpr*>(&e)) return target(*n);
  if (auto* n = dynamic_cast<const ast::SpecialExpr*>(&e); n && n->kind == ast::SpecialExpr::Kind::Entry)
    return entry(*n);
  return unsupported(e, "this operator");
}

std::string BodyEmitter::symbol(const ast::Symbol& n) {
  const sema::Variable* v = variableOf(n);
  if (!v) return unsupported(n, "an unresolved name");
  if (v->type == Type::String) return "(const char *)" + storage(*v);
  return storage(*v);
}

std::string BodyEmitter::binary(const ast::BinaryExpr& n) {
  using Op = ast::BinaryOp;
  if (n.op == Op::LogicalAnd || n.op == Op::LogicalOr)
    return "(int64_t)(" + expr(*n.lhs) + (n.op == Op::LogicalAnd ? " && " : " || ") + expr(*n.rhs) + ")";
  if (n.op == Op::Match || n.op == Op::NoMatch) return regexMatch(n);
  std::string l = expr(*n.lhs), r = expr(*n.rhs);
  // Left to right, as stap evaluates: C leaves the order of operands open.
  std::string prefix;
  if (hasEffects(*n.lhs) && hasEffects(*n.rhs)) {
    std::string lt = typeOf(*n.lhs) == Type::String ? "const char *" : "int64_t";
    std::string rt = typeOf(*n.rhs) == Type::String ? "const char *" : "int64_t";
    prefix = "({ " + lt + " __l = " + l + "; " + rt + " __r = " + r + "; ";
    l = "__l";
    r = "__r";
  }
  auto done = [&](const std::string& body) { return prefix.empty() ? body : prefix + body + "; })"; };
  const char* spelled = ast::spelling(n.op);
  switch (n.op) {
    case Op::Add: return done("utap_add(" + l + ", " + r + ")");
    case Op::Sub: return done("utap_sub(" + l + ", " + r + ")");
    case Op::Mul: return done("utap_mul(" + l + ", " + r + ")");
    case Op::Div:
    case Op::Mod: {
      std::string fn = n.op == Op::Div ? "utap_div" : "utap_mod";
      return done(checked(fn + "(c, " + l + ", " + r + ")", "int64_t", nearOperator(spelled, *n.lhs, n)));
    }
    case Op::Shl: return done("utap_shl(" + l + ", " + r + ")");
    case Op::Shr: return done("utap_shr(" + l + ", " + r + ")");
    case Op::BitAnd:
    case Op::BitOr:
    case Op::BitXor: return done(fmt::format("(int64_t)(({}) {} ({}))", l, spelled, r));
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::Eq:
    case Op::Ne:
      if (typeOf(*n.lhs) == Type::String)
        return done(fmt::format("(int64_t)(utap_string_compare({}, {}) {} 0)", l, r, spelled));
      return done(fmt::format("(int64_t)(({}) {} ({}))", l, spelled, r));
    case Op::Concat: {
      std::string t = frame_.stringTemp();
      return done(
          fmt::format("({{ const char *__a = {}, *__b = {}; utap_string_copy({}, __a); "
                      "utap_string_concat({}, __b); (const char *){}; }})",
                      l, r, t, t, t));
    }
    default: return unsupported(n, "this operator");
  }
}

std::string BodyEmitter::assign(const ast::AssignExpr& n) {
  using Op = ast::AssignOp;
  if (n.op == Op::Aggregate) return aggregate(n);
  if (auto* index = dynamic_cast<const ast::IndexExpr*>(n.lhs.get())) return indexAssign(n, *index);
  if (auto* t = dynamic_cast<const ast::TargetExpr*>(n.lhs.get())) return targetAssign(n, *t);
  const sema::Variable* v = variableOf(*n.lhs);
  if (!v) return unsupported(n, "this assignment");
  std::string target = storage(*v);
  std::string value = expr(*n.rhs);
  if (v->type == Type::String) {
    // The value is a copy: later changes to the variable must not show through.
    std::string t = frame_.stringTemp();
    if (n.op == Op::Concat)
      return "({ utap_string_concat(" + target + ", " + value + "); utap_string_copy(" + t + ", " + target +
             "); (const char *)" + t + "; })";
    return "({ const char *__s = " + value + "; utap_string_copy(" + target + ", __s); utap_string_copy(" + t + ", " +
           target + "); (const char *)" + t + "; })";
  }
  if (n.op == Op::Assign) return "(" + target + " = " + value + ")";
  // x op= y, with x read after y is computed (stap's order).
  std::string op = std::string(ast::spelling(n.op));
  op.pop_back();  // "+=" -> "+"
  if (n.op == Op::Div || n.op == Op::Mod) {
    std::string fn = n.op == Op::Div ? "utap_div" : "utap_mod";
    return "({ int64_t __y = " + value + "; " + target + " = " +
           checked(fn + "(c, " + target + ", __y)", "int64_t", nearOperator(op + "=", *n.lhs, n)) + "; })";
  }
  if (n.op == Op::Shl || n.op == Op::Shr)
    return "({ int64_t __y = " + value + "; " + target + " = " + (n.op == Op::Shl ? "utap_shl(" : "utap_shr(") +
           target + ", __y); })";
  if (n.op == Op::BitAnd || n.op == Op::BitOr || n.op == Op::BitXor)
    return "({ int64_t __y = " + value + "; " + target + " = (int64_t)(" + target + " " + op + " __y); })";
  const char* fn = n.op == Op::Add ? "utap_add" : n.op == Op::Sub ? "utap_sub" : "utap_mul";
  return "({ int64_t __y = " + value + "; " + target + " = " + fn + "(" + target + ", __y); })";
}

std::string BodyEmitter::incDec(const ast::IncDecExpr& n) {
  if (auto* index = dynamic_cast<const ast::IndexExpr*>(n.operand.get())) return indexIncDec(n, *index);
  const sema::Variable* v = variableOf(*n.operand);
  if (!v) return unsupported(n, "this '++' or '--'");
  std::string x = storage(*v);
  std::string fn = n.increment ? "utap_add" : "utap_sub";
  if (n.prefix) return "(" + x + " = " + fn + "(" + x + ", 1))";
  return "({ int64_t __old = " + x + "; " + x + " = " + fn + "(__old, 1); __old; })";
}

std::string BodyEmitter::call(const ast::CallExpr& n) {
  auto it = program_.calls.find(&n);
  if (it == program_.calls.end()) return unsupported(n, "a call of an unresolved function");
  const sema::OverloadGroup& group = *it->second;
  const sema::Function& first = *group.members.front();
  // Arguments in order into temporaries, then the call.
  std::string prologue, args;
  for (size_t i = 0; i < n.args.size(); ++i) {
    bool isString = first.params[i]->type == Type::String;
    std::string name = "__a" + std::to_string(i);
    prologue += (isString ? "const char *" : "int64_t ") + std::string(isString ? "" : "") + name + " = " +
                expr(*n.args[i]) + "; ";
    args += ", " + name;
  }
  // The callee located its own error (an operator, MAXNESTING at its name).
  std::string fn = layout_.group(group);
  if (first.returnType == Type::String) {
    std::string t = frame_.stringTemp();
    return "({ " + prologue + fn + "(c, " + t + args + "); if (unlikely(c->error)) goto " + errorLabel() +
           "; (const char *)" + t + "; })";
  }
  return "({ " + prologue + "int64_t __r = " + fn + "(c" + args + "); if (unlikely(c->error)) goto " + errorLabel() +
         "; __r; })";
}

std::string BodyEmitter::print(const ast::PrintCall& n) {
  // The values first, in order; then the output, so that an error in a
  // value prints nothing of this call.
  std::string code = "({ ";
  std::vector<std::string> values;
  std::vector<bool> strings;
  if (n.args.size() == 1 && !n.toString)
    if (auto* hist = dynamic_cast<const ast::StatExpr*>(n.args[0].get());
        hist && (hist->op == ast::StatOp::HistLog || hist->op == ast::StatOp::HistLinear))
      return "({ " + printHistogram(*hist, "c->output") + "0; })";
  for (size_t i = 0; i < n.args.size(); ++i) {
    if (typeOf(*n.args[i]) == Type::Unknown) return unsupported(*n.args[i], "this value");
    bool isString = typeOf(*n.args[i]) == Type::String;
    values.push_back("__p" + std::to_string(i));
    strings.push_back(isString);
    std::string value = expr(*n.args[i]);
    // A variable's text is taken now: a later value may change the variable.
    bool laterEffects = false;
    for (size_t j = i + 1; j < n.args.size(); ++j) laterEffects |= hasEffects(*n.args[j]);
    if (isString && laterEffects && variableOf(*n.args[i])) {
      std::string t = frame_.stringTemp();
      value = "({ utap_string_copy(" + t + ", " + value + "); (const char *)" + t + "; })";
    }
    code += (isString ? "const char *" : "int64_t ") + values.back() + " = " + value + "; ";
  }
  std::string sink = "c->output", result = "0";
  if (n.toString) {
    std::string t = frame_.stringTemp();
    code += "struct utap_sink __sink; utap_sink_init(&__sink, " + t + ", MAXSTRINGLEN); ";
    sink = "&__sink";
    result = "(const char *)" + t;
  }
  auto literal = [&](const std::string& text) {
    if (!text.empty()) code += fmt::format("utap_fmt_literal({}, {}, {}); ", sink, cString(text), text.size());
  };
  using Kind = ast::PrintCall::Kind;
  if (n.kind == Kind::Printf) {
    sema::ParsedFormat format = sema::parseFormat(n.format->value);
    bool legacyPointer = program_.legacyPointerFormat;
    auto convOf = [legacyPointer](const sema::FormatPiece& piece) {
      int flags = 0;
      for (char f : piece.flags) flags |= f == '-' ? 1 : f == '+' ? 2 : f == ' ' ? 4 : f == '0' ? 8 : 16;
      if (piece.conversion == 'p' && legacyPointer) flags |= 0x20;  // UTAP_FLAG_LEGACY_POINTER
      return fmt::format(
          "&(const struct utap_conv){{ .conversion = '{}', .flags = {:#x}, .width = {}, "
          ".precision = {} }}",
          piece.conversion, flags,
          piece.width == -2   ? "UTAP_FMT_STAR"
          : piece.width == -1 ? "UTAP_FMT_NONE"
                              : std::to_string(piece.width),
          piece.precision == -2   ? "UTAP_FMT_STAR"
          : piece.precision == -1 ? "UTAP_FMT_NONE"
                                  : std::to_string(piece.precision));
    };
    // %m and %M: every size is checked, then all memory is read, before
    // any output, as stap does; an error leaves the output untouched.
    std::string nearPrint = near(std::string("identifier '") + (n.toString ? "sprintf" : "printf") + "'", n);
    std::vector<std::string> memory;  // per conversion: its bytes' buffer, or ""
    std::string sizes, reads;
    size_t next = 0;
    for (const auto& piece : format.pieces) {
      if (piece.kind == sema::FormatPiece::Kind::Literal) continue;
      std::string precision = "0";
      if (piece.width == -2) ++next;
      if (piece.precision == -2) precision = values[next++];
      if (piece.conversion != 'm' && piece.conversion != 'M') {
        memory.emplace_back();
        ++next;
        continue;
      }
      int bytes = piece.precision >= 0 ? std::clamp(piece.precision, 1, 4096) : 4096;
      std::string k = std::to_string(frame_.temps++);
      frame_.add("unsigned char", "bytes" + k + "[" + std::to_string(bytes) + "]");
      std::string buffer = "l->bytes" + k;
      sizes += "int64_t __len" + k + " = " +
               checked("utap_fmt_memory_size(c, " + convOf(piece) + ", " + precision + ")", "int64_t", nearPrint) +
               "; ";
      bool user = piece.flags.find('#') != std::string::npos;
      reads += checked(fmt::format("utap_memory_read(c, {}, {}, __len{}, {})", buffer, values[next],
                                   k, user ? "true" : "false"),
                       "int64_t", nearPrint) +
               "; ";
      memory.push_back(k);
      ++next;
    }
    code += sizes + reads;
    next = 0;
    size_t conversion = 0;
    for (const auto& piece : format.pieces) {
      if (piece.kind == sema::FormatPiece::Kind::Literal) {
        literal(piece.text);
        continue;
      }
      std::string width = "0", precision = "0";
      if (piece.width == -2) width = values[next++];
      if (piece.precision == -2) precision = values[next++];
      const std::string& bytes = memory[conversion++];
      if (!bytes.empty())
        code += fmt::format("utap_fmt_memory({}, {}, l->bytes{}, __len{}, {}); ", sink, convOf(piece), bytes, bytes,
                            width);
      else
        code += fmt::format("{}({}, {}, {}, {}, {}); ", strings[next] ? "utap_fmt_string" : "utap_fmt_long", sink,
                            convOf(piece), values[next], width, precision);
      ++next;
    }
  } else {
    std::string delimiter = n.kind == Kind::Printd || n.kind == Kind::Printdln ? n.format->value : "";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) literal(delimiter);
      code += fmt::format("{}({}, {}); ", strings[i] ? "utap_print_string" : "utap_print_long", sink, values[i]);
    }
    if (n.kind == Kind::Println || n.kind == Kind::Printdln) literal("\n");
  }
  return code + result + "; })";
}

}  // namespace utap::codegen
