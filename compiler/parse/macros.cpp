// @define macros: definitions are collected and removed, uses expanded.
// Tokens from a macro body keep their own location and record the use site
// as their expansion, so errors point at both.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "UtapLexer.h"
#include "parse/lexer.h"
#include "parse/preprocessor.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;

constexpr size_t kMaxExpansionDepth = 64;

bool isKeyword(size_t type) { return type >= UtapLexer::PROBE && type <= UtapLexer::STRING_KW; }
constexpr size_t kMaxExpandedTokens = 4'000'000;

// "@1" (and "@12A3", which the argument substitution refuses).
bool isScriptArgument(const std::string& atName) {
  return atName.size() > 1 && std::isdigit(static_cast<unsigned char>(atName[1]));
}

}  // namespace

MacroExpander::MacroExpander(MacroTable& local, const MacroTable* library, SourceManager& sources, Diagnostics& diags)
    : local_(local), library_(library), sources_(sources), diags_(diags) {}

bool MacroExpander::isDefinition(const Token& t) const { return t.type == UtapLexer::AT_DEFINE && active_.empty(); }

bool MacroExpander::isUse(const Token& t) const {
  // A macro may share its name with a built-in ("@define sum"); stap warns
  // at the definition and expands the macro.
  return (t.type == UtapLexer::AT_NAME && !isScriptArgument(t.text)) ||
         (t.type != UtapLexer::AT_HASH && t.text.size() > 1 && t.text[0] == '@' && find(t.text.substr(1)));
}

void MacroExpander::checkSize(const Tokens& out) {
  if (!failed_ && out.size() > kMaxExpandedTokens) {
    diags_.report(DiagKind::TooComplex, out.back().range);
    failed_ = true;
  }
  if (diags_.atErrorLimit()) failed_ = true;
}

const Macro* MacroExpander::find(const std::string& name) const {
  if (const Macro* m = local_.find(name)) return m;
  return library_ ? library_->find(name) : nullptr;
}

namespace {

// Finds the %) that closes the %( at `open`; returns `end` if none.
size_t matchingClose(const Tokens& in, size_t open, size_t end) {
  int depth = 0;
  for (size_t i = open; i < end; ++i) {
    if (in[i].type == UtapLexer::PP_OPEN) ++depth;
    if (in[i].type == UtapLexer::PP_CLOSE && --depth == 0) return i;
  }
  return end;
}

}  // namespace

// "@define NAME [(P, ...)] %( BODY %)" starting at `at`; returns the index after it.
size_t MacroExpander::define(const Tokens& in, size_t at, size_t end) {
  const Token& kw = in[at];
  size_t i = at + 1;
  auto fail = [&](const SourceRange& where, const std::string& why) {
    diags_.report(DiagKind::BadMacroDefinition, where, why);
    failed_ = true;
    return end;
  };
  if (i < end && (isKeyword(in[i].type) || (in[i].type >= UtapLexer::AT_CAST && in[i].type <= UtapLexer::AT_DEFINE)))
    return fail(in[i].range, fmt::format("'{}' is a reserved word of the language and cannot name a macro; choose "
                                         "another name",
                                         in[i].text));
  if (i >= end || in[i].type != UtapLexer::IDENT)
    return fail(i < in.size() ? in[i].range : kw.range, "expected an identifier (the macro name) after '@define'");
  Macro m;
  m.name = in[i].text;
  m.defined = in[i].range;
  ++i;
  if (i < end && in[i].type == UtapLexer::LPAREN) {
    m.hasParamList = true;
    ++i;
    // "(a, b)": at least one name, as in stap; no trailing comma.
    for (;;) {
      if (i >= end || in[i].type != UtapLexer::IDENT)
        return fail(i < in.size() ? in[i].range : kw.range,
                    fmt::format("expected an identifier (a parameter name) in the definition of '@{}'", m.name));
      m.params.push_back(in[i].text);
      ++i;
      if (i < end && in[i].type == UtapLexer::COMMA) {
        ++i;
        continue;
      }
      if (i < end && in[i].type != UtapLexer::RPAREN)
        return fail(in[i].range, fmt::format("expected ',' or ')' in the parameters of '@{}'", m.name));
      break;
    }
    if (i >= end) return fail(kw.range, fmt::format("unterminated parameter list of '@{}'", m.name));
    ++i;
  }
  if (i >= end || in[i].type != UtapLexer::PP_OPEN)
    return fail(i < in.size() ? in[i].range : kw.range,
                fmt::format("expected '%(' to start the body of '@{}'", m.name));
  size_t close = matchingClose(in, i, end);
  if (close >= end) return fail(in[i].range, fmt::format("the body of '@{}' has no closing '%)'", m.name));
  m.body.assign(in.begin() + i + 1, in.begin() + close);
  if (isBuiltinAtWord(m.name)) diags_.report(DiagKind::MacroShadowsBuiltin, m.defined, m.name);
  if (local_.macros.count(m.name)) {
    diags_.report(DiagKind::MacroRedefined, m.defined, m.name);
  } else {
    std::string name = m.name;
    local_.macros.emplace(std::move(name), std::move(m));
  }
  return close + 1;
}

namespace {

// Collects the arguments of a macro call whose '(' is at `open`; returns
// the index after ')', or nullopt when the list is unterminated.
std::optional<size_t> collectArgs(const Tokens& in, size_t open, size_t end, std::vector<Tokens>& args) {
  int depth = 0;
  args.emplace_back();
  for (size_t i = open + 1; i < end; ++i) {
    size_t t = in[i].type;
    if (t == UtapLexer::LPAREN || t == UtapLexer::LBRACKET || t == UtapLexer::LBRACE || t == UtapLexer::PP_OPEN)
      ++depth;
    if (depth == 0 && t == UtapLexer::RPAREN) {
      if (args.size() == 1 && args[0].empty()) args.clear();  // "@f()"
      return i + 1;
    }
    if (depth == 0 && t == UtapLexer::COMMA) {
      args.emplace_back();
      continue;
    }
    if (t == UtapLexer::RPAREN || t == UtapLexer::RBRACKET || t == UtapLexer::RBRACE || t == UtapLexer::PP_CLOSE)
      --depth;
    args.back().push_back(in[i]);
  }
  return std::nullopt;
}

}  // namespace

size_t MacroExpander::use(const Tokens& in, size_t at, size_t end, Tokens& out, const Process& process) {
  std::vector<std::string>& active = active_;
  const Token& t = in[at];
  std::string name = t.text.substr(1);
  const Macro* m = find(name);
  if (!m) {
    diags_.report(DiagKind::UnknownMacro, t.range, name, name);
    return at + 1;
  }
  if (std::find(active.begin(), active.end(), name) != active.end() || active.size() >= kMaxExpansionDepth) {
    diags_.report(DiagKind::RecursiveMacro, t.range, name);
    failed_ = true;
    return end;
  }
  size_t next = at + 1;
  std::vector<Tokens> args;
  if (m->hasParamList) {
    if (next < end && in[next].type == UtapLexer::LPAREN) {
      std::optional<size_t> after = collectArgs(in, next, end, args);
      if (!after) {
        diags_.report(DiagKind::UnterminatedMacroCall, t.range, name);
        failed_ = true;
        return end;
      }
      next = *after;
    }
    if (args.size() != m->params.size()) {
      diags_.report(DiagKind::MacroArgCount, t.range, name, m->params.size(), args.size());
      return next;
    }
  }
  // Expand the arguments first (so "@add(@add(1, 2), 3)" is not mistaken
  // for recursion), substitute them for the parameters, then expand the
  // body again.
  for (Tokens& arg : args) {
    Tokens expanded;
    process(arg, expanded);
    arg = std::move(expanded);
  }
  ExpansionId expansion = sources_.addExpansion({fmt::format("expansion of macro '@{}'", name), t.range});
  Tokens body;
  body.reserve(m->body.size());
  for (const Token& b : m->body) {
    // A parameter may share its name with a built-in ("@var", "@count").
    if (b.text.size() > 1 && b.text[0] == '@') {
      auto p = std::find(m->params.begin(), m->params.end(), b.text.substr(1));
      if (p != m->params.end()) {
        const Tokens& arg = args[p - m->params.begin()];
        body.insert(body.end(), arg.begin(), arg.end());
        continue;
      }
    }
    Token copy = b;
    if (copy.range.expansion == 0) copy.range.expansion = expansion;
    body.push_back(std::move(copy));
  }
  active.push_back(name);
  process(body, out);
  active.pop_back();
  return next;
}

const Macro* MacroTable::find(const std::string& name) const {
  auto it = macros.find(name);
  return it == macros.end() ? nullptr : &it->second;
}

Tokens expandMacros(Tokens in, MacroTable& local, const MacroTable* library, SourceManager& sources,
                    Diagnostics& diags) {
  Tokens out;
  out.reserve(in.size());
  Token eof = in.back();
  MacroExpander expander(local, library, sources, diags);
  MacroExpander::Process expand = [&](Tokens& tokens, Tokens& into) {
    for (size_t i = 0; i < tokens.size() && !expander.failed();) {
      if (expander.isDefinition(tokens[i])) {
        i = expander.define(tokens, i, tokens.size());
      } else if (expander.isUse(tokens[i])) {
        i = expander.use(tokens, i, tokens.size(), into, expand);
      } else {
        into.push_back(std::move(tokens[i++]));
      }
      expander.checkSize(into);
    }
  };
  expand(in, out);
  if (out.empty() || out.back().type != antlr4::Token::EOF) out.push_back(std::move(eof));
  return out;
}

}  // namespace utap::parse
