#include "sema/print_format.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

namespace utap::sema {

std::vector<bool> ParsedFormat::valueIsString() const {
  std::vector<bool> out;
  for (const auto& p : pieces) {
    if (p.kind != FormatPiece::Kind::Conversion) continue;
    if (p.width == -2) out.push_back(false);
    if (p.precision == -2) out.push_back(false);
    out.push_back(p.conversion == 's');
  }
  return out;
}

ParsedFormat parseFormat(const std::string& f) {
  ParsedFormat out;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    FormatPiece piece;
    piece.text = std::move(literal);
    out.pieces.push_back(std::move(piece));
    literal.clear();
  };
  auto number = [&](size_t& i) {
    int v = 0;
    while (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i]))) {
      v = std::min(v * 10 + (f[i] - '0'), 1 << 20);
      ++i;
    }
    return v;
  };
  for (size_t i = 0; i < f.size();) {
    if (f[i] != '%') {
      literal += f[i++];
      continue;
    }
    size_t start = i++;
    if (i < f.size() && f[i] == '%') {
      literal += '%';
      ++i;
      continue;
    }
    FormatPiece p;
    p.kind = FormatPiece::Kind::Conversion;
    p.offset = start;
    // stap reads one flag; a '0' after it is part of the width, and a
    // second flag is an error.
    if (i < f.size() && std::strchr("-+ #0", f[i])) p.flags += f[i++];
    if (i < f.size() && std::strchr("-+ #", f[i])) {
      out.error = fmt::format("'{}' after '{}': a conversion takes one flag", f[i], p.flags);
      out.errorOffset = start;
      return out;
    }
    if (i < f.size() && f[i] == '*') {
      p.width = -2;
      ++i;
    } else if (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i]))) {
      p.width = number(i);
    }
    if (i < f.size() && f[i] == '.') {
      ++i;
      if (i < f.size() && f[i] == '*') {
        p.precision = -2;
        ++i;
      } else {
        p.precision = number(i);
      }
    }
    // A C length modifier means nothing here (every value is 64 bits); stap
    // accepts one 'l' and nothing else.
    if (i < f.size() && f[i] == 'l') ++i;
    if (i >= f.size()) {
      out.error = "the format ends inside a conversion; write '%%' for a literal '%'";
      out.errorOffset = start;
      return out;
    }
    char c = f[i++];
    if (std::strchr("hlLjzt", c)) {
      out.error = "a conversion takes one 'l' at most and no other length modifier: every value is 64 bits";
      out.errorOffset = start;
      return out;
    }
    if (!std::strchr("bcdimMopsuxX", c)) {
      out.error = fmt::format("unknown conversion '%{}' in the format; write '%%' for a literal '%'", c);
      out.errorOffset = start;
      return out;
    }
    p.conversion = c;
    flush();
    out.pieces.push_back(std::move(p));
  }
  flush();
  return out;
}

}  // namespace utap::sema
