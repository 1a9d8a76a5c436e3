// Syntax of the SystemTap script language, after preprocessing.
//
// The parser sees the token stream the preprocessor produced: script
// arguments substituted, macros expanded, conditionals resolved, comments
// dropped. No actions: compiler/parse/ast_builder.cpp turns the tree into the
// AST and checks what a context-free grammar cannot (literal ranges,
// assignability, adjacency of wildcard name pieces).
parser grammar UtapParser;

options { tokenVocab = UtapLexer; }

// Not actions: cheaper versions of three runtime helpers every rule calls,
// found first by the generated code's unqualified lookup. The runtime's own
// exitRule() and getInterpreter() do a dynamic_cast per call, and its
// finally() wraps the exit in a std::function: together 15% of pass 1's
// instructions on bench/parse's script. This parser has no listeners, no
// left-recursive rules and only ParserATNSimulator for an interpreter, so
// static_cast says the same.
@parser::members {
template <typename F>
struct RuleExit {
  F exit;
  ~RuleExit() { exit(); }
};
template <typename F>
static RuleExit<F> finally(F exit) { return {exit}; }

template <class T>
T* getInterpreter() const { return static_cast<T*>(_interpreter); }

void exitRule() {
  _ctx->stop = _input->LT(_matchedEOF ? 1 : -1);
  if (!_parseListeners.empty()) triggerExitRuleEvent();
  setState(_ctx->invokingState);
  _ctx = static_cast<antlr4::ParserRuleContext*>(_ctx->parent);
}
}

script : decls+=declaration* EOF ;

declaration
    : probe=probeDecl
    | global=globalDecl
    | func=functionDecl
    | embedded=EMBEDDED
    ;

// ---- probes and aliases -------------------------------------------------

probeDecl
    : PROBE points+=probePoint (COMMA points+=probePoint)*
      ( body=block
      | aliasOp=(ASSIGN | PLUS_ASSIGN) points+=probePoint (COMMA points+=probePoint)* body=block (COMMA second=block)?
      )
    ;

probePoint : comps+=component (DOT comps+=component)* mark=(QUESTION | BANG)? (IF LPAREN cond=expr RPAREN)? ;

component
    : name=componentName ((LPAREN | CALL_LPAREN) arg=literal RPAREN)?
    | LBRACE alts+=alternative (COMMA alts+=alternative)* RBRACE
    ;

// One alternative of a brace group: a dotted sequence of components, which
// may end with the point's '?' or '!' and condition ("{a!, b}").
alternative : comps+=component (DOT comps+=component)* mark=(QUESTION | BANG)? (IF LPAREN cond=expr RPAREN)? ;

// A name made of identifier and '*' pieces written without spaces ("sys*_open").
// 'if' is missing on purpose (it starts a probe point's condition), and so
// are the keywords that start a declaration, so a missing '{' is caught.
componentName
    : ( pieces+=IDENT | pieces+=STAR | pieces+=FUNCTION | pieces+=ELSE | pieces+=WHILE | pieces+=FOR
      | pieces+=FOREACH | pieces+=IN | pieces+=LIMIT | pieces+=DELETE | pieces+=NEXT | pieces+=BREAK
      | pieces+=CONTINUE | pieces+=RETURN | pieces+=TRY | pieces+=CATCH | pieces+=LONG | pieces+=STRING_KW )+
    ;

// Probe point arguments and global initializers: a signed number or a string.
literal : str=stringLit | sign=(MINUS | NEG | PLUS | POS)? num=NUMBER ;

// ---- globals and functions ----------------------------------------------

globalDecl
    : priv=PRIVATE? GLOBAL vars+=globalVar (COMMA vars+=globalVar)* SEMI?
    | priv=PRIVATE vars+=globalVar (COMMA vars+=globalVar)* SEMI?
    ;

globalVar : name=IDENT wrap=MOD? ((LBRACKET | TUPLE_LBRACKET) size=NUMBER RBRACKET)? (eq=ASSIGN init=literal)? ;

functionDecl
    : priv=PRIVATE? FUNCTION name=IDENT ret=typeSuffix? (LPAREN | CALL_LPAREN) (params+=param (COMMA params+=param)*)?
      RPAREN (COLON priority=NUMBER)? (body=block | embedded=EMBEDDED)
    ;

typeSuffix : COLON t=(LONG | STRING_KW) ;

param : name=IDENT ptype=typeSuffix? ;

// ---- statements ---------------------------------------------------------

block : LBRACE stmts+=statement* RBRACE ;

// The builder tells alternatives apart by their first token.
statement
    : inner=block
    | SEMI
    | IF LPAREN cond=expr RPAREN then=statement (ELSE otherwise=statement)?
    | WHILE LPAREN cond=expr RPAREN body=statement
    | FOR LPAREN init=expr? SEMI cond=expr? SEMI step=expr? RPAREN body=statement
    | FOREACH LPAREN head=foreachHead RPAREN body=statement
    | DELETE e=expr SEMI?
    | NEXT SEMI?
    | BREAK SEMI?
    | CONTINUE SEMI?
    | ret=RETURN e=expr? semi=SEMI?
    | TRY inner=block CATCH (LPAREN var=IDENT RPAREN)? handler=block
    | e=expr SEMI?
    ;

// '+' and '-' after a name are binary (MINUS), after '@sum' prefix (NEG):
// a sort takes either.
foreachHead
    : (value=IDENT valueSort=(PLUS | MINUS | POS | NEG)? ASSIGN)? keys=foreachKeys IN src=foreachSource (LIMIT limit=expr)?
    ;

foreachKeys
    : one=foreachKey
    | (LBRACKET | TUPLE_LBRACKET) many+=foreachKey (COMMA many+=foreachKey)* RBRACKET
    ;

foreachKey : name=IDENT sort=(PLUS | MINUS | POS | NEG)? ;

// "arr @sum-": an array of statistics sorted by one of their aggregates.
foreachSource
    : ( arr=IDENT ((LBRACKET | TUPLE_LBRACKET) idx=indexList RBRACKET)? | stat=statOp )
      aggregate=(AT_COUNT | AT_SUM | AT_MIN | AT_MAX | AT_AVG | AT_VARIANCE)? sort=(PLUS | MINUS | POS | NEG)?
    ;

// ---- expressions ------------------------------------------------------------
//
// An expression is a flat sequence: an operand, then binary operators, '?:'
// and 'in' each followed by an operand. The AST builder folds the sequence
// by stap's precedence table (compiler/ast/precedence.h), as Swift does with
// its sequence expressions, so a 100,000-term sum is a loop, not 100,000
// nested rule invocations.
//
// Semicolons are optional, so after "x = a" a '-' could continue the
// expression or start a statement "-b". stap reads greedily: a token that
// can continue the expression does. The parser stage gives such tokens a
// type of their own by what precedes them (MINUS after an operand, NEG
// elsewhere; see grammar/UtapLexer.g4), so a statement may begin with any
// expression and every decision still takes one token of lookahead.

expr : first=unary tails+=exprTail* ;

exprTail
    : op=(STAR | SLASH | MOD | PLUS | MINUS | DOT | SHL | SHR
        | LT | LE | GT | GE | EQ | NE | MATCH | NOMATCH
        | AMP | CARET | PIPE | ANDAND | OROR
        | ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN | MOD_ASSIGN
        | SHL_ASSIGN | SHR_ASSIGN | AND_ASSIGN | XOR_ASSIGN | OR_ASSIGN | DOT_ASSIGN
        | AGGREGATE) rhs=unary
    | QUESTION then=expr COLON rhs=unary
    | IN arr=IDENT
    ;

// Prefix operators bind tighter than every binary operator; '++'/'--' apply
// to a postfix expression, once. Whether a '++' is postfix is decided from
// the token before it ("x ++ y" is "x++; y", as stap reads it).
unary
    : prefix+=(POS | NEG | BANG | TILDE | UAMP)*
      ( pre=(INC | DEC) operand=postfix | operand=postfix post=(POST_INC | POST_DEC)? )
    ;

// Any operand may be followed by '->member' and '[index]' (stap's autocast:
// "(p)->f", "f(x)->g", "a[k][i]"); the first '[...]' after a name indexes
// the array of that name.
postfix : base=atom accessors+=accessor* pretty=PRETTY? ;

// "->$" and "->$$" are how stap -p1 prints a pretty-print suffix.
accessor
    : ARROW member=memberName
    | ARROW suffix=PRETTY
    | LBRACKET idx=indexList RBRACKET
    ;

atom
    : num=NUMBER
    | str=stringLit
    | name=IDENT (call=CALL_LPAREN args=argList? RPAREN)?
    | target=TARGET
    | AT_CAST LPAREN operand=expr COMMA typeName=stringLit (COMMA module=stringLit)? RPAREN
    | AT_VAR LPAREN str=stringLit (COMMA module=stringLit)? RPAREN
    | stat=statOp
    | LPAREN inner=expr RPAREN
    | TUPLE_LBRACKET keys=indexList RBRACKET IN arr=IDENT
    | AT_DEFINED LPAREN operand=expr RPAREN
    | AT_ENTRY LPAREN operand=expr RPAREN
    | AT_PERF LPAREN str=stringLit RPAREN
    | AT_CONST LPAREN str=stringLit (COMMA module=stringLit)? RPAREN
    | AT_PROBEWRITE LPAREN name=IDENT RPAREN
    | op=(AT_KDEREF | AT_UDEREF) LPAREN operand=expr COMMA operand2=expr RPAREN
    | op=(AT_KREGISTER | AT_UREGISTER) LPAREN operand=expr RPAREN
    | embedded=EMBEDDED
    ;

memberName
    : name=(IDENT | PROBE | GLOBAL | PRIVATE | FUNCTION | IF | ELSE | WHILE | FOR | FOREACH
    | IN | LIMIT | DELETE | NEXT | BREAK | CONTINUE | RETURN | TRY | CATCH
    | LONG | STRING_KW)
    ;

statOp
    : op=(AT_COUNT | AT_SUM | AT_MIN | AT_MAX | AT_AVG | AT_HIST_LOG) LPAREN operand=expr RPAREN
    | op=AT_VARIANCE LPAREN operand=expr (COMMA params+=expr)? RPAREN
    | op=AT_HIST_LINEAR LPAREN operand=expr COMMA params+=expr COMMA params+=expr COMMA params+=expr RPAREN
    ;

argList : items+=expr (COMMA items+=expr)* ;

// An index may be '*' in foreach slices, delete and membership tests.
indexList : items+=indexItem (COMMA items+=indexItem)* ;
indexItem : e=expr | star=STAR ;

stringLit : parts+=STRING parts+=STRING_CONT* ;
