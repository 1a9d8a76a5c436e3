// Turns ANTLR's syntax errors into diagnostics a person can act on:
// "expected ')' before '{'", "unexpected end of file; expected '}'" with a
// note at the bracket that is still open, never generator jargon.
#pragma once

#include <antlr4-runtime.h>

#include "base/diagnostics.h"
#include "parse/token.h"

namespace utap::parse {

// Thrown to stop parsing once the error limit is reached.
struct TooManyErrors {};

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(const Tokens& tokens, Diagnostics& diags) : tokens_(tokens), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t column,
                   const std::string& message, std::exception_ptr error) override;

 private:
  std::string describe(antlr4::Token* t) const;
  std::string expectation(const antlr4::misc::IntervalSet& expected, antlr4::Parser& parser) const;
  void noteUnclosedBracket(size_t uptoIndex);

  const Tokens& tokens_;
  Diagnostics& diags_;
  size_t lastIndex_ = SIZE_MAX;
};

}  // namespace utap::parse
