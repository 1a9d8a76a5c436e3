// Step 3b of pass 2: stap's autocast. A value read from DWARF keeps its C
// type as it flows through the script: into a local or global scalar that
// is only ever assigned values of that one type, out of a function that
// only returns such values, through `=`, `@entry` and a `?:` whose branches
// both have it. '->' and '[...]' on such a value ("r = $p; r->x",
// "f()->next", "(&@cast(p, "T", "M"))->f") resolve as @cast of the value
// to that type would: to a recipe whose input 0 is the value. A variable
// assigned values of two types is a plain long, as in stap, and '->' on it
// is an error; values without a type (numbers, script arithmetic) do not
// count. Parameters and array elements take no type, as in stap.
//
// Types are found by walking every body until nothing changes: a resolved
// autocast has a type itself ("r->next->next"), so one walk can type what
// the next needs.
#include <fmt/format.h>

#include <optional>

#include "ast/printer.h"
#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// The DWARF type a script value carries.
struct ValueType {
  std::shared_ptr<const dwarf::Module> module;
  uint64_t die = 0;
  bool addressed = false;  // the value is the address of an object of the type
  std::string identity;    // equal for one type (module and TargetValue::typeIdentity)
  std::string name;        // "struct record*", for messages
};

// What the assignments of one variable, or the returns of one function,
// have given it: no type yet, one type, or several.
struct Flow {
  enum class State { None, Typed, Mixed };
  State state = State::None;
  ValueType type;
  SourceRange from, conflict;  // where the type came from; where another one did
  std::string conflictName;

  // True when the state changed. Values without a type leave it as it is.
  bool merge(const std::optional<ValueType>& t, const SourceRange& at) {
    if (!t || state == State::Mixed) return false;
    if (state == State::None) {
      state = State::Typed;
      type = *t;
      from = at;
      return true;
    }
    if (type.identity == t->identity) return false;
    state = State::Mixed;
    conflict = at;
    // One name, two types: the struct is defined in two compilation units.
    conflictName = t->name == type.name ? t->name + " of another compilation unit" : t->name;
    return true;
  }
  std::optional<ValueType> typed() const {
    return state == State::Typed ? std::optional<ValueType>(type) : std::nullopt;
  }
};

class Autocaster : public ast::Visitor {
 public:
  explicit Autocaster(Context& ctx) : ctx_(ctx), program_(ctx.program) {}

  void run() {
    // Each walk either types something new or changes nothing; a type only
    // goes from none to one to several, so this ends.
    for (int walk = 0; walk < 1000; ++walk) {
      changed_ = false;
      for (auto& p : program_.probes) p->body->accept(*this);
      for (auto& f : program_.functions) {
        if (!f->used || !f->decl->body) continue;
        function_ = f.get();
        f->decl->body->accept(*this);
        function_ = nullptr;
      }
      if (!changed_) break;
    }
  }

 private:
  void visit(ast::AssignExpr& n) override {
    Visitor::visit(n);
    if (n.op != ast::AssignOp::Assign) return;
    if (Variable* v = variableOf(*n.lhs)) changed_ |= variables_[v].merge(typeOf(*n.rhs), n.range);
  }

  void visit(ast::ReturnStmt& n) override {
    Visitor::visit(n);
    if (function_ && n.value) changed_ |= returns_[function_].merge(typeOf(*n.value), n.range);
  }

  void visit(ast::TargetExpr& n) override {
    Visitor::visit(n);
    if (n.base != ast::TargetExpr::Base::Expr || !n.castOperand) return;
    std::optional<ValueType> type = typeOf(*n.castOperand);
    std::string key = type ? type->identity : "";
    auto done = resolvedWith_.find(&n);
    if (done != resolvedWith_.end() && done->second == key) return;
    resolvedWith_[&n] = key;
    changed_ = true;
    TargetResolution r;
    dwarf::TargetRequest request = targetRequest(n);
    if (type) {
      r.value = type->module->resolveTyped(type->die, type->addressed, request, &r.error);
      if (r.value) r.module = type->module;
    } else {
      r.error = untypedReason(*n.castOperand);
    }
    for (size_t step = 0; step < request.path.size(); ++step)
      if (request.path[step].indexInput >= 0) r.inputSteps.push_back(step);
    program_.targets[&n] = std::move(r);
  }

  // The scalar variable `e` names (array elements take no type, as in stap).
  Variable* variableOf(const ast::Expr& e) const {
    auto* symbol = dynamic_cast<const ast::Symbol*>(&e);
    if (!symbol) return nullptr;
    auto it = program_.variables.find(symbol);
    return it == program_.variables.end() ? nullptr : it->second;
  }

  std::optional<ValueType> typeOf(const ast::Expr& e) const {
    if (auto* t = dynamic_cast<const ast::TargetExpr*>(&e)) {
      auto it = program_.targets.find(t);
      if (it == program_.targets.end() || !it->second.value || !it->second.module || !it->second.value->typeDie)
        return std::nullopt;
      const dwarf::TargetValue& v = *it->second.value;
      if (v.kind != dwarf::TargetValue::Kind::Long) return std::nullopt;
      return ValueType{it->second.module, v.typeDie, v.typeAddressed,
                       it->second.module->path() + ":" + v.typeIdentity, v.typeName};
    }
    if (Variable* v = variableOf(e)) {
      auto it = variables_.find(v);
      return it == variables_.end() ? std::nullopt : it->second.typed();
    }
    if (auto* call = dynamic_cast<const ast::CallExpr*>(&e)) {
      auto group = program_.calls.find(call);
      if (group == program_.calls.end()) return std::nullopt;
      Flow all;  // an overload group's members share one return type
      for (Function* f : group->second->members)
        if (auto it = returns_.find(f); it != returns_.end()) {
          if (it->second.state == Flow::State::Mixed) return std::nullopt;
          all.merge(it->second.typed(), it->second.from);
        }
      return all.typed();
    }
    if (auto* assign = dynamic_cast<const ast::AssignExpr*>(&e))
      return assign->op == ast::AssignOp::Assign ? typeOf(*assign->rhs) : std::nullopt;
    if (auto* ternary = dynamic_cast<const ast::TernaryExpr*>(&e)) {
      // Typed when both branches have the one type ("p ? p : 0" has none, as in stap).
      auto then = typeOf(*ternary->then), otherwise = typeOf(*ternary->otherwise);
      return then && otherwise && then->identity == otherwise->identity ? then : std::nullopt;
    }
    if (auto* special = dynamic_cast<const ast::SpecialExpr*>(&e))
      if (special->kind == ast::SpecialExpr::Kind::Entry && !special->operands.empty())
        return typeOf(*special->operands[0]);  // @entry($p): the value at the entry, of $p's type
    return std::nullopt;
  }

  // Why '->' or '[...]' cannot read through `operand`, in the user's terms.
  std::string untypedReason(const ast::Expr& operand) const {
    std::string text = ast::printExpr(operand);
    std::string fix = fmt::format("name its type with @cast({}, \"TYPE\", \"MODULE\")", text);
    if (Variable* v = variableOf(operand)) {
      auto it = variables_.find(v);
      if (it != variables_.end() && it->second.state == Flow::State::Mixed)
        return fmt::format("'{}' holds values of different C types ({} from {}, {} from {}), so it is a plain "
                           "number, as in stap: {}",
                           v->name, it->second.type.name, at(it->second.from), it->second.conflictName,
                           at(it->second.conflict), fix);
      if (v->kind == Variable::Kind::Param)
        return fmt::format("'{}' is a function parameter, which takes no C type from its callers (as in stap): "
                           "{}",
                           v->name, fix);
      return fmt::format("'{}' has no C type: none of its assignments gives it a value read from debug "
                         "information ($var, @cast, a copy of one; a ?: only when both branches have one type): {}",
                         v->name, fix);
    }
    return fmt::format("{} has no C type to read '->' or '[...]' through (only values read from debug "
                       "information do: $var, @cast, and locals, globals and function results that hold "
                       "them): {}",
                       text, fix);
  }

  std::string at(const SourceRange& range) const { return ctx_.sources.format(range.begin); }

  Context& ctx_;
  Program& program_;
  std::unordered_map<const Variable*, Flow> variables_;
  std::unordered_map<const Function*, Flow> returns_;
  std::unordered_map<const ast::TargetExpr*, std::string> resolvedWith_;
  Function* function_ = nullptr;
  bool changed_ = false;
};

}  // namespace

void resolveAutocasts(Context& ctx) { Autocaster(ctx).run(); }

}  // namespace utap::sema
