// Step 3 of pass 2: every name to what it means. Globals come from the
// declarations of the included files (private ones only inside their file);
// a name that is neither a parameter nor a visible global is a local of its
// probe or function. Calls bind to the overload group of their name and
// arity. Functions reachable from a probe are marked used.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

// stap's kernel-context functions (linux/context-symbols.stp,
// context-unwind.stp, context-caller.stp, conversions.stp): what utap
// does not have on purpose, with the user-space function to use instead.
const char* kernelFunctionInstead(const std::string& name) {
  static const std::unordered_map<std::string, const char*> table = {
      {"symname", "usymname"},         {"symdata", "usymdata"},
      {"modname", "umodname"},         {"symfile", "usymfile"},
      {"symline", "usymline"},         {"symfileline", "usymfileline"},
      {"probemod", ""},                {"print_stack", "print_ustack"},
      {"sprint_stack", "sprint_ustack"}, {"print_syms", ""},
      {"sprint_syms", ""},             {"stack", ""},
      {"backtrace", "ubacktrace"},     {"print_backtrace", "print_ubacktrace"},
      {"print_backtrace_fileline", "print_ubacktrace_fileline"},
      {"sprint_backtrace", "sprint_ubacktrace"},
      {"task_backtrace", ""},          {"caller", ""},
      {"caller_addr", ""},             {"callers", "ucallers"},
      {"kernel_string", "user_string"}, {"kernel_string2", "user_string2"},
      {"kernel_string_n", "user_string_n"}, {"kernel_string_quoted", "user_string_quoted"},
      {"kernel_string_utf16", "user_string_utf16"}, {"kernel_string_utf32", "user_string_utf32"},
      {"kernel_string2_utf16", "user_string2_utf16"}, {"kernel_string2_utf32", "user_string2_utf32"},
      {"kernel_string_quoted_utf16", "user_string_quoted_utf16"},
      {"kernel_string_quoted_utf32", "user_string_quoted_utf32"},
      {"kernel_or_user_string_quoted", "user_string_quoted"},
      {"kernel_or_user_string_quoted_utf16", "user_string_quoted_utf16"},
      {"kernel_or_user_string_quoted_utf32", "user_string_quoted_utf32"},
      {"kernel_buffer_quoted", "user_buffer_quoted"}, {"kernel_buffer_quoted_error", "user_buffer_quoted_error"},
      {"kernel_char", "user_char"},    {"kernel_short", "user_short"},
      {"kernel_int", "user_int"},      {"kernel_long", "user_long"},
      {"kernel_pointer", "user_long"},
  };
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

struct GroupKey {
  std::string name;
  size_t arity;
  FileId privateFile;  // 0: public
  bool operator==(const GroupKey& o) const {
    return name == o.name && arity == o.arity && privateFile == o.privateFile;
  }
};
struct GroupKeyHash {
  size_t operator()(const GroupKey& k) const {
    return std::hash<std::string>()(k.name) ^ (k.arity * 0x9e3779b97f4a7c15ULL) ^ k.privateFile;
  }
};

class Tables {
 public:
  explicit Tables(Context& ctx) : ctx_(ctx) {
    auto& program = ctx.program;
    for (auto& file : program.files)
      for (auto& decl : file->decls) {
        if (auto* g = dynamic_cast<ast::GlobalDecl*>(decl.get())) {
          if (const Variable* first = sameScope(g->name, g->isPrivate, file->id)) {
            ctx.diags.report(DiagKind::DuplicateGlobal, g->range, g->name, ctx.sources.format(first->declared.begin));
            continue;
          }
          auto v = std::make_unique<Variable>();
          v->kind = Variable::Kind::Global;
          v->name = g->name;
          v->declared = g->range;
          v->global = g;
          v->file = file->id;
          globals_[g->name].push_back(v.get());
          program.globals.push_back(std::move(v));
        } else if (auto* f = dynamic_cast<ast::FunctionDecl*>(decl.get())) {
          addFunction(*f, file->id);
        }
      }
    // Lower priority first; declaration order among equals (stable sort).
    for (auto& group : program.overloads)
      std::stable_sort(group->members.begin(), group->members.end(),
                       [](const Function* a, const Function* b) { return a->priority < b->priority; });
    for (auto& group : program.overloads) {
      bool unique = group->members.size() == 1 && namesakes_[group->name] == 1;
      for (size_t i = 0; i < group->members.size(); ++i)
        group->members[i]->mangled = unique ? group->name : fmt::format("{}__{}_{}", group->name, group->arity, i);
    }
  }

  // A global already declared in the same scope: public, or private to `file`.
  const Variable* sameScope(const std::string& name, bool isPrivate, FileId file) const {
    auto it = globals_.find(name);
    if (it == globals_.end()) return nullptr;
    for (const Variable* v : it->second)
      if (v->global->isPrivate == isPrivate && (!isPrivate || v->file == file)) return v;
    return nullptr;
  }

  Variable* global(const std::string& name, FileId from) const {
    auto it = globals_.find(name);
    if (it == globals_.end()) return nullptr;
    Variable* visible = nullptr;
    for (Variable* v : it->second) {
      if (v->global->isPrivate && v->file == from) return v;  // the file's own private one wins
      if (!v->global->isPrivate && !visible) visible = v;
    }
    return visible;
  }

  OverloadGroup* group(const std::string& name, size_t arity, FileId from) const {
    auto it = groups_.find(GroupKey{name, arity, from});
    if (it != groups_.end()) return it->second;
    it = groups_.find(GroupKey{name, arity, 0});
    return it == groups_.end() ? nullptr : it->second;
  }
  // Arity of any visible function of this name, for "wrong number of arguments".
  std::vector<size_t> arities(const std::string& name, FileId from) const {
    std::vector<size_t> out;
    for (const auto& [key, group] : groups_)
      if (key.name == name && (key.privateFile == 0 || key.privateFile == from)) out.push_back(key.arity);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  bool privateElsewhere(const std::string& name, FileId from) const {
    for (const auto& [key, group] : groups_)
      if (key.name == name && key.privateFile != 0 && key.privateFile != from) return true;
    return false;
  }

 private:
  void addFunction(ast::FunctionDecl& decl, FileId file) {
    auto& program = ctx_.program;
    auto f = std::make_unique<Function>();
    f->decl = &decl;
    f->file = file;
    f->fromTapset = ctx_.isTapset(file);
    // stap: user functions default to priority 0, library functions to 1.
    f->priority = decl.priority ? *decl.priority : (f->fromTapset ? 1 : 0);
    for (const auto& p : decl.params) {
      auto v = std::make_unique<Variable>();
      v->kind = Variable::Kind::Param;
      v->name = p.name;
      v->declared = p.range;
      v->file = file;
      v->arity = 0;
      v->arityFrom = p.range;
      if (p.type != ast::Type::Unknown) {
        v->type = p.type == ast::Type::Long ? Type::Long : Type::String;
        v->typeFrom = p.range;
      }
      f->params.push_back(std::move(v));
    }
    if (decl.returnType != ast::Type::Unknown) {
      f->returnType = decl.returnType == ast::Type::Long ? Type::Long : Type::String;
      f->returnFrom = decl.range;
    }
    GroupKey key{decl.name, decl.params.size(), decl.isPrivate ? file : 0};
    auto [it, added] = groups_.try_emplace(key, nullptr);
    if (added) {
      program.overloads.push_back(std::make_unique<OverloadGroup>());
      it->second = program.overloads.back().get();
      it->second->name = decl.name;
      it->second->arity = decl.params.size();
      ++namesakes_[decl.name];
    }
    it->second->members.push_back(f.get());
    program.functions.push_back(std::move(f));
  }

  Context& ctx_;
  std::unordered_map<std::string, std::vector<Variable*>> globals_;
  std::unordered_map<GroupKey, OverloadGroup*, GroupKeyHash> groups_;
  std::unordered_map<std::string, int> namesakes_;
};

// Resolves one body: a function's or a probe's.
class Resolver : public ast::Visitor {
 public:
  Resolver(Context& ctx, const Tables& tables, std::vector<std::unique_ptr<Variable>>& locals, Function* function,
           std::vector<OverloadGroup*>& callees)
      : ctx_(ctx), tables_(tables), locals_(locals), function_(function), callees_(callees) {}

  void visit(ast::Symbol& n) override { ctx_.program.variables[&n] = lookup(n.name, n.range); }

  // As stap, whether a name is an array is settled with the names, before
  // the optimizer elides anything: a local indexed even in a statement
  // elided later ("x = 1; x[1, 2]") is an error.
  void visit(ast::IndexExpr& n) override {
    Visitor::visit(n);
    auto* base = dynamic_cast<ast::Symbol*>(n.base.get());
    if (!base) return;
    auto it = ctx_.program.variables.find(base);
    if (it != ctx_.program.variables.end() && it->second && it->second->kind != Variable::Kind::Global &&
        indexedLocals_.insert(it->second).second)
      ctx_.diags.report(DiagKind::LocalNotArray, base->range, base->name, base->name);
  }

  void visit(ast::CallExpr& n) override {
    FileId from = ctx_.fileOf(n.range);
    OverloadGroup* group = tables_.group(n.name, n.args.size(), from);
    if (group) {
      ctx_.program.calls[&n] = group;
      if (std::find(callees_.begin(), callees_.end(), group) == callees_.end()) callees_.push_back(group);
    } else if (auto arities = tables_.arities(n.name, from); !arities.empty()) {
      std::string takes;
      for (size_t i = 0; i < arities.size(); ++i)
        takes += (i == 0 ? "" : i + 1 == arities.size() ? " or " : ", ") + std::to_string(arities[i]);
      ctx_.diags.report(DiagKind::WrongArgumentCount, n.range, n.name, n.args.size(), takes);
    } else if (tables_.privateElsewhere(n.name, from)) {
      ctx_.diags.report(DiagKind::PrivateFunction, n.range, n.name);
    } else {
      ctx_.diags.report(DiagKind::UnresolvedFunction, n.range, n.name);
      if (const char* instead = kernelFunctionInstead(n.name))
        ctx_.diags.note(DiagKind::NoteKernelFunction, n.range, n.name,
                        *instead ? fmt::format(": for a user-space address, {}()", instead) : std::string());
    }
    Visitor::visit(n);
  }

 private:
  std::set<const Variable*> indexedLocals_;  // each reported once

  Variable* lookup(const std::string& name, const SourceRange& range) {
    if (function_)
      for (auto& p : function_->params)
        if (p->name == name) return p.get();
    if (auto it = localByName_.find(name); it != localByName_.end()) return it->second;
    if (Variable* g = tables_.global(name, ctx_.fileOf(range))) return g;
    auto v = std::make_unique<Variable>();
    v->kind = Variable::Kind::Local;
    v->name = name;
    v->declared = range;
    v->file = ctx_.fileOf(range);
    locals_.push_back(std::move(v));
    localByName_.emplace(name, locals_.back().get());
    return locals_.back().get();
  }

  Context& ctx_;
  const Tables& tables_;
  std::vector<std::unique_ptr<Variable>>& locals_;
  std::unordered_map<std::string, Variable*> localByName_;
  Function* function_;
  std::vector<OverloadGroup*>& callees_;
};

// Whether a function can pass a call on to the next overload: a `next` in
// its body, or STAP_NEXT in embedded C.
bool mayPassOn(const Function& f) {
  if (f.decl->embedded) return f.decl->embedded->find("STAP_NEXT") != std::string::npos;
  class FindNext : public ast::Visitor {
   public:
    bool found = false;
    void visit(ast::NextStmt&) override { found = true; }
  } find;
  f.decl->body->accept(find);
  return find.found;
}

}  // namespace

void resolveSymbols(Context& ctx) {
  Tables tables(ctx);
  auto& program = ctx.program;
  std::unordered_map<const Function*, std::vector<OverloadGroup*>> calleesOf;
  for (auto& f : program.functions) {
    if (f->decl->embedded) continue;
    Resolver r(ctx, tables, f->locals, f.get(), calleesOf[f.get()]);
    f->decl->body->accept(r);
  }
  std::vector<OverloadGroup*> fromProbes;
  for (auto& p : program.probes) {
    Resolver r(ctx, tables, p->locals, nullptr, fromProbes);
    p->body->accept(r);
  }
  // Reachability: functions called from probes, transitively.
  std::vector<OverloadGroup*> work = fromProbes;
  while (!work.empty()) {
    OverloadGroup* group = work.back();
    work.pop_back();
    // Every overload is typed and checked (they must agree), but they run
    // in order until one does not `next`: the ones after it cannot run.
    bool reachable = true;
    for (Function* f : group->members) {
      f->reachable |= reachable;
      if (reachable && !mayPassOn(*f)) reachable = false;
      if (f->used) continue;
      f->used = true;
      for (OverloadGroup* callee : calleesOf[f]) work.push_back(callee);
    }
  }
}

}  // namespace utap::sema
