// Step 4 of pass 2: types. Every variable, array key and value, function
// parameter and return, and expression gets long, string or stats.
//
// Types only ever go from unknown to known, so the bodies in use are walked
// until nothing changes, silently; a last walk then reports conflicts (with
// both places: where the type was decided and where it is contradicted) and
// what stayed unknown, and fills Program::types.
#include <unordered_set>

#include "ast/printer.h"
#include "ast/visitor.h"
#include "sema/context.h"
#include "sema/print_format.h"

namespace utap::sema {

const char* typeName(Type type) {
  switch (type) {
    case Type::Long: return "long";
    case Type::String: return "string";
    case Type::Stats: return "stats";
    case Type::Unknown: break;
  }
  return "unknown";
}

namespace {

// What a value slot is, for messages: "'x'", "the value of 'f'", ...
struct Slot {
  Type* type;
  SourceRange* from;
  std::string what;
};

class Inference : public ast::Visitor {
 public:
  explicit Inference(Context& ctx) : ctx_(ctx), program_(ctx.program) {}

  // One walk over everything in use; returns whether any type changed.
  bool walk(bool report, bool backwards = false) {
    report_ = report;
    backwards_ = backwards;
    changed_ = false;
    // Functions first: a body decides its return type before callers guess.
    auto& functions = program_.functions;
    for (size_t i = 0; i < functions.size(); ++i) {
      Function& f = *functions[backwards ? functions.size() - 1 - i : i];
      if (!f.used || !f.decl->body) continue;
      function_ = &f;
      f.decl->body->accept(*this);
    }
    function_ = nullptr;
    auto& probes = program_.probes;
    for (size_t i = 0; i < probes.size(); ++i) {
      probe_ = probes[backwards ? probes.size() - 1 - i : i].get();
      probe_->body->accept(*this);
    }
    probe_ = nullptr;
    return changed_;
  }

  // Walks one probe only (added after the whole program was typed).
  void walkProbe(Probe& probe) {
    probe_ = &probe;
    for (int i = 0; i < 100; ++i) {
      report_ = false;
      changed_ = false;
      probe.body->accept(*this);
      if (!changed_) break;
    }
    report_ = true;
    probe.body->accept(*this);
    probe_ = nullptr;
  }

  // Global initializers decide their globals' types up front.
  void seedGlobals() {
    for (auto& g : program_.globals) {
      if (!g->global->init) continue;
      g->arity = 0;
      g->arityFrom = g->global->init->range;
      g->type = dynamic_cast<ast::StringLit*>(g->global->init.get()) ? Type::String : Type::Long;
      g->typeFrom = g->global->init->range;
    }
  }

 private:
  // ---- helpers -------------------------------------------------------------

  std::string at(const SourceRange& r) const { return ctx_.sources.format(r.begin); }

  // Unifies a slot with a type found at `here`. Returns the slot's type.
  Type unify(const Slot& slot, Type t, const SourceRange& here) {
    if (t == Type::Unknown) return *slot.type;
    if (*slot.type == Type::Unknown) {
      *slot.type = t;
      *slot.from = here;
      changed_ = true;
      return t;
    }
    if (*slot.type != t && report_)
      ctx_.diags.report(DiagKind::TypeMismatchAt, here, slot.what, typeName(t), typeName(*slot.type), at(*slot.from));
    return *slot.type;
  }

  // Visits an expression expecting `expected` (Unknown: anything); returns its type.
  Type infer(ast::Expr& e, Type expected = Type::Unknown) {
    Type saved = expected_;
    expected_ = expected;
    result_ = Type::Unknown;
    e.accept(*this);
    expected_ = saved;
    Type t = result_;
    if (report_ && t != Type::Unknown)
      program_.types[&e] = t;
    else if (t != Type::Unknown)
      program_.types.emplace(&e, t);
    return t;
  }

  // An operand that must be a long (or a string).
  void require(ast::Expr& e, Type needed, const char* context) {
    Type t = infer(e, needed);
    // Variables, elements and calls have reported the conflict themselves.
    bool reported =
        dynamic_cast<ast::Symbol*>(&e) || dynamic_cast<ast::IndexExpr*>(&e) || dynamic_cast<ast::CallExpr*>(&e);
    if (t != Type::Unknown && t != needed && t != Type::Stats && report_ && !isHistogram(e) && !reported)
      ctx_.diags.report(DiagKind::TypeMismatch, e.range,
                        fmt::format("{} needs a {}, this is a {}", context, typeName(needed), typeName(t)));
  }

  static bool isHistogram(const ast::Expr& e) {
    auto* s = dynamic_cast<const ast::StatExpr*>(&e);
    return s && (s->op == ast::StatOp::HistLog || s->op == ast::StatOp::HistLinear);
  }

  Variable* variableOf(const ast::Expr& e) const {
    if (auto* s = dynamic_cast<const ast::Symbol*>(&e)) {
      auto it = program_.variables.find(s);
      return it == program_.variables.end() ? nullptr : it->second;
    }
    return nullptr;
  }

  // Keeps the first use in the text (a right-hand side is visited before
  // its left-hand side).
  void use(Variable& v, const SourceRange& r) {
    const SourceLoc& a = r.begin;
    const SourceLoc& b = v.firstUse.begin;
    if (!b.valid() || (a.file == b.file && (a.line < b.line || (a.line == b.line && a.column < b.column))))
      v.firstUse = r;
  }

  // Sets or checks the arity of an array or scalar. Returns false on conflict.
  bool arity(Variable& v, int n, const SourceRange& here) {
    if (v.arity == -1) {
      if (n > 0 && v.kind != Variable::Kind::Global) {
        if (report_) ctx_.diags.report(DiagKind::LocalNotArray, here, v.name, v.name);
        return false;
      }
      v.arity = n;
      v.arityFrom = here;
      v.keyTypes.assign(n, Type::Unknown);
      v.keyFrom.assign(n, SourceRange{});
      changed_ = true;
      return true;
    }
    if (v.arity == n) return true;
    if (report_) {
      if (n == 0)
        ctx_.diags.report(DiagKind::IsArray, here, v.name, at(v.arityFrom), v.name);
      else if (v.arity == 0)
        ctx_.diags.report(DiagKind::NotArray, here, v.name, at(v.arityFrom));
      else
        ctx_.diags.report(DiagKind::IndexCount, here, v.name, n, v.arity, at(v.arityFrom));
    }
    return false;
  }

  Slot valueSlot(Variable& v) { return Slot{&v.type, &v.typeFrom, "'" + v.name + "'"}; }
  Slot keySlot(Variable& v, size_t i) {
    return Slot{&v.keyTypes[i], &v.keyFrom[i], fmt::format("index {} of '{}'", i + 1, v.name)};
  }

  // Keys of an array access: arity and key types.
  bool keys(Variable& v, std::vector<ast::ExprPtr>& keys, const SourceRange& here) {
    bool ok = arity(v, static_cast<int>(keys.size()), here);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!keys[i]) continue;  // '*'
      if (!ok) {
        infer(*keys[i]);
        continue;
      }
      Type t = infer(*keys[i], v.keyTypes[i]);
      if (t == Type::Stats) continue;  // reported where the statistic was read
      unify(keySlot(v, i), t, keys[i]->range);
    }
    return ok;
  }

  // ---- expressions -----------------------------------------------------------

  void visit(ast::NumberLit&) override { result_ = Type::Long; }
  void visit(ast::StringLit&) override { result_ = Type::String; }

  void visit(ast::Symbol& n) override {
    Variable* v = variableOf(n);
    if (!v) return;
    use(*v, n.range);
    if (!arity(*v, 0, n.range)) return;
    result_ = readValue(*v, expected_, n.range);
  }

  // The value of a variable or element used as a value: statistics are not.
  Type readValue(Variable& v, Type expected, const SourceRange& here) {
    if (v.type != Type::Stats) return unify(valueSlot(v), expected, here);
    if (report_) ctx_.diags.report(DiagKind::StatsAsValue, here, v.name, at(v.typeFrom));
    return Type::Stats;
  }

  void visit(ast::IndexExpr& n) override {
    if (isHistogram(*n.base)) {
      infer(*n.base);
      for (auto& k : n.keys)
        if (k) require(*k, Type::Long, "a histogram bucket index");
      result_ = Type::Long;
      return;
    }
    Variable* v = variableOf(*n.base);
    if (!v) return;
    use(*v, n.range);
    Type expected = expected_;
    if (!keys(*v, n.keys, n.base->range)) return;
    result_ = readValue(*v, expected, n.range);
  }

  void visit(ast::CallExpr& n) override {
    Type expected = expected_;
    auto it = program_.calls.find(&n);
    if (it == program_.calls.end()) {
      for (auto& a : n.args) infer(*a);
      return;
    }
    OverloadGroup& group = *it->second;
    for (size_t i = 0; i < n.args.size(); ++i) {
      Type hint = Type::Unknown;
      for (Function* f : group.members)
        if (f->params[i]->type != Type::Unknown) {
          hint = f->params[i]->type;
          break;
        }
      Type t = infer(*n.args[i], hint);
      if (t == Type::Stats) continue;
      for (Function* f : group.members) {
        if (t != Type::Unknown && f->params[i]->type != Type::Unknown && f->params[i]->type != t) {
          if (report_)
            ctx_.diags.report(DiagKind::TypeMismatchAt, n.args[i]->range,
                              fmt::format("argument {} of '{}'", i + 1, n.name), typeName(t),
                              typeName(f->params[i]->type), at(f->params[i]->typeFrom));
          break;
        }
        unify(Slot{&f->params[i]->type, &f->params[i]->typeFrom, "'" + f->params[i]->name + "'"}, t, n.args[i]->range);
      }
    }
    Type ret = expected;
    for (Function* f : group.members)
      if (f->returnType != Type::Unknown) {
        ret = f->returnType;
        if (expected != Type::Unknown && expected != ret && report_)
          ctx_.diags.report(DiagKind::TypeMismatchAt, n.range, fmt::format("the value of '{}'", n.name),
                            typeName(expected), typeName(ret), at(f->returnFrom));
        break;
      }
    for (Function* f : group.members) {
      if (ret != Type::Unknown && f->returnType != Type::Unknown && f->returnType != ret) {
        if (report_)
          ctx_.diags.report(DiagKind::TypeMismatchAt, n.range, fmt::format("the value of '{}'", n.name), typeName(ret),
                            typeName(f->returnType), at(f->returnFrom));
        break;
      }
      unify(Slot{&f->returnType, &f->returnFrom, "the value of '" + n.name + "'"}, ret, n.range);
    }
    result_ = ret;
  }

  void visit(ast::PrintCall& n) override {
    if (n.kind == ast::PrintCall::Kind::Printf) {
      ParsedFormat format = parseFormat(n.format->value);
      if (format.error) {
        if (report_) ctx_.diags.report(DiagKind::BadFormat, n.format->range, n.name, *format.error);
        for (auto& a : n.args) infer(*a);
      } else {
        std::vector<bool> wants = format.valueIsString();
        if (wants.size() != n.args.size() && report_)
          ctx_.diags.report(DiagKind::FormatArgCount, n.range, n.name,
                            wants.size() == 1 ? std::string("1 value") : fmt::format("{} values", wants.size()),
                            n.args.size());
        for (size_t i = 0; i < n.args.size(); ++i) {
          if (i >= wants.size()) {
            infer(*n.args[i]);
            continue;
          }
          Type need = wants[i] ? Type::String : Type::Long;
          if (isHistogram(*n.args[i])) {
            infer(*n.args[i]);
            if (report_) ctx_.diags.report(DiagKind::HistogramAsValue, n.args[i]->range);
            continue;
          }
          Type t = infer(*n.args[i], need);
          if (t == Type::Unknown) unknownValue(*n.args[i]);
          bool reported = dynamic_cast<ast::Symbol*>(n.args[i].get()) ||
                          dynamic_cast<ast::IndexExpr*>(n.args[i].get()) ||
                          dynamic_cast<ast::CallExpr*>(n.args[i].get());
          if (t != Type::Unknown && t != need && t != Type::Stats && report_ && !reported)
            ctx_.diags.report(DiagKind::TypeMismatch, n.args[i]->range,
                              fmt::format("the format's conversion number {} needs a {}, this is a {}", i + 1,
                                          typeName(need), typeName(t)));
        }
      }
    } else {
      bool delimited = n.kind == ast::PrintCall::Kind::Printd || n.kind == ast::PrintCall::Kind::Printdln;
      if (delimited && n.args.size() < 2 && report_) ctx_.diags.report(DiagKind::PrintdNeedsTwo, n.range, n.name);
      for (auto& a : n.args) {
        bool histogram = isHistogram(*a);
        if (infer(*a) == Type::Unknown && !histogram) unknownValue(*a);
        // Only print and println show a histogram (as its ASCII graph).
        if (histogram && (delimited || n.args.size() != 1) && report_)
          ctx_.diags.report(DiagKind::HistogramAsValue, a->range);
      }
    }
    result_ = n.toString ? Type::String : Type::Unknown;
  }

  // A value that must have a type and has none: the value of a function
  // that returns nothing, or of functions that only return each other.
  void unknownValue(ast::Expr& e) {
    if (!report_) return;
    if (auto* call = dynamic_cast<ast::CallExpr*>(&e); call && program_.calls.count(call))
      ctx_.diags.report(DiagKind::CannotInfer, e.range, "the value of '" + call->name + "'");
  }

  void visit(ast::UnaryExpr& n) override {
    require(*n.operand, Type::Long, fmt::format("operator '{}'", ast::spelling(n.op)).c_str());
    result_ = Type::Long;
  }

  void visit(ast::IncDecExpr& n) override {
    require(*n.operand, Type::Long, n.increment ? "operator '++'" : "operator '--'");
    result_ = Type::Long;
  }

  void visit(ast::BinaryExpr& n) override {
    using Op = ast::BinaryOp;
    switch (n.op) {
      case Op::Concat:
        require(*n.lhs, Type::String, "operator '.'");
        require(*n.rhs, Type::String, "operator '.'");
        result_ = Type::String;
        return;
      case Op::Match:
      case Op::NoMatch:
        require(*n.lhs, Type::String, "a regular expression match");
        require(*n.rhs, Type::String, "a regular expression match");
        result_ = Type::Long;
        return;
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge:
      case Op::Eq:
      case Op::Ne: {
        Type lt = infer(*n.lhs, program_.typeOf(*n.rhs));
        Type rt = infer(*n.rhs, lt);
        if (lt != Type::Unknown && rt != Type::Unknown && lt != rt && lt != Type::Stats && rt != Type::Stats && report_)
          ctx_.diags.report(DiagKind::TypeMismatch, n.range,
                            fmt::format("operator '{}' compares a {} with a {}; compare values of one type",
                                        ast::spelling(n.op), typeName(lt), typeName(rt)));
        result_ = Type::Long;
        return;
      }
      default: longOperands(*n.lhs, *n.rhs, ast::spelling(n.op)); return;
    }
  }

  // Arithmetic, bitwise and logical operators: two longs make a long.
  void longOperands(ast::Expr& lhs, ast::Expr& rhs, const char* op) {
    std::string what = fmt::format("operator '{}'", op);
    require(lhs, Type::Long, what.c_str());
    require(rhs, Type::Long, what.c_str());
    result_ = Type::Long;
  }

  void visit(ast::AssignExpr& n) override {
    using Op = ast::AssignOp;
    switch (n.op) {
      case Op::Assign: {
        Type rt = infer(*n.rhs, program_.typeOf(*n.lhs));
        if (rt == Type::Stats) {  // reported at the statistic
          result_ = Type::Unknown;
          infer(*n.lhs);
          return;
        }
        if (isHistogram(*n.rhs)) {
          if (report_) ctx_.diags.report(DiagKind::HistogramAsValue, n.rhs->range);
          return;
        }
        Type lt = infer(*n.lhs, rt);
        if (lt == Type::Stats) return;
        if (lt != Type::Unknown && rt != Type::Unknown && lt != rt && !variableOf(*n.lhs) &&
            !dynamic_cast<ast::IndexExpr*>(n.lhs.get()) && report_)
          ctx_.diags.report(DiagKind::TypeMismatch, n.range,
                            fmt::format("assigning a {} to a {}", typeName(rt), typeName(lt)));
        result_ = lt != Type::Unknown ? lt : rt;
        return;
      }
      case Op::Aggregate:
        aggregate(n);
        result_ = Type::Unknown;
        return;
      case Op::Concat:
        require(*n.lhs, Type::String, "operator '.='");
        require(*n.rhs, Type::String, "operator '.='");
        result_ = Type::String;
        return;
      default: longOperands(*n.lhs, *n.rhs, ast::spelling(n.op)); return;
    }
  }

  // s <<< v, a[k] <<< v: the target becomes a statistic.
  void aggregate(ast::AssignExpr& n) {
    require(*n.rhs, Type::Long, "operator '<<<'");
    if (Variable* v = statistic(*n.lhs)) {
      unify(valueSlot(*v), Type::Stats, n.lhs->range);
      program_.types[n.lhs.get()] = Type::Stats;
    }
  }

  // The global statistic (or array of statistics) that `target` names:
  // a variable or an element. Null, reported, when it cannot be one.
  Variable* statistic(ast::Expr& target) {
    auto* index = dynamic_cast<ast::IndexExpr*>(&target);
    Variable* v = variableOf(index ? *index->base : target);
    if (!v) {
      infer(target);
      return nullptr;
    }
    use(*v, target.range);
    if (v->kind != Variable::Kind::Global) {
      if (report_) ctx_.diags.report(DiagKind::LocalNotStatistic, target.range, v->name, v->name);
      return nullptr;
    }
    bool ok = index ? keys(*v, index->keys, index->base->range) : arity(*v, 0, target.range);
    return ok ? v : nullptr;
  }

  void visit(ast::TernaryExpr& n) override {
    require(*n.cond, Type::Long, "a condition");
    auto value = literal(*n.cond);
    Type hint = expected_ != Type::Unknown ? expected_ : program_.typeOf(*n.otherwise);
    dead_ += value && !*value;
    Type tt = infer(*n.then, hint);
    dead_ -= value && !*value;
    dead_ += value && *value;
    Type te = infer(*n.otherwise, tt != Type::Unknown ? tt : hint);
    dead_ -= value && *value;
    if (tt != Type::Unknown && te != Type::Unknown && tt != te && report_)
      ctx_.diags.report(DiagKind::TypeMismatch, n.otherwise->range,
                        fmt::format("the branches of '?:' are a {} and a {}", typeName(tt), typeName(te)));
    result_ = tt != Type::Unknown ? tt : te;
  }

  void visit(ast::InExpr& n) override {
    Variable* v = variableOf(*n.array);
    if (v) {
      use(*v, n.array->range);
      keys(*v, n.keys, n.array->range);
    }
    result_ = Type::Long;
  }

  void visit(ast::StatExpr& n) override {
    statOperand(n);
    bool histogram = n.op == ast::StatOp::HistLog || n.op == ast::StatOp::HistLinear;
    result_ = histogram ? Type::Unknown : Type::Long;
  }

  // The value of a constant expression: numbers and the arithmetic,
  // bitwise and unary operators on them ("-10000000000", "1 << 20"). None
  // for anything else, or an operation C leaves undefined.
  static std::optional<int64_t> constantValue(const ast::Expr& e) {
    if (auto* n = dynamic_cast<const ast::NumberLit*>(&e)) return n->value;
    if (auto* n = dynamic_cast<const ast::UnaryExpr*>(&e)) {
      auto v = constantValue(*n->operand);
      if (!v) return std::nullopt;
      uint64_t u = static_cast<uint64_t>(*v);
      switch (n->op) {
        case ast::UnaryOp::Plus: return *v;
        case ast::UnaryOp::Minus: return static_cast<int64_t>(0 - u);
        case ast::UnaryOp::BitNot: return static_cast<int64_t>(~u);
        case ast::UnaryOp::Not: return *v == 0;
      }
      return std::nullopt;
    }
    auto* n = dynamic_cast<const ast::BinaryExpr*>(&e);
    if (!n) return std::nullopt;
    auto l = constantValue(*n->lhs), r = constantValue(*n->rhs);
    if (!l || !r) return std::nullopt;
    uint64_t a = static_cast<uint64_t>(*l), b = static_cast<uint64_t>(*r);
    using Op = ast::BinaryOp;
    switch (n->op) {
      case Op::Add: return static_cast<int64_t>(a + b);
      case Op::Sub: return static_cast<int64_t>(a - b);
      case Op::Mul: return static_cast<int64_t>(a * b);
      case Op::Div:
      case Op::Mod:
        if (*r == 0 || (*l == INT64_MIN && *r == -1)) return std::nullopt;
        return n->op == Op::Div ? *l / *r : *l % *r;
      case Op::Shl: return *r < 0 || *r > 63 ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(a << *r));
      case Op::Shr: return *r < 0 || *r > 63 ? std::nullopt : std::optional<int64_t>(*l >> *r);
      case Op::BitAnd: return static_cast<int64_t>(a & b);
      case Op::BitOr: return static_cast<int64_t>(a | b);
      case Op::BitXor: return static_cast<int64_t>(a ^ b);
      default: return std::nullopt;
    }
  }

  // The constant parameters of @hist_linear and @variance, checked once.
  bool statParams(ast::StatExpr& n, std::vector<int64_t>& values) {
    for (auto& p : n.params) {
      auto value = constantValue(*p);
      if (!value) {
        if (report_) ctx_.diags.report(DiagKind::StatParamNotLiteral, p->range, ast::spelling(n.op));
        return false;
      }
      values.push_back(*value);
    }
    if (!report_) return true;
    if (n.op == ast::StatOp::HistLinear && values.size() == 3) {
      if (values[2] <= 0) {
        ctx_.diags.report(DiagKind::BadStatParam, n.params[2]->range,
                          fmt::format("the bucket width of @hist_linear must be positive, not {}", values[2]));
        return false;
      }
      if (values[1] <= values[0]) {
        ctx_.diags.report(
            DiagKind::BadStatParam, n.params[1]->range,
            fmt::format("@hist_linear's upper bound ({}) must be above its lower bound ({})", values[1], values[0]));
        return false;
      }
    }
    if (n.op == ast::StatOp::Variance && values.size() == 1 && (values[0] < 0 || values[0] > 62)) {
      ctx_.diags.report(DiagKind::BadStatParam, n.params[0]->range,
                        fmt::format("the bit shift of @variance must be from 0 to 62, not {}", values[0]));
      return false;
    }
    return true;
  }

  void statOperand(ast::StatExpr& n) {
    std::vector<int64_t> params;
    if (!statParams(n, params)) return;
    ast::Expr* operand = n.operand.get();
    bool histogram = n.op == ast::StatOp::HistLog || n.op == ast::StatOp::HistLinear;
    Variable* v = statistic(*operand);
    if (!v) return;
    if (v->type != Type::Unknown && v->type != Type::Stats) {
      if (report_)
        ctx_.diags.report(DiagKind::NotStatistic, operand->range, v->name, typeName(v->type), at(v->typeFrom));
      return;
    }
    unify(valueSlot(*v), Type::Stats, operand->range);
    program_.types[operand] = Type::Stats;
    if (n.op == ast::StatOp::Variance) v->variance = true;
    if (n.op == ast::StatOp::Variance && !params.empty()) {
      if (!v->varianceShift) {
        v->varianceShift = params[0];
        v->varianceFrom = n.range;
      } else if (*v->varianceShift != params[0] && report_) {
        ctx_.diags.report(DiagKind::BadStatParam, n.range,
                          fmt::format("'{}' has one @variance bit shift: {} here, {} at {}", v->name, params[0],
                                      *v->varianceShift, at(v->varianceFrom)));
      }
    }
    if (histogram) {
      auto kind = n.op == ast::StatOp::HistLog ? Variable::Histogram::Log : Variable::Histogram::Linear;
      if (v->histogram == Variable::Histogram::None) {
        v->histogram = kind;
        v->histogramFrom = n.range;
        v->linearParams = params;
        changed_ = true;
      } else if (v->histogram != kind && report_) {
        ctx_.diags.report(DiagKind::TwoHistograms, n.range, v->name, at(v->histogramFrom));
      } else if (kind == Variable::Histogram::Linear && v->linearParams != params && report_) {
        ctx_.diags.report(DiagKind::BadStatParam, n.range,
                          fmt::format("'{}' has one linear histogram: these bounds differ from those at {}", v->name,
                                      at(v->histogramFrom)));
      }
    }
  }

  void visit(ast::TargetExpr& n) override {
    // @cast's pointer and an autocast's operand ("r" in "r->x") are numbers.
    if (n.castOperand) infer(*n.castOperand, Type::Long);
    for (auto& a : n.path)
      if (a.index) require(*a.index, Type::Long, "a target variable index");
    auto resolved = ctx_.program.targets.find(&n);
    const TargetResolution* resolution = resolved == ctx_.program.targets.end() ? nullptr : &resolved->second;
    if (dead_ && (!resolution || !resolution->value)) {
      result_ = Type::Unknown;  // may not exist: takes the type its use needs
      return;
    }
    if (report_) {
      using Base = ast::TargetExpr::Base;
      std::string name = n.base == Base::Dollar ? n.name
                         : n.base == Base::Cast ? "@cast"
                         : n.base == Base::Expr ? ast::printExpr(n)
                                                : "@var(\"" + n.name + "\")";
      // @cast and autocast name their type, so they read anywhere.
      bool typed = n.base == Base::Cast || n.base == Base::Expr;
      // A function's copy made for one probe reads at that probe's point.
      const Probe* probe = function_ ? ctx_.program.cloneOwner(function_->decl) : probe_;
      if (function_ && !probe && !typed)
        ctx_.diags.report(DiagKind::TargetVarInFunction, n.range, name);
      else if (probe && !probe->point->hasTargetVariables() && !typed)
        ctx_.diags.report(DiagKind::TargetVarUnavailable, n.range, name, probe->point->text());
      else if (resolution && !resolution->value) {
        ctx_.diags.report(DiagKind::TargetVarUnresolved, n.range, resolution->error);
        if (probe) ctx_.diags.note(DiagKind::TargetVarNote, SourceRange{}, "in probe point " + probe->point->text());
      }
    }
    if (resolution && resolution->value) {
      result_ = resolution->value->kind == dwarf::TargetValue::Kind::String ? Type::String : Type::Long;
      return;
    }
    result_ = n.pretty != ast::Pretty::None || n.name.rfind("$$", 0) == 0 ? Type::String : Type::Long;
  }

  void visit(ast::SpecialExpr& n) override {
    switch (n.kind) {
      case ast::SpecialExpr::Kind::Defined:
        // @defined($x) is how a script asks whether $x exists: no error.
        result_ = Type::Long;
        return;
      case ast::SpecialExpr::Kind::Entry:
        result_ = n.operands.empty() ? Type::Unknown : infer(*n.operands[0], expected_);
        return;
      default:
        for (auto& o : n.operands) infer(*o, Type::Long);
        result_ = Type::Long;
        return;
    }
  }

  void visit(ast::NamedOpExpr&) override { result_ = Type::Long; }
  void visit(ast::EmbeddedExpr& n) override {
    result_ = n.code.find("/* string */") != std::string::npos ? Type::String : Type::Long;
  }

  // ---- statements --------------------------------------------------------------

  // Silent walks alternate the statement order, so a chain of assignments
  // written in either order is typed in two walks, not one walk per link.
  void visit(ast::Block& n) override {
    if (!backwards_) return Visitor::visit(n);
    for (auto it = n.stmts.rbegin(); it != n.stmts.rend(); ++it) (*it)->accept(*this);
  }

  void visit(ast::ExprStmt& n) override { infer(*n.expr); }
  // A literal condition makes one branch dead code (removeDeadBranches
  // takes it away after types): typed, but its target expressions need
  // not resolve (the @defined guard).
  static std::optional<int64_t> literal(const ast::Expr& e) {
    if (auto* n = dynamic_cast<const ast::NumberLit*>(&e)) return n->value;
    return std::nullopt;
  }
  template <typename T>
  void branch(T& node, bool dead) {
    dead_ += dead;
    node.accept(*this);
    dead_ -= dead;
  }
  void visit(ast::IfStmt& n) override {
    require(*n.cond, Type::Long, "a condition");
    auto value = literal(*n.cond);
    branch(*n.then, value && !*value);
    if (n.otherwise) branch(*n.otherwise, value && *value);
  }
  void visit(ast::WhileStmt& n) override {
    require(*n.cond, Type::Long, "a condition");
    auto value = literal(*n.cond);
    branch(*n.body, value && !*value);
  }
  void visit(ast::ForStmt& n) override {
    if (n.init) infer(*n.init);
    if (n.cond) require(*n.cond, Type::Long, "a condition");
    if (n.step) infer(*n.step);
    n.body->accept(*this);
  }

  void visit(ast::ForeachStmt& n) override {
    if (n.limit) require(*n.limit, Type::Long, "a foreach limit");
    ast::Expr* source = n.source.get();
    if (isHistogram(*source)) {
      infer(*source);
      if (n.keys.size() > 1 && report_)
        ctx_.diags.report(DiagKind::BadStatParam, n.keys[1].var->range,
                          "a histogram's buckets have one index: foreach (b in @hist_log(s))");
      for (auto& k : n.keys) bindLocal(*k.var, Type::Long);
      if (n.value) bindLocal(*n.value, Type::Long);
    } else {
      auto* slice = dynamic_cast<ast::IndexExpr*>(source);
      Variable* v = variableOf(slice ? *slice->base : *source);
      if (v) {
        use(*v, source->range);
        SourceRange where = slice ? slice->base->range : source->range;
        bool ok;
        if (slice) {
          ok = keys(*v, slice->keys, where);
          if (ok && slice->keys.size() != n.keys.size()) ok = arity(*v, static_cast<int>(n.keys.size()), where);
        } else if (v->arity == 0 || (v->arity == -1 && v->kind != Variable::Kind::Global)) {
          if (report_) {
            if (v->kind != Variable::Kind::Global)
              ctx_.diags.report(DiagKind::LocalNotArray, where, v->name, v->name);
            else
              ctx_.diags.report(DiagKind::NotArray, where, v->name, at(v->arityFrom));
          }
          ok = false;
        } else {
          ok = arity(*v, static_cast<int>(n.keys.size()), where);
        }
        if (ok) {
          for (size_t i = 0; i < n.keys.size(); ++i) {
            Type t = bindLocal(*n.keys[i].var, v->keyTypes[i]);
            unify(keySlot(*v, i), t, n.keys[i].var->range);
          }
          if (n.value) {
            if (v->type == Type::Stats) {
              if (report_) ctx_.diags.report(DiagKind::StatsAsValue, n.value->range, v->name, at(v->typeFrom));
            } else {
              Type t = bindLocal(*n.value, v->type);
              unify(valueSlot(*v), t, n.value->range);
            }
          }
          if (n.sortAggregate && v->type != Type::Stats && v->type != Type::Unknown && report_)
            ctx_.diags.report(DiagKind::NotStatistic, where, v->name, typeName(v->type), at(v->typeFrom));
          if (n.sortAggregate == ast::StatOp::Variance) v->variance = true;
        }
      }
    }
    n.body->accept(*this);
  }

  // A foreach key or value variable: written by the loop.
  Type bindLocal(ast::Symbol& s, Type t) {
    Variable* v = variableOf(s);
    if (!v) return Type::Unknown;
    use(*v, s.range);
    if (!arity(*v, 0, s.range)) return Type::Unknown;
    return unify(valueSlot(*v), t, s.range);
  }

  void visit(ast::DeleteStmt& n) override {
    ast::Expr* target = n.target.get();
    if (Variable* v = variableOf(*target)) {
      use(*v, target->range);  // a whole array or a scalar: no type needed
      return;
    }
    if (auto* index = dynamic_cast<ast::IndexExpr*>(target)) {
      if (Variable* v = variableOf(*index->base)) {
        use(*v, target->range);
        keys(*v, index->keys, index->base->range);
        return;
      }
    }
    infer(*target);
  }

  void visit(ast::ReturnStmt& n) override {
    if (!n.value || !function_) return;
    Type t = infer(*n.value, function_->returnType);
    if (t == Type::Stats) return;
    unify(Slot{&function_->returnType, &function_->returnFrom, "the value of '" + function_->decl->name + "'"}, t,
          n.value->range);
  }

  void visit(ast::TryStmt& n) override {
    n.body->accept(*this);
    if (n.catchVar) bindLocal(*n.catchVar, Type::String);
    n.handler->accept(*this);
  }

  Context& ctx_;
  Program& program_;
  bool report_ = false;
  bool backwards_ = false;
  bool changed_ = false;
  Type expected_ = Type::Unknown;
  Type result_ = Type::Unknown;
  int dead_ = 0;  // inside dead branches
  Probe* probe_ = nullptr;
  Function* function_ = nullptr;
};

}  // namespace

void inferProbeTypes(Context& ctx, Probe& probe) { Inference(ctx).walkProbe(probe); }

namespace {

// The variables a body still names.
class Named : public ast::Visitor {
 public:
  explicit Named(const Program& program) : program_(program) {}
  std::unordered_set<const Variable*> seen;
  void visit(ast::Symbol& n) override {
    auto it = program_.variables.find(&n);
    if (it != program_.variables.end()) seen.insert(it->second);
  }
  void visit(ast::InExpr& n) override {
    n.array->accept(*this);
    Visitor::visit(n);
  }
  void visit(ast::ForeachStmt& n) override {
    for (auto& k : n.keys) k.var->accept(*this);
    visitIf(n.value);
    Visitor::visit(n);
  }
  void visit(ast::TryStmt& n) override {
    visitIf(n.catchVar);
    Visitor::visit(n);
  }

 private:
  const Program& program_;
};

}  // namespace

void reportUnknownTypes(Context& ctx) {
  Program& program = ctx.program;
  // Only what code that runs names: a local of a dead branch only (gone
  // with it) needs no type, as in stap.
  Named named(program);
  for (auto& p : program.probes) p->body->accept(named);
  for (auto& f : program.functions)
    if (f->used && f->decl->body) f->decl->body->accept(named);
  auto check = [&](const Variable& v) {
    if (!v.firstUse.begin.valid() || v.type != Type::Unknown || !named.seen.count(&v)) return;
    ctx.diags.report(DiagKind::CannotInfer, v.firstUse, "'" + v.name + "'");
  };
  for (auto& p : program.probes)
    for (auto& l : p->locals) check(*l);
  for (auto& f : program.functions) {
    if (!f->used) continue;
    for (auto& l : f->locals) check(*l);
  }
  for (auto& g : program.globals) check(*g);
}

void inferTypes(Context& ctx) {
  Inference inference(ctx);
  inference.seedGlobals();
  // Each walk decides at least one more type, or it is the last.
  for (int i = 0; i < 10000 && inference.walk(false, i % 2 == 1); ++i) {
  }
  inference.walk(true);
}

}  // namespace utap::sema
