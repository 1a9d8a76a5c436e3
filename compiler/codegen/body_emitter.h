// Emits one body (a probe's or a function's) as C statements. Locals and
// string temporaries live in the body's frame struct (`l->...`), which the
// runtime keeps in the probe's context, not on the kernel stack.
//
// Control flow: a script error sets c->error; the code that raised it jumps
// to the innermost error label: the body's `out`, or a try's catch. Every
// statement counts against MAXACTION.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "base/diagnostics.h"
#include "codegen/c_writer.h"
#include "codegen/layout.h"
#include "codegen/regex_table.h"
#include "codegen/targets.h"
#include "sema/program.h"

namespace utap::codegen {

// The members of a frame struct, in order.
struct Frame {
  struct Member {
    std::string type;  // "int64_t" or "utap_string_t"
    std::string name;
  };
  std::vector<Member> members;
  int temps = 0;

  std::string add(const std::string& type, const std::string& name) {
    members.push_back({type, name});
    return name;
  }
  // A fresh string temporary: "l->tmp3".
  std::string stringTemp() { return "l->" + add("utap_string_t", "tmp" + std::to_string(temps++)); }
};

class BodyEmitter {
 public:
  // `sortSlots`: sorted foreach loops so far per array, for the whole
  // module (each loop gets its own sort index in the map).
  BodyEmitter(const sema::Program& program, const SourceManager& sources, Diagnostics& diags, const Layout& layout,
              CWriter& out, Frame& frame, const sema::Function* function,
              std::unordered_map<const sema::Variable*, int>& sortSlots, RegexTables& regexes);

  void stmt(const ast::Stmt& s);
  // A C expression for a script expression: int64_t, or const char * for strings.
  std::string expr(const ast::Expr& e);
  // Where an error goes from here.
  const std::string& errorLabel() const { return errorLabels_.back(); }
  // Where the body's target expressions and @entry values are (a probe's
  // body with target expressions needs them).
  void setTargets(const TargetSlots* targets) { targets_ = targets; }

 private:
  // statements (emit_stmt.cpp)
  void block(const ast::Block& b);
  void foreachStmt(const ast::ForeachStmt& n);
  void tryStmt(const ast::TryStmt& n);
  void deleteStmt(const ast::DeleteStmt& n);
  void returnStmt(const ast::ReturnStmt& n);
  void loopBody(const ast::Stmt& body, const std::string& breakLabel, const std::string& continueLabel);

  // expressions (emit_expr.cpp)
  std::string symbol(const ast::Symbol& n);
  std::string binary(const ast::BinaryExpr& n);
  std::string assign(const ast::AssignExpr& n);
  std::string incDec(const ast::IncDecExpr& n);
  std::string call(const ast::CallExpr& n);
  std::string print(const ast::PrintCall& n);
  std::string regexMatch(const ast::BinaryExpr& n);  // emit_regex.cpp

  // target expressions and @entry (emit_target.cpp)
  std::string target(const ast::TargetExpr& n);
  std::string targetAssign(const ast::AssignExpr& n, const ast::TargetExpr& target);
  std::string entry(const ast::SpecialExpr& n);
  std::string targetInputs(const ast::TargetExpr& n, std::string& prologue);
  const TargetSlot* slotOf(const ast::TargetExpr& n) const;
  bool isProcfsValue(const ast::TargetExpr& n) const;

  // arrays and statistics (emit_aggregate.cpp)
  std::string keys(const sema::Variable& v, const std::vector<ast::ExprPtr>& keys, std::string& name, unsigned& mask);
  std::string frameKeys(const sema::Variable& v, const std::vector<ast::ExprPtr>& keys, const std::string& name,
                        unsigned& mask);
  void histogramForeach(const ast::ForeachStmt& n, const ast::StatExpr& hist);
  std::string overflowCheck(const std::string& call, const std::string& map, const ast::Node& n);
  std::string variableNameOf(const ast::Node& n) const;
  std::string indexRead(const ast::IndexExpr& n);
  std::string indexAssign(const ast::AssignExpr& n, const ast::IndexExpr& target);
  std::string indexIncDec(const ast::IncDecExpr& n, const ast::IndexExpr& target);
  std::string inExpr(const ast::InExpr& n);
  std::string statData(const ast::StatExpr& n);
  std::string histOf(const ast::StatExpr& n);
  std::string statExpr(const ast::StatExpr& n);
  std::string aggregate(const ast::AssignExpr& n);
  std::string printHistogram(const ast::StatExpr& n, const std::string& sink);
  std::string checked(const std::string& cexpr, const std::string& type, const std::string& near);
  std::string near(const std::string& what, const ast::Node& n) const;
  std::string nearOperator(const std::string& spelling, const ast::Node& lhs, const ast::Node& whole) const;
  std::string nearTarget(const ast::TargetExpr& n) const;
  sema::Type typeOf(const ast::Expr& e) const { return program_.typeOf(e); }
  const sema::Variable* variableOf(const ast::Expr& e) const;
  std::string storage(const sema::Variable& v) const;
  std::string label(const std::string& base) { return base + std::to_string(labels_++); }

  // A construct pass 3 cannot translate yet: reported, and "0" stands in so
  // that emission goes on to find the others.
  std::string unsupported(const ast::Node& n, const std::string& what);

  const sema::Program& program_;
  const SourceManager& sources_;
  Diagnostics& diags_;
  const Layout& layout_;
  CWriter& out_;
  Frame& frame_;
  const sema::Function* function_;
  std::vector<std::string> errorLabels_{"out"};
  std::vector<std::pair<std::string, std::string>> loops_;  // break, continue labels
  int labels_ = 0;
  std::unordered_map<const sema::Variable*, int>& sortSlots_;
  RegexTables& regexes_;
  const TargetSlots* targets_ = nullptr;
};

}  // namespace utap::codegen
