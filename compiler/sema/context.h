// State shared by the steps of pass 2 (internal to sema/).
#pragma once

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/diagnostics.h"
#include "sema/elaborate.h"
#include "sema/program.h"

namespace utap::sema {

struct Context {
  Program& program;
  SourceManager& sources;
  Diagnostics& diags;
  const ElaborateOptions& options;
  const probes::Registry& registry;
  std::unordered_set<FileId> tapsetFiles;  // files that came from the library

  // The file a node was written in: for macro-expanded code, the file of
  // the outermost use, so private names resolve where the macro was used.
  FileId fileOf(const SourceRange& range) const;
  bool isTapset(FileId file) const { return tapsetFiles.count(file) != 0; }
};

// How many of `written`'s components the alias name `name` covers: all of
// them (an exact match, wildcards included; '**' in a written component
// also crosses dots), fewer (the name matches a prefix; the rest is a suffix
// for the alias's targets, as in "probe t.randomize(10)" for "t =
// timer.ms(100)"), or 0 (no match).
size_t matchAliasName(const ast::ProbePoint& written, const ast::ProbePoint& name);

// The steps, in order; each reports into ctx.diags.
void includeTapsets(Context& ctx, std::vector<std::unique_ptr<ast::File>> library);
void expandProbes(Context& ctx);
// A copy of each function reading target expressions per probe that calls it.
void cloneTargetFunctions(Context& ctx);
// Target expressions at process points, and where .function probes go.
void resolveTargets(Context& ctx);
// $value in procfs probes, and the files they make (resolve_procfs.cpp).
void resolveProcfsValues(Context& ctx);
void foldConstants(Context& ctx);
// After types: if, while and ?: with a literal condition become what runs.
void removeDeadBranches(Context& ctx);
// Erases a subtree that goes from the program's side tables.
void forgetNode(Program& program, ast::Node& gone);
void resolveSymbols(Context& ctx);
// stap's autocast: '->' and '[...]' on values that carry a DWARF type.
void resolveAutocasts(Context& ctx);
// What a target expression asks of compiler/dwarf (resolve_targets.cpp).
dwarf::TargetRequest targetRequest(const ast::TargetExpr& target);
// stap's optimizer before types (less under -u).
void optimizeBeforeTypes(Context& ctx);
// Probes whose body does nothing once elision is done (none under -u).
void elideEmptyProbes(Context& ctx);
void inferTypes(Context& ctx);
// After removeDeadBranches: variables still named whose type is unknown.
void reportUnknownTypes(Context& ctx);
// Types one probe added after inferTypes (its variables already typed).
void inferProbeTypes(Context& ctx, Probe& probe);
void checkUsage(Context& ctx);
// Every regex of =~ and !~ compiles (compiler/regex).
void checkRegexes(Context& ctx);
void displayWrittenGlobals(Context& ctx);
void elideUnused(Context& ctx);
// The probes left fit the runtime's limits on them (MAXUPROBES).
void checkProbeLimits(Context& ctx);

// Loads every .stp file under the tapset directories (sorted, recursively).
std::vector<std::unique_ptr<ast::File>> loadTapsetLibrary(SourceManager& sources, Diagnostics& diags,
                                                          const ElaborateOptions& options);

}  // namespace utap::sema
