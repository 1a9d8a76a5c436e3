// The AST builder's class, shared by the files that implement it:
// ast_builder.cpp (locations, literals, the entry point), build_decls.cpp,
// build_stmts.cpp and build_exprs.cpp. Internal to compiler/parse.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <unordered_map>
#include <string_view>

#include "UtapLexer.h"
#include "UtapParser.h"
#include "ast/ast.h"
#include "ast/precedence.h"
#include "ast/printer.h"
#include "base/diagnostics.h"
#include "base/stack_guard.h"
#include "parse/literals.h"
#include "parse/token.h"

namespace utap::parse::build {

using grammar::UtapLexer;
using grammar::UtapParser;
using namespace ast;

constexpr size_t kMaxBraceExpansions = 100'000;

struct PrintFunction {
  std::string_view name;
  PrintCall::Kind kind;
};

class Builder {
 public:
  Builder(const Tokens& tokens, const SourceManager& sources, Diagnostics& diags, bool guru)
      : tokens_(tokens), sources_(sources), diags_(diags), guru_(guru) {}

  void add(UtapParser::DeclarationContext* ctx, File& file) { declaration(ctx, file.decls); }

 private:
  SourceRange range(antlr4::Token* t) const { return tokens_[t->getTokenIndex()].range; }

  SourceRange range(antlr4::ParserRuleContext* ctx) const;

  template <typename T>
  std::unique_ptr<T> make(antlr4::ParserRuleContext* ctx) {
    auto n = std::make_unique<T>();
    n->range = range(ctx);
    return n;
  }

  void guard();

  int64_t number(antlr4::Token* t, bool negative = false);

  std::unique_ptr<StringLit> string(UtapParser::StringLitContext* ctx);

  // A token's text, without the copy antlr4::Token::getText makes.
  const std::string& text(antlr4::Token* t) const { return tokens_[t->getTokenIndex()].text; }

  SourceRange rangeAt(size_t tokenIndex) const { return tokens_[std::min(tokenIndex, tokens_.size() - 1)].range; }

  // A signed number or a string: probe point arguments, global initializers.
  ExprPtr literal(UtapParser::LiteralContext* ctx);

  void declaration(UtapParser::DeclarationContext* ctx, std::vector<DeclPtr>& out);

  static std::string embeddedCode(const std::string& text) { return text.substr(2, text.size() - 4); }

  void probe(UtapParser::ProbeDeclContext* ctx, std::vector<DeclPtr>& out);

  // Brace expansion: a point is a sequence of components, some of which are
  // "{alt1, alt2}" groups; each combination becomes its own probe point.
  // An alternative may end with the point's '?'/'!' and condition.
  struct Path {
    std::vector<UtapParser::ComponentContext*> comps;
    antlr4::Token* mark = nullptr;
    UtapParser::ExprContext* cond = nullptr;
  };

  std::vector<Path> expandComponents(const std::vector<UtapParser::ComponentContext*>& comps);

  // Reports a duplicate global, or one declared both global and private.
  void checkGlobal(const GlobalDecl& g);

  void probePoint(UtapParser::ProbePointContext* ctx, std::vector<ProbePoint>& out);

  Component component(UtapParser::ComponentContext* ctx);

  DeclPtr global(UtapParser::GlobalVarContext* ctx, bool isPrivate);

  static Type type(UtapParser::TypeSuffixContext* ctx);

  DeclPtr function(UtapParser::FunctionDeclContext* ctx);

  // "/* pure */", "/* pragma:read:var */": comments that carry a word and
  // nothing else are pragmas.
  static std::vector<std::string> pragmas(const std::string& code);

  std::unique_ptr<Block> block(UtapParser::BlockContext* ctx);

  // Which labeled alternative a context is, from its first token: the
  // grammar makes that unambiguous, and it is far cheaper than trying a
  // dynamic_cast per alternative (most of the builder's time otherwise).
  static size_t leadToken(antlr4::ParserRuleContext* ctx) { return ctx->getStart()->getType(); }

  StmtPtr statement(UtapParser::StatementContext* ctx);

  StmtPtr ifStmt(UtapParser::StatementContext* c);

  StmtPtr whileStmt(UtapParser::StatementContext* c);

  StmtPtr forStmt(UtapParser::StatementContext* c);

  StmtPtr deleteStmt(UtapParser::StatementContext* c);

  StmtPtr returnStmt(UtapParser::StatementContext* c);

  StmtPtr tryStmt(UtapParser::StatementContext* c);

  static Sort sortOf(antlr4::Token* t);

  static const PrintFunction* printFunction(std::string_view name);

  std::unique_ptr<Symbol> symbol(antlr4::Token* ident);

  StmtPtr foreachStmt(UtapParser::StatementContext* c);

  void indexList(UtapParser::IndexListContext* ctx, std::vector<ExprPtr>& out, bool wildcardsAllowed);

  void requireAssignable(const Expr& e, const std::string& what);

  static std::optional<BinaryOp> binaryOp(size_t type);

  static AssignOp assignOp(size_t type);

  // An operand written "[k1, k2] in arr" without parentheses.
  static bool isBareTupleIn(UtapParser::UnaryContext* u);

  // Whether a context is nothing but "[...] in arr" (no prefix, suffix).
  static bool isTupleAtom(UtapParser::PostfixContext* p);

  // Folds "operand (op operand)*" by precedence: a shunting-yard over the
  // tails, iterative, so long chains cost no recursion.
  ExprPtr fold(ExprPtr first, const std::vector<UtapParser::ExprTailContext*>& tails, bool firstIsIn = false);

  ExprPtr combine(UtapParser::ExprTailContext* tail, ExprPtr lhs, ExprPtr middle, ExprPtr rhs);

  // `wildcards`: a lone "arr[*, k]" is allowed here (delete's operand).
  ExprPtr expr(UtapParser::ExprContext* ctx, bool wildcards = false);

  ExprPtr unary(UtapParser::UnaryContext* ctx, bool wildcards = false);

  // Applies prefix operators, innermost (rightmost) first.
  ExprPtr prefixed(const std::vector<antlr4::Token*>& prefix, ExprPtr operand);

  ExprPtr crement(antlr4::ParserRuleContext* ctx, antlr4::Token* pre, antlr4::Token* post, ExprPtr operand);

  std::vector<ExprPtr> args(UtapParser::ArgListContext* ctx);

  ExprPtr call(UtapParser::AtomContext* c);

  // "&operand": a target variable's address, or stap's autocast of any
  // other operand ("&(x)").
  ExprPtr addressOf(antlr4::Token* amp, ExprPtr operand);

  std::unique_ptr<StatExpr> statOp(UtapParser::StatOpContext* c);

  // Splits a pretty-print suffix off a name: "$var$$" -> "$var", Deep.
  static Pretty stripPretty(std::string& name, size_t keep);

  // An operand and its '->member' and '[index]' suffixes.
  ExprPtr postfix(UtapParser::PostfixContext* ctx, bool wildcardsAllowed);

  // An operand; `used` tells how many of `accessors` it took (the index of
  // an array or a histogram).
  ExprPtr atom(UtapParser::AtomContext* ctx, bool wildcardsAllowed,
               const std::vector<UtapParser::AccessorContext*>& accessors, size_t& used);

  ExprPtr special(antlr4::ParserRuleContext* c, SpecialExpr::Kind kind, UtapParser::ExprContext* operand);

  const Tokens& tokens_;

  const SourceManager& sources_;

  Diagnostics& diags_;

  // The globals declared so far in this file, for duplicates.
  std::unordered_map<std::string, const GlobalDecl*> globals_;

  bool inFunction_ = false;

  bool guru_;  // embedded C and raw memory/register operators allowed

  // stap refuses these in a script without -g already while parsing.
  void requireGuru(antlr4::Token* at, const char* what);
};

}  // namespace utap::parse::build
