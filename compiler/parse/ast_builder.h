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

}  // namespace utap::parse
