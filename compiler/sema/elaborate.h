// Pass 2: from the user script's AST to a resolved Program. Loads the tapset
// files the script needs, expands probe aliases, resolves probe points
// through the provider registry, resolves symbols and calls, infers types,
// checks the rules stap checks, and elides what is unused.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ast/ast.h"
#include "base/diagnostics.h"
#include "parse/parser.h"
#include "probes/provider.h"
#include "sema/program.h"

namespace utap::sema {

struct ElaborateOptions {
  std::vector<std::string> tapsetDirs;                       // the installed library first, then each -I
  parse::ParseOptions parse;                                 // for tapset files (guru is implied there)
  bool guru = false;                                         // -g
  bool unoptimized = false;                                  // -u: no elision
  std::vector<std::pair<std::string, std::string>> defines;  // -D
};

// Returns null when it reported errors.
std::unique_ptr<Program> elaborate(std::unique_ptr<ast::File> script, SourceManager& sources, Diagnostics& diags,
                                   const ElaborateOptions& options, const probes::Registry& registry);

// stap's -p2 listing: globals with types, functions, probes with their
// alias chains; with `verbose`, bodies too.
std::string printProgram(const Program& program, bool verbose);

// How a probe came to be, as -p2 prints it after the point:
// "<- mybegin = begin <- mybegin,timer.ms(1)".
std::string probeChain(const Probe& probe);

}  // namespace utap::sema
