// printf-style formats as stap defines them: %[flags][width][.precision]conv
// with conversions b c d i m M o p s u x X and %%. Pass 2 type-checks the
// values against the conversions; pass 3 emits them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace utap::sema {

struct FormatPiece {
  enum class Kind { Literal, Conversion };
  Kind kind = Kind::Literal;
  std::string text;  // Literal: the text ("%%" already made '%')
  // Conversion:
  std::string flags;    // any of "-+ #0"
  int width = -1;       // -1: none; -2: '*' (taken from a value)
  int precision = -1;   // -1: none; -2: '*'
  char conversion = 0;  // 'd', 's', ...
  size_t offset = 0;    // byte offset of the '%' in the format
};

struct ParsedFormat {
  std::vector<FormatPiece> pieces;
  std::optional<std::string> error;  // a sentence, when the format is invalid
  size_t errorOffset = 0;

  // The values the format consumes, in order: true for a string, false for a long
  // ('*' widths and precisions take a long each).
  std::vector<bool> valueIsString() const;
};

ParsedFormat parseFormat(const std::string& format);

}  // namespace utap::sema
