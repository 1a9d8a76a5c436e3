// The preprocessor: @define macros, %( %? %: %) conditionals and script
// arguments ($1, @1, $#, @#), applied to a file's tokens left to right as
// stap does: only the chosen branch of a conditional defines or expands
// macros (stap's manual says macros come first, but stap 4.8 ignores the
// untaken branch, and scripts rely on that).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "parse/token.h"

namespace utap::parse {

// What preprocessor conditions can ask about.
struct PreprocessorConfig {
  std::vector<std::string> args;          // script arguments
  std::string kernelRelease;              // kernel_vr, e.g. "6.1.0-56-amd64"
  std::string arch = "x86_64";
  std::string runtime = "kernel";
  std::string compatVersion = "4.8";      // systemtap_v
  std::string privilege = "stapdev";      // systemtap_privilege
  bool guru = false;  // guru_mode; also allows embedded C, @const, @kderef, @kregister
  // Value of a kernel CONFIG_ option ("y", "m", a string), "" when unset.
  std::function<std::string(const std::string&)> kernelConfig;
};

struct Macro {
  std::string name;
  std::vector<std::string> params;
  bool hasParamList = false;  // "@define f() %( %)" takes "()" when used
  Tokens body;
  SourceRange defined;
};

// Macros visible to a file: its own, and the library's (.stpm files).
struct MacroTable {
  std::map<std::string, Macro> macros;
  const Macro* find(const std::string& name) const;
};

// Macro definitions and uses, one at a time, for a caller that walks the
// tokens (the preprocessor, which also resolves conditionals on the way).
class MacroExpander {
 public:
  // Preprocesses `in` (moving its tokens) into `out`: what a macro's
  // arguments and its substituted body go through.
  using Process = std::function<void(Tokens& in, Tokens& out)>;

  MacroExpander(MacroTable& local, const MacroTable* library, SourceManager& sources, Diagnostics& diags);

  bool isDefinition(const Token& t) const;  // "@define", outside any expansion
  bool isUse(const Token& t) const;         // "@name" of a known macro, or an unknown one
  // "@define NAME [(P, ...)] %( BODY %)" at `at`: records it; returns the index after it.
  size_t define(const Tokens& in, size_t at, size_t end);
  // The use at `at`: its expansion, processed, goes to `out`; returns the index after it.
  size_t use(const Tokens& in, size_t at, size_t end, Tokens& out, const Process& process);
  // Reports an expansion that has grown too large.
  void checkSize(const Tokens& out);
  bool failed() const { return failed_; }

 private:
  const Macro* find(const std::string& name) const;

  MacroTable& local_;
  const MacroTable* library_;
  SourceManager& sources_;
  Diagnostics& diags_;
  std::vector<std::string> active_;  // macros being expanded, to catch recursion
  bool failed_ = false;
};

// Preprocesses a file's tokens in stap's order, left to right: a
// conditional keeps its chosen branch (and only that branch's @define and
// macro uses count), @define records, a macro use expands (its arguments
// and body preprocessed in turn), script arguments are substituted.
Tokens preprocess(Tokens in, const PreprocessorConfig& config, MacroTable& local, const MacroTable* library,
                  SourceManager& sources, Diagnostics& diags);

// Only the macro part: removes @define blocks (adding them to `local`) and
// expands macro uses.
Tokens expandMacros(Tokens in, MacroTable& local, const MacroTable* library, SourceManager& sources,
                    Diagnostics& diags);

// Only the conditional part: keeps the chosen branch of each conditional
// and substitutes script arguments in what is kept.
Tokens resolveConditionals(Tokens in, const PreprocessorConfig& config, SourceManager& sources,
                           Diagnostics& diags);

// The kernel_v part of a release: "6.1.0-56-amd64" -> "6.1.0".
std::string kernelVersionOf(const std::string& release);

}  // namespace utap::parse
