#include "kbuild/make_log.h"

#include <set>

namespace utap::kbuild {

namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

bool isErrorLine(std::string_view line) {
  return contains(line, ": error: ") || contains(line, ": fatal error: ") || contains(line, ": Error: ") ||
         contains(line, "ERROR: modpost: ") || contains(line, ": undefined reference to ") ||
         contains(line, ": multiple definition of ") || contains(line, "*** No rule to make target");
}

// gcc's "file: In function 'f':" and ld's "ld: x.o: in function `f':"
// introduce the errors below them.
bool isContextLine(std::string_view line) {
  return contains(line, ": In function ") || contains(line, ": At top level:") || contains(line, ": in function `");
}

// gcc's source excerpt under a diagnostic: "    3 |   x = 1;" and the caret line.
bool isExcerptLine(std::string_view line) { return !line.empty() && line[0] == ' ' && contains(line, " | "); }

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string rewritePaths(std::string text, const std::vector<std::pair<std::string, std::string>>& pathMap) {
  for (const auto& [from, to] : pathMap) {
    if (from.empty()) continue;
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

std::string failureExcerpt(std::string_view log, const std::vector<std::pair<std::string, std::string>>& pathMap,
                           size_t maxErrors) {
  std::vector<std::string_view> lines = splitLines(log);
  std::string out;
  size_t errors = 0, shown = 0;
  std::string_view lastContext;
  // One macro misused in ten functions is one error to read, not ten.
  std::set<std::string_view> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!isErrorLine(lines[i])) continue;
    ++errors;
    if (shown == maxErrors || !seen.insert(lines[i]).second) continue;
    ++shown;
    if (i > 0 && isContextLine(lines[i - 1]) && lines[i - 1] != lastContext) {
      lastContext = lines[i - 1];
      out += std::string(lastContext) + "\n";
    }
    out += std::string(lines[i]) + "\n";
    for (size_t j = i + 1; j < lines.size() && j <= i + 6 && isExcerptLine(lines[j]); ++j)
      out += std::string(lines[j]) + "\n";
  }
  if (errors > shown) out += "... and " + std::to_string(errors - shown) + " more errors\n";
  if (errors == 0) {
    // Nothing recognizable: the end of the log is where make stopped.
    size_t from = lines.size() > 12 ? lines.size() - 12 : 0;
    for (size_t i = from; i < lines.size(); ++i)
      if (!lines[i].empty()) out += std::string(lines[i]) + "\n";
  }
  return rewritePaths(out, pathMap);
}

}  // namespace utap::kbuild
