// Pass 1 for one file: lex, preprocess, parse, build the AST.
#pragma once

#include <memory>

#include "ast/ast.h"
#include "base/diagnostics.h"
#include "parse/preprocessor.h"

namespace utap::parse {

struct ParseOptions {
  PreprocessorConfig preprocessor;
  const MacroTable* libraryMacros = nullptr;  // from .stpm files
  // false: leave ANTLR's parse tree to the kernel (for a process that exits
  // right after), which saves about a tenth of the time on a large script.
  bool freeParseTree = true;
};

// Returns the file's AST, or null when it reported errors.
std::unique_ptr<ast::File> parseFile(FileId file, SourceManager& sources, Diagnostics& diags,
                                     const ParseOptions& options);

// Reads a library macro file (.stpm): only @define, possibly inside
// preprocessor conditionals. Adds its macros to `library`.
bool parseMacroFile(FileId file, SourceManager& sources, Diagnostics& diags, const ParseOptions& options,
                    MacroTable& library);

}  // namespace utap::parse
