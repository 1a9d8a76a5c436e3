// Target expressions ($x, $p->a[i], @cast(p, "t")->f, $$parms) and
// @entry(e) in a body: a value read ahead is checked where the script uses
// it; one that needs script values (an index, @cast's pointer) is read
// there, with those values as the recipe's inputs.
#include <fmt/format.h>

#include "codegen/body_emitter.h"

namespace utap::codegen {

using sema::Type;

namespace {

// "identifier '$p'": what stap names in a target's error.
std::string targetName(const ast::TargetExpr& n) {
  switch (n.base) {
    case ast::TargetExpr::Base::Cast: return "@cast";
    case ast::TargetExpr::Base::AtVar: return "@var";
    case ast::TargetExpr::Base::Expr: return "&";
    case ast::TargetExpr::Base::Dollar: break;
  }
  return n.name;
}

}  // namespace

// "identifier '$p' at x.stp:3:9"; an autocast ("r->x", "(p)[i]") at its
// first operator, as stap locates it.
std::string BodyEmitter::nearTarget(const ast::TargetExpr& n) const {
  if (n.base == ast::TargetExpr::Base::Expr && n.castOperand && !n.path.empty())
    return nearOperator(n.path.front().member.empty() ? "[" : "->", *n.castOperand, n);
  return near("identifier '" + targetName(n) + "'", n);
}

const TargetSlot* BodyEmitter::slotOf(const ast::TargetExpr& n) const {
  if (!targets_) return nullptr;
  auto it = targets_->slots.find(&n);
  return it == targets_->slots.end() ? nullptr : &it->second;
}

// `int64_t __in[] = {...};` for the script values the recipe reads, in input order.
std::string BodyEmitter::targetInputs(const ast::TargetExpr& n, std::string& prologue) {
  auto it = program_.targets.find(&n);
  if (it == program_.targets.end()) return "NULL";
  std::vector<const ast::Expr*> inputs = sema::targetInputs(n, it->second);
  if (inputs.empty()) return "NULL";
  std::string values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    prologue += "int64_t __in" + std::to_string(i) + " = " + expr(*inputs[i]) + "; ";
    values += (i ? ", __in" : "__in") + std::to_string(i);
  }
  prologue += "const int64_t __inputs[] = { " + values + " }; ";
  return "__inputs";
}

bool BodyEmitter::isProcfsValue(const ast::TargetExpr& n) const {
  auto it = program_.targets.find(&n);
  return it != program_.targets.end() && it->second.procfsValue;
}

std::string BodyEmitter::target(const ast::TargetExpr& n) {
  // procfs's $value in a write probe: the text written (utap/procfs.h).
  if (isProcfsValue(n)) return "utap_procfs_value(c)";
  const TargetSlot* slot = slotOf(n);
  if (!slot) return unsupported(n, "a target variable here");
  const TargetSlot& s = *slot;
  bool isString = typeOf(n) == Type::String;
  std::string nearText = nearTarget(n);
  std::string fail = "{ utap_error_near(c, " + nearText + "); goto " + errorLabel() + "; }";
  if (!s.fetched.empty()) {
    std::string check = "if (!utap_fetched_check(c, &" + s.fetched + ")) " + fail + " ";
    return isString ? "({ " + check + "(const char *)" + s.buffer + "; })" : "({ " + check + s.fetched + ".value; })";
  }
  std::string prologue;
  std::string inputs = targetInputs(n, prologue);
  if (isString) {
    std::string t = frame_.stringTemp();
    return "({ " + prologue + "utap_target_string(c, " + s.recipe + ", " + inputs + ", " + t +
           "); if (unlikely(c->error)) " + fail + " (const char *)" + t + "; })";
  }
  return "({ " + prologue + "int64_t __t = utap_target_long(c, " + s.recipe + ", " + inputs +
         "); if (unlikely(c->error)) " + fail + " __t; })";
}

// $x = v (guru mode): the value first, then the write; compound forms read $x in place.
std::string BodyEmitter::targetAssign(const ast::AssignExpr& n, const ast::TargetExpr& t) {
  // procfs's $value in a read probe: the reader's text, up to MAXSIZE bytes.
  if (isProcfsValue(t)) {
    std::string value = frame_.stringTemp();
    const char* set = n.op == ast::AssignOp::Concat ? "utap_procfs_append" : "utap_procfs_set";
    return "({ utap_string_copy(" + value + ", " + expr(*n.rhs) + "); " + set + "(c, " + value + "); (const char *)" +
           value + "; })";
  }
  const TargetSlot* slot = slotOf(t);
  if (!slot) return unsupported(n, "an assignment to a target variable here");
  if (typeOf(t) == Type::String) return unsupported(n, "an assignment to a pretty-printed target value");
  std::string value = expr(*n.rhs);
  if (n.op != ast::AssignOp::Assign) {
    std::string op = std::string(ast::spelling(n.op));
    op.pop_back();
    if (op != "+" && op != "-" && op != "*" && op != "&" && op != "|" && op != "^")
      return unsupported(n, "'" + op + "=' on a target variable");
    static const std::map<std::string, std::string> kFunctions = {
        {"+", "utap_add"}, {"-", "utap_sub"}, {"*", "utap_mul"}};
    std::string old = target(t);
    auto fn = kFunctions.find(op);
    value = fn != kFunctions.end() ? fn->second + "(" + old + ", __v)" : "(int64_t)((" + old + ") " + op + " __v)";
    value = "({ int64_t __v = " + expr(*n.rhs) + "; " + value + "; })";
  }
  std::string prologue;
  std::string inputs = targetInputs(t, prologue);
  std::string nearText = nearTarget(t);
  return "({ int64_t __value = " + value + "; " + prologue + "utap_target_assign(c, " + slot->recipe + ", " + inputs +
         ", __value); if (unlikely(c->error)) { utap_error_near(c, " + nearText + "); goto " + errorLabel() +
         "; } __value; })";
}

std::string BodyEmitter::entry(const ast::SpecialExpr& n) {
  auto it = targets_ ? targets_->entries.find(&n)
                     : std::unordered_map<const ast::SpecialExpr*, std::string>::const_iterator{};
  if (!targets_ || it == targets_->entries.end()) return unsupported(n, "@entry here");
  return typeOf(n) == Type::String ? "(const char *)" + it->second : it->second;
}

}  // namespace utap::codegen
