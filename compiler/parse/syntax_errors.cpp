#include "parse/syntax_errors.h"

#include <fmt/format.h>

#include "UtapLexer.h"
#include "UtapParser.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;

bool isKeyword(size_t type) { return type >= UtapLexer::PROBE && type <= UtapLexer::STRING_KW; }

std::string nameOf(size_t type, const antlr4::dfa::Vocabulary& vocabulary) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case UtapLexer::IDENT: return "an identifier";
    case UtapLexer::NUMBER: return "a number";
    case UtapLexer::STRING: return "a string literal";
    case UtapLexer::TARGET: return "a $variable";
    case UtapLexer::EMBEDDED: return "an embedded C block '%{ ... %}'";
    case UtapLexer::AT_NAME: return "a macro";
    default: break;
  }
  std::string literal = vocabulary.getLiteralName(type);
  return literal.empty() ? vocabulary.getDisplayName(type) : literal;
}

}  // namespace

std::string SyntaxErrorListener::describe(antlr4::Token* t) const {
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 24) text = text.substr(0, 21) + "...";
  if (isKeyword(t->getType())) return fmt::format("keyword '{}'", text);
  return fmt::format("'{}'", text);
}

// What the parser wanted, in words: a class of construct when the set of
// expected tokens is one we recognise, else the tokens themselves.
std::string SyntaxErrorListener::expectation(const antlr4::misc::IntervalSet& expected,
                                             antlr4::Parser& parser) const {
  auto has = [&](size_t t) { return expected.contains(t); };
  if (has(UtapLexer::IF) && has(UtapLexer::WHILE) && has(UtapLexer::NUMBER))
    return has(UtapLexer::RBRACE) ? "expected a statement or '}'" : "expected a statement";
  if (has(UtapLexer::PROBE) && has(UtapLexer::FUNCTION))
    return "expected a declaration ('probe', 'global', 'function' or '%{ ... %}')";
  if (has(UtapLexer::NUMBER) && has(UtapLexer::IDENT) && has(UtapLexer::LPAREN))
    return "expected an expression";
  if (has(UtapLexer::IDENT) && has(UtapLexer::STAR) && has(UtapLexer::LBRACE) && !has(UtapLexer::NUMBER))
    return "expected a probe point";
  if (has(UtapLexer::STRING) && has(UtapLexer::NUMBER) && has(UtapLexer::MINUS) && expected.size() <= 4)
    return "expected a literal (a number or a string)";
  std::vector<std::string> names;
  for (const auto& interval : expected.getIntervals())
    for (ssize_t t = interval.a; t <= interval.b; ++t) names.push_back(nameOf(t, parser.getVocabulary()));
  if (names.empty() || names.size() > 5) return "";
  std::string out = "expected " + names[0];
  for (size_t i = 1; i < names.size(); ++i) out += (i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

void SyntaxErrorListener::noteUnclosedBracket(size_t uptoIndex) {
  std::vector<size_t> open;
  for (size_t i = 0; i < uptoIndex && i < tokens_.size(); ++i) {
    size_t t = tokens_[i].type;
    if (t == UtapLexer::LBRACE || t == UtapLexer::LPAREN || t == UtapLexer::LBRACKET) open.push_back(i);
    if ((t == UtapLexer::RBRACE || t == UtapLexer::RPAREN || t == UtapLexer::RBRACKET) && !open.empty())
      open.pop_back();
  }
  if (!open.empty()) diags_.note(DiagKind::NoteOpenedHere, tokens_[open.back()].range, tokens_[open.back()].text);
}

void SyntaxErrorListener::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                                      const std::string&, std::exception_ptr) {
  size_t index = offending->getTokenIndex();
  if (index == lastIndex_) return;  // one message per spot
  lastIndex_ = index;
  auto& parser = *static_cast<antlr4::Parser*>(recognizer);
  antlr4::misc::IntervalSet expected;
  try {
    expected = parser.getExpectedTokens();
  } catch (...) {
  }
  size_t type = offending->getType();
  std::string want = expectation(expected, parser);
  std::string message;
  if (type == antlr4::Token::EOF)
    message = want.empty() ? "unexpected end of file" : "unexpected end of file; " + want;
  else if (isKeyword(type) && expected.contains(size_t(UtapLexer::IDENT)) && !expected.contains(type))
    message = fmt::format("'{}' is a reserved word and cannot be used as a name here", offending->getText());
  else if (want.empty())
    message = fmt::format("unexpected {}", describe(offending));
  else
    message = fmt::format("{} before {}", want, describe(offending));
  const SourceRange& where = index < tokens_.size() ? tokens_[index].range : tokens_.back().range;
  diags_.report(DiagKind::SyntaxError, where, message);
  if (type == antlr4::Token::EOF) noteUnclosedBracket(index);
  if (diags_.atErrorLimit()) {
    diags_.note(DiagKind::NoteErrorLimit, SourceRange{});
    throw TooManyErrors{};
  }
}

}  // namespace utap::parse
