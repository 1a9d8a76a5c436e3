// The module's compiled regexes: one static const `struct utap_regex` per
// distinct pattern of `=~` and `!~` (runtime/include/utap/regex.h), named
// regex_0, regex_1, ... in order of first use.
#pragma once

#include <string>
#include <vector>

#include "regex/regex.h"

namespace utap::codegen {

class RegexTables {
 public:
  // The C name of `pattern`'s table, compiled on first use; "" when it does
  // not compile (pass 2 reported it).
  std::string use(const std::string& pattern);
  // Every table, for the top of the module.
  std::string definitions() const;
  // A C expression for the scratch bytes of the largest match, or "0".
  std::string workSize() const;

 private:
  struct Table {
    std::string pattern;
    std::string name;
    regex::Program program;
  };
  std::vector<Table> tables_;
};

}  // namespace utap::codegen
