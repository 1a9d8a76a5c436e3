// The lexer utap uses: hand-written, one pass over the bytes, producing
// exactly the tokens the ANTLR lexer generated from grammar/UtapLexer.g4
// produces (tests/unit and the fuzzer compare the two), about ten times
// faster, which is most of pass 1's time on a large script.
#include "parse/lexer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "UtapLexer.h"
#include "base/utf8.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;

// Returns the offset of the first byte that is not valid UTF-8 (or a NUL),
// or npos when the text is clean.
size_t firstBadByte(const std::string& s, bool& isNul) {
  std::string_view text(s);
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\0') {
      isNul = true;
      return i;
    }
    if (c < 0x80) {  // most scripts are ASCII
      ++i;
      continue;
    }
    size_t len = utf8SequenceLength(text.substr(i, 4));
    if (len == 0) return i;
    i += len;
  }
  return std::string::npos;
}

struct Keyword {
  std::string_view text;
  size_t type;
};

constexpr Keyword kKeywords[] = {
    {"probe", UtapLexer::PROBE},       {"global", UtapLexer::GLOBAL},   {"private", UtapLexer::PRIVATE},
    {"function", UtapLexer::FUNCTION}, {"if", UtapLexer::IF},           {"else", UtapLexer::ELSE},
    {"while", UtapLexer::WHILE},       {"for", UtapLexer::FOR},         {"foreach", UtapLexer::FOREACH},
    {"in", UtapLexer::IN},             {"limit", UtapLexer::LIMIT},     {"delete", UtapLexer::DELETE},
    {"next", UtapLexer::NEXT},         {"break", UtapLexer::BREAK},     {"continue", UtapLexer::CONTINUE},
    {"return", UtapLexer::RETURN},     {"try", UtapLexer::TRY},         {"catch", UtapLexer::CATCH},
    {"long", UtapLexer::LONG},         {"string", UtapLexer::STRING_KW},
};

constexpr Keyword kAtWords[] = {
    {"@cast", UtapLexer::AT_CAST},           {"@var", UtapLexer::AT_VAR},
    {"@defined", UtapLexer::AT_DEFINED},     {"@entry", UtapLexer::AT_ENTRY},
    {"@perf", UtapLexer::AT_PERF},           {"@const", UtapLexer::AT_CONST},
    {"@probewrite", UtapLexer::AT_PROBEWRITE}, {"@kderef", UtapLexer::AT_KDEREF},
    {"@uderef", UtapLexer::AT_UDEREF},       {"@kregister", UtapLexer::AT_KREGISTER},
    {"@uregister", UtapLexer::AT_UREGISTER}, {"@count", UtapLexer::AT_COUNT},
    {"@sum", UtapLexer::AT_SUM},             {"@min", UtapLexer::AT_MIN},
    {"@max", UtapLexer::AT_MAX},             {"@avg", UtapLexer::AT_AVG},
    {"@variance", UtapLexer::AT_VARIANCE},   {"@hist_log", UtapLexer::AT_HIST_LOG},
    {"@hist_linear", UtapLexer::AT_HIST_LINEAR}, {"@define", UtapLexer::AT_DEFINE},
};

// Operators, longest first within each first character.
constexpr Keyword kOperators[] = {
    {"<<<", UtapLexer::AGGREGATE}, {"<<=", UtapLexer::SHL_ASSIGN}, {">>=", UtapLexer::SHR_ASSIGN},
    {"<<", UtapLexer::SHL},        {">>", UtapLexer::SHR},         {"<=", UtapLexer::LE},
    {">=", UtapLexer::GE},         {"==", UtapLexer::EQ},          {"!=", UtapLexer::NE},
    {"=~", UtapLexer::MATCH},      {"!~", UtapLexer::NOMATCH},     {"&&", UtapLexer::ANDAND},
    {"||", UtapLexer::OROR},       {"++", UtapLexer::INC},         {"--", UtapLexer::DEC},
    {"->", UtapLexer::ARROW},      {"+=", UtapLexer::PLUS_ASSIGN}, {"-=", UtapLexer::MINUS_ASSIGN},
    {"*=", UtapLexer::STAR_ASSIGN}, {"/=", UtapLexer::SLASH_ASSIGN}, {"%=", UtapLexer::MOD_ASSIGN},
    {"&=", UtapLexer::AND_ASSIGN}, {"^=", UtapLexer::XOR_ASSIGN},  {"|=", UtapLexer::OR_ASSIGN},
    {".=", UtapLexer::DOT_ASSIGN}, {"%(", UtapLexer::PP_OPEN},     {"%?", UtapLexer::PP_THEN},
    {"%:", UtapLexer::PP_ELSE},    {"%)", UtapLexer::PP_CLOSE},    {"$#", UtapLexer::DOLLAR_HASH},
    {"@#", UtapLexer::AT_HASH},    {"<", UtapLexer::LT},           {">", UtapLexer::GT},
    {"=", UtapLexer::ASSIGN},      {"+", UtapLexer::PLUS},         {"-", UtapLexer::MINUS},
    {"*", UtapLexer::STAR},        {"/", UtapLexer::SLASH},        {"%", UtapLexer::MOD},
    {"&", UtapLexer::AMP},         {"^", UtapLexer::CARET},        {"|", UtapLexer::PIPE},
    {"~", UtapLexer::TILDE},       {"!", UtapLexer::BANG},         {"?", UtapLexer::QUESTION},
    {":", UtapLexer::COLON},       {";", UtapLexer::SEMI},         {",", UtapLexer::COMMA},
    {".", UtapLexer::DOT},         {"(", UtapLexer::LPAREN},       {")", UtapLexer::RPAREN},
    {"[", UtapLexer::LBRACKET},    {"]", UtapLexer::RBRACKET},     {"{", UtapLexer::LBRACE},
    {"}", UtapLexer::RBRACE},
};

// kOperators by first byte, in table order (longest first): the operator
// scan tries at most six candidates instead of the whole table.
class OperatorIndex {
 public:
  OperatorIndex() {
    for (const Keyword& op : kOperators) {
      auto& list = byFirst_[static_cast<unsigned char>(op.text[0])];
      *std::find(list.begin(), list.end(), nullptr) = &op;
    }
  }
  // The longest operator `rest` starts with, or null.
  const Keyword* match(std::string_view rest) const {
    for (const Keyword* op : byFirst_[static_cast<unsigned char>(rest[0])]) {
      if (!op) break;
      if (rest.substr(0, op->text.size()) == op->text) return op;
    }
    return nullptr;
  }

 private:
  std::array<std::array<const Keyword*, 8>, 256> byFirst_{};  // null-terminated; at most 6 share a byte
};

const OperatorIndex kOperatorIndex;

bool isIdentStart(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool isAlnum(unsigned char c) { return isIdentStart(c) || isDigit(c); }
bool isSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

size_t lookup(const Keyword* table, size_t count, std::string_view text, size_t otherwise) {
  for (size_t i = 0; i < count; ++i)
    if (table[i].text == text) return table[i].type;
  return otherwise;
}

class Scanner {
 public:
  Scanner(FileId file, const std::string& text, ExpansionId expansion)
      : file_(file), text_(text), expansion_(expansion), n_(text.size()) {}

  size_t pos() const { return pos_; }
  SourceLoc here() const { return {file_, line_, column_}; }
  bool atEnd() const { return pos_ >= n_; }
  unsigned char peek(size_t ahead = 0) const { return pos_ + ahead < n_ ? text_[pos_ + ahead] : 0; }

  // Moves past one byte, keeping line and column (in code points) right.
  void advance() {
    unsigned char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
      return;
    }
    // A character's column advances after its last byte.
    if (pos_ >= n_ || (static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) ++column_;
  }
  void advance(size_t count) {
    for (size_t i = 0; i < count; ++i) advance();
  }
  // Moves to the end of the line (not past the newline).
  void skipLine() {
    while (!atEnd() && peek() != '\n' && peek() != '\r') advance();
  }

  Token make(size_t type, size_t start, SourceLoc begin) const {
    return {type, text_.substr(start, pos_ - start), {begin, last_, expansion_}};
  }
  // The location of the last character consumed.
  void markLast(SourceLoc loc) { last_ = loc; }

 private:
  FileId file_;
  const std::string& text_;
  ExpansionId expansion_;
  size_t n_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  SourceLoc last_;
};

}  // namespace

std::optional<SourceLoc> checkEncoding(FileId file, const std::string& text, Diagnostics& diags,
                                       ExpansionId expansion) {
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    // ANTLR's input stream would drop it silently; stap rejects it too.
    SourceLoc at{file, 1, 1};
    diags.report(DiagKind::ByteOrderMark, {at, at, expansion});
    return at;
  }
  bool isNul = false;
  size_t bad = firstBadByte(text, isNul);
  if (bad == std::string::npos) return std::nullopt;
  SourceLoc at{file, 1, 1};
  for (size_t i = 0; i < bad; ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++at.column;
    }
  }
  if (isNul)
    diags.report(DiagKind::NulByte, {at, at, expansion});
  else
    diags.report(DiagKind::InvalidUtf8, {at, at, expansion}, static_cast<unsigned char>(text[bad]));
  return at;
}

bool isBuiltinAtWord(std::string_view name) {
  for (const Keyword& w : kAtWords)
    if (w.text.substr(1) == name && w.type != UtapLexer::AT_DEFINE) return true;
  return false;
}

Admit admit(const Token& t, int& depth, Diagnostics& diags) {
  switch (t.type) {
    case UtapLexer::UNTERMINATED_STRING:
      diags.report(DiagKind::UnterminatedString, t.range);
      return diags.atErrorLimit() ? Admit::Stop : Admit::Drop;
    case UtapLexer::STRAY: {
      std::string shown = t.text;
      if (t.text.size() == 1 && static_cast<unsigned char>(t.text[0]) < 0x20)
        shown = fmt::format("\\x{:02x}", static_cast<unsigned char>(t.text[0]));
      diags.report(DiagKind::StrayCharacter, t.range, shown);
      return diags.atErrorLimit() ? Admit::Stop : Admit::Drop;
    }
    case UtapLexer::LPAREN:
    case UtapLexer::LBRACKET:
    case UtapLexer::LBRACE:
    case UtapLexer::PP_OPEN:
      if (++depth > kMaxNesting) {
        diags.report(DiagKind::NestingTooDeep, t.range, kMaxNesting);
        return Admit::Stop;
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
  return diags.atErrorLimit() ? Admit::Stop : Admit::Keep;
}

bool tooManyTokens(const Tokens& out, Diagnostics& diags) {
  if (out.size() < kMaxTokens) return false;
  diags.report(DiagKind::TooManyTokens, out.back().range, kMaxTokens);
  return true;
}

Tokens lex(FileId file, SourceManager& sources, Diagnostics& diags, ExpansionId expansion) {
  Tokens out;
  const std::string& text = sources.text(file);
  Scanner s(file, text, expansion);
  auto finish = [&](SourceLoc at) {
    out.push_back({static_cast<size_t>(antlr4::Token::EOF), "<EOF>", {at, at, expansion}});
    return out;
  };
  if (std::optional<SourceLoc> bad = checkEncoding(file, text, diags, expansion)) return finish(*bad);

  out.reserve(text.size() / 4);
  int depth = 0;
  // Consumes `count` bytes and returns the token they make.
  auto take = [&](size_t type, size_t count, size_t start, SourceLoc begin) {
    for (size_t i = 0; i < count; ++i) {
      s.markLast(s.here());
      s.advance();
    }
    return s.make(type, start, begin);
  };
  // Consumes bytes while `pred` holds.
  auto takeWhile = [&](auto pred) {
    while (!s.atEnd() && pred(s.peek())) {
      s.markLast(s.here());
      s.advance();
    }
  };

  for (;;) {
    while (!s.atEnd() && isSpace(s.peek())) s.advance();
    if (s.atEnd()) return finish(s.here());
    size_t start = s.pos();
    SourceLoc begin = s.here();
    unsigned char c = s.peek();
    Token t;

    if (isIdentStart(c)) {
      takeWhile([](unsigned char x) { return isAlnum(x) || x == '$'; });
      t = s.make(UtapLexer::IDENT, start, begin);
      if (t.text.size() <= 8) t.type = lookup(kKeywords, std::size(kKeywords), t.text, UtapLexer::IDENT);
    } else if (isDigit(c)) {
      takeWhile(isAlnum);
      t = s.make(UtapLexer::NUMBER, start, begin);
    } else if (c == '"') {
      s.markLast(s.here());
      s.advance();
      bool closed = false;
      while (!s.atEnd()) {
        unsigned char x = s.peek();
        if (x == '\n' || x == '\r') break;
        if (x == '\\') {
          unsigned char y = s.peek(1);
          if (y == 0 || y == '\n' || y == '\r') {
            s.markLast(s.here());
            s.advance();  // a trailing backslash belongs to the bad string
            break;
          }
          s.markLast(s.here());
          s.advance();
          s.markLast(s.here());
          s.advance();
          continue;
        }
        s.markLast(s.here());
        s.advance();
        if (x == '"') {
          closed = true;
          break;
        }
      }
      t = s.make(closed ? UtapLexer::STRING : UtapLexer::UNTERMINATED_STRING, start, begin);
    } else if (c == '#' || (c == '/' && s.peek(1) == '/')) {
      s.skipLine();
      continue;
    } else if (c == '/' && s.peek(1) == '*') {
      s.advance(2);
      bool closed = false;
      while (!s.atEnd()) {
        if (s.peek() == '*' && s.peek(1) == '/') {
          s.advance(2);
          closed = true;
          break;
        }
        s.advance();
      }
      if (!closed) diags.report(DiagKind::UnterminatedComment, SourceRange{begin, begin, expansion});
      continue;
    } else if (c == '%' && s.peek(1) == '{') {
      s.markLast(s.here());
      s.advance();
      s.markLast(s.here());
      s.advance();
      bool closed = false;
      while (!s.atEnd()) {
        if (s.peek() == '%' && s.peek(1) == '}') {
          s.markLast(s.here());
          s.advance();
          s.markLast(s.here());
          s.advance();
          closed = true;
          break;
        }
        s.markLast(s.here());
        s.advance();
      }
      if (!closed) {
        diags.report(DiagKind::UnterminatedEmbedded, SourceRange{begin, begin, expansion});
        continue;
      }
      t = s.make(UtapLexer::EMBEDDED, start, begin);
    } else if (c == '$' && s.peek(1) != '#') {
      s.markLast(s.here());
      s.advance();
      takeWhile([](unsigned char x) { return isAlnum(x) || x == '$'; });
      t = s.make(UtapLexer::TARGET, start, begin);
      if (t.text == "$" || t.text == "$$") t.type = UtapLexer::PRETTY;
    } else if (c == '@' && isAlnum(s.peek(1))) {
      s.markLast(s.here());
      s.advance();
      takeWhile(isAlnum);
      t = s.make(UtapLexer::AT_NAME, start, begin);
      t.type = lookup(kAtWords, std::size(kAtWords), t.text, UtapLexer::AT_NAME);
    } else {
      const Keyword* op = kOperatorIndex.match(std::string_view(text).substr(start, 3));
      if (!op) {
        // One code point nothing else matches.
        size_t l = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        t = take(UtapLexer::STRAY, l, start, begin);
      } else {
        t = take(op->type, op->text.size(), start, begin);
      }
    }

    switch (admit(t, depth, diags)) {
      case Admit::Keep: break;
      case Admit::Drop: continue;
      case Admit::Stop: return finish(begin);
    }
    if (tooManyTokens(out, diags)) return finish(begin);
    out.push_back(std::move(t));
  }
}

}  // namespace utap::parse
