// Process probes in pass 3 (process_probes.h).
#include "codegen/process_probes.h"

#include <fmt/format.h>

#include "ast/printer.h"
#include "ast/visitor.h"

namespace utap::codegen {

namespace {

using Base = ast::TargetExpr::Base;

// $return and $$return are read at the return; everything else a .return
// reads is the entry's value (stap's rule), saved at the entry hit.
bool readAtReturn(const ast::TargetExpr& t) { return t.base == Base::Dollar && (t.name == "$return" || t.name == "$$return"); }

// Calls of the tapsets' user-memory readers whose address is a target
// value read ahead: user_string($p->name). Their pages are faulted in
// before the locks, so the reader (a _nofault read under them) finds them.
class Prefaults : public ast::Visitor {
 public:
  Prefaults(const sema::Program& program, const TargetSlots& slots) : program_(program), slots_(slots) {}
  std::vector<std::string> lines;

  void visit(ast::CallExpr& n) override {
    Visitor::visit(n);
    auto group = program_.calls.find(&n);
    if (group == program_.calls.end() || n.args.empty() || n.name.rfind("user_", 0) != 0) return;
    if (!group->second->members.front()->fromTapset) return;
    auto* t = dynamic_cast<const ast::TargetExpr*>(n.args[0].get());
    auto slot = t ? slots_.slots.find(t) : slots_.slots.end();
    if (slot == slots_.slots.end() || slot->second.fetched.empty() || !slot->second.buffer.empty()) return;
    bool string = n.name.find("string") != std::string::npos;
    bool buffer = n.name.find("buffer") != std::string::npos;
    std::string line = fmt::format("utap_user_prefault(c, &{}, {}, {});", slot->second.fetched,
                                   string ? "true" : "false", string || buffer ? "MAXSTRINGLEN" : "8");
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
  }

 private:
  const sema::Program& program_;
  const TargetSlots& slots_;
};

std::string hexNumber(uint64_t v) { return fmt::format("{:#x}", v); }

// Whether `body` assigns a target expression (guru mode): then every read
// must see the write, so none is read ahead.
bool assignsTarget(const ast::Node& body) {
  struct Finder : ast::Visitor {
    bool found = false;
    void visit(ast::AssignExpr& n) override {
      found |= dynamic_cast<const ast::TargetExpr*>(n.lhs.get()) != nullptr;
      Visitor::visit(n);
    }
  } finder;
  const_cast<ast::Node&>(body).accept(finder);
  return finder.found;
}

}  // namespace

const probes::ProcessPoint* addressedProcessPoint(const sema::Probe& probe) {
  auto* p = dynamic_cast<const probes::ProcessPoint*>(probe.point.get());
  if (!p) return nullptr;
  using K = probes::ProcessPoint::Kind;
  switch (p->kind) {
    case K::Function:
    case K::Statement:
    case K::Label:
    case K::Mark:
    case K::Plt: return p;
    default: return nullptr;
  }
}

std::vector<const ast::TargetExpr*> probeTargets(const sema::Program& program, const sema::Probe& probe) {
  std::vector<const ast::TargetExpr*> targets = targetsOf(*probe.body);
  for (const auto& [decl, owner] : program.clones)
    if (owner == &probe && decl->body)
      for (const ast::TargetExpr* t : targetsOf(*decl->body)) targets.push_back(t);
  return targets;
}

HandlerPlan planHandler(const sema::Probe& probe, const std::string& name, const sema::Program& program,
                        bool process, const std::function<std::string(size_t)>& recipeOf) {
  HandlerPlan plan;
  plan.name = name;
  plan.isReturn = probe.point->isReturn() && process;
  plan.targets = probeTargets(program, probe);
  plan.entries = plan.isReturn ? entriesOf(*probe.body) : std::vector<const ast::SpecialExpr*>{};
  size_t inBody = targetsOf(*probe.body).size();
  bool writes = assignsTarget(*probe.body);
  for (const auto& [decl, owner] : program.clones)
    if (owner == &probe && decl->body) writes |= assignsTarget(*decl->body);
  for (size_t k = 0; k < plan.targets.size(); ++k) {
    const ast::TargetExpr& t = *plan.targets[k];
    // The body names its frame `l` and its saves `s`; a function copy
    // reaches the probe's frame, the first of the hit, through c->frames.
    TargetSlot& slot = (k < inBody ? plan.slots : plan.cloneSlots).slots[&t];
    slot.recipe = recipeOf(k);
    auto resolution = program.targets.find(&t);
    if (writes || resolution == program.targets.end() || !readAhead(t, resolution->second)) continue;
    bool saved = plan.isReturn && !readAtReturn(t);
    std::string member = "__target" + std::to_string(k);
    std::string owner = saved ? "s->" : "l->";
    std::string reached = k < inBody ? owner
                          : saved    ? "((struct " + plan.savesStruct() + " *)c->entry_saves)->"
                                     : "((struct " + plan.name + "_frame *)c->frames)->";
    auto& members = saved ? plan.savesMembers : plan.frameMembers;
    auto& fetch = saved ? plan.entryFetch : plan.prologue;
    slot.fetched = reached + member;
    members.emplace_back("struct utap_fetched", member);
    bool isString = resolution->second.value && resolution->second.value->kind == dwarf::TargetValue::Kind::String;
    if (isString) {
      slot.buffer = reached + member + "_text";
      members.emplace_back("utap_string_t", member + "_text");
      fetch.push_back(fmt::format("utap_target_fetch_string(c, {}, &{}, {}); /* {} */", slot.recipe,
                                  owner + member, owner + member + "_text", ast::printExpr(t)));
    } else {
      fetch.push_back(
          fmt::format("utap_target_fetch(c, {}, &{}); /* {} */", slot.recipe, owner + member, ast::printExpr(t)));
    }
  }
  for (size_t k = 0; k < plan.entries.size(); ++k) {
    std::string member = "__entry" + std::to_string(k);
    bool isString = program.typeOf(*plan.entries[k]) == sema::Type::String;
    plan.savesMembers.emplace_back(isString ? "utap_string_t" : "int64_t", member);
    plan.slots.entries[plan.entries[k]] = "s->" + member;
  }
  Prefaults prefaults(program, plan.slots);
  const_cast<ast::Block&>(*probe.body).accept(prefaults);
  for (auto& line : prefaults.lines) plan.prologue.push_back(std::move(line));
  return plan;
}

const sema::Probe& ProcessTable::handlerFor(const sema::Probe& probe, bool* isNew) {
  std::string key = std::string(probe.point->isReturn() ? "return\n" : "entry\n") + ast::printStmt(*probe.body);
  auto [it, added] = handlers_.emplace(std::make_pair(probe.origin, key), &probe);
  *isNew = added;
  return *it->second;
}

void ProcessTable::addHandler(const sema::Probe& handler, const HandlerPlan& plan) {
  handlerIndex_[&handler] = handlerRows_.size();
  std::string saver = plan.hasEntrySaver() ? plan.entrySaver() : "NULL";
  std::string size = plan.hasEntrySaver() ? "sizeof(struct " + plan.savesStruct() + ")" : "0";
  handlerRows_.push_back(
      fmt::format("\t{{ .run = {}, .save_entry = {}, .saves_size = {} }},", plan.name, saver, size));
}

size_t ProcessTable::fileIndex(const std::string& path) {
  for (size_t i = 0; i < files_.size(); ++i)
    if (files_[i] == path) return i;
  files_.push_back(path);
  return files_.size() - 1;
}

namespace {

// A point's text cut into what the rows of one group share and what is
// its own (utap/uprobes.h, struct utap_uprobe_group): for
// process("/bin/x").function("f@/src/x.c:12").call the prefix is
// process("/bin/x").function(", the name f, the file /src/x.c, the line
// 12 and the suffix ").call. A text of another shape is all prefix.
struct PointText {
  std::string prefix, name, declFile, suffix;
  std::optional<uint32_t> line;

  std::string joined() const {
    std::string text = prefix + name;
    if (line) text += "@" + declFile + ":" + std::to_string(*line);
    return text + suffix;
  }
};

PointText splitText(const std::string& text, const std::string& spelling) {
  PointText whole{text, "", "", "", std::nullopt};
  if (spelling.size() > text.size() || text.compare(text.size() - spelling.size(), spelling.size(), spelling) != 0)
    return whole;
  size_t open = spelling.find("(\"");
  if (open == std::string::npos) return whole;
  size_t start = open + 2, close = spelling.find('"', start);
  if (close == std::string::npos) return whole;
  std::string inner = spelling.substr(start, close - start);
  PointText split{text.substr(0, text.size() - spelling.size()) + spelling.substr(0, start), inner, "",
                  spelling.substr(close), std::nullopt};
  size_t at = inner.find('@'), colon = inner.rfind(':');
  if (at != std::string::npos && colon != std::string::npos && colon > at + 1 && colon + 1 < inner.size() &&
      colon + 11 > inner.size() &&
      inner.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    uint64_t line = std::stoull(inner.substr(colon + 1));
    if (line <= UINT32_MAX && std::to_string(line) == inner.substr(colon + 1)) {
      split.name = inner.substr(0, at);
      split.declFile = inner.substr(at + 1, colon - at - 1);
      split.line = static_cast<uint32_t>(line);
    }
  }
  return split.joined() == text ? split : whole;
}

}  // namespace

size_t ProcessTable::groupIndex(const std::string& row) {
  auto [it, added] = groupIndex_.emplace(row, groups_.size());
  if (added) groups_.push_back(row);
  return it->second;
}

void ProcessTable::addRow(const sema::Probe& probe, const sema::Probe& handler, const std::string& location) {
  const probes::ProcessPoint* p = addressedProcessPoint(probe);
  std::string path = p->module->path();
  std::optional<uint64_t> offset = p->module->fileOffset(p->address);
  if (!offset) {
    diags_.report(DiagKind::NotTranslatedYet, probe.origin ? probe.origin->range : SourceRange{},
                  fmt::format("the probe point '{}', whose address {:#x} is in no loaded segment of {}",
                              p->text(), p->address, path));
    return;
  }
  uint64_t semaphore = 0;
  if (p->mark && p->mark->semaphore) {
    std::optional<uint64_t> at = p->module->fileOffset(p->mark->semaphore);
    if (!at) {
      diags_.report(DiagKind::NotTranslatedYet, probe.origin ? probe.origin->range : SourceRange{},
                    fmt::format("the marker '{}', whose semaphore {:#x} is in no loaded segment of {}", p->text(),
                                p->mark->semaphore, path));
      return;
    }
    semaphore = *at;
  }
  if (p->isReturn()) addUnwindHooks(*p);
  size_t file = fileIndex(path);
  int64_t exe = p->viaLibrary && !p->processPath.empty() ? static_cast<int64_t>(fileIndex(p->processPath)) : -1;
  std::string targets = recipes_.targetList(probeTargets(program_, probe), program_);
  PointText text = splitText(p->text(), p->spelling);
  std::string name = probe.scriptPoint.empty() ? "" : ", .name = " + cString(probe.scriptPoint);
  size_t group = groupIndex(fmt::format(
      "\t{{ .prefix = {}, .decl_file = {}, .suffix = {}, .location = {}{}, .bias = {}, .file = {}, .handler = {}, "
      ".exe = {}, .pid = {}, .is_return = {}{} }},",
      cString(text.prefix), text.line ? cString(text.declFile) : "NULL", cString(text.suffix), cString(location), name,
      hexNumber(p->address - *offset), file, handlerIndex_.at(&handler), exe, p->pid.value_or(0),
      p->isReturn() ? "true" : "false", p->unnamedProcess ? ", .in_target_tree = true" : ""));
  // Positional, the zero members at the end left out: 20,000 rows of this
  // are the bulk of a whole-program module.
  std::string row = fmt::format("\t{{ {}, {}, {}, {}", hexNumber(*offset), group, text.line.value_or(0),
                                cString(text.name));
  if (semaphore || targets != "NULL") row += ", " + hexNumber(semaphore);
  if (targets != "NULL") row += ", " + targets;
  rows_.push_back(row + " },");
}

// A .return probe makes its function return through the kernel's
// trampoline, which an unwinder cannot walk: the runtime listens where
// libgcc's unwinder starts and where a C++ catch begins, in the processes
// the probe is in, and repairs the stack there (runtime/ubp/ubp.h).
void ProcessTable::addUnwindHooks(const probes::ProcessPoint& p) {
  std::string exePath = p.viaLibrary ? p.processPath : p.module->path();
  std::string name = exePath.substr(exePath.rfind('/') + 1);
  bool isLibrary = name.find(".so") != std::string::npos;
  if (!hookedExes_.insert(exePath).second) return;
  std::string error;
  std::shared_ptr<const dwarf::Module> exe = dwarf::Module::cached(exePath, &error);
  if (!exe) return;
  struct Wanted {
    const char* library;
    const char* function;
    const char* kind;
  };
  static const Wanted kWanted[] = {{"libgcc_s.so.1", "_Unwind_RaiseException", "UTAP_HOOK_UNWIND"},
                                   {"libgcc_s.so.1", "_Unwind_Resume_or_Rethrow", "UTAP_HOOK_UNWIND"},
                                   {"libgcc_s.so.1", "_Unwind_ForcedUnwind", "UTAP_HOOK_UNWIND"},
                                   {"libstdc++.so.6", "__cxa_begin_catch", "UTAP_HOOK_CATCH"}};
  for (const Wanted& w : kWanted) {
    std::optional<std::string> path = dwarf::findLibrary(*exe, w.library);
    std::shared_ptr<const dwarf::Module> lib = path ? dwarf::Module::cached(*path, &error) : nullptr;
    size_t column = 0;
    std::optional<dwarf::FunctionSpec> spec = dwarf::FunctionSpec::parse(w.function, &error, &column);
    if (!lib || !spec) continue;
    for (const dwarf::Function* f : lib->outOfLineFunctions(*spec)) {
      std::optional<uint64_t> offset = lib->fileOffset(f->entry);
      if (!offset) continue;
      int64_t filter = isLibrary ? -1 : static_cast<int64_t>(fileIndex(exePath));
      hooks_.push_back(fmt::format("\t{{ .function = {}, .file = {}, .offset = {}, .exe = {}, .kind = {} }},",
                                   cString(w.function), fileIndex(lib->path()), hexNumber(*offset), filter, w.kind));
      break;
    }
  }
}

std::string ProcessTable::definitions() const {
  if (rows_.empty()) return "";
  CWriter w;
  w.line("static const char *const uprobe_files[] = {");
  for (const auto& f : files_) w.line("\t" + cString(f) + ",");
  w.line("};");
  w.blank();
  w.line("static const struct utap_uprobe_handler uprobe_handlers[] = {");
  for (const auto& h : handlerRows_) w.line(h);
  w.line("};");
  w.blank();
  w.line("static const struct utap_uprobe_group uprobe_groups[] = {");
  for (const auto& g : groups_) w.line(g);
  w.line("};");
  w.blank();
  w.line("/* Offset, group, line, name (utap/uprobes.h). */");
  w.line("static const struct utap_uprobe_point uprobe_points[] = {");
  for (const auto& r : rows_) w.line(r);
  w.line("};");
  w.blank();
  if (!hooks_.empty()) {
    w.line("/* For .return probes: C++ exceptions unwind through them (runtime/ubp/ubp.h). */");
    w.line("static const struct utap_uprobe_hook uprobe_hooks[] = {");
    for (const auto& h : hooks_) w.line(h);
    w.line("};");
    w.blank();
  }
  w.open("static const struct utap_uprobe_table uprobe_table =");
  w.line(".files = uprobe_files,");
  w.line(".nfiles = ARRAY_SIZE(uprobe_files),");
  w.line(".handlers = uprobe_handlers,");
  w.line(".nhandlers = ARRAY_SIZE(uprobe_handlers),");
  w.line(".groups = uprobe_groups,");
  w.line(".ngroups = ARRAY_SIZE(uprobe_groups),");
  w.line(".points = uprobe_points,");
  w.line(".npoints = ARRAY_SIZE(uprobe_points),");
  if (!hooks_.empty()) {
    w.line(".hooks = uprobe_hooks,");
    w.line(".nhooks = ARRAY_SIZE(uprobe_hooks),");
  }
  w.close(";");
  w.blank();
  return w.take();
}

}  // namespace utap::codegen
