// UTF-8 validity, shared by the lexer (which rejects invalid scripts) and the
// printer (which must escape every byte the lexer would reject).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace utap {

// Length of the valid UTF-8 sequence at the start of `s` (1 for ASCII), or 0
// when it is not one: a stray continuation byte, a truncated sequence, an
// overlong form, a surrogate, or a value past U+10FFFF.
inline size_t utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  auto c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return 1;
  size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || len > s.size()) return 0;
  uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return len;
}

}  // namespace utap
