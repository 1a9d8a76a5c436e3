// Lexing: text to tokens, with comments dropped and lexical errors reported.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostics.h"
#include "parse/token.h"

namespace utap::parse {

// Lexes a whole file. The result always ends with an EOF token. Reports
// invalid UTF-8, NUL bytes, stray characters, unterminated strings, comments
// and embedded C, and nesting deeper than kMaxNesting (which stops lexing).
// Tokens get `expansion` as their expansion id (for script arguments).
Tokens lex(FileId file, SourceManager& sources, Diagnostics& diags, ExpansionId expansion = 0);

// The same, with the lexer ANTLR generates from grammar/UtapLexer.g4: the
// specification the hand-written lex() must match token for token.
Tokens lexWithAntlr(FileId file, SourceManager& sources, Diagnostics& diags, ExpansionId expansion = 0);

// What a lexer does with a token it has just read: keep it, drop it (an
// error was reported), or stop (nesting too deep, too many errors). Shared by
// both lexers so they report the same errors.
enum class Admit { Keep, Drop, Stop };
Admit admit(const Token& t, int& depth, Diagnostics& diags);
// Whether "@name" is one of the language's own '@' operators (@cast, @sum...).
bool isBuiltinAtWord(std::string_view name);

// Reports, once `out` reaches kMaxTokens, that the file is too large.
bool tooManyTokens(const Tokens& out, Diagnostics& diags);

// Reports the first invalid UTF-8 sequence or NUL byte of `text` and
// returns its location; nullopt when the text is clean.
std::optional<SourceLoc> checkEncoding(FileId file, const std::string& text, Diagnostics& diags,
                                       ExpansionId expansion);

}  // namespace utap::parse
