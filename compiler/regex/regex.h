// Regular expressions of the `=~` and `!~` operators, compiled at translate
// time into a program for the runtime's matcher (runtime/core/regex.c, a
// Pike VM). The syntax is POSIX ERE as stap reads it: '\' escapes any byte,
// also inside brackets; no back-references ("\1" is the byte '1').
//
// Matching, as stap's results show it: the leftmost match, and of those the
// longest; its groups come from the path that prefers, at the first place
// two paths differ, another iteration of '*', '+', '?' and '{m,n}' (greedy)
// and the earlier alternative of '|'.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace utap::regex {

// One instruction; the runtime's struct utap_regex_insn has the same fields.
struct Insn {
  enum class Op : uint8_t {
    Byte,       // consume `byte`
    Class,      // consume a byte of class `x`
    Any,        // consume any byte
    Split,      // go on at `x` and, with lower priority, at `y`
    Jump,       // go on at `x`
    Save,       // record the position in slot `x` (2n: group n starts, 2n+1: it ends)
    LineStart,  // only at the start of the subject ('^')
    LineEnd,    // only at its end ('$')
    Match,
  };
  Op op;
  uint8_t byte = 0;
  uint16_t x = 0, y = 0;
};

// A set of bytes: bit b of word b / 64.
using ByteSet = std::array<uint64_t, 4>;

struct Program {
  std::vector<Insn> insns;
  std::vector<ByteSet> classes;
  unsigned groups = 1;     // ngroups(): the parenthesized groups and the whole match
  bool anchored = false;   // every match starts at the subject's start
  // Instructions that consume a byte or match: how many threads can be alive at once.
  unsigned threads() const;
  // Bytes of scratch one match needs (runtime/core/regex.c, utap_regex_work_size()).
  size_t workSize() const;
};

struct Error {
  size_t position = 0;  // byte offset in the pattern
  std::string message;  // stap's wording where it has one
};

// Limits that keep a match's time and scratch memory bounded.
inline constexpr unsigned kMaxGroups = 64;           // the whole match included: UTAP_REGEX_MAX_GROUPS
inline constexpr unsigned kMaxRepeat = 1000;         // m and n of {m,n}
inline constexpr size_t kMaxInsns = 10000;           // instructions of one program
inline constexpr size_t kMaxWorkSize = 64 * 1024;    // scratch bytes of one match

struct Compiled {
  std::optional<Program> program;
  std::optional<Error> error;
};

Compiled compile(std::string_view pattern);

}  // namespace utap::regex
