// Tokens of the SystemTap script language.
//
// No actions: the lexer only classifies characters. Everything that needs
// judgement (number ranges, string escapes, script arguments, macros,
// preprocessor conditionals) happens on the token stream in compiler/parse.
lexer grammar UtapLexer;

// Tokens whose meaning depends on the token before them. The parser stage
// retypes them (classifyTokens in compiler/parse/parser.cpp) so that every
// decision of the parser needs one token of lookahead:
//   POST_INC, POST_DEC  '++', '--' right after an operand ("x++")
//   NEG, POS, UAMP      '-', '+', '&' where no operand ends (prefix: "-x")
//   CALL_LPAREN         '(' right after an identifier ("f(x)")
//   TUPLE_LBRACKET      '[' where no operand ends ("[a, b] in arr")
//   STRING_CONT         a string literal right after another ("a" "b")
tokens { POST_INC, POST_DEC, NEG, POS, UAMP, CALL_LPAREN, TUPLE_LBRACKET, STRING_CONT }

// Keywords (stap reserves these; they cannot name variables or functions).
PROBE     : 'probe';
GLOBAL    : 'global';
PRIVATE   : 'private';
FUNCTION  : 'function';
IF        : 'if';
ELSE      : 'else';
WHILE     : 'while';
FOR       : 'for';
FOREACH   : 'foreach';
IN        : 'in';
LIMIT     : 'limit';
DELETE    : 'delete';
NEXT      : 'next';
BREAK     : 'break';
CONTINUE  : 'continue';
RETURN    : 'return';
TRY       : 'try';
CATCH     : 'catch';
LONG      : 'long';
STRING_KW : 'string';

// '@' operators built into the language.
AT_CAST      : '@cast';
AT_VAR       : '@var';
AT_DEFINED   : '@defined';
AT_ENTRY     : '@entry';
AT_PERF      : '@perf';
AT_CONST     : '@const';
AT_PROBEWRITE: '@probewrite';
AT_KDEREF    : '@kderef';
AT_UDEREF    : '@uderef';
AT_KREGISTER : '@kregister';
AT_UREGISTER : '@uregister';
AT_COUNT     : '@count';
AT_SUM       : '@sum';
AT_MIN       : '@min';
AT_MAX       : '@max';
AT_AVG       : '@avg';
AT_VARIANCE  : '@variance';
AT_HIST_LOG  : '@hist_log';
AT_HIST_LINEAR : '@hist_linear';
AT_DEFINE    : '@define';

// Preprocessor brackets.
PP_OPEN  : '%(';
PP_THEN  : '%?';
PP_ELSE  : '%:';
PP_CLOSE : '%)';

// Embedded C; a block that reaches the end of the file is reported by the
// preprocessor (it sees the missing '%}').
EMBEDDED : '%{' .*? ('%}' | EOF);

// Operators, longest first where prefixes overlap.
AGGREGATE   : '<<<';
SHL_ASSIGN  : '<<=';
SHR_ASSIGN  : '>>=';
SHL         : '<<';
SHR         : '>>';
LE          : '<=';
GE          : '>=';
EQ          : '==';
NE          : '!=';
MATCH       : '=~';
NOMATCH     : '!~';
ANDAND      : '&&';
OROR        : '||';
INC         : '++';
DEC         : '--';
ARROW       : '->';
PLUS_ASSIGN : '+=';
MINUS_ASSIGN: '-=';
STAR_ASSIGN : '*=';
SLASH_ASSIGN: '/=';
MOD_ASSIGN  : '%=';
AND_ASSIGN  : '&=';
XOR_ASSIGN  : '^=';
OR_ASSIGN   : '|=';
DOT_ASSIGN  : '.=';
LT          : '<';
GT          : '>';
ASSIGN      : '=';
PLUS        : '+';
MINUS       : '-';
STAR        : '*';
SLASH       : '/';
MOD         : '%';
AMP         : '&';
CARET       : '^';
PIPE        : '|';
TILDE       : '~';
BANG        : '!';
QUESTION    : '?';
COLON       : ':';
SEMI        : ';';
COMMA       : ',';
DOT         : '.';
LPAREN      : '(';
RPAREN      : ')';
LBRACKET    : '[';
RBRACKET    : ']';
LBRACE      : '{';
RBRACE      : '}';

// Script arguments: "$#", "@#"; "$1" is a TARGET and "@1" an AT_NAME that the
// preprocessor recognizes by their digits.
DOLLAR_HASH : '$#';
AT_HASH     : '@#';

// A pretty-print suffix standing alone, after ')' or ']': "@cast(p, "t")$".
PRETTY  : '$' | '$$';
// "$var", "$$vars", "$var$" (with its pretty-print suffix), "$1".
TARGET  : '$' [A-Za-z0-9_$]*;
// Macro uses and macro parameters ("@foo"), script arguments ("@1").
AT_NAME : '@' [A-Za-z0-9_]+;
// Identifiers may contain '$' after the first character ("name$" asks for
// pretty printing when it is a member name).
IDENT   : [A-Za-z_] [A-Za-z0-9_$]*;

// Numbers: anything that starts with a digit; the builder checks the digits
// so that "09" or "0xg" get a precise message instead of two tokens.
NUMBER : [0-9] [A-Za-z0-9_]*;

STRING            : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"';
UNTERMINATED_STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '\\'?;

BLOCK_COMMENT : '/*' .*? ('*/' | EOF) -> channel(HIDDEN);
LINE_COMMENT  : ('//' | '#') ~[\r\n]* -> skip;
WS            : [ \t\r\n\f\u000B]+ -> skip;

// Anything else is reported as a stray character.
STRAY : . ;
