#include "parse/parser.h"

#include <antlr4-runtime.h>

#include "UtapLexer.h"
#include "UtapParser.h"
#include "ast/printer.h"
#include "base/stack_guard.h"
#include "parse/ast_builder.h"
#include "parse/lexer.h"
#include "parse/syntax_errors.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;
using grammar::UtapParser;

// The generated parser, refusing to recurse past the stack budget.
class GuardedParser : public UtapParser {
 public:
  using UtapParser::UtapParser;
  void enterRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule) override {
    if (stackExhausted()) throw ast::TooDeep();
    UtapParser::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule, int precedence) override {
    if (stackExhausted()) throw ast::TooDeep();
    UtapParser::enterRecursionRule(ctx, state, rule, precedence);
  }
};

// Feeds the preprocessed tokens to the parser. ANTLR's error recovery
// makes up "missing" tokens from the source of the current one, so every
// token names this source (with no char stream behind it).
class PreprocessedTokenSource : public antlr4::TokenSource {
 public:
  explicit PreprocessedTokenSource(const Tokens& tokens) {
    tokens_.reserve(tokens.size());
    for (const Token& t : tokens) {
      auto c = std::make_unique<antlr4::CommonToken>(std::pair<antlr4::TokenSource*, antlr4::CharStream*>{this, nullptr},
                                                     t.type, antlr4::Token::DEFAULT_CHANNEL, 0, 0);
      c->setText(t.text);
      c->setLine(t.range.begin.line);
      c->setCharPositionInLine(t.range.begin.column - 1);
      tokens_.push_back(std::move(c));
    }
  }
  std::unique_ptr<antlr4::Token> nextToken() override {
    // The last token is EOF; the parser never asks past it, but repeat it.
    if (next_ >= tokens_.size()) return std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF, "<EOF>");
    return std::move(tokens_[next_++]);
  }
  size_t getLine() const override { return 0; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "preprocessed tokens"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override { return factory_; }

 private:
  std::vector<std::unique_ptr<antlr4::Token>> tokens_;
  size_t next_ = 0;
  antlr4::TokenFactory<antlr4::CommonToken>* factory_ = antlr4::CommonTokenFactory::DEFAULT.get();
};

// stap reads "x ++ y" as "x++" then "y": a '++' or '--' right after an
// operand is postfix. Deciding that here, from the token before, keeps the
// parser's decisions LL(1). The ')' that closes an if/while/for/foreach/
// catch header is not the end of an operand: "if (c) ++n" is prefix.
void markPostfixCrements(Tokens& tokens) {
  std::vector<bool> headerParens;  // for each open '(': does it open a header?
  bool afterOperand = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& t = tokens[i];
    bool endsOperand = false;
    switch (t.type) {
      case UtapLexer::INC:
      case UtapLexer::DEC:
        if (afterOperand) t.type = t.type == UtapLexer::INC ? UtapLexer::POST_INC : UtapLexer::POST_DEC;
        break;
      case UtapLexer::LPAREN: {
        size_t before = i > 0 ? tokens[i - 1].type : 0;
        headerParens.push_back(before == UtapLexer::IF || before == UtapLexer::WHILE || before == UtapLexer::FOR ||
                               before == UtapLexer::FOREACH || before == UtapLexer::CATCH);
        break;
      }
      case UtapLexer::RPAREN:
        endsOperand = headerParens.empty() || !headerParens.back();
        if (!headerParens.empty()) headerParens.pop_back();
        break;
      case UtapLexer::IDENT: case UtapLexer::NUMBER: case UtapLexer::STRING: case UtapLexer::TARGET:
      case UtapLexer::PRETTY: case UtapLexer::EMBEDDED: case UtapLexer::RBRACKET:
        endsOperand = true;
        break;
      default:
        break;
    }
    afterOperand = endsOperand;
  }
}

}  // namespace

// Everything ANTLR allocates for one parse, and the tokens it parses.
struct AntlrSession {
  AntlrSession(Tokens toParse, Diagnostics& diags)
      : tokens(std::move(toParse)), source(tokens), stream(&source), parser(&stream), listener(tokens, diags) {
    parser.removeErrorListeners();
  }
  Tokens tokens;
  PreprocessedTokenSource source;
  antlr4::CommonTokenStream stream;
  GuardedParser parser;
  SyntaxErrorListener listener;
};

std::unique_ptr<ast::File> parseFile(FileId file, SourceManager& sources, Diagnostics& diags,
                                     const ParseOptions& options) {
  size_t errorsBefore = diags.errorCount();
  auto failed = [&] { return diags.errorCount() > errorsBefore; };

  Tokens tokens;
  {
    Tokens raw = lex(file, sources, diags);
    if (failed()) return nullptr;
    MacroTable local;
    tokens = preprocess(std::move(raw), options.preprocessor, local, options.libraryMacros, sources, diags);
    if (failed()) return nullptr;
  }
  markPostfixCrements(tokens);

  auto session = std::make_unique<AntlrSession>(std::move(tokens), diags);
  // A large parse tree costs about as much to free node by node as to
  // build; a process that is about to exit leaves that to the kernel.
  auto release = [&] {
    if (!options.freeParseTree) (void)session.release();
  };
  GuardedParser& parser = session->parser;
  try {
    // Fast path: SLL prediction, bail out on the first error; only a script
    // with an error (or a rare ambiguity) pays for full LL with recovery.
    UtapParser::ScriptContext* tree = nullptr;
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      tree = parser.script();
    } catch (antlr4::ParseCancellationException&) {
      session->stream.seek(0);
      parser.reset();
      parser.addErrorListener(&session->listener);
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
      tree = parser.script();
    }
    if (failed()) return nullptr;
    auto ast = buildAst(tree, session->tokens, file, sources, diags, options.preprocessor.guru);
    release();
    if (failed()) return nullptr;
    return ast;
  } catch (const TooManyErrors&) {
    return nullptr;
  } catch (const ast::TooDeep&) {
    antlr4::Token* at = parser.getCurrentToken();
    const Tokens& all = session->tokens;
    SourceRange where = at && at->getTokenIndex() < all.size() ? all[at->getTokenIndex()].range
                                                               : SourceRange{{file, 1, 1}, {file, 1, 1}};
    diags.report(DiagKind::TooComplex, where);
    return nullptr;
  }
}

bool parseMacroFile(FileId file, SourceManager& sources, Diagnostics& diags, const ParseOptions& options,
                    MacroTable& library) {
  size_t errorsBefore = diags.errorCount();
  Tokens raw = lex(file, sources, diags);
  if (diags.errorCount() > errorsBefore) return false;
  // A .stpm file may choose its definitions with conditionals.
  Tokens rest = preprocess(std::move(raw), options.preprocessor, library, nullptr, sources, diags);
  if (rest.size() > 1)
    diags.report(DiagKind::BadMacroDefinition, rest.front().range,
                 "a .stpm file may only contain @define (and preprocessor conditionals)");
  return diags.errorCount() == errorsBefore;
}

}  // namespace utap::parse
