// Lexing: text to tokens, with comments dropped and lexical errors reported.
#pragma once

#include "base/diagnostics.h"
#include "parse/token.h"

namespace utap::parse {

// Lexes a whole file. The result always ends with an EOF token. Reports
// invalid UTF-8, NUL bytes, stray characters, unterminated strings, comments
// and embedded C, and nesting deeper than kMaxNesting (which stops lexing).
// Tokens get `expansion` as their expansion id (for script arguments).
Tokens lex(FileId file, SourceManager& sources, Diagnostics& diags, ExpansionId expansion = 0);

}  // namespace utap::parse
