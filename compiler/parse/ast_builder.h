// Parse tree (ANTLR contexts) to AST, with the checks a context-free
// grammar cannot make: literal ranges, assignability, print formats,
// foreach sorting, wildcard indexes, brace expansion of probe points.
#pragma once

#include <memory>

#include "ast/ast.h"
#include "base/diagnostics.h"
#include "parse/token.h"

namespace utap::grammar {
class UtapParser;
}

namespace antlr4 {
class ParserRuleContext;
}

namespace utap::parse {

// `tokens` are the tokens the parser consumed, in token-index order.
// `guru`: embedded C, @const, @kderef and @kregister are allowed (tapsets,
// or a script run with -g). Throws ast::TooDeep when the tree is too deep
// for the stack.
std::unique_ptr<ast::File> buildAst(antlr4::ParserRuleContext* script, const Tokens& tokens, FileId file,
                                    const SourceManager& sources, Diagnostics& diags, bool guru);

namespace build {
class Builder;
}

// The same, one declaration at a time, for a parser that frees each
// declaration's contexts once they are built.
class DeclarationBuilder {
 public:
  DeclarationBuilder(const Tokens& tokens, FileId file, const SourceManager& sources, Diagnostics& diags, bool guru);
  ~DeclarationBuilder();
  // `declaration` is a UtapParser::DeclarationContext.
  void add(antlr4::ParserRuleContext* declaration);
  std::unique_ptr<ast::File> finish() { return std::move(file_); }

 private:
  std::unique_ptr<ast::File> file_;
  std::unique_ptr<build::Builder> builder_;
};

}  // namespace utap::parse
