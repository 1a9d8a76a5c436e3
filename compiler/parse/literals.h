// Decoding of number and string literals, with stap's rules: C notation,
// 64-bit values where 2^63..2^64-1 wrap around, C escapes in strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace utap::parse {

struct NumberResult {
  std::optional<int64_t> value;
  bool tooLarge = false;
  std::string problem;  // why it is invalid, when value is empty and !tooLarge
};

NumberResult decodeNumber(const std::string& text);

// `quoted` includes the quotes. Unknown escapes stand for the character
// itself ("\q" is "q"), as in stap.
std::string decodeString(const std::string& quoted);

}  // namespace utap::parse
