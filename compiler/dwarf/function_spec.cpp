// FunctionSpec: parsing "PATTERN[@FILE[:LINE|:FIRST-LAST|:*]]" as
// stapprobes(3stap) writes .function() and .statement() arguments, and
// matching functions against it the way stap 4.8 does.
#include <fnmatch.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// A line number at text[at...]: digits only, at least 1. Sets *end past it.
std::optional<int> parseLine(std::string_view text, size_t at, size_t* end, std::string* error, size_t* column) {
  size_t stop = at;
  while (stop < text.size() && isDigit(text[stop])) ++stop;
  int line = 0;
  auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + stop, line);
  if (stop == at || ec != std::errc()) {
    *error = stop == at ? "expected a line number, a range FIRST-LAST or '*' after ':'"
                        : "the line number is too large";
    *column = at;
    return std::nullopt;
  }
  if (line == 0) {
    *error = "line numbers start at 1";
    *column = at;
    return std::nullopt;
  }
  *end = stop;
  return line;
}

// Where the line part of "FILE:LINES" starts: after the last ':' whose
// remainder looks like a line spec (a file name may itself contain ':'),
// or npos when there is none.
size_t lineColon(std::string_view fileAndLines) {
  size_t colon = fileAndLines.rfind(':');
  if (colon == std::string_view::npos) return colon;
  std::string_view rest = fileAndLines.substr(colon + 1);
  bool lineLike = rest.empty() || rest == "*" || isDigit(rest[0]);
  return lineLike ? colon : std::string_view::npos;
}

}  // namespace

std::optional<FunctionSpec> FunctionSpec::parse(std::string_view text, std::string* error, size_t* errorColumn) {
  FunctionSpec spec;
  size_t at = text.find('@');
  spec.function = std::string(text.substr(0, at));
  if (at == std::string_view::npos) {
    if (spec.function.empty()) {
      *error = "the function name is empty; write a name or a wildcard pattern such as \"*\"";
      *errorColumn = 0;
      return std::nullopt;
    }
    return spec;
  }
  std::string_view fileAndLines = text.substr(at + 1);
  size_t colon = lineColon(fileAndLines);
  std::string_view file = fileAndLines.substr(0, colon);
  if (file.empty()) {
    *error = "a source file name must follow '@'";
    *errorColumn = at + 1;
    return std::nullopt;
  }
  if (file.find('@') != std::string_view::npos) {
    *error = "only one '@' may separate the function from its source file";
    *errorColumn = at + 1 + file.find('@');
    return std::nullopt;
  }
  spec.file = std::string(file);
  if (colon == std::string_view::npos) {
    if (spec.function.empty()) {
      *error = "the function name is empty; write a name or \"*\" before '@'";
      *errorColumn = 0;
      return std::nullopt;
    }
    return spec;
  }
  size_t lines = at + 1 + colon + 1;  // the first byte after ':'
  if (lines == text.size()) {
    *error = "a line number, a range FIRST-LAST or '*' must follow ':'";
    *errorColumn = lines;
    return std::nullopt;
  }
  if (text.substr(lines) == "*") {
    spec.lines = Lines::Every;
    return spec;
  }
  size_t end = 0;
  std::optional<int> first = parseLine(text, lines, &end, error, errorColumn);
  if (!first) return std::nullopt;
  spec.firstLine = spec.lastLine = *first;
  spec.lines = Lines::One;
  if (end < text.size() && text[end] == '-') {
    size_t rangeStart = end + 1;
    std::optional<int> last = parseLine(text, rangeStart, &end, error, errorColumn);
    if (!last) return std::nullopt;
    if (*last < *first) {
      *error = fmt::format("the line range {}-{} ends before it starts", *first, *last);
      *errorColumn = rangeStart;
      return std::nullopt;
    }
    spec.lastLine = *last;
    spec.lines = Lines::Range;
  }
  if (end != text.size()) {
    *error = text[end] == '+' ? "relative line numbers (\"+N\") are not supported; write the line itself"
                              : "unexpected text after the line number";
    *errorColumn = end;
    return std::nullopt;
  }
  return spec;
}

std::vector<std::string> scopeParts(std::string_view name) {
  std::vector<std::string> parts;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    std::string_view rest = name.substr(i);
    // An operator's name runs to the end: nothing follows it in a
    // qualified name, and its '<' or '(' opens nothing.
    if (depth == 0 && i == start && rest.starts_with("operator") &&
        (rest.size() == 8 || !(isalnum(static_cast<unsigned char>(rest[8])) || rest[8] == '_')))
      break;
    char c = name[i];
    if (c == '<' || c == '(') {
      ++depth;
    } else if ((c == '>' || c == ')') && depth > 0) {
      --depth;
    } else if (depth == 0 && rest.starts_with("::")) {
      parts.emplace_back(name.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  parts.emplace_back(name.substr(start));
  return parts;
}

namespace {

bool wildcardMatch(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// A qualified name as stap compares it with a pattern of several parts:
// the global scope is an empty first part, so "*::main" names ::main.
std::vector<std::string> rootedParts(const std::string& name) {
  std::vector<std::string> parts = scopeParts(name);
  parts.insert(parts.begin(), "");
  return parts;
}

}  // namespace

bool sourceFileMatches(const std::string& pattern, const std::string& file) {
  return !file.empty() && (wildcardMatch(pattern, file) || wildcardMatch("*/" + pattern, file));
}

bool matchesSpec(const FunctionSpec& spec, const Function& function) {
  if (!spec.file.empty() && !sourceFileMatches(spec.file, function.declFile)) return false;
  std::string pattern = spec.function.empty() ? "*" : spec.function;
  std::vector<std::string> wanted = scopeParts(pattern);
  // Symbol-table names have no scope DWARF vouches for: "*::*" is not "::_start".
  std::vector<std::string> parts = function.fromSymbolTable ? scopeParts(function.name) : rootedParts(function.name);
  if (wanted.size() == 1) {
    // One part: the function's own name, or its mangled name.
    return wildcardMatch(pattern, parts.back()) ||
           (!function.linkageName.empty() && wildcardMatch(pattern, function.linkageName));
  }
  // Several parts name the innermost scopes, each part matched alone.
  if (wanted.size() > parts.size()) return false;
  size_t skip = parts.size() - wanted.size();
  for (size_t i = 0; i < wanted.size(); ++i)
    if (!wildcardMatch(wanted[i], parts[skip + i])) return false;
  return true;
}

std::vector<const Function*> Module::functions(const FunctionSpec& spec) const {
  if (!impl_->functionIndex) impl_->indexFunctions();
  std::vector<const Function*> result;
  for (const auto& function : *impl_->functionIndex)
    if (matchesSpec(spec, *function)) result.push_back(function.get());
  std::stable_sort(result.begin(), result.end(),
                   [](const Function* a, const Function* b) { return a->entry < b->entry; });
  return result;
}

std::string Function::probeSpelling() const {
  // stap spells symbol-table functions by their symbol, mangled or not.
  std::string shown = fromSymbolTable ? (linkageName.empty() ? name : linkageName) : scopeParts(name).back();
  if (declFile.empty()) return shown;
  return fmt::format("{}@{}:{}", shown, declFile, declLine);
}

std::string Function::probeSpelling(const FunctionSpec& spec) const {
  size_t wanted = scopeParts(spec.function).size();
  std::vector<std::string> parts = rootedParts(name);
  if (wanted <= 1 || fromSymbolTable || wanted > parts.size()) return probeSpelling();
  std::string shown;
  for (size_t i = parts.size() - wanted; i < parts.size(); ++i)
    shown += (shown.empty() && i == parts.size() - wanted ? "" : "::") + parts[i];
  if (declFile.empty()) return shown;
  return fmt::format("{}@{}:{}", shown, declFile, declLine);
}

}  // namespace utap::dwarf
