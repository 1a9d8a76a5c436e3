// Diagnostics: collected with ranges while a pass runs, rendered afterwards.
//
// A pass reports and carries on where it can; the driver stops the pipeline
// after a pass that reported an error.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/source.h"

namespace utap {

enum class Severity { Error, Warning, Note };

enum class DiagKind {
#define DIAG(name, severity, format) name,
#include "base/diagnostic_kinds.def"
#undef DIAG
};

struct Diagnostic {
  DiagKind kind;
  Severity severity;
  std::string message;
  SourceRange range;  // begin.line == 0: no location
  std::vector<Diagnostic> notes;
};

class Diagnostics {
 public:
  static constexpr size_t kErrorLimit = 50;
  static constexpr size_t kWarningLimit = 50;  // then only counted, like errors

  explicit Diagnostics(const SourceManager& sources) : sources_(sources) {}

  template <typename... Args>
  Diagnostic& report(DiagKind kind, const SourceRange& range, const Args&... args) {
    return add(kind, range, fmt::format(fmt::runtime(formatOf(kind)), args...));
  }
  // A note attached to the last reported diagnostic.
  template <typename... Args>
  void note(DiagKind kind, const SourceRange& range, const Args&... args) {
    if (!all_.empty() && !lastSuppressed_)
      all_.back().notes.push_back(
          {kind, Severity::Note, fmt::format(fmt::runtime(formatOf(kind)), args...), range, {}});
  }

  size_t errorCount() const { return errors_; }  // including those past the limit
  size_t shownErrorCount() const { return errors_ - suppressed_; }
  bool hasErrors() const { return errors_ != 0; }
  bool atErrorLimit() const { return errors_ >= kErrorLimit; }
  const std::vector<Diagnostic>& all() const { return all_; }
  // Errors and warnings past the limits: counted, not kept.
  size_t droppedCount() const { return suppressed_ + suppressedWarnings_; }
  // Reports every diagnostic `other` kept, in order, as if reported here.
  void append(const Diagnostics& other);
  // -w: warnings are dropped as they are reported.
  void suppressWarnings(bool on) { warningsSuppressed_ = on; }
  // -W: a warning that is not suppressed is an error (-w wins, as in stap).
  void warningsAreErrors(bool on) { warningsAreErrors_ = on; }

  // Writes every diagnostic not yet written, gcc style, with the source line
  // and a caret under the range.
  void render(std::FILE* out);
  std::string renderToString();

  static const char* formatOf(DiagKind kind);
  static Severity severityOf(DiagKind kind);

 private:
  Diagnostic& add(DiagKind kind, const SourceRange& range, std::string message);
  void renderOne(std::string& out, const Diagnostic& d);

  const SourceManager& sources_;
  std::vector<Diagnostic> all_;
  size_t errors_ = 0;
  size_t rendered_ = 0;
  // Errors past kErrorLimit are counted, not kept: a pass may go on
  // reporting (every operand of a 100,000-term chain), the user sees 50.
  size_t suppressed_ = 0;
  bool lastSuppressed_ = false;
  bool suppressionReported_ = false;
  bool warningsSuppressed_ = false;
  bool warningsAreErrors_ = false;
  size_t warnings_ = 0;
  size_t suppressedWarnings_ = 0;
  bool warningSuppressionReported_ = false;
  std::unordered_set<std::string> seen_;
  Diagnostic scratch_;
};

}  // namespace utap
