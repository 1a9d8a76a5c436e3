// The product of pass 2: a resolved program. Everything later passes need
// is here: the files in use, the globals, functions and probes that remain
// after elision, and side tables from AST nodes to what they resolved to.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "dwarf/module.h"
#include "dwarf/recipe.h"
#include "probes/provider.h"

namespace utap::sema {

enum class Type : uint8_t { Unknown, Long, String, Stats };
const char* typeName(Type type);  // "long", "string", "stats", "unknown"

// A script variable: a global, a function parameter, or a local of a
// function or probe.
struct Variable {
  enum class Kind { Global, Param, Local };
  Kind kind = Kind::Local;
  std::string name;
  SourceRange declared;               // declaration, parameter, or first use
  ast::GlobalDecl* global = nullptr;  // Kind::Global
  FileId file = 0;                    // where it is declared (private scope)

  Type type = Type::Unknown;
  SourceRange typeFrom;  // where the type was first decided
  int arity = -1;        // -1 unknown, 0 scalar, N keys
  SourceRange arityFrom;
  std::vector<Type> keyTypes;  // arrays: one per key
  std::vector<SourceRange> keyFrom;

  bool read = false;     // its value is used somewhere
  bool written = false;  // assigned, incremented, <<<, deleted, foreach key
  SourceRange firstUse;  // first reference in a body in use

  // Statistics: the histogram the script asks of it (one kind at most).
  enum class Histogram { None, Log, Linear };
  Histogram histogram = Histogram::None;
  SourceRange histogramFrom;
  std::vector<int64_t> linearParams;     // start, stop, interval
  bool variance = false;                 // @variance is used on it, or a foreach sorts by it
  std::optional<int64_t> varianceShift;  // @variance(s, N): one N per statistic (default 0)
  SourceRange varianceFrom;
};

// One script function (one overload).
struct Function {
  ast::FunctionDecl* decl = nullptr;
  FileId file = 0;
  bool fromTapset = false;
  int64_t priority = 0;  // lower runs first among same-arity overloads
  std::vector<std::unique_ptr<Variable>> params;
  std::vector<std::unique_ptr<Variable>> locals;
  Type returnType = Type::Unknown;
  SourceRange returnFrom;
  bool used = false;       // called from a probe, directly or not: typed and checked
  bool reachable = false;  // can run: no earlier overload of its group always returns
  std::string mangled;     // unique C-friendly name: name, or name__N for overloads
};

// The functions of one name and arity, tried in order at run time (`next`
// passes on to the next). They share parameter and return types.
struct OverloadGroup {
  std::string name;
  size_t arity = 0;
  std::vector<Function*> members;  // by priority, then declaration order
};

// One concrete probe: a probe point after alias expansion and provider
// resolution, with its own copy of the body.
struct Probe {
  std::unique_ptr<probes::ResolvedPoint> point;
  std::vector<const ast::AliasDecl*> aliases;  // that led here, innermost first (see probeChain)
  // pn(): the point the script wrote where it named an alias, with the
  // alias name's wildcards resolved and its suffix ("outer.call"); "" when
  // no alias led here (then pn() is pp(), as in stap).
  std::string scriptPoint;
  std::string synthesizedFor;                  // a probe pass 2 made: what for
  std::unique_ptr<ast::Block> body;            // prologues, condition check, body, epilogues
  const ast::Expr* condition = nullptr;        // in the body's leading "if (!(cond)) next"; null: none
  std::vector<std::unique_ptr<Variable>> locals;
  const ast::ProbeDecl* origin = nullptr;
  size_t index = 0;  // declaration order
};

// The runtime limits, stap's defaults overridden by -D NAME=VALUE; carried
// to pass 3, which also passes every -D on to the C compiler.
struct RuntimeLimits {
  int64_t maxMapEntries = 2048;                // rows in one global array
  int64_t maxStringLen = 512;                  // bytes in a string, its NUL included (stap's 64-bit default)
  int64_t maxAction = 1000;                    // statements per probe hit
  int64_t maxNesting = 10;                     // nested function calls
  int64_t maxTryLock = 1000;                   // lock attempts before a probe is skipped
  int64_t maxErrors = 0;                       // soft errors tolerated before exit
  int64_t maxSkipped = 100;                    // skipped probes tolerated before exit
  int64_t maxUprobes = 100000;                 // process probe points (breakpoints) in one script
  std::map<std::string, std::string> defines;  // every -D, in name order
};

// What a target expression ($x, @cast, @var) resolved to at its probe's
// point: a recipe, or why there is none (reported unless @defined asks).
struct TargetResolution {
  std::optional<dwarf::TargetValue> value;
  std::string error;
  // The accessors of the expression whose index the recipe reads as a
  // script value (RecipeOp::Input), in input order; decided when it was
  // resolved, so that later folding of an index cannot shift the inputs.
  std::vector<size_t> inputSteps;
  // The module whose DWARF `value`'s type (TargetValue::typeDie) is in,
  // for autocast through the value; null when it has none.
  std::shared_ptr<const dwarf::Module> module;
  // procfs's $value (resolve_procfs.cpp): the probe's text, not a recipe.
  bool procfsValue = false;
};

// The script values a target expression's recipe reads as RecipeOp::Input,
// in input order: @cast's pointer (or the operand of an autocast, "r" in
// "r->x") first, then each index written as an expression (literal
// indexes are in the recipe).
std::vector<const ast::Expr*> targetInputs(const ast::TargetExpr& target, const TargetResolution& resolution);

struct Program {
  std::vector<std::unique_ptr<ast::File>> files;  // the user script first, then tapsets in use
  std::vector<ast::EmbeddedDecl*> embedded;       // top-level %{ %} of the files in use
  std::vector<std::unique_ptr<Variable>> globals;
  std::vector<std::unique_ptr<Function>> functions;
  std::vector<std::unique_ptr<OverloadGroup>> overloads;
  std::vector<std::unique_ptr<Probe>> probes;
  RuntimeLimits limits;
  // --compatible below 1.3: %p is stap's old one (padded to 16 digits).
  bool legacyPointerFormat = false;
  // Copies of functions that read target expressions, each made for the
  // one probe that calls it (cloneTargetFunctions), in the order made.
  std::vector<std::pair<ast::FunctionDecl*, const Probe*>> clones;
  const Probe* cloneOwner(const ast::FunctionDecl* f) const {
    for (const auto& [decl, probe] : clones)
      if (decl == f) return probe;
    return nullptr;
  }

  // Side tables.
  std::unordered_map<const ast::Symbol*, Variable*> variables;
  std::unordered_map<const ast::CallExpr*, OverloadGroup*> calls;
  std::unordered_map<const ast::Expr*, Type> types;
  std::unordered_map<const ast::TargetExpr*, TargetResolution> targets;

  Type typeOf(const ast::Expr& e) const {
    auto it = types.find(&e);
    return it == types.end() ? Type::Unknown : it->second;
  }
};

}  // namespace utap::sema
