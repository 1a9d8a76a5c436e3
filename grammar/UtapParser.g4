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

statement
    : block                                                        # blockStmt
    | SEMI                                                         # emptyStmt
    | IF LPAREN expr RPAREN statement (ELSE statement)?            # ifStmt
    | WHILE LPAREN expr RPAREN statement                           # whileStmt
    | FOR LPAREN init=expr? SEMI cond=expr? SEMI step=expr? RPAREN statement # forStmt
    | FOREACH LPAREN foreachHead RPAREN statement                  # foreachStmt
    | DELETE expr SEMI?                                            # deleteStmt
    | NEXT SEMI?                                                   # nextStmt
    | BREAK SEMI?                                                  # breakStmt
    | CONTINUE SEMI?                                               # continueStmt
    | RETURN expr? SEMI?                                           # returnStmt
    | TRY block CATCH (LPAREN IDENT RPAREN)? block                 # tryStmt
    | expr SEMI?                                                   # exprStmt
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
      aggregate=(AT_COUNT | AT_SUM | AT_MIN | AT_MAX | AT_AVG)? sort=(PLUS | MINUS)?
    ;

// ---- expressions (stap's precedence, tightest first) ----------------------

// Postfix '++' comes before a bare primary, so that "i++" followed by more
// statements is never read as "i" and a prefix "++" (ANTLR resolves the
// ambiguity in favour of the first alternative).
expr
    : primary op=(INC | DEC)                                       # postfixExpr
    | primary                                                      # primaryExpr
    | op=(INC | DEC) primary                                       # prefixExpr
    | op=(PLUS | MINUS | BANG | TILDE) expr                        # unaryExpr
    | expr op=(STAR | SLASH | MOD) expr                            # binaryExpr
    | expr op=(PLUS | MINUS) expr                                  # binaryExpr
    | expr op=DOT expr                                             # binaryExpr
    | expr op=(SHL | SHR) expr                                     # binaryExpr
    | expr op=(LT | LE | GT | GE | EQ | NE | MATCH | NOMATCH) expr # binaryExpr
    | expr IN IDENT                                                # inExpr
    | LBRACKET indexList RBRACKET IN IDENT                         # inTupleExpr
    | expr op=AMP expr                                             # binaryExpr
    | expr op=CARET expr                                           # binaryExpr
    | expr op=PIPE expr                                            # binaryExpr
    | expr op=ANDAND expr                                          # binaryExpr
    | expr op=OROR expr                                            # binaryExpr
    | <assoc=right> expr QUESTION expr COLON expr                  # ternaryExpr
    | <assoc=right> expr op=(ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN
        | SLASH_ASSIGN | MOD_ASSIGN | SHL_ASSIGN | SHR_ASSIGN | AND_ASSIGN
        | XOR_ASSIGN | OR_ASSIGN | DOT_ASSIGN | AGGREGATE) expr     # assignExpr
    ;

primary
    : NUMBER                                                       # numberLit
    | stringLit                                                    # stringPrimary
    | LPAREN expr RPAREN                                           # parenExpr
    | IDENT LPAREN argList? RPAREN                                 # callExpr
    | IDENT LBRACKET indexList RBRACKET                            # indexExpr
    | IDENT                                                        # symbolExpr
    | AMP? targetBase accessor* PRETTY?                            # targetExpr
    | statOp (LBRACKET expr RBRACKET)?                             # statExpr
    | AT_DEFINED LPAREN expr RPAREN                                # definedExpr
    | AT_ENTRY LPAREN expr RPAREN                                  # entryExpr
    | AT_PERF LPAREN stringLit RPAREN                              # perfExpr
    | AT_CONST LPAREN stringLit (COMMA stringLit)? RPAREN          # constExpr
    | AT_PROBEWRITE LPAREN IDENT RPAREN                            # probewriteExpr
    | op=(AT_KDEREF | AT_UDEREF) LPAREN expr COMMA expr RPAREN     # derefExpr
    | op=(AT_KREGISTER | AT_UREGISTER) LPAREN expr RPAREN          # registerExpr
    | EMBEDDED                                                     # embeddedExpr
    ;

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
