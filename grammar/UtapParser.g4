// Syntax of the SystemTap script language, after preprocessing.
//
// The parser sees the token stream the preprocessor produced: script
// arguments substituted, macros expanded, conditionals resolved, comments
// dropped. No actions: compiler/parse/ast_builder.cpp turns the tree into the
// AST and checks what a context-free grammar cannot (literal ranges,
// assignability, adjacency of wildcard name pieces).
parser grammar UtapParser;

options { tokenVocab = UtapLexer; }

script : declaration* EOF ;

declaration
    : probeDecl
    | globalDecl
    | functionDecl
    | EMBEDDED
    ;

// ---- probes and aliases -------------------------------------------------

probeDecl
    : PROBE probePoint (COMMA probePoint)*
      ( block
      | aliasOp=(ASSIGN | PLUS_ASSIGN) probePoint (COMMA probePoint)* block (COMMA block)?
      )
    ;

probePoint : component (DOT component)* mark=(QUESTION | BANG)? (IF LPAREN expr RPAREN)? ;

component
    : componentName (LPAREN componentArg RPAREN)?
    | LBRACE alternative (COMMA alternative)* RBRACE
    ;

// One alternative of a brace group: a dotted sequence of components.
alternative : component (DOT component)* ;

// A name made of identifier and '*' pieces written without spaces ("sys*_open").
componentName : namePiece+ ;
// 'if' is missing on purpose (it starts a probe point's condition), and so
// are the keywords that start a declaration, so a missing '{' is caught.
namePiece
    : IDENT | STAR | FUNCTION | ELSE | WHILE | FOR
    | FOREACH | IN | LIMIT | DELETE | NEXT | BREAK | CONTINUE | RETURN | TRY
    | CATCH | LONG | STRING_KW
    ;

componentArg : stringLit | MINUS? NUMBER | PLUS NUMBER ;

// ---- globals and functions ----------------------------------------------

globalDecl
    : PRIVATE? GLOBAL globalVar (COMMA globalVar)* SEMI?
    | PRIVATE globalVar (COMMA globalVar)* SEMI?
    ;

globalVar : IDENT wrap=MOD? (LBRACKET size=NUMBER RBRACKET)? (ASSIGN globalInit)? ;

globalInit : stringLit | MINUS? NUMBER | PLUS NUMBER ;

functionDecl
    : PRIVATE? FUNCTION IDENT typeSuffix? LPAREN (param (COMMA param)*)? RPAREN
      (COLON priority=NUMBER)? (block | EMBEDDED)
    ;

typeSuffix : COLON (LONG | STRING_KW) ;

param : IDENT typeSuffix? ;

// ---- statements ---------------------------------------------------------

block : LBRACE statement* RBRACE ;

// No labels on the hot rules: a labeled alternative makes ANTLR allocate
// its context twice. The builder tells alternatives apart by their first
// token.
statement
    : block
    | SEMI
    | IF LPAREN expr RPAREN statement (ELSE statement)?
    | WHILE LPAREN expr RPAREN statement
    | FOR LPAREN init=expr? SEMI cond=expr? SEMI step=expr? RPAREN statement
    | FOREACH LPAREN foreachHead RPAREN statement
    | DELETE expr SEMI?
    | NEXT SEMI?
    | BREAK SEMI?
    | CONTINUE SEMI?
    | RETURN expr? SEMI?
    | TRY block CATCH (LPAREN IDENT RPAREN)? block
    | stmtExpr SEMI?
    ;


foreachHead
    : (value=IDENT valueSort=(PLUS | MINUS)? ASSIGN)? foreachKeys IN foreachSource (LIMIT expr)?
    ;

foreachKeys
    : foreachKey
    | LBRACKET foreachKey (COMMA foreachKey)* RBRACKET
    ;

foreachKey : IDENT sort=(PLUS | MINUS)? ;

// "arr @sum-": an array of statistics sorted by one of their aggregates.
foreachSource
    : ( IDENT (LBRACKET indexList RBRACKET)? | statOp )
      aggregate=(AT_COUNT | AT_SUM | AT_MIN | AT_MAX | AT_AVG | AT_VARIANCE)? sort=(PLUS | MINUS)?
    ;

// ---- expressions ------------------------------------------------------------
//
// An expression is a flat sequence: an operand, then binary operators, '?:'
// and 'in' each followed by an operand. The AST builder folds the sequence
// by stap's precedence table (compiler/ast/precedence.h), as Swift does with
// its sequence expressions. Two reasons:
//  - Semicolons are optional, so after "x = a" a '+' could continue the
//    expression or start a statement "+b". stap reads greedily; here a
//    statement simply cannot start with a token that can continue an
//    expression ('+', '-', '&', '(', '[', a string; see stmtExpr), so
//    every such decision takes one token of lookahead instead of scanning
//    to the end of the block (which made long sums quadratic).
//  - A 100,000-term sum is a loop, not 100,000 nested rule invocations.

expr     : unary exprTail* ;
stmtExpr : stmtUnary exprTail* ;

exprTail
    : op=(STAR | SLASH | MOD | PLUS | MINUS | DOT | SHL | SHR
        | LT | LE | GT | GE | EQ | NE | MATCH | NOMATCH
        | AMP | CARET | PIPE | ANDAND | OROR
        | ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN | MOD_ASSIGN
        | SHL_ASSIGN | SHR_ASSIGN | AND_ASSIGN | XOR_ASSIGN | OR_ASSIGN | DOT_ASSIGN
        | AGGREGATE) unary
    | QUESTION expr COLON unary
    | IN IDENT
    ;

// Prefix operators bind tighter than every binary operator; '++'/'--' apply
// to a primary, once. Whether a '++' is postfix is decided from the token
// before it ("x ++ y" is "x++; y", as stap reads it), which keeps "y ++ y ++"
// chains from needing unbounded lookahead.
unary
    : prefix+=(PLUS | MINUS | BANG | TILDE)*
      ( pre=(INC | DEC) primary | primary post=(POST_INC | POST_DEC)? )
    ;
stmtUnary
    : prefix+=(BANG | TILDE) unary
    | pre=(INC | DEC) primary
    | stmtPrimary post=(POST_INC | POST_DEC)?
    ;

primary
    : stmtPrimary
    | LPAREN expr RPAREN
    | stringLit
    | LBRACKET indexList RBRACKET IN IDENT
    | AMP target
    ;

// The operands an expression statement may start with.
stmtPrimary
    : NUMBER
    | IDENT LPAREN argList? RPAREN
    | IDENT LBRACKET indexList RBRACKET
    | IDENT
    | target
    | statOp (LBRACKET expr RBRACKET)?
    | AT_DEFINED LPAREN expr RPAREN
    | AT_ENTRY LPAREN expr RPAREN
    | AT_PERF LPAREN stringLit RPAREN
    | AT_CONST LPAREN stringLit (COMMA stringLit)? RPAREN
    | AT_PROBEWRITE LPAREN IDENT RPAREN
    | op=(AT_KDEREF | AT_UDEREF) LPAREN expr COMMA expr RPAREN
    | op=(AT_KREGISTER | AT_UREGISTER) LPAREN expr RPAREN
    | EMBEDDED
    ;

target : targetBase accessor* PRETTY? ;

targetBase
    : TARGET
    | AT_CAST LPAREN expr COMMA stringLit (COMMA stringLit)? RPAREN
    | AT_VAR LPAREN stringLit (COMMA stringLit)? RPAREN
    ;

accessor
    : ARROW memberName
    | LBRACKET expr RBRACKET
    ;

memberName : IDENT | keyword ;

statOp
    : op=(AT_COUNT | AT_SUM | AT_MIN | AT_MAX | AT_AVG | AT_HIST_LOG) LPAREN expr RPAREN
    | op=AT_VARIANCE LPAREN expr (COMMA expr)? RPAREN
    | op=AT_HIST_LINEAR LPAREN expr COMMA expr COMMA expr COMMA expr RPAREN
    ;

argList : expr (COMMA expr)* ;

// An index may be '*' in foreach slices, delete and membership tests.
indexList : indexItem (COMMA indexItem)* ;
indexItem : expr | STAR ;

stringLit : STRING+ ;

keyword
    : PROBE | GLOBAL | PRIVATE | FUNCTION | IF | ELSE | WHILE | FOR | FOREACH
    | IN | LIMIT | DELETE | NEXT | BREAK | CONTINUE | RETURN | TRY | CATCH
    | LONG | STRING_KW
    ;
