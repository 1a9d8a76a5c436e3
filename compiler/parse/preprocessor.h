// The preprocessor: @define macros, %( %? %: %) conditionals and script
// arguments ($1, @1, $#, @#), applied to a file's tokens in stap's order:
// macros first (in both branches of every conditional), then conditionals,
// then the arguments in what remains.
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

// Removes @define blocks (adding them to `local`) and expands macro uses.
Tokens expandMacros(Tokens in, MacroTable& local, const MacroTable* library, SourceManager& sources,
                    Diagnostics& diags);

// Keeps the chosen branch of each conditional and substitutes script
// arguments in what is kept. With `keepMacroBodies` (for .stpm files, where
// conditionals may surround definitions), @define blocks pass untouched.
Tokens resolveConditionals(Tokens in, const PreprocessorConfig& config, SourceManager& sources,
                           Diagnostics& diags, bool keepMacroBodies = false);

// The kernel_v part of a release: "6.1.0-56-amd64" -> "6.1.0".
std::string kernelVersionOf(const std::string& release);

}  // namespace utap::parse
