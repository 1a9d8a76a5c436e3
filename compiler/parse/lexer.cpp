#include "parse/lexer.h"

#include <cstring>

#include <antlr4-runtime.h>

#include "UtapLexer.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;

// Returns the offset of the first byte that is not valid UTF-8 (or a NUL),
// or npos when the text is clean.
size_t firstBadByte(const std::string& s, bool& isNul) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == 0) {
      isNul = true;
      return i;
    }
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    for (size_t k = 1; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
    // Overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return i;
    i += len;
  }
  return std::string::npos;
}

SourceLoc locationOfOffset(FileId file, const std::string& text, size_t offset) {
  SourceLoc loc{file, 1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

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

Tokens lex(FileId file, SourceManager& sources, Diagnostics& diags, ExpansionId expansion) {
  Tokens out;
  const std::string& text = sources.text(file);
  auto eofToken = [&](SourceLoc at) {
    out.push_back({static_cast<size_t>(antlr4::Token::EOF), "<EOF>", {at, at, expansion}});
    return out;
  };

  bool isNul = false;
  size_t bad = firstBadByte(text, isNul);
  if (bad != std::string::npos) {
    SourceLoc at = locationOfOffset(file, text, bad);
    if (isNul)
      diags.report(DiagKind::NulByte, {at, at, expansion});
    else
      diags.report(DiagKind::InvalidUtf8, {at, at, expansion}, static_cast<unsigned char>(text[bad]));
    return eofToken(at);
  }

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
      case UtapLexer::UNTERMINATED_STRING:
        diags.report(DiagKind::UnterminatedString, range);
        continue;
      case UtapLexer::STRAY: {
        std::string shown = tokText;
        if (tokText.size() == 1 && static_cast<unsigned char>(tokText[0]) < 0x20)
          shown = fmt::format("\\x{:02x}", static_cast<unsigned char>(tokText[0]));
        diags.report(DiagKind::StrayCharacter, range, shown);
        continue;
      }
      case UtapLexer::LPAREN:
      case UtapLexer::LBRACKET:
      case UtapLexer::LBRACE:
      case UtapLexer::PP_OPEN:
        if (++depth > kMaxNesting) {
          diags.report(DiagKind::NestingTooDeep, range, kMaxNesting);
          return eofToken(begin);
        }
        break;
      case UtapLexer::RPAREN:
      case UtapLexer::RBRACKET:
      case UtapLexer::RBRACE:
      case UtapLexer::PP_CLOSE:
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
    if (diags.atErrorLimit()) return eofToken(begin);
    out.push_back({type, std::move(tokText), range});
  }
}

}  // namespace utap::parse
