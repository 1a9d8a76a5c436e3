#include "parse/syntax_errors.h"

#include <fmt/format.h>

#include "UtapLexer.h"
#include "UtapParser.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;
using grammar::UtapParser;

bool isKeyword(size_t type) { return type >= UtapLexer::PROBE && type <= UtapLexer::STRING_KW; }

// '@' operators that take a parenthesized argument list.
bool isAtOperator(size_t type) { return type >= UtapLexer::AT_CAST && type <= UtapLexer::AT_HIST_LINEAR; }

bool isOpener(size_t t) {
  return t == UtapLexer::LPAREN || t == UtapLexer::CALL_LPAREN || t == UtapLexer::LBRACKET ||
         t == UtapLexer::TUPLE_LBRACKET || t == UtapLexer::LBRACE;
}
bool isCloser(size_t t) { return t == UtapLexer::RPAREN || t == UtapLexer::RBRACKET || t == UtapLexer::RBRACE; }
const char* closerOf(size_t opener) {
  return opener == UtapLexer::LPAREN || opener == UtapLexer::CALL_LPAREN         ? "')'"
         : opener == UtapLexer::LBRACKET || opener == UtapLexer::TUPLE_LBRACKET ? "']'"
                                                                                : "'}'";
}

// Tokens that only continue an expression; when the parser could also take
// a closing bracket or a separator, those are the useful suggestions.
bool continuesExpression(size_t t) {
  switch (t) {
    case UtapLexer::AGGREGATE: case UtapLexer::SHL_ASSIGN: case UtapLexer::SHR_ASSIGN: case UtapLexer::SHL:
    case UtapLexer::SHR: case UtapLexer::LE: case UtapLexer::GE: case UtapLexer::EQ: case UtapLexer::NE:
    case UtapLexer::MATCH: case UtapLexer::NOMATCH: case UtapLexer::ANDAND: case UtapLexer::OROR:
    case UtapLexer::INC: case UtapLexer::DEC: case UtapLexer::POST_INC: case UtapLexer::POST_DEC:
    case UtapLexer::ARROW: case UtapLexer::PLUS_ASSIGN:
    case UtapLexer::MINUS_ASSIGN: case UtapLexer::STAR_ASSIGN: case UtapLexer::SLASH_ASSIGN:
    case UtapLexer::MOD_ASSIGN: case UtapLexer::AND_ASSIGN: case UtapLexer::XOR_ASSIGN: case UtapLexer::OR_ASSIGN:
    case UtapLexer::DOT_ASSIGN: case UtapLexer::LT: case UtapLexer::GT: case UtapLexer::ASSIGN:
    case UtapLexer::PLUS: case UtapLexer::MINUS: case UtapLexer::STAR: case UtapLexer::SLASH: case UtapLexer::MOD:
    case UtapLexer::AMP: case UtapLexer::CARET: case UtapLexer::PIPE: case UtapLexer::QUESTION: case UtapLexer::DOT:
    case UtapLexer::IN: case UtapLexer::LBRACKET: case UtapLexer::PRETTY: case UtapLexer::STRING_CONT:
      return true;
    default:
      return false;
  }
}

// Which suggestion to list first: what a person most likely forgot.
int rank(size_t t) {
  switch (t) {
    case UtapLexer::IDENT: return 0;
    case UtapLexer::RPAREN: return 1;
    case UtapLexer::RBRACKET: return 2;
    case UtapLexer::RBRACE: return 3;
    case UtapLexer::LBRACE: return 4;
    case UtapLexer::LPAREN: return 5;
    case UtapLexer::SEMI: return 6;
    case UtapLexer::COMMA: return 7;
    default: return 10;
  }
}

std::string nameOf(size_t type, const antlr4::dfa::Vocabulary& vocabulary) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case UtapLexer::IDENT: return "an identifier";
    case UtapLexer::NUMBER: return "a number";
    case UtapLexer::STRING: return "a string literal";
    case UtapLexer::TARGET: return "a $variable";
    case UtapLexer::EMBEDDED: return "an embedded C block '%{ ... %}'";
    case UtapLexer::AT_NAME: return "a macro";
    case UtapLexer::POST_INC: return "'++'";
    case UtapLexer::POST_DEC: return "'--'";
    case UtapLexer::NEG: return "'-'";
    case UtapLexer::POS: return "'+'";
    case UtapLexer::UAMP: return "'&'";
    case UtapLexer::CALL_LPAREN: return "'('";
    case UtapLexer::TUPLE_LBRACKET: return "'['";
    case UtapLexer::STRING_CONT: return "a string literal";
    default: break;
  }
  std::string literal = vocabulary.getLiteralName(type);
  return literal.empty() ? vocabulary.getDisplayName(type) : literal;
}

// The argument shape of '@' operators, for "wrong number of arguments".
const char* shapeOf(size_t type) {
  switch (type) {
    case UtapLexer::AT_CAST: return "@cast(ADDRESS, \"TYPE\"[, \"MODULE\"])";
    case UtapLexer::AT_VAR: return "@var(\"NAME[@FILE]\"[, \"MODULE\"])";
    case UtapLexer::AT_HIST_LINEAR: return "@hist_linear(STATISTIC, LOW, HIGH, STEP)";
    case UtapLexer::AT_VARIANCE: return "@variance(STATISTIC[, SHIFT])";
    case UtapLexer::AT_KDEREF: return "@kderef(SIZE, ADDRESS)";
    case UtapLexer::AT_UDEREF: return "@uderef(SIZE, ADDRESS)";
    case UtapLexer::AT_CONST: return "@const(\"NAME\"[, \"HEADER\"])";
    default: return nullptr;
  }
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
  if (has(UtapLexer::LBRACE) && has(UtapLexer::ASSIGN) && has(UtapLexer::PLUS_ASSIGN))
    return "expected '{' to start the probe body (or ',', '.', '=' or '+=')";
  if (has(UtapLexer::NUMBER) && has(UtapLexer::IDENT) && has(UtapLexer::LPAREN)) return "expected an expression";
  if (has(UtapLexer::IDENT) && has(UtapLexer::STAR) && has(UtapLexer::LBRACE) && !has(UtapLexer::NUMBER))
    return "expected a probe point";
  if (has(UtapLexer::STRING) && has(UtapLexer::NUMBER) && has(UtapLexer::NEG) && expected.size() <= 6)
    return "expected a literal (a number or a string)";
  if (has(UtapLexer::IDENT) && !has(UtapLexer::NUMBER) && expected.size() > 5) return "expected an identifier";

  std::vector<size_t> types;
  for (const auto& interval : expected.getIntervals())
    for (ssize_t t = interval.a; t <= interval.b; ++t) types.push_back(t);
  bool structural = std::any_of(types.begin(), types.end(), [](size_t t) {
    return isCloser(t) || t == UtapLexer::COMMA || t == UtapLexer::SEMI || t == UtapLexer::COLON;
  });
  if (structural) types.erase(std::remove_if(types.begin(), types.end(), continuesExpression), types.end());
  std::stable_sort(types.begin(), types.end(), [](size_t a, size_t b) { return rank(a) < rank(b); });
  if (types.empty() || types.size() > 5) return "";
  std::string out = "expected " + nameOf(types[0], parser.getVocabulary());
  for (size_t i = 1; i < types.size(); ++i)
    out += (i + 1 == types.size() ? " or " : ", ") + nameOf(types[i], parser.getVocabulary());
  return out;
}

// The innermost bracket still open before token `upto`, or SIZE_MAX.
static size_t innermostOpen(const Tokens& tokens, size_t upto) {
  std::vector<size_t> open;
  for (size_t i = 0; i < upto && i < tokens.size(); ++i) {
    if (isOpener(tokens[i].type)) open.push_back(i);
    if (isCloser(tokens[i].type) && !open.empty()) open.pop_back();
  }
  return open.empty() ? SIZE_MAX : open.back();
}

void SyntaxErrorListener::noteUnclosedBracket(size_t uptoIndex) {
  size_t open = innermostOpen(tokens_, uptoIndex);
  if (open != SIZE_MAX) diags_.note(DiagKind::NoteOpenedHere, tokens_[open].range, tokens_[open].text);
}

void SyntaxErrorListener::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                                      const std::string&, std::exception_ptr error) {
  size_t index = offending->getTokenIndex();
  if (index == lastIndex_) return;  // one message per spot
  lastIndex_ = index;
  auto& parser = *static_cast<antlr4::Parser*>(recognizer);

  // A failed prediction reports the token where every alternative died,
  // but the parser's state (and so its expected set) is where the decision
  // began, possibly many tokens earlier. Only a plain mismatch has an
  // expected set that is about the offending token.
  bool lookahead = false;
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (antlr4::NoViableAltException& e) {
      lookahead = e.getStartToken() && e.getStartToken()->getTokenIndex() != index;
    } catch (...) {
    }
  }
  antlr4::misc::IntervalSet expected;
  try {
    expected = parser.getExpectedTokens();
  } catch (...) {
  }
  size_t rule = parser.getContext() ? parser.getContext()->getRuleIndex() : SIZE_MAX;
  bool inProbeHead = rule == UtapParser::RuleProbeDecl || rule == UtapParser::RuleProbePoint ||
                     rule == UtapParser::RuleComponent || rule == UtapParser::RuleAlternative ||
                     rule == UtapParser::RuleComponentName;
  size_t type = offending->getType();
  size_t prev = index > 0 && index - 1 < tokens_.size() ? tokens_[index - 1].type : SIZE_MAX;
  std::string found = describe(offending);
  size_t open = innermostOpen(tokens_, index);

  std::string message;
  if (type == antlr4::Token::EOF) {
    std::string want = lookahead ? "" : expectation(expected, parser);
    if (open != SIZE_MAX) want = fmt::format("expected {}", closerOf(tokens_[open].type));
    message = want.empty() ? "unexpected end of file" : "unexpected end of file; " + want;
  } else if (prev == UtapLexer::ARROW) {
    message = fmt::format("expected an identifier (a member name) after '->' before {}", found);
  } else if (isAtOperator(prev) && type != UtapLexer::LPAREN && type != UtapLexer::CALL_LPAREN) {
    message = fmt::format("expected '(' after '{}' before {}", tokens_[index - 1].text, found);
  } else if (!lookahead) {
    std::string want = expectation(expected, parser);
    size_t next = index + 1 < tokens_.size() ? tokens_[index + 1].type : SIZE_MAX;
    bool usedAsName = next == UtapLexer::ASSIGN || next == UtapLexer::LPAREN || next == UtapLexer::CALL_LPAREN ||
                      next == UtapLexer::LBRACKET || next == UtapLexer::TUPLE_LBRACKET ||
                      next == UtapLexer::COMMA || next == UtapLexer::RPAREN || next == UtapLexer::COLON ||
                      next == UtapLexer::SEMI || want == "expected an identifier";
    if (isKeyword(type) && expected.contains(size_t(UtapLexer::IDENT)) && !expected.contains(type) && usedAsName)
      message = fmt::format("'{}' is a reserved word and cannot be used as a name", offending->getText());
    else if (want.empty())
      message = fmt::format("unexpected {}", found);
    else
      message = fmt::format("{} before {}", want, found);
  } else if (prev == UtapLexer::COMMA || isOpener(prev)) {
    message = fmt::format("expected an expression before {}", found);
  } else if (inProbeHead) {
    message = fmt::format("expected a probe point before {}", found);
  } else if (open != SIZE_MAX) {
    size_t opener = tokens_[open].type;
    size_t before = open > 0 ? tokens_[open - 1].type : SIZE_MAX;
    bool foreachHead = before == UtapLexer::FOREACH;
    bool sawIn = false;
    for (size_t i = open; i < index; ++i) sawIn = sawIn || tokens_[i].type == UtapLexer::IN;
    if (isCloser(type) && closerOf(opener) == fmt::format("'{}'", offending->getText())) {
      if (shapeOf(before))
        message = fmt::format("expected ',' before {}: the form is {}", found, shapeOf(before));
      else if (prev == UtapLexer::COMMA || isOpener(prev))
        message = fmt::format("expected an expression before {}", found);
      else
        message = fmt::format("unexpected {}", found);
    } else if (foreachHead && !sawIn) {
      message = fmt::format("expected 'in' before {}", found);
    } else if (opener != UtapLexer::LBRACE) {
      message = fmt::format("expected {} before {}", closerOf(opener), found);
    } else {
      message = fmt::format("expected a statement or '}}' before {}", found);
    }
  } else {
    message = fmt::format("unexpected {}", found);
  }
  const SourceRange& where = index < tokens_.size() ? tokens_[index].range : tokens_.back().range;
  diags_.report(DiagKind::SyntaxError, where, message);
  if (type == antlr4::Token::EOF) noteUnclosedBracket(index);
  if (diags_.atErrorLimit()) {
    diags_.note(DiagKind::NoteErrorLimit, SourceRange{});
    throw TooManyErrors{};
  }
}

}  // namespace utap::parse
