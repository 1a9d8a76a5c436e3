// Target expressions in pass 3: where a handler finds the value of each
// $x, @cast(...) and @entry(...) it reads, and the recipe tables the
// runtime runs to get them (runtime/include/utap/uprobes.h).
//
// A handler's target expressions are numbered in the order a traversal of
// its body meets them; every probe point the handler serves lists its
// recipes in that order, so one handler serves any number of points.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "base/diagnostics.h"
#include "codegen/c_writer.h"
#include "sema/program.h"

namespace utap::codegen {

// Every target expression of a body, in traversal order.
std::vector<const ast::TargetExpr*> targetsOf(const ast::Node& body);
// Every @entry(...) of a body, in traversal order.
std::vector<const ast::SpecialExpr*> entriesOf(const ast::Node& body);

// What the body emitter needs to read one target expression.
struct TargetSlot {
  std::string recipe;   // C expression of its const struct utap_target *
  std::string fetched;  // lvalue of its struct utap_fetched when read ahead; "" when read in place
  std::string buffer;   // a string read ahead: its buffer
};

struct TargetSlots {
  std::unordered_map<const ast::TargetExpr*, TargetSlot> slots;
  // @entry(e) in a .return body: the lvalue its entry hit saved e in.
  std::unordered_map<const ast::SpecialExpr*, std::string> entries;
};

// Whether `target` is read ahead, before the handler's locks: it needs no
// script value (an index expression, @cast's operand).
bool readAhead(const ast::TargetExpr& target, const sema::TargetResolution& resolution);

// The C tables of recipes: each distinct recipe and target list once.
class RecipeTables {
 public:
  explicit RecipeTables(Diagnostics& diags) : diags_(diags) {}
  // The name of a `static const struct utap_target NAME[]` listing the
  // values of `targets` (null when `targets` is empty). `where` locates
  // a problem (a recipe step the runtime cannot run).
  std::string targetList(const std::vector<const ast::TargetExpr*>& targets, const sema::Program& program);
  // Definitions, in dependency order.
  std::string definitions() const { return out_.text(); }

 private:
  std::string recipe(const dwarf::ValueRecipe& recipe, const ast::Node& where);
  std::string parts(const std::vector<dwarf::PrettyPart>& parts, const ast::Node& where);
  // `static const TYPE NAME[] = { ROWS };` once per distinct ROWS: its NAME.
  std::string define(const std::string& type, const std::string& prefix, const std::string& rows,
                     const std::string& comment);

  Diagnostics& diags_;
  CWriter out_;
  std::map<std::string, std::string> names_;  // initializer text → name
};

}  // namespace utap::codegen
