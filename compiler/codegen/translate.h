// Pass 3: a resolved program to C for one kernel module. The C includes only
// runtime/include/utap/*.h and defines `utap_script` (utap/session.h): the
// probes with their handlers, the globals, and the frames for locals.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/diagnostics.h"
#include "base/source.h"
#include "codegen/stack_tables.h"
#include "sema/program.h"

namespace utap::codegen {

struct Translation {
  std::string moduleName;
  // Files of the module's build directory: name → content ("script.c").
  std::vector<std::pair<std::string, std::string>> files;
  // -D NAME=VALUE for the C compiler, the runtime's objects included:
  // MAXSTRINGLEN and every -D but limitDefines' (script.c #defines those).
  std::vector<std::pair<std::string, std::string>> defines;
  // input.char/input.line (procfs "__stdin" probes): the loader hands the
  // script its standard input, so --vm sends utap's into the guest.
  bool readsStdin = false;
};

struct TranslateOptions {
  std::string moduleName = "utap_script";
  std::string scriptName;    // for messages ("x.stp")
  StackTableOptions stacks;  // -d, --ldd
};

// The limits the runtime objects read at run time (utap/limits.h), as
// script.c #defines them: with the runtime compiled once per kernel, a
// different -DMAXACTION rebuilds only the module.
std::vector<std::pair<std::string, std::string>> limitDefines(const sema::RuntimeLimits& limits);

// Reports what cannot be translated (yet) into `diags`; the translation is
// complete only when no error was reported.
Translation translate(const sema::Program& program, const SourceManager& sources, Diagnostics& diags,
                      const TranslateOptions& options);

}  // namespace utap::codegen
