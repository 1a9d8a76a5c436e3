// The reference lexer: the one ANTLR generates from grammar/UtapLexer.g4.
// utap lexes with the hand-written lexer in lexer.cpp (ten times faster);
// tests and the fuzzer check that both give the same tokens.
#include "parse/lexer.h"

#include <cstring>

#include <antlr4-runtime.h>

#include "UtapLexer.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;

// The location of the last character of a token that starts at `begin`.
SourceLoc endOf(SourceLoc begin, const std::string& text) {
  SourceLoc end = begin;
  bool first = true;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;
    if (!first) {
      if (c == '\n') {
        ++end.line;
        end.column = 0;
      } else {
        ++end.column;
      }
    }
    first = false;
  }
  return end;
}

bool endsWith(const std::string& s, const char* tail, size_t minSize) {
  size_t n = std::strlen(tail);
  return s.size() >= minSize && s.compare(s.size() - n, n, tail) == 0;
}

}  // namespace

Tokens lexWithAntlr(FileId file, SourceManager& sources, Diagnostics& diags, ExpansionId expansion) {
  Tokens out;
  const std::string& text = sources.text(file);
  auto eofToken = [&](SourceLoc at) {
    out.push_back({static_cast<size_t>(antlr4::Token::EOF), "<EOF>", {at, at, expansion}});
    return out;
  };

  if (std::optional<SourceLoc> bad = checkEncoding(file, text, diags, expansion)) return eofToken(*bad);

  antlr4::ANTLRInputStream input(text);
  UtapLexer lexer(&input);
  lexer.removeErrorListeners();
  out.reserve(text.size() / 4);
  int depth = 0;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    size_t type = t->getType();
    SourceLoc begin{file, static_cast<uint32_t>(t->getLine()),
                    static_cast<uint32_t>(t->getCharPositionInLine() + 1)};
    if (type == antlr4::Token::EOF) return eofToken(begin);
    std::string tokText = t->getText();
    SourceRange range{begin, endOf(begin, tokText), expansion};

    switch (type) {
      case UtapLexer::BLOCK_COMMENT:
        if (!endsWith(tokText, "*/", 4)) diags.report(DiagKind::UnterminatedComment, SourceRange{begin, begin, expansion});
        continue;
      case UtapLexer::EMBEDDED:
        if (!endsWith(tokText, "%}", 4)) {
          diags.report(DiagKind::UnterminatedEmbedded, SourceRange{begin, begin, expansion});
          continue;
        }
        break;
      default:
        break;
    }
    Token token{type, std::move(tokText), range};
    switch (admit(token, depth, diags)) {
      case Admit::Keep: break;
      case Admit::Drop: continue;
      case Admit::Stop: return eofToken(begin);
    }
    if (tooManyTokens(out, diags)) return eofToken(begin);
    out.push_back(std::move(token));
  }
}

}  // namespace utap::parse
