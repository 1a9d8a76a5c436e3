// C names for what a program declares, decided once for the whole module
// so that every emitter agrees: globals, functions (overloads), probes, and
// the members of each body's frame of locals.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "sema/program.h"

namespace utap::codegen {

class Layout {
 public:
  explicit Layout(const sema::Program& program);

  const std::string& global(const sema::Variable& v) const { return globals_.at(&v); }
  // A local's or parameter's member in its frame struct ("count", or "int_"
  // for a name C reserves).
  static std::string local(const std::string& scriptName);
  const std::string& function(const sema::Function& f) const { return functions_.at(&f); }
  // What a call of the group calls: the only member, or a dispatcher that
  // tries the members in order while they `next`.
  const std::string& group(const sema::OverloadGroup& g) const { return groups_.at(&g); }
  static std::string probe(size_t index) { return "probe_" + std::to_string(index); }

 private:
  std::unordered_map<const sema::Variable*, std::string> globals_;
  std::unordered_map<const sema::Function*, std::string> functions_;
  std::unordered_map<const sema::OverloadGroup*, std::string> groups_;
};

}  // namespace utap::codegen
