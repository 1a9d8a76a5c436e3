// Statements and labels: .statement("f@file:N") through the line table of
// each matching function's unit, and .label("name") from DW_TAG_label.
#include <dwarf.h>
#include <fnmatch.h>

#include <algorithm>
#include <map>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

bool inRanges(const std::vector<Range>& ranges, uint64_t address) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const Range& r) { return address >= r.first && address < r.second; });
}

// Whether `line` is one `spec` asks for in `function` ("+N" counts from
// its declaration line).
bool lineWanted(const FunctionSpec& spec, const Function& function, int line) {
  if (spec.lines == FunctionSpec::Lines::Every) return true;
  if (spec.lines == FunctionSpec::Lines::None) return false;
  int base = spec.relativeLines ? function.declLine : 0;
  if (spec.lineRanges.empty()) return line >= base + spec.firstLine && line <= base + spec.lastLine;
  return std::any_of(spec.lineRanges.begin(), spec.lineRanges.end(), [&](const std::pair<int, int>& range) {
    return line >= base + range.first && line <= base + range.second;
  });
}

// The rows of `function`'s unit inside its address ranges that `spec`
// asks for: the lowest address of each line, preferring rows marked as
// statements (the compiler's recommended breakpoints) over the others.
void addLineStatements(const Module::Impl& impl, const FunctionSpec& spec, const Function& function,
                       std::vector<Statement>* out) {
  Dwarf_Die die, cudie;
  Dwarf_Lines* lines;
  size_t count;
  if (!impl.dieAt(function.dieOffset, &die) || !dwarf_diecu(&die, &cudie, nullptr, nullptr) ||
      dwarf_getsrclines(&cudie, &lines, &count) != 0)
    return;
  std::vector<Range> ranges = rangesOf(&die);
  struct Best {
    uint64_t address;
    bool isStatement;
    std::string file;
  };
  std::map<int, Best> best;  // by line
  for (size_t row = 0; row < count; ++row) {
    Dwarf_Line* line = dwarf_onesrcline(lines, row);
    Dwarf_Addr address;
    int number = 0;
    bool isStatement = false, endSequence = false;
    dwarf_lineaddr(line, &address);
    dwarf_lineno(line, &number);
    dwarf_linebeginstatement(line, &isStatement);
    dwarf_lineendsequence(line, &endSequence);
    if (endSequence || !lineWanted(spec, function, number) || !inRanges(ranges, address)) continue;
    const char* file = dwarf_linesrc(line, nullptr, nullptr);
    if (!file || (!spec.file.empty() && !sourceFileMatches(spec.file, file))) continue;
    auto it = best.find(number);
    bool better = it == best.end() || (isStatement && !it->second.isStatement) ||
                  (isStatement == it->second.isStatement && address < it->second.address);
    if (better) best[number] = {address, isStatement, file};
  }
  for (const auto& [number, row] : best) out->push_back({row.address, row.file, number, &function});
}

// Labels directly in `scope` (blocks included, inlined copies of other
// functions not: their labels belong to those functions).
void collectLabels(Dwarf_Die* scope, std::string_view pattern, const Function& function, std::vector<Label>* out,
                   int depth) {
  Dwarf_Die child;
  if (depth > 100 || dwarf_child(scope, &child) != 0) return;
  std::string wanted(pattern);
  do {
    int tag = dwarf_tag(&child);
    if (tag == DW_TAG_lexical_block) {
      collectLabels(&child, pattern, function, out, depth + 1);
    } else if (tag == DW_TAG_label) {
      const char* name = dwarf_diename(&child);
      Dwarf_Addr address;
      if (!name || dwarf_lowpc(&child, &address) != 0 || fnmatch(wanted.c_str(), name, 0) != 0) continue;
      Label label{name, address, "", 0, &function};
      if (const char* file = dwarf_decl_file(&child)) label.file = file;
      dwarf_decl_line(&child, &label.line);
      out->push_back(std::move(label));
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

std::vector<Statement> Module::statements(const FunctionSpec& spec) const {
  FunctionSpec byName = spec;
  byName.lines = FunctionSpec::Lines::None;
  std::vector<Statement> result;
  for (const Function* function : functions(byName)) {
    if (function->fromSymbolTable) continue;  // no line table speaks of it
    if (spec.lines == FunctionSpec::Lines::None)
      result.push_back({function->afterPrologue, function->declFile, function->declLine, function});
    else
      addLineStatements(*impl_, spec, *function, &result);
  }
  std::stable_sort(result.begin(), result.end(), [](const Statement& a, const Statement& b) {
    return a.line != b.line ? a.line < b.line : a.address < b.address;
  });
  return result;
}

std::vector<Label> Module::labels(const FunctionSpec& functionSpec, std::string_view labelPattern) const {
  std::vector<Label> result;
  for (const Function* function : functions(functionSpec)) {
    Dwarf_Die die;
    if (function->fromSymbolTable || !impl_->dieAt(function->dieOffset, &die)) continue;
    collectLabels(&die, labelPattern, *function, &result, 0);
  }
  std::stable_sort(result.begin(), result.end(), [](const Label& a, const Label& b) { return a.address < b.address; });
  return result;
}

}  // namespace utap::dwarf
