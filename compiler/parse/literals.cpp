#include "parse/literals.h"

#include <cctype>

#include <fmt/format.h>

namespace utap::parse {

NumberResult decodeNumber(const std::string& text) {
  NumberResult r;
  unsigned base = 10;
  size_t i = 0;
  if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    i = 2;
    if (i == text.size()) {
      r.problem = "hexadecimal digits must follow '0x'";
      return r;
    }
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    i = 1;
  }
  unsigned __int128 value = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    unsigned digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                     : std::isxdigit(static_cast<unsigned char>(c)) ? (std::tolower(c) - 'a' + 10)
                                                                    : 99;
    if (digit >= base) {
      if (digit < 16 && base == 8)
        r.problem = fmt::format("'{}' is not an octal digit (a leading 0 means octal)", c);
      else
        r.problem = fmt::format("unexpected '{}' in a {} number; C type suffixes are not used",
                                c, base == 16 ? "hexadecimal" : base == 8 ? "octal" : "decimal");
      return r;
    }
    value = value * base + digit;
    if (value > UINT64_MAX) {
      r.tooLarge = true;
      return r;
    }
  }
  r.value = static_cast<int64_t>(static_cast<uint64_t>(value));
  return r;
}

std::string decodeString(const std::string& quoted) {
  std::string out;
  size_t end = quoted.size() - 1;  // the closing quote
  for (size_t i = 1; i < end; ++i) {
    char c = quoted[i];
    if (c != '\\' || i + 1 >= end) {
      out += c;
      continue;
    }
    char e = quoted[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        unsigned v = 0;
        int n = 0;
        while (n < 2 && i + 1 < end && std::isxdigit(static_cast<unsigned char>(quoted[i + 1]))) {
          char h = quoted[++i];
          v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(h) - 'a' + 10);
          ++n;
        }
        if (n == 0)
          out += 'x';
        else
          out += static_cast<char>(v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          unsigned v = e - '0';
          for (int n = 1; n < 3 && i + 1 < end && quoted[i + 1] >= '0' && quoted[i + 1] <= '7'; ++n)
            v = v * 8 + (quoted[++i] - '0');
          out += static_cast<char>(v & 0xFF);
        } else {
          out += e;  // \\ \" \' \? and unknown escapes
        }
    }
  }
  return out;
}

}  // namespace utap::parse
