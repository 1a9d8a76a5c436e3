// Step 5b of pass 2: globals of the script that are written but never read
// are shown when the session ends, as stap does ("total=42"): each gets an
// `end` probe that prints it, built here as ordinary probes so that later
// passes need nothing special.
#include "sema/context.h"

namespace utap::sema {

namespace {

// Builds the nodes of one display probe, all at the global's declaration.
class Builder {
 public:
  Builder(Context& ctx, Probe& probe, Variable& global)
      : ctx_(ctx), probe_(probe), global_(global), range_(global.declared) {}

  template <typename T>
  std::unique_ptr<T> node() {
    auto n = std::make_unique<T>();
    n->range = range_;
    return n;
  }

  std::unique_ptr<ast::Symbol> symbol(Variable& v) {
    auto s = node<ast::Symbol>();
    s->name = v.name;
    ctx_.program.variables[s.get()] = &v;
    return s;
  }

  Variable& local(const std::string& name, Type type) {
    auto v = std::make_unique<Variable>();
    v->kind = Variable::Kind::Local;
    v->name = name;
    v->declared = v->firstUse = v->typeFrom = v->arityFrom = range_;
    v->type = type;
    v->arity = 0;
    v->read = v->written = true;
    probe_.locals.push_back(std::move(v));
    return *probe_.locals.back();
  }

  ast::StmtPtr printf(const std::string& format, std::vector<ast::ExprPtr> args) {
    auto call = node<ast::PrintCall>();
    call->name = "printf";
    call->kind = ast::PrintCall::Kind::Printf;
    call->format = node<ast::StringLit>();
    call->format->value = format;
    call->args = std::move(args);
    auto stmt = node<ast::ExprStmt>();
    stmt->expr = std::move(call);
    return stmt;
  }

  ast::ExprPtr stat(ast::StatOp op, ast::ExprPtr operand) {
    auto s = node<ast::StatExpr>();
    s->op = op;
    s->operand = std::move(operand);
    return s;
  }

  // The variable itself, or its element at the foreach keys.
  ast::ExprPtr element(const std::vector<Variable*>& keys) {
    if (keys.empty()) return symbol(global_);
    auto index = node<ast::IndexExpr>();
    index->base = symbol(global_);
    for (Variable* k : keys) index->keys.push_back(symbol(*k));
    return index;
  }

  static std::string conversion(Type t) { return t == Type::String ? "\"%#s\"" : "%#d"; }

  // "@count=%#d @min=%#d ..." and its values.
  void statistics(std::string& format, std::vector<ast::ExprPtr>& args, const std::vector<Variable*>& keys) {
    static const std::pair<const char*, ast::StatOp> ops[] = {{"@count", ast::StatOp::Count},
                                                              {"@min", ast::StatOp::Min},
                                                              {"@max", ast::StatOp::Max},
                                                              {"@sum", ast::StatOp::Sum},
                                                              {"@avg", ast::StatOp::Avg}};
    for (const auto& [name, op] : ops) {
      format += std::string(" ") + name + "=%#d";
      args.push_back(stat(op, element(keys)));
    }
  }

  std::unique_ptr<ast::Block> body() {
    auto block = node<ast::Block>();
    const std::string& name = global_.name;
    if (global_.arity <= 0) {
      if (global_.type == Type::Stats) {
        // An empty statistic has no @min: say so instead.
        std::string format = name;
        std::vector<ast::ExprPtr> args;
        statistics(format, args, {});
        auto count = node<ast::BinaryExpr>();
        count->op = ast::BinaryOp::Eq;
        count->lhs = stat(ast::StatOp::Count, symbol(global_));
        count->rhs = node<ast::NumberLit>();
        auto check = node<ast::IfStmt>();
        check->cond = std::move(count);
        check->then = printf(name + " @count=0x0\n", {});
        check->otherwise = printf(format + "\n", std::move(args));
        block->stmts.push_back(std::move(check));
      } else {
        std::vector<ast::ExprPtr> args;
        args.push_back(symbol(global_));
        block->stmts.push_back(
            printf(name + "=" + (global_.type == Type::String ? "\"%#s\"" : "%d") + "\n", std::move(args)));
      }
      return block;
    }
    // Arrays: every element, sorted by value (descending) like stap.
    auto loop = node<ast::ForeachStmt>();
    std::vector<Variable*> keys;
    std::string format = name + "[";
    for (int i = 0; i < global_.arity; ++i) {
      Variable& k = local("__idx" + std::to_string(i), global_.keyTypes[i]);
      keys.push_back(&k);
      loop->keys.push_back(ast::ForeachKey{symbol(k), ast::Sort::None});
      format += (i ? "," : "") + conversion(global_.keyTypes[i]);
    }
    loop->bracketed = true;
    loop->source = symbol(global_);
    loop->valueSort = ast::Sort::Descending;
    format += "]";
    std::vector<ast::ExprPtr> args;
    for (Variable* k : keys) args.push_back(symbol(*k));
    if (global_.type == Type::Stats) {
      statistics(format, args, keys);
      // Sorting an array of statistics by value sorts by @count.
      loop->sortAggregate = ast::StatOp::Count;
    } else {
      Variable& value = local("__val", global_.type);
      loop->value = symbol(value);
      format += "=" + std::string(global_.type == Type::String ? "\"%#s\"" : "%d");
      args.push_back(symbol(value));
    }
    loop->body = printf(format + "\n", std::move(args));
    block->stmts.push_back(std::move(loop));
    return block;
  }

 private:
  Context& ctx_;
  Probe& probe_;
  Variable& global_;
  SourceRange range_;
};

}  // namespace

void displayWrittenGlobals(Context& ctx) {
  Program& program = ctx.program;
  // The `end` point, resolved like a written one.
  ast::ProbePoint end;
  end.components.push_back(ast::Component{SourceRange{}, "end", nullptr});
  auto matches = ctx.registry.match(end);
  if (matches.empty()) return;
  for (auto& g : program.globals) {
    if (!g->written || g->read || ctx.isTapset(g->file) || g->type == Type::Unknown) continue;
    auto points = ctx.registry.resolve(matches[0], end, ctx.diags);
    if (points.empty()) return;
    auto probe = std::make_unique<Probe>();
    probe->point = std::move(points[0]);
    probe->synthesizedFor = "shows '" + g->name + "', written but never read";
    probe->index = program.probes.size();
    Builder builder(ctx, *probe, *g);
    probe->body = builder.body();
    g->read = true;
    inferProbeTypes(ctx, *probe);
    program.probes.push_back(std::move(probe));
  }
}

}  // namespace utap::sema
