// Pass 3 for process probes: one handler per distinct probe body, and the
// table of probe points the runtime arms at load (runtime/include/utap/
// uprobes.h). `function("*")` on a program of 20,000 functions is one
// handler and 20,000 rows.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "base/source.h"
#include "codegen/c_writer.h"
#include "codegen/targets.h"
#include "probes/process.h"
#include "sema/program.h"

namespace utap::codegen {

// How one handler reads its target expressions and @entry values.
struct HandlerPlan {
  std::string name;      // "probe_3"
  bool isReturn = false;  // a .return handler: reads its entry's saves
  std::vector<const ast::TargetExpr*> targets;
  std::vector<const ast::SpecialExpr*> entries;
  TargetSlots slots;       // for the probe's body (and its entry saver)
  TargetSlots cloneSlots;  // for the function copies made for the probe
  // Members of the handler's frame and of its saves struct ("struct
  // utap_fetched __target0"), and what to read ahead where.
  std::vector<std::pair<std::string, std::string>> frameMembers, savesMembers;
  std::vector<std::string> prologue;    // C lines before the locks
  std::vector<std::string> entryFetch;  // C lines of the entry saver, before its locks
  bool hasEntrySaver() const { return isReturn && !savesMembers.empty(); }
  std::string savesStruct() const { return name + "_saves"; }
  std::string entrySaver() const { return name + "_entry"; }
};

// The target expressions a probe's handler reads, in the order its rows
// list their recipes: its body's, then those of the copies of functions
// made for it (sema's cloneTargetFunctions), in the order they were made.
std::vector<const ast::TargetExpr*> probeTargets(const sema::Program& program, const sema::Probe& probe);

// `recipeOf(k)`: the C expression of the k-th target's struct utap_target *.
// `name`: the handler's C name ("probe_3").
HandlerPlan planHandler(const sema::Probe& probe, const std::string& name, const sema::Program& program,
                        bool process, const std::function<std::string(size_t)>& recipeOf);

// Whether the probe is a process probe on an address (a row of the table).
const probes::ProcessPoint* addressedProcessPoint(const sema::Probe& probe);

// The rows and files of the table, collected as handlers are emitted.
class ProcessTable {
 public:
  ProcessTable(const sema::Program& program, const SourceManager& sources, Diagnostics& diags, RecipeTables& recipes)
      : program_(program), sources_(sources), diags_(diags), recipes_(recipes) {}

  // The handler `probe` runs with: the first probe of the same script probe
  // with the same body (itself when new: `*isNew` is set).
  const sema::Probe& handlerFor(const sema::Probe& probe, bool* isNew);
  void addHandler(const sema::Probe& handler, const HandlerPlan& plan);
  // A row for `probe`, served by `handler` (from handlerFor).
  void addRow(const sema::Probe& probe, const sema::Probe& handler, const std::string& location);
  bool empty() const { return rows_.empty(); }
  // The files, handlers, rows and `static const struct utap_uprobe_table uprobe_table`.
  std::string definitions() const;

 private:
  size_t fileIndex(const std::string& path);
  // The index of the group whose C initializer is `row`.
  size_t groupIndex(const std::string& row);
  void addUnwindHooks(const probes::ProcessPoint& p);

  const sema::Program& program_;
  const SourceManager& sources_;
  Diagnostics& diags_;
  RecipeTables& recipes_;
  std::map<std::pair<const ast::ProbeDecl*, std::string>, const sema::Probe*> handlers_;
  std::map<const sema::Probe*, size_t> handlerIndex_;
  std::vector<std::string> handlerRows_, rows_, files_, hooks_, groups_;
  std::map<std::string, size_t> groupIndex_;
  std::set<std::string> hookedExes_;
};

}  // namespace utap::codegen
