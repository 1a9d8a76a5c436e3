// FunctionSpec: parsing "PATTERN[@FILE[:LINE|:FIRST-LAST|:*]]" as
// stapprobes(3stap) writes .function() and .statement() arguments, and
// matching functions against it the way stap 4.8 does.
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// A line number at text[at...]: digits only, at least 1 (0 too when
// `allowZero`). Sets *end past it.
std::optional<int> parseLine(std::string_view text, size_t at, bool allowZero, size_t* end, std::string* error,
                             size_t* column) {
  size_t stop = at;
  while (stop < text.size() && isDigit(text[stop])) ++stop;
  int line = 0;
  auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + stop, line);
  if (stop == at || ec != std::errc()) {
    *error = stop == at ? "expected a line number, a range FIRST-LAST, a list of them separated by ',' or '*' after ':'"
                        : "the line number is too large";
    *column = at;
    return std::nullopt;
  }
  if (line == 0 && !allowZero) {
    *error = "line numbers start at 1";
    *column = at;
    return std::nullopt;
  }
  *end = stop;
  return line;
}

// Where the line part of "FILE:LINES" or "FILE+N" starts: at the last ':'
// whose remainder looks like lines, else at the last '+' before a digit (a
// file name may itself contain ':' or '+', as "c++/12/vector"); npos when
// there is none.
size_t lineSeparator(std::string_view fileAndLines) {
  for (size_t at = fileAndLines.size(); at-- > 0;) {
    std::string_view rest = fileAndLines.substr(at + 1);
    if (fileAndLines[at] == ':' && (rest.empty() || rest == "*" || isDigit(rest[0]) || rest[0] == ',')) return at;
  }
  for (size_t at = fileAndLines.size(); at-- > 0;)
    if (fileAndLines[at] == '+' && at + 1 < fileAndLines.size() && isDigit(fileAndLines[at + 1])) return at;
  return std::string_view::npos;
}

// ":x,y-z" from text[at...] into spec: lines and ranges separated by ','.
// Empty items are skipped (stap accepts "15," and "15,,16").
bool parseLineList(std::string_view text, size_t at, FunctionSpec* spec, std::string* error, size_t* column) {
  while (at <= text.size()) {
    if (at < text.size() && text[at] == ',') {
      ++at;
      continue;
    }
    if (at == text.size()) break;
    size_t end = 0;
    std::optional<int> first = parseLine(text, at, false, &end, error, column);
    if (!first) return false;
    int last = *first;
    if (end < text.size() && text[end] == '-') {
      size_t rangeStart = end + 1;
      std::optional<int> upTo = parseLine(text, rangeStart, false, &end, error, column);
      if (!upTo) return false;
      if (*upTo < *first) {
        *error = fmt::format("the line range {}-{} ends before it starts", *first, *upTo);
        *column = rangeStart;
        return false;
      }
      last = *upTo;
    }
    if (end < text.size() && text[end] != ',') {
      *error = text[end] == '+' ? "write a relative line as FILE+N, without ':'"
                                : "unexpected text after the line number; separate lines and ranges with ','";
      *column = end;
      return false;
    }
    spec->lineRanges.emplace_back(*first, last);
    at = end;
  }
  if (spec->lineRanges.empty()) {
    *error = "a line number, a range FIRST-LAST or '*' must follow ':'";
    *column = text.size();
    return false;
  }
  spec->firstLine = spec->lineRanges.front().first;
  spec->lastLine = spec->lineRanges.front().second;
  for (const auto& [first, last] : spec->lineRanges) {
    spec->firstLine = std::min(spec->firstLine, first);
    spec->lastLine = std::max(spec->lastLine, last);
  }
  const auto& only = spec->lineRanges.front();
  spec->lines = spec->lineRanges.size() > 1 ? FunctionSpec::Lines::List
                : only.first == only.second ? FunctionSpec::Lines::One
                                            : FunctionSpec::Lines::Range;
  return true;
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
  size_t separator = lineSeparator(fileAndLines);
  std::string_view file = fileAndLines.substr(0, separator);
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
  if (separator == std::string_view::npos) {
    if (spec.function.empty()) {
      *error = "the function name is empty; write a name or \"*\" before '@'";
      *errorColumn = 0;
      return std::nullopt;
    }
    return spec;
  }
  size_t lines = at + 1 + separator + 1;  // the first byte after ':' or '+'
  if (fileAndLines[separator] == '+') {
    // "+N" counts from the declaration line of each function matched; stap
    // takes one number only.
    size_t end = 0;
    std::optional<int> offset = parseLine(text, lines, true, &end, error, errorColumn);
    if (!offset) return std::nullopt;
    if (end != text.size()) {
      *error = "a relative line is one number, FILE+N; write FILE:FIRST-LAST for a range";
      *errorColumn = end;
      return std::nullopt;
    }
    spec.lines = Lines::One;
    spec.relativeLines = true;
    spec.firstLine = spec.lastLine = *offset;
    spec.lineRanges = {{*offset, *offset}};
    return spec;
  }
  if (lines == text.size()) {
    *error = "a line number, a range FIRST-LAST or '*' must follow ':'";
    *errorColumn = lines;
    return std::nullopt;
  }
  if (text.substr(lines) == "*") {
    spec.lines = Lines::Every;
    return spec;
  }
  if (!parseLineList(text, lines, &spec, error, errorColumn)) return std::nullopt;
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
    // One part: the function's own name, its mangled name, or an alias.
    return wildcardMatch(pattern, parts.back()) ||
           (!function.linkageName.empty() && wildcardMatch(pattern, function.linkageName)) ||
           std::any_of(function.aliases.begin(), function.aliases.end(),
                       [&](const std::string& alias) { return wildcardMatch(pattern, alias); });
  }
  // Several parts name the innermost scopes, each part matched alone.
  if (wanted.size() > parts.size()) return false;
  size_t skip = parts.size() - wanted.size();
  for (size_t i = 0; i < wanted.size(); ++i)
    if (!wildcardMatch(wanted[i], parts[skip + i])) return false;
  return true;
}

namespace {

// The functions of `index` `spec` matches, inlined copies only `withInlined`,
// in address order.
std::vector<const Function*> matching(const std::vector<std::unique_ptr<Function>>& index, const FunctionSpec& spec,
                                      bool withInlined) {
  std::vector<const Function*> result;
  std::unordered_set<uint64_t> dwarfEntries;
  for (const auto& function : index) {
    if ((function->isInlineInstance && !withInlined) || !matchesSpec(spec, *function)) continue;
    result.push_back(function.get());
    if (!function->fromSymbolTable) dwarfEntries.insert(function->entry);
  }
  // A symbol at the entry of a matched inlined copy (a .cold part that
  // starts with an inlined cleanup) is that probe point already: stap
  // lists it only when the pattern matches no DWARF function there.
  std::erase_if(result, [&](const Function* function) {
    return function->fromSymbolTable && dwarfEntries.count(function->entry);
  });
  std::stable_sort(result.begin(), result.end(),
                   [](const Function* a, const Function* b) { return a->entry < b->entry; });
  return result;
}

}  // namespace

std::vector<const Function*> Module::functions(const FunctionSpec& spec) const {
  if (!impl_->functionIndex) impl_->indexFunctions();
  return matching(*impl_->functionIndex, spec, true);
}

std::vector<const Function*> Module::outOfLineFunctions(const FunctionSpec& spec) const {
  if (!impl_->functionIndex) impl_->indexFunctions();
  return matching(*impl_->functionIndex, spec, false);
}

namespace {

// "shown@file:line"; a DWARF function declared nowhere (an inlined copy of
// a C++ artificial constructor, a lambda's operator()) as stap spells it.
std::string withPlace(const std::string& shown, const Function& function) {
  if (function.declFile.empty()) return function.fromSymbolTable ? shown : shown + "@<unknown source>";
  return fmt::format("{}@{}:{}", shown, function.declFile, function.declLine);
}

}  // namespace

std::string Function::probeSpelling() const {
  // stap spells symbol-table functions by their symbol, mangled or not.
  std::string shown = fromSymbolTable ? (linkageName.empty() ? name : linkageName) : scopeParts(name).back();
  return withPlace(shown, *this);
}

std::string Function::probeSpelling(const FunctionSpec& spec) const {
  size_t wanted = scopeParts(spec.function).size();
  std::vector<std::string> parts = rootedParts(name);
  if (wanted <= 1 || fromSymbolTable || wanted > parts.size()) return probeSpelling();
  std::string shown;
  for (size_t i = parts.size() - wanted; i < parts.size(); ++i)
    shown += (shown.empty() && i == parts.size() - wanted ? "" : "::") + parts[i];
  return withPlace(shown, *this);
}

}  // namespace utap::dwarf
