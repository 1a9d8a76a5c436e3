#include "base/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace utap {

namespace {

struct KindInfo {
  Severity severity;
  const char* format;
};

constexpr KindInfo kKinds[] = {
#define DIAG(name, severity, format) {Severity::severity, format},
#include "base/diagnostic_kinds.def"
#undef DIAG
};

const char* severityWord(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

// Number of code points in a UTF-8 string.
size_t codePoints(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

// The byte offset where code point number `column` (1-based) starts, or the
// line's size when it is shorter.
size_t byteOffsetOfColumn(std::string_view line, uint32_t column) {
  uint32_t cp = 1;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (cp++ == column) return i;
  }
  return line.size();
}

// The prefix of `line` that ends before code point number `column` (1-based),
// with everything but tabs turned into spaces, so a caret lines up.
std::string padTo(std::string_view line, uint32_t column) {
  std::string pad;
  uint32_t cp = 1;
  for (size_t i = 0; i < line.size() && cp < column; ++i) {
    unsigned char c = line[i];
    if ((c & 0xC0) == 0x80) continue;
    pad += c == '\t' ? '\t' : ' ';
    ++cp;
  }
  while (cp++ < column) pad += ' ';
  return pad;
}

}  // namespace

const char* Diagnostics::formatOf(DiagKind kind) { return kKinds[static_cast<int>(kind)].format; }
Severity Diagnostics::severityOf(DiagKind kind) { return kKinds[static_cast<int>(kind)].severity; }

Diagnostic& Diagnostics::add(DiagKind kind, const SourceRange& range, std::string message) {
  Severity severity = severityOf(kind);
  // The same code checked twice (an alias body copied into every probe it
  // expands to) reports once.
  std::string key = fmt::format("{}:{}:{}:{}:{}:{}", static_cast<int>(kind), range.begin.file, range.begin.line,
                                range.begin.column, range.expansion, message);
  if (!seen_.insert(std::move(key)).second) {
    lastSuppressed_ = true;
    scratch_ = {kind, severity, std::move(message), range, {}};
    return scratch_;
  }
  if (severity == Severity::Warning && (warningsSuppressed_ || warnings_ >= kWarningLimit)) {
    if (!warningsSuppressed_) ++suppressedWarnings_;
    lastSuppressed_ = true;
    scratch_ = {kind, severity, std::move(message), range, {}};
    return scratch_;
  }
  if (severity == Severity::Warning && warningsAreErrors_) {
    severity = Severity::Error;
    message += " [-W makes warnings errors]";
  }
  if (severity == Severity::Warning) ++warnings_;
  lastSuppressed_ = errors_ >= kErrorLimit;
  if (severity == Severity::Error) ++errors_;
  if (lastSuppressed_) {
    if (severity == Severity::Error) ++suppressed_;
    scratch_ = {kind, severity, std::move(message), range, {}};
    return scratch_;
  }
  all_.push_back({kind, severity, std::move(message), range, {}});
  return all_.back();
}

void Diagnostics::append(const Diagnostics& other) {
  for (const Diagnostic& d : other.all_) {
    Diagnostic& added = add(d.kind, d.range, d.message);
    if (!lastSuppressed_) added.notes = d.notes;
  }
}

void Diagnostics::renderOne(std::string& out, const Diagnostic& d) {
  const SourceLoc& b = d.range.begin;
  if (b.valid())
    out += fmt::format("{}: {}: {}\n", sources_.format(b), severityWord(d.severity), d.message);
  else
    out += fmt::format("utap: {}: {}\n", severityWord(d.severity), d.message);
  if (b.valid()) {
    std::string_view line = sources_.lineText(b.file, b.line);
    uint32_t column = b.column;
    // A very long line (generated code, a one-line file) is shown as a
    // window around the column.
    constexpr uint32_t kWindow = 120;
    std::string prefix, suffix;
    if (codePoints(line) > 2 * kWindow) {
      uint32_t from = column > kWindow / 2 ? column - kWindow / 2 : 1;
      size_t start = byteOffsetOfColumn(line, from);
      size_t end = byteOffsetOfColumn(line, from + kWindow);
      if (from > 1) prefix = "...";
      if (end < line.size()) suffix = "...";
      line = line.substr(start, end - start);
      column = column - from + 1 + static_cast<uint32_t>(prefix.size());
    }
    std::string gutter = fmt::format("{:>5} | ", b.line);
    out += gutter + prefix;
    out += line;
    out += suffix + "\n";
    size_t width = 1;
    const SourceLoc& e = d.range.end;
    if (e.valid() && e.file == b.file && e.line == b.line && e.column >= b.column)
      width = std::min<size_t>(e.column - b.column + 1, kWindow);
    std::string shown = prefix + std::string(line);
    width =
        std::min(width, std::max<size_t>(1, codePoints(shown) + 1 - std::min<size_t>(column - 1, codePoints(shown))));
    out += std::string(gutter.size() - 2, ' ') + "| " + padTo(shown, column) + "^" + std::string(width - 1, '~') + "\n";
  }
  // Walk back through macro and argument expansions.
  for (ExpansionId id = d.range.expansion; id != 0;) {
    const Expansion& x = sources_.expansion(id);
    out += fmt::format("{}: note: in {}\n", sources_.format(x.site.begin), x.what);
    id = x.site.expansion;
  }
  for (const Diagnostic& n : d.notes) renderOne(out, n);
}

std::string Diagnostics::renderToString() {
  // In source order: a pass may find errors out of order (the operands of
  // "a = 1 = 2" are checked as the expression is folded).
  std::stable_sort(all_.begin() + rendered_, all_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const SourceLoc& x = a.range.begin;
    const SourceLoc& y = b.range.begin;
    if (x.valid() != y.valid()) return x.valid();
    return std::tie(x.file, x.line, x.column) < std::tie(y.file, y.line, y.column);
  });
  std::string out;
  for (; rendered_ < all_.size(); ++rendered_) renderOne(out, all_[rendered_]);
  if (suppressed_ && !suppressionReported_) {
    out += fmt::format("utap: note: {} more error(s) not shown; fix the first ones and try again\n", suppressed_);
    suppressionReported_ = true;
  }
  if (suppressedWarnings_ && !warningSuppressionReported_) {
    out += fmt::format("utap: note: {} more warning(s) not shown; -w hides warnings\n", suppressedWarnings_);
    warningSuppressionReported_ = true;
  }
  return out;
}

void Diagnostics::render(std::FILE* out) {
  std::string text = renderToString();
  std::fwrite(text.data(), 1, text.size(), out);
}

}  // namespace utap
