// The abstract syntax tree of a SystemTap script, as pass 1 produces it.
//
// Nodes own their children (unique_ptr). Every node has the source range it
// was parsed from. Later passes annotate a tree through side tables, not by
// adding fields here, so this header stays the language's shape only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/source.h"

namespace utap::ast {

class Visitor;

struct Node {
  SourceRange range;
  virtual ~Node() = default;
  virtual void accept(Visitor& v) = 0;
};

// ---- expressions ----------------------------------------------------------

struct Expr : Node {};
using ExprPtr = std::unique_ptr<Expr>;

enum class BinaryOp {
  Mul, Div, Mod, Add, Sub, Concat, Shl, Shr,
  Lt, Le, Gt, Ge, Eq, Ne, Match, NoMatch,
  BitAnd, BitXor, BitOr, LogicalAnd, LogicalOr,
};
enum class UnaryOp { Plus, Minus, Not, BitNot };
enum class AssignOp { Assign, Add, Sub, Mul, Div, Mod, Shl, Shr, BitAnd, BitXor, BitOr, Concat, Aggregate };
enum class StatOp { Count, Sum, Min, Max, Avg, Variance, HistLog, HistLinear };
enum class Pretty { None, Shallow, Deep };  // "$var$", "$var$$"

const char* spelling(BinaryOp op);
const char* spelling(UnaryOp op);
const char* spelling(AssignOp op);
const char* spelling(StatOp op);

struct NumberLit : Expr {
  int64_t value = 0;
  void accept(Visitor& v) override;
};

struct StringLit : Expr {
  std::string value;  // escapes decoded
  void accept(Visitor& v) override;
};

// A script variable: local, global or function parameter.
struct Symbol : Expr {
  std::string name;
  void accept(Visitor& v) override;
};

// arr[k1, k2]; a null key is the wildcard '*' (foreach slices, delete, 'in').
// The base is a Symbol, or a histogram StatExpr for bucket access.
struct IndexExpr : Expr {
  ExprPtr base;
  std::vector<ExprPtr> keys;
  void accept(Visitor& v) override;
};

struct CallExpr : Expr {
  std::string name;
  std::vector<ExprPtr> args;
  void accept(Visitor& v) override;
};

// print, printf, sprintf, println, sprintln, printd, printdln, sprint,
// sprintd, sprintdln: the family whose first argument may be a format or a
// delimiter that must be a literal.
struct PrintCall : Expr {
  enum class Kind { Print, Printf, Printd, Println, Printdln };
  std::string name;  // as written: "sprintf", "printdln", ...
  Kind kind = Kind::Print;
  bool toString = false;                 // the s... variants
  std::unique_ptr<StringLit> format;     // printf: format; printd: delimiter
  std::vector<ExprPtr> args;
  void accept(Visitor& v) override;
};

struct UnaryExpr : Expr {
  UnaryOp op;
  ExprPtr operand;
  void accept(Visitor& v) override;
};

struct IncDecExpr : Expr {
  bool increment = true;
  bool prefix = true;
  ExprPtr operand;
  void accept(Visitor& v) override;
};

struct BinaryExpr : Expr {
  BinaryOp op;
  ExprPtr lhs, rhs;
  void accept(Visitor& v) override;
};

struct AssignExpr : Expr {
  AssignOp op;
  ExprPtr lhs, rhs;
  void accept(Visitor& v) override;
};

struct TernaryExpr : Expr {
  ExprPtr cond, then, otherwise;
  void accept(Visitor& v) override;
};

// key in arr, [k1, k2] in arr (null key: '*').
struct InExpr : Expr {
  std::vector<ExprPtr> keys;
  std::unique_ptr<Symbol> array;
  void accept(Visitor& v) override;
};

// @count(s), @hist_linear(s, lo, hi, step), @variance(s, shift)
struct StatExpr : Expr {
  StatOp op;
  ExprPtr operand;
  std::vector<ExprPtr> params;
  void accept(Visitor& v) override;
};

// One step of a target-variable path: "->member" or "[index]".
struct Accessor {
  SourceRange range;
  std::string member;  // empty for an index
  ExprPtr index;
};

// $var, @cast(p, "type", "module"), @var("name@file", "module"), with a path
// of accessors, an optional '&' and an optional pretty-print suffix.
struct TargetExpr : Expr {
  // Expr: stap's autocast, '->'/'[...]' (or '&') applied to any other
  // operand ("(p)->f", "f(x)->g", "&(x)"); castOperand is that operand.
  enum class Base { Dollar, Cast, AtVar, Expr };
  Base base = Base::Dollar;
  std::string name;       // "$var", "$$vars"; the variable for @var
  ExprPtr castOperand;    // @cast; the operand of an Expr base
  std::string typeName;   // @cast
  std::string module;     // @cast, @var (may be empty)
  std::vector<Accessor> path;
  bool addressOf = false;
  Pretty pretty = Pretty::None;
  void accept(Visitor& v) override;
};

// @defined(e), @entry(e): an operator with one expression operand.
struct SpecialExpr : Expr {
  enum class Kind { Defined, Entry, KDeref, UDeref, KRegister, URegister };
  Kind kind;
  std::vector<ExprPtr> operands;
  void accept(Visitor& v) override;
};

// @perf("name"), @const("NAME"[, "header"]), @probewrite(var)
struct NamedOpExpr : Expr {
  enum class Kind { Perf, Const, ProbeWrite };
  Kind kind;
  std::string name;
  std::string header;  // @const's optional second argument
  void accept(Visitor& v) override;
};

// %{ C expression %} (guru mode)
struct EmbeddedExpr : Expr {
  std::string code;
  void accept(Visitor& v) override;
};

// ---- statements ------------------------------------------------------------

struct Stmt : Node {};
using StmtPtr = std::unique_ptr<Stmt>;

struct Block : Stmt {
  std::vector<StmtPtr> stmts;
  void accept(Visitor& v) override;
};

struct EmptyStmt : Stmt {
  void accept(Visitor& v) override;
};

struct ExprStmt : Stmt {
  ExprPtr expr;
  void accept(Visitor& v) override;
};

struct IfStmt : Stmt {
  ExprPtr cond;
  StmtPtr then, otherwise;  // otherwise may be null
  void accept(Visitor& v) override;
};

struct WhileStmt : Stmt {
  ExprPtr cond;
  StmtPtr body;
  void accept(Visitor& v) override;
};

struct ForStmt : Stmt {
  ExprPtr init, cond, step;  // each may be null
  StmtPtr body;
  void accept(Visitor& v) override;
};

enum class Sort { None, Ascending, Descending };

struct ForeachKey {
  std::unique_ptr<Symbol> var;
  Sort sort = Sort::None;
};

struct ForeachStmt : Stmt {
  std::unique_ptr<Symbol> value;  // "v = [a, b] in arr"; may be null
  std::vector<ForeachKey> keys;
  bool bracketed = false;         // keys written as [a, b]
  ExprPtr source;                 // Symbol, IndexExpr (slice) or StatExpr
  Sort valueSort = Sort::None;    // sort suffix on the array (or on the value)
  std::optional<StatOp> sortAggregate;  // "arr @sum-": sort by this aggregate
  ExprPtr limit;                  // may be null
  StmtPtr body;
  void accept(Visitor& v) override;
};

struct DeleteStmt : Stmt {
  ExprPtr target;
  void accept(Visitor& v) override;
};

struct NextStmt : Stmt { void accept(Visitor& v) override; };
struct BreakStmt : Stmt { void accept(Visitor& v) override; };
struct ContinueStmt : Stmt { void accept(Visitor& v) override; };

struct ReturnStmt : Stmt {
  ExprPtr value;  // may be null
  void accept(Visitor& v) override;
};

struct TryStmt : Stmt {
  std::unique_ptr<Block> body;
  std::unique_ptr<Symbol> catchVar;  // may be null
  std::unique_ptr<Block> handler;
  void accept(Visitor& v) override;
};

// ---- declarations ------------------------------------------------------------

// One component of a probe point: a name (which may hold '*' wildcards)
// and an optional literal argument.
struct Component {
  SourceRange range;
  std::string name;
  std::unique_ptr<Expr> arg;  // NumberLit or StringLit, may be null
};

struct ProbePoint {
  SourceRange range;
  std::vector<Component> components;
  bool optional = false;    // '?'
  bool sufficient = false;  // '!'
  ExprPtr condition;        // "if (cond)"; may be null
};

struct Decl : Node {};
using DeclPtr = std::unique_ptr<Decl>;

struct ProbeDecl : Decl {
  std::vector<ProbePoint> points;
  std::unique_ptr<Block> body;
  void accept(Visitor& v) override;
};

// probe NAME = POINTS {prologue} [, {epilogue}]   or   probe NAME += POINTS {epilogue}
struct AliasDecl : Decl {
  std::vector<ProbePoint> names;
  std::vector<ProbePoint> points;
  std::unique_ptr<Block> prologue;  // may be null
  std::unique_ptr<Block> epilogue;  // may be null
  void accept(Visitor& v) override;
};

struct GlobalDecl : Decl {
  std::string name;
  bool isPrivate = false;
  bool wrap = false;                 // '%'
  std::optional<int64_t> size;       // [N]
  ExprPtr init;                      // literal; may be null
  void accept(Visitor& v) override;
};

enum class Type { Unknown, Long, String };

struct Param {
  SourceRange range;
  std::string name;
  Type type = Type::Unknown;
};

struct FunctionDecl : Decl {
  std::string name;
  bool isPrivate = false;
  Type returnType = Type::Unknown;
  std::vector<Param> params;
  std::optional<int64_t> priority;
  std::unique_ptr<Block> body;       // script body, or
  std::optional<std::string> embedded;  // %{ C body %}
  std::vector<std::string> pragmas;  // "pure", "unprivileged", "pragma:read:x", ...
  void accept(Visitor& v) override;
};

// Top-level %{ ... %}
struct EmbeddedDecl : Decl {
  std::string code;
  void accept(Visitor& v) override;
};

// One parsed file: a user script, a tapset, or a -e script.
struct File {
  FileId id = 0;
  std::string name;
  std::vector<DeclPtr> decls;
};

}  // namespace utap::ast
