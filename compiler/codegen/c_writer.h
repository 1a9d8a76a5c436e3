// Writes C source a person can read: kernel-style indentation with tabs,
// blocks, and comments that point back at the script.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/source.h"

namespace utap::codegen {

class CWriter {
 public:
  // One line at the current indentation.
  void line(std::string_view text);
  void blank();
  // "head {" ... "}" (the caller writes the contents between).
  void open(std::string_view head);
  void close(std::string_view tail = "");
  // A label or a preprocessor line: at the start of the line, kernel style.
  void flush(std::string_view text);
  // A line between two blocks at the outer level: "} else {".
  void chain(std::string_view text);
  // A comment naming a script location: "/* x.stp:3:5 */".
  void where(const SourceManager& sources, const SourceRange& range);

  int indent() const { return indent_; }
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  int indent_ = 0;
};

// A C string literal for `bytes` (escapes everything that is not printable
// ASCII, so the literal is the exact bytes).
std::string cString(std::string_view bytes);

// A C literal for a long: "42LL"; INT64_MIN, which has no literal, as an expression.
std::string cNumber(int64_t value);

}  // namespace utap::codegen
