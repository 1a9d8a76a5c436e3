// Step 2b of pass 2: a script function that reads target expressions ($x,
// @var, @cast), itself or through the functions it calls, gets a copy of its
// own for each probe that calls it, as stap clones such functions: the
// copy's target expressions resolve at that probe's point (resolveTargets),
// and the call in the probe (or in another copy) is redirected to it.
// A function every call of which was redirected is dropped.
#include <fmt/format.h>

#include <map>
#include <set>

#include "ast/clone.h"
#include "ast/visitor.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

using Key = std::pair<std::string, size_t>;  // name, arity

bool readsTargets(const ast::FunctionDecl& f) {
  struct Finder : ast::Visitor {
    bool found = false;
    void visit(ast::TargetExpr&) override { found = true; }
  } finder;
  if (f.body) f.body->accept(finder);
  return finder.found;
}

std::vector<ast::CallExpr*> callsIn(ast::Node& body) {
  struct Calls : ast::Visitor {
    std::vector<ast::CallExpr*> found;
    void visit(ast::CallExpr& n) override {
      found.push_back(&n);
      Visitor::visit(n);
    }
  } calls;
  body.accept(calls);
  return calls.found;
}

class Cloner {
 public:
  explicit Cloner(Context& ctx) : ctx_(ctx) {
    for (auto& file : ctx.program.files)
      for (auto& decl : file->decls)
        if (auto* f = dynamic_cast<ast::FunctionDecl*>(decl.get()))
          functions_[{f->name, f->params.size()}].push_back({f, file.get()});
    findTargetReaders();
  }

  void run() {
    if (readers_.empty()) return;
    for (auto& probe : ctx_.program.probes) redirect(*probe->body, *probe);
    dropUncalled();
  }

 private:
  struct Member {
    ast::FunctionDecl* decl;
    ast::File* file;
  };

  // The (name, arity) groups with a member that reads targets, directly or through calls.
  void findTargetReaders() {
    for (const auto& [key, members] : functions_)
      for (const Member& m : members)
        if (readsTargets(*m.decl)) readers_.insert(key);
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& [key, members] : functions_) {
        if (readers_.count(key)) continue;
        for (const Member& m : members) {
          if (!m.decl->body) continue;
          for (ast::CallExpr* call : callsIn(*m.decl->body))
            if (readers_.count({call->name, call->args.size()}) && readers_.insert(key).second) changed = true;
        }
      }
    }
  }

  // Points the calls under `body` at copies made for `probe`.
  void redirect(ast::Node& body, const Probe& probe) {
    for (ast::CallExpr* call : callsIn(body)) {
      Key key{call->name, call->args.size()};
      if (!readers_.count(key) || !functions_.count(key)) continue;
      call->name = copyFor(key, probe);
    }
  }

  // The name of the copy of group `key` made for `probe`, made the first time.
  std::string copyFor(const Key& key, const Probe& probe) {
    auto [it, added] = copies_.emplace(std::make_pair(key, &probe), "");
    if (!added) return it->second;
    std::string name = fmt::format("__clone_probe{}_{}", probe.index, key.first);
    it->second = name;
    redirected_.insert(key);
    std::vector<ast::FunctionDecl*> made;
    for (const Member& m : functions_.at(key)) {
      auto copy = std::make_unique<ast::FunctionDecl>();
      copy->range = m.decl->range;
      copy->name = name;
      copy->isPrivate = m.decl->isPrivate;
      copy->returnType = m.decl->returnType;
      copy->params = m.decl->params;
      copy->priority = m.decl->priority;
      if (m.decl->body) copy->body = ast::cloneBlock(*m.decl->body);
      copy->embedded = m.decl->embedded;
      copy->pragmas = m.decl->pragmas;
      made.push_back(copy.get());
      ctx_.program.clones.emplace_back(copy.get(), &probe);
      m.file->decls.push_back(std::move(copy));
    }
    for (ast::FunctionDecl* f : made)
      if (f->body) redirect(*f->body, probe);
    return name;
  }

  // Originals whose every call now goes to a copy: nothing calls them
  // (nor any original still kept), so they go, until none is left to drop.
  void dropUncalled() {
    for (bool dropped = true; dropped;) {
      std::set<Key> stillCalled;
      for (auto& probe : ctx_.program.probes)
        for (ast::CallExpr* call : callsIn(*probe->body)) stillCalled.insert({call->name, call->args.size()});
      for (auto& file : ctx_.program.files)
        for (auto& decl : file->decls)
          if (auto* f = dynamic_cast<ast::FunctionDecl*>(decl.get()); f && f->body)
            for (ast::CallExpr* call : callsIn(*f->body)) stillCalled.insert({call->name, call->args.size()});
      dropped = false;
      for (auto& file : ctx_.program.files)
        dropped |= std::erase_if(file->decls, [&](const ast::DeclPtr& decl) {
                     auto* f = dynamic_cast<ast::FunctionDecl*>(decl.get());
                     if (!f) return false;
                     Key key{f->name, f->params.size()};
                     return redirected_.count(key) && !stillCalled.count(key);
                   }) > 0;
    }
  }

  Context& ctx_;
  std::map<Key, std::vector<Member>> functions_;
  std::set<Key> readers_, redirected_;
  std::map<std::pair<Key, const Probe*>, std::string> copies_;
};

}  // namespace

void cloneTargetFunctions(Context& ctx) { Cloner(ctx).run(); }

}  // namespace utap::sema
