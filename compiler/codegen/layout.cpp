#include "codegen/layout.h"

#include <set>

namespace utap::codegen {

namespace {

// C keywords and names the runtime's macros use, which a script may use as
// variable names.
bool reserved(const std::string& name) {
  static const std::set<std::string> words = {
      "auto",     "break",  "case",     "char",    "const",   "continue", "default", "do",     "double",  "else",
      "enum",     "extern", "float",    "for",     "goto",    "if",       "inline",  "int",    "long",    "register",
      "restrict", "return", "short",    "signed",  "sizeof",  "static",   "struct",  "switch", "typedef", "union",
      "unsigned", "void",   "volatile", "while",   "bool",    "true",     "false",   "asm",    "typeof",  "c",
      "l",        "ret",    "out",      "current", "jiffies", "NULL"};
  return words.count(name) || name.rfind("__", 0) == 0 || name.rfind("tmp", 0) == 0;
}

}  // namespace

std::string Layout::local(const std::string& scriptName) {
  return reserved(scriptName) ? scriptName + "_" : scriptName;
}

Layout::Layout(const sema::Program& program) {
  std::set<std::string> taken;
  auto unique = [&](std::string name) {
    std::string candidate = name;
    for (int i = 2; !taken.insert(candidate).second; ++i) candidate = name + "_" + std::to_string(i);
    return candidate;
  };
  for (const auto& g : program.globals) globals_[g.get()] = unique("global_" + g->name);
  for (const auto& group : program.overloads) {
    std::string base = "function_" + group->name;
    if (program.overloads.size() > 1) {
      // Another arity of the same name is another function.
      size_t same = 0;
      for (const auto& other : program.overloads) same += other->name == group->name;
      if (same > 1) base += "_" + std::to_string(group->arity);
    }
    if (group->members.size() == 1) {
      groups_[group.get()] = functions_[group->members[0]] = unique(base);
      continue;
    }
    groups_[group.get()] = unique(base);
    for (size_t i = 0; i < group->members.size(); ++i)
      functions_[group->members[i]] = unique(base + "__" + std::to_string(i));
  }
}

}  // namespace utap::codegen
