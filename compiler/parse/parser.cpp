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

// The preprocessed tokens as ANTLR sees them: a view of one utap Token, no
// copy of its text. They live in one array, made once per parse.
class TokenView final : public antlr4::Token {
 public:
  TokenView(const parse::Token* t, size_t index, antlr4::TokenSource* source) : t_(t), index_(index), source_(source) {}
  std::string getText() const override { return t_->text; }
  size_t getType() const override { return t_->type; }
  size_t getLine() const override { return t_->range.begin.line; }
  size_t getCharPositionInLine() const override { return t_->range.begin.column - 1; }
  size_t getChannel() const override { return DEFAULT_CHANNEL; }
  size_t getTokenIndex() const override { return index_; }
  size_t getStartIndex() const override { return INVALID_INDEX; }
  size_t getStopIndex() const override { return INVALID_INDEX; }
  antlr4::TokenSource* getTokenSource() const override { return source_; }
  antlr4::CharStream* getInputStream() const override { return nullptr; }
  std::string toString() const override { return t_->text; }

 private:
  const parse::Token* t_;
  size_t index_;
  antlr4::TokenSource* source_;
};

// Only there for ANTLR's error recovery, which makes up "missing" tokens
// with the factory of the stream's token source. The parser reads tokens
// from TokenArrayStream, never from here.
class RecoveryTokenSource : public antlr4::TokenSource {
 public:
  std::unique_ptr<antlr4::Token> nextToken() override {
    return std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF, "<EOF>");
  }
  size_t getLine() const override { return 0; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "preprocessed tokens"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override { return factory_; }

 private:
  antlr4::TokenFactory<antlr4::CommonToken>* factory_ = antlr4::CommonTokenFactory::DEFAULT.get();
};

// A token stream over the whole preprocessed file, already in memory: no
// buffering, no per-token allocation (CommonTokenStream allocates and
// copies every token). The last token is EOF.
class TokenArrayStream : public antlr4::TokenStream {
 public:
  TokenArrayStream(const Tokens& tokens, antlr4::TokenSource* source) : source_(source) {
    views_.reserve(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) views_.emplace_back(&tokens[i], i, source);
  }
  antlr4::Token* LT(ssize_t k) override {
    if (k == 1) return &views_[p_];  // the current token: most calls
    if (k == 0) return nullptr;
    ssize_t i = static_cast<ssize_t>(p_) + (k > 0 ? k - 1 : k);
    if (i < 0) return nullptr;
    return &views_[std::min(static_cast<size_t>(i), views_.size() - 1)];
  }
  antlr4::Token* get(size_t index) const override {
    return const_cast<TokenView*>(&views_[std::min(index, views_.size() - 1)]);
  }
  antlr4::TokenSource* getTokenSource() const override { return source_; }
  std::string getText(const antlr4::misc::Interval& interval) override {
    std::string out;
    if (interval.a < 0 || interval.b < 0) return out;
    for (size_t i = interval.a; i <= static_cast<size_t>(interval.b) && i + 1 < views_.size(); ++i)
      out += views_[i].getText();
    return out;
  }
  std::string getText() override { return getText(antlr4::misc::Interval(size_t(0), views_.size() - 1)); }
  std::string getText(antlr4::RuleContext* ctx) override { return getText(ctx->getSourceInterval()); }
  std::string getText(antlr4::Token* start, antlr4::Token* stop) override {
    if (!start || !stop) return "";
    return getText(antlr4::misc::Interval(start->getTokenIndex(), stop->getTokenIndex()));
  }
  void consume() override {
    if (LA(1) == antlr4::Token::EOF) throw antlr4::IllegalStateException("cannot consume EOF");
    ++p_;
  }
  size_t LA(ssize_t i) override {
    // LA(1) is most of the parser's calls: TokenView is final, so no
    // virtual call.
    if (i == 1) return views_[p_].getType();
    antlr4::Token* t = LT(i);
    return t ? t->getType() : antlr4::Token::INVALID_TYPE;
  }
  ssize_t mark() override { return 0; }
  void release(ssize_t) override {}
  size_t index() override { return p_; }
  void seek(size_t index) override { p_ = std::min(index, views_.size() - 1); }
  size_t size() override { return views_.size(); }
  std::string getSourceName() const override { return "preprocessed tokens"; }

 private:
  std::vector<TokenView> views_;
  size_t p_ = 0;
  antlr4::TokenSource* source_;
};

bool isKeyword(size_t type) { return type >= UtapLexer::PROBE && type <= UtapLexer::STRING_KW; }

// Gives the tokens whose meaning depends on what precedes them a type of
// their own, as stap's greedy reading decides them, so that each decision
// of the parser takes one token of lookahead (grammar/UtapLexer.g4):
//  - after an operand, '-', '+', '&' are binary, '[' indexes, '++'/'--'
//    are postfix ("x ++ y" is "x++; y"), a string continues a string
//    literal ("a" "b"); elsewhere they are prefix operators, a tuple
//    "[a, b] in arr", a prefix '++', a new literal;
//  - '(' right after a name calls it;
//  - as in stap, a membership test ends at the array's name and a match at
//    its regular expression: after "k in arr" or 's =~ "re"', '-x' is a
//    new statement.
// The ')' that closes an if/while/for/foreach/catch header is not the end
// of an operand: "if (c) -x" starts a statement.
// A prefix '++'/'--' takes one operand with its '->'/'[...]' suffixes, and
// no postfix operator: after "++x" a '--' starts the next statement, as in
// stap ("++x --y" is "++x; --y").
void classifyTokens(Tokens& tokens) {
  std::vector<bool> headers;   // for each open '(' or '[': does it open a statement header?
  std::vector<size_t> pending;  // depths at which a prefix '++'/'--' still reads its operand
  bool afterOperand = false;
  bool afterIn = false;  // the token before is 'in'
  bool afterLooseEnd = false;
  size_t prev = 0, beforePrev = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& t = tokens[i];
    size_t depth = headers.size();
    bool endsOperand = false;
    bool partOfOperand = false;  // may be part of a prefix '++'s operand
    switch (t.type) {
      case UtapLexer::INC:
      case UtapLexer::DEC: {
        bool prefixPending = !pending.empty() && pending.back() == depth;
        if (prefixPending) pending.pop_back();
        // After "x++" a '++' is a prefix one: "x++ ++y" is "x++; ++y".
        bool afterPostfix = prev == UtapLexer::POST_INC || prev == UtapLexer::POST_DEC;
        if (afterOperand && !prefixPending && !afterPostfix) {
          t.type = t.type == UtapLexer::INC ? UtapLexer::POST_INC : UtapLexer::POST_DEC;
          endsOperand = true;  // "a++ + b" is a sum
        } else {
          pending.push_back(depth);
          partOfOperand = true;
        }
        break;
      }
      case UtapLexer::MINUS:
        if (!afterOperand) t.type = UtapLexer::NEG;
        break;
      case UtapLexer::PLUS:
        if (!afterOperand) t.type = UtapLexer::POS;
        break;
      case UtapLexer::AMP:
        // '&' binds more loosely than 'in' and '=~': "k in a & m" is binary.
        if (!afterOperand && !afterLooseEnd) t.type = UtapLexer::UAMP;
        break;
      case UtapLexer::LPAREN:
        // Not after a member name ("$p->f (x)") nor an array ("k in a (x)").
        if (prev == UtapLexer::IDENT && beforePrev != UtapLexer::ARROW && !afterIn) t.type = UtapLexer::CALL_LPAREN;
        headers.push_back(prev == UtapLexer::IF || prev == UtapLexer::WHILE || prev == UtapLexer::FOR ||
                          prev == UtapLexer::FOREACH || prev == UtapLexer::CATCH);
        partOfOperand = t.type == UtapLexer::CALL_LPAREN || !afterOperand;
        break;
      case UtapLexer::LBRACKET:
        if (!afterOperand) t.type = UtapLexer::TUPLE_LBRACKET;
        headers.push_back(false);
        partOfOperand = true;
        break;
      case UtapLexer::RPAREN:
      case UtapLexer::RBRACKET:
        endsOperand = headers.empty() || !headers.back();
        if (!headers.empty()) headers.pop_back();
        depth = headers.size();
        while (!pending.empty() && pending.back() > depth) pending.pop_back();
        partOfOperand = true;
        break;
      case UtapLexer::STRING:
        if (prev == UtapLexer::STRING || prev == UtapLexer::STRING_CONT) {
          t.type = UtapLexer::STRING_CONT;
          endsOperand = afterOperand;  // the literal still ends where its first part would
          partOfOperand = true;
        } else {
          // stap ends a match at its regular expression: after 'a =~ "b"',
          // "+c" is a statement.
          endsOperand = prev != UtapLexer::MATCH && prev != UtapLexer::NOMATCH;
          partOfOperand = !afterOperand;
        }
        break;
      case UtapLexer::IDENT:
        // stap ends a membership test at the array's name: after 'k in a',
        // "-x" is a statement.
        endsOperand = !afterIn;
        partOfOperand = !afterOperand;  // an operand after an operand starts a new one
        break;
      case UtapLexer::NUMBER: case UtapLexer::TARGET: case UtapLexer::EMBEDDED:
        endsOperand = true;
        partOfOperand = !afterOperand;
        break;
      case UtapLexer::PRETTY:
        endsOperand = partOfOperand = true;
        break;
      case UtapLexer::ARROW:
        partOfOperand = true;
        break;
      default:
        if (isKeyword(t.type) && prev == UtapLexer::ARROW) endsOperand = true;  // "$p->next"
        partOfOperand =
            endsOperand || (!afterOperand && t.type >= UtapLexer::AT_CAST && t.type <= UtapLexer::AT_HIST_LINEAR);
        break;
    }
    if (!partOfOperand && !pending.empty() && pending.back() == depth) pending.pop_back();
    // The array of "k in arr" and the regex of 's =~ "re"' end an operand
    // for the operators looser than 'in' and '=~' only.
    afterLooseEnd = (t.type == UtapLexer::IDENT && afterIn) ||
                    (t.type == UtapLexer::STRING && (prev == UtapLexer::MATCH || prev == UtapLexer::NOMATCH));
    afterOperand = endsOperand;
    afterIn = t.type == UtapLexer::IN;
    beforePrev = prev;
    prev = t.type;
  }
}

}  // namespace

// Everything ANTLR allocates for one parse, and the tokens it parses.
struct AntlrSession {
  AntlrSession(Tokens toParse, Diagnostics& diags)
      : tokens(std::move(toParse)), stream(tokens, &source), parser(&stream), listener(tokens, diags) {
    parser.removeErrorListeners();
    // The builder reads labels only (grammar/UtapParser.g4): no child
    // lists, no tree nodes for tokens.
    parser.setBuildParseTree(false);
  }
  Tokens tokens;
  RecoveryTokenSource source;
  TokenArrayStream stream;
  GuardedParser parser;
  SyntaxErrorListener listener;
};

// The fast path: SLL prediction that bails out at the first error, one
// declaration at a time. Each declaration's contexts are built into the AST
// and freed before the next one is parsed, so a large script's parse tree
// never exists whole and its memory is reused (on bench/parse's script a
// third fewer page faults). The builder's diagnostics wait in `pending`
// until the whole file has parsed: a file with a syntax error reports only
// those, from the full LL parse. Null when that parse must run.
std::unique_ptr<ast::File> parseFast(AntlrSession& session, FileId file, const SourceManager& sources,
                                     Diagnostics& diags, bool guru) {
  GuardedParser& parser = session.parser;
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  Diagnostics pending(sources);
  DeclarationBuilder builder(session.tokens, file, sources, pending, guru);
  try {
    while (session.stream.LA(1) != antlr4::Token::EOF) {
      builder.add(parser.declaration());
      parser.getTreeTracker().reset();
    }
  } catch (const antlr4::ParseCancellationException&) {
    return nullptr;
  } catch (const ast::TooDeep&) {
    return nullptr;
  }
  // Past a limit `pending` only counted: let the full parse report.
  if (pending.droppedCount() > 0) return nullptr;
  diags.append(pending);
  return builder.finish();
}

// The full path: LL prediction with ANTLR's error recovery, which reports
// every syntax error, then the whole tree to the AST.
std::unique_ptr<ast::File> parseFull(AntlrSession& session, FileId file, const SourceManager& sources,
                                     Diagnostics& diags, bool guru) {
  size_t errorsBefore = diags.errorCount();
  GuardedParser& parser = session.parser;
  session.stream.seek(0);
  parser.reset();
  parser.addErrorListener(&session.listener);
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  try {
    UtapParser::ScriptContext* tree = parser.script();
    if (diags.errorCount() > errorsBefore) return nullptr;
    return buildAst(tree, session.tokens, file, sources, diags, guru);
  } catch (const ast::TooDeep&) {
    antlr4::Token* at = parser.getCurrentToken();
    const Tokens& all = session.tokens;
    SourceRange where = at && at->getTokenIndex() < all.size() ? all[at->getTokenIndex()].range
                                                               : SourceRange{{file, 1, 1}, {file, 1, 1}};
    diags.report(DiagKind::TooComplex, where);
    return nullptr;
  }
}

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
  classifyTokens(tokens);

  auto session = std::make_unique<AntlrSession>(std::move(tokens), diags);
  std::unique_ptr<ast::File> ast;
  try {
    ast = parseFast(*session, file, sources, diags, options.preprocessor.guru);
    if (!ast) ast = parseFull(*session, file, sources, diags, options.preprocessor.guru);
  } catch (const TooManyErrors&) {
    ast = nullptr;
  }
  // A large parse tree costs about as much to free node by node as to
  // build; a process that is about to exit leaves that to the kernel.
  if (!options.freeParseTree) (void)session.release();
  if (failed()) return nullptr;
  return ast;
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
