// Pass 3 for the symbol and stack functions (usymname, ubacktrace, ...):
// which files' tables the module carries (the probed files, -d files and,
// with --ldd, the libraries they need) and their C (utap/unwind.h).
#pragma once

#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "sema/program.h"

namespace utap::codegen {

struct StackTableOptions {
  std::vector<std::string> modules;  // -d MODULE, as given
  bool ldd = false;                  // --ldd
};

// Whether the program calls a function that needs the tables (one whose
// embedded C carries /* pragma:symbols */ or /* pragma:unwind */).
bool needsStackTables(const sema::Program& program);

// The definitions of the files' tables and of
// `static const struct utap_stack_tables stack_tables`; a -d file that
// cannot be read is reported in `diags`.
std::string stackTableDefinitions(const sema::Program& program, const StackTableOptions& options,
                                  Diagnostics& diags);

}  // namespace utap::codegen
