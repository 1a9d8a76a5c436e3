// Helpers shared by the pass-1 unit tests: parse a script with a known
// configuration and look at its dump, its printed form or its diagnostics.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "ast/printer.h"
#include "base/diagnostics.h"
#include "base/source.h"
#include "parse/parser.h"
#include "parse/preprocessor.h"
#include "sema/elaborate.h"

namespace utap::test {

// The kernel the tests pretend to compile for: a made-up release, so that
// no test follows the builds Debian ships.
inline constexpr const char* kRelease = "6.1.0-99-amd64";

// A fixed set of CONFIG_ options: y/m/string/numeric values.
std::string fakeKernelConfig(const std::string& name);

// Options with kRelease, x86_64 and fakeKernelConfig.
parse::ParseOptions defaultOptions();

// The result of parsing one script. Owns the sources, so the diagnostics
// stay valid.
struct Parsed {
  std::unique_ptr<SourceManager> sources;
  std::unique_ptr<Diagnostics> diags;
  std::unique_ptr<ast::File> file;
  std::string rendered;  // every diagnostic, rendered

  bool ok() const { return file != nullptr; }
  size_t errors() const { return diags->shownErrorCount(); }
  const std::vector<Diagnostic>& all() const { return diags->all(); }
  bool has(DiagKind kind) const;
  std::string dump() const { return file ? ast::dumpFile(*file) : "ERROR: " + rendered; }
  std::string print() const { return file ? ast::printFile(*file) : "ERROR: " + rendered; }
  // The first diagnostic's message ("" when there is none).
  std::string firstMessage() const;
};

Parsed parseScript(const std::string& text, const parse::ParseOptions& options = defaultOptions(),
                   const std::string& name = "t.stp");
Parsed parseWithArgs(const std::string& text, std::vector<std::string> args);

// dumpFile of the script, or "ERROR: <diagnostics>".
std::string dumpOf(const std::string& text, const parse::ParseOptions& options = defaultOptions());

// The statements of "probe begin { BODY }", each dumped, joined with " ; ";
// or "ERROR: <first diagnostic line>".
std::string bodyDump(const std::string& body, const parse::ParseOptions& options = defaultOptions());

// The dump of EXPR when "probe begin { EXPR }" holds exactly one expression
// statement; otherwise what bodyDump gives.
std::string exprDump(const std::string& expr, const parse::ParseOptions& options = defaultOptions());

// The dump of EXPR as the right side of "r = EXPR" (statements never start
// with '(', '-', '+', '[', '&' or a string, so an expression is tested where
// any expression may stand); or "ERROR: <first diagnostic line>".
std::string rhsDump(const std::string& expr, const parse::ParseOptions& options = defaultOptions());

// The first line of the rendered diagnostics of a script that must fail
// ("OK" when it parsed).
std::string errorOf(const std::string& text, const parse::ParseOptions& options = defaultOptions());

// Runs `work` on a 256 MiB stack, like the driver's front end.
void onLargeStack(const std::function<void()>& work);

// A script elaborated in-process (pass 2, on a large stack); `program` is
// null when it reported errors.
struct Elaborated {
  std::unique_ptr<SourceManager> sources;
  std::unique_ptr<Diagnostics> diags;
  std::unique_ptr<sema::Program> program;
  std::string rendered;  // every diagnostic, rendered
};
Elaborated elaborateScript(const std::string& script, const sema::ElaborateOptions& options);

// Reads a file of the source tree (relative to UTAP_SOURCE_DIR).
std::string readSourceFile(const std::string& relative);

}  // namespace utap::test
