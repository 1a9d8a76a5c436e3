// Reading a kernel log for signs that the kernel went wrong. Every run-time
// test checks this (DESIGN.md, "Testing"): a module that survives its test but
// leaves a WARNING behind has still failed.
#include <regex>
#include <sstream>

#include "vm/guest.h"

namespace utap::vm {

std::vector<std::string> kernelProblemLines(const std::string& log) {
  // Whole words, so "DEBUG" or "WARNINGS" in a module's own message do not count.
  static const std::regex problem(R"(\b(BUG|WARNING|Oops|general protection|KASAN|Call Trace|Kernel panic)\b)");
  std::vector<std::string> lines;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_search(line, problem)) lines.push_back(line);
  }
  return lines;
}

}  // namespace utap::vm
