// Tokens between the lexer and the parser.
//
// The preprocessor works on these: it drops, copies and splices tokens from
// several sources (the file, macro bodies, script arguments), so each token
// carries its own text and range instead of pointing into one char stream.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/source.h"

namespace utap::parse {

struct Token {
  size_t type = 0;  // a UtapLexer token type
  std::string text;
  SourceRange range;
};

using Tokens = std::vector<Token>;

// Nesting of brackets deeper than this is refused before parsing (a
// realistic script stays below 30).
constexpr int kMaxNesting = 1000;

// A file with more tokens than this is refused: parsing costs about 1 KB of
// memory per token, and a realistic script (or the whole stap tapset
// library) stays far below it.
constexpr size_t kMaxTokens = 1'000'000;

}  // namespace utap::parse
