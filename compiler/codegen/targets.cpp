// Target expressions' recipes as C tables (targets.h).
#include "codegen/targets.h"

#include <fmt/format.h>

#include "ast/printer.h"
#include "ast/visitor.h"

namespace utap::codegen {

namespace {

class Collect : public ast::Visitor {
 public:
  std::vector<const ast::TargetExpr*> targets;
  std::vector<const ast::SpecialExpr*> entries;
  void visit(ast::TargetExpr& n) override {
    targets.push_back(&n);
    Visitor::visit(n);
  }
  void visit(ast::SpecialExpr& n) override {
    if (n.kind == ast::SpecialExpr::Kind::Entry) entries.push_back(&n);
    Visitor::visit(n);
  }
};

Collect collect(const ast::Node& body) {
  Collect c;
  const_cast<ast::Node&>(body).accept(c);
  return c;
}

// The runtime's opcode for a recipe step, or nullptr for one it has not.
const char* opcode(dwarf::RecipeOp::Kind kind) {
  using K = dwarf::RecipeOp::Kind;
  switch (kind) {
    case K::Register: return "UTAP_OP_REGISTER";
    case K::Constant: return "UTAP_OP_CONSTANT";
    case K::ModuleAddress: return "UTAP_OP_MODULE_ADDRESS";
    case K::Input: return "UTAP_OP_INPUT";
    case K::Read: return "UTAP_OP_READ";
    case K::Extend: return "UTAP_OP_EXTEND";
    case K::Add: return "UTAP_OP_ADD";
    case K::Sub: return "UTAP_OP_SUB";
    case K::Mul: return "UTAP_OP_MUL";
    case K::Div: return "UTAP_OP_DIV";
    case K::Mod: return "UTAP_OP_MOD";
    case K::And: return "UTAP_OP_AND";
    case K::Or: return "UTAP_OP_OR";
    case K::Xor: return "UTAP_OP_XOR";
    case K::Shl: return "UTAP_OP_SHL";
    case K::Shr: return "UTAP_OP_SHR";
    case K::Shra: return "UTAP_OP_SHRA";
    case K::Neg: return "UTAP_OP_NEG";
    case K::Not: return "UTAP_OP_NOT";
    case K::PlusConstant: return "UTAP_OP_PLUS_CONSTANT";
    case K::Fp32ToFp64: return "UTAP_OP_FP32_TO_FP64";
    case K::SyscallNumber: return "UTAP_OP_SYSCALL_NUMBER";
    case K::EntryRegister: return nullptr;
  }
  return nullptr;
}

// How many values the recipe keeps on its stack at most.
int stackDepth(const dwarf::ValueRecipe& recipe) {
  using K = dwarf::RecipeOp::Kind;
  int depth = 0, deepest = 0;
  for (const auto& op : recipe.ops) {
    switch (op.kind) {
      case K::Register:
      case K::EntryRegister:
      case K::Constant:
      case K::ModuleAddress:
      case K::Input:
      case K::SyscallNumber: ++depth; break;
      case K::Read:
      case K::Extend:
      case K::Neg:
      case K::Not:
      case K::PlusConstant:
      case K::Fp32ToFp64: break;
      default: --depth;
    }
    deepest = std::max(deepest, depth);
  }
  return deepest;
}

// The runtime's limit (UTAP_RECIPE_STACK in utap/recipe.h).
constexpr int kRecipeStack = 16;

const char* prettyFormat(dwarf::PrettyPart::Format f) {
  using F = dwarf::PrettyPart::Format;
  switch (f) {
    case F::Text: return "UTAP_PRETTY_TEXT";
    case F::Signed: return "UTAP_PRETTY_SIGNED";
    case F::Unsigned: return "UTAP_PRETTY_UNSIGNED";
    case F::Hex: return "UTAP_PRETTY_HEX";
    case F::Char: return "UTAP_PRETTY_CHAR";
    case F::UserString: return "UTAP_PRETTY_USER_STRING";
  }
  return "UTAP_PRETTY_TEXT";
}

// A script expression as a C comment's text.
std::string commentText(const ast::Expr& e) {
  std::string text = ast::printExpr(e);
  for (size_t at; (at = text.find("*/")) != std::string::npos;) text.replace(at, 2, "* /");
  return text;
}

}  // namespace

std::vector<const ast::TargetExpr*> targetsOf(const ast::Node& body) { return collect(body).targets; }

std::vector<const ast::SpecialExpr*> entriesOf(const ast::Node& body) { return collect(body).entries; }

bool readAhead(const ast::TargetExpr& target, const sema::TargetResolution& resolution) {
  return sema::targetInputs(target, resolution).empty();
}

std::string RecipeTables::recipe(const dwarf::ValueRecipe& recipe, const ast::Node& where) {
  std::string rows;
  for (const auto& op : recipe.ops) {
    const char* code = opcode(op.kind);
    if (!code) {
      diags_.report(DiagKind::NotTranslatedYet, where.range,
                    "a target value whose recipe reads '" + recipe.describe() + "'");
      return "NULL";
    }
    rows += fmt::format("\t{{ .op = {}, .reg = {}, .size = {}, .is_signed = {}, .value = {} }},\n", code, op.reg,
                        op.size, op.isSigned ? 1 : 0, cNumber(op.value));
  }
  if (stackDepth(recipe) > kRecipeStack) {
    diags_.report(DiagKind::NotTranslatedYet, where.range,
                  fmt::format("a target value whose recipe needs a stack of {} values (at most {})",
                              stackDepth(recipe), kRecipeStack));
    return "NULL";
  }
  if (rows.empty()) return "NULL";
  return define("struct utap_recipe_op", "recipe_", rows, "/* " + recipe.describe() + " */");
}

std::string RecipeTables::define(const std::string& type, const std::string& prefix, const std::string& rows,
                                 const std::string& comment) {
  auto [it, added] = names_.emplace(rows, prefix + std::to_string(names_.size()));
  if (added) {
    if (!comment.empty()) out_.line(comment);
    out_.line("static const " + type + " " + it->second + "[] = {");
    out_.flush(rows.substr(0, rows.size() - 1));
    out_.line("};");
  }
  return it->second;
}

std::string RecipeTables::parts(const std::vector<dwarf::PrettyPart>& parts, const ast::Node& where) {
  std::string rows;
  for (const auto& part : parts) {
    std::string ops = part.format == dwarf::PrettyPart::Format::Text ? "NULL" : recipe(part.value, where);
    rows += fmt::format(
        "\t{{ .format = {}, .may_fault = {}, .max_length = {}u, .text = {}, .ops = {}, .nops = {} }},\n",
        prettyFormat(part.format), part.mayFault ? "true" : "false", part.maxLength, cString(part.text), ops,
        ops == "NULL" ? "0" : "ARRAY_SIZE(" + ops + ")");
  }
  return define("struct utap_pretty_part", "pretty_", rows, "");
}

std::string RecipeTables::targetList(const std::vector<const ast::TargetExpr*>& targets,
                                     const sema::Program& program) {
  if (targets.empty()) return "NULL";
  std::string rows;
  for (const ast::TargetExpr* t : targets) {
    auto it = program.targets.find(t);
    if (it == program.targets.end() || !it->second.value) {
      diags_.report(DiagKind::NotTranslatedYet, t->range, "a target value that pass 2 did not resolve");
      rows += "\t{ 0 },\n";
      continue;
    }
    const dwarf::TargetValue& v = *it->second.value;
    if (v.kind == dwarf::TargetValue::Kind::Long) {
      std::string ops = recipe(v.value, *t);
      rows += fmt::format("\t{{ .ops = {}, .nops = {} }}, /* {} */\n", ops,
                          ops == "NULL" ? "0" : "ARRAY_SIZE(" + ops + ")", commentText(*t));
    } else {
      std::string p = parts(v.pretty, *t);
      rows += fmt::format("\t{{ .parts = {}, .nparts = ARRAY_SIZE({}) }}, /* {} */\n", p, p, commentText(*t));
    }
  }
  return define("struct utap_target", "targets_", rows, "");
}

}  // namespace utap::codegen
