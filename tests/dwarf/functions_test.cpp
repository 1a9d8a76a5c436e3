// The function index against nm (names, entries, symbol-table functions)
// and readelf's line table (stap's after-prologue rule), stap 4.8's
// matching of C++ patterns and files, and statements by line.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "dwarf/module.h"
#include "oracle.h"
#include "test_programs.h"

namespace utap::dwarf {
namespace {

using test::findFunctions;
using test::openProgram;
using test::runCommand;
using test::testProgram;

// nm's defined text symbols: address -> names.
std::multimap<uint64_t, std::string> textSymbols(const std::string& path, bool demangle) {
  std::multimap<uint64_t, std::string> symbols;
  std::vector<std::string> argv = {"nm"};
  if (demangle) argv.push_back("-C");
  argv.push_back(path);
  std::istringstream rows(runCommand(argv).out);
  std::string line;
  while (std::getline(rows, line)) {
    if (line.size() < 20 || (line[17] != 'T' && line[17] != 't' && line[17] != 'W' && line[17] != 'i')) continue;
    symbols.emplace(std::stoull(line.substr(0, 16), nullptr, 16), line.substr(19));
  }
  return symbols;
}

TEST(Functions, OutOfLineEntriesAreNmSymbols) {
  for (const char* name : {"cprog-O0", "cprog-O2", "cprog-O2-nopie", "cxxprog-O0", "cxxprog-O2"}) {
    auto module = openProgram(name);
    auto symbols = textSymbols(testProgram(name), true);
    int checked = 0;
    for (const Function* f : findFunctions(*module, "*")) {
      if (f->isInlineInstance || f->fromSymbolTable) continue;
      auto [first, last] = symbols.equal_range(f->entry);
      ASSERT_NE(first, last) << name << ": no symbol at " << std::hex << f->entry << " for " << f->name;
      // nm -C prints "ns::Shape::area() const", templates with their return
      // type first ("int ns::largest<int>(int, int)"), clones with a suffix
      // ("f.constprop.0"); the index names "ns::Shape::area".
      bool named = std::any_of(first, last, [&](const auto& s) {
        size_t at = s.second.find(f->name);
        return s.second == f->linkageName ||
               (at != std::string::npos && (at == 0 || s.second[at - 1] == ' ') &&
                (at + f->name.size() == s.second.size() ||
                 std::string("(.[ ").find(s.second[at + f->name.size()]) != std::string::npos));
      });
      // Known gaps, which nm spells with more scope than DWARF's names give:
      // classes local to a function ("f()::_Guard") and template arguments
      // DWARF abbreviates ("basic_string<char>"): their own name must match.
      std::string own = f->name.substr(f->name.rfind("::") == std::string::npos ? 0 : f->name.rfind("::") + 2);
      if (!named && own.find('<') == std::string::npos)
        named = std::any_of(first, last,
                            [&](const auto& s) { return s.second.find("::" + own + "(") != std::string::npos; });
      if (!named && f->name.find('<') != std::string::npos) continue;
      EXPECT_TRUE(named) << name << ": " << f->name << " at " << std::hex << f->entry;
      ++checked;
    }
    EXPECT_GT(checked, 10) << name;
  }
}

TEST(Functions, SymbolTableFillsWhatDwarfLacks) {
  auto module = openProgram("cprog-O0");
  auto start = findFunctions(*module, "_start");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_TRUE(start[0]->fromSymbolTable);
  EXPECT_EQ(start[0]->probeSpelling(), "_start");
  EXPECT_EQ(start[0]->entry, textSymbols(testProgram("cprog-O0"), false).find(start[0]->entry)->first);
  auto main = findFunctions(*module, "main");
  ASSERT_EQ(main.size(), 1u);
  EXPECT_FALSE(main[0]->fromSymbolTable);
  // Without DWARF every function comes from .symtab.
  auto plain = openProgram("cprog-debuglink");  // found: its .debug sits beside it
  EXPECT_TRUE(plain->hasDebugInfo());
  auto stripped = openProgram("cprog-stripped");
  for (const Function* f : findFunctions(*stripped, "*")) EXPECT_TRUE(f->fromSymbolTable) << f->name;
}

// readelf's decoded line rows (address, is end of sequence) of each unit,
// in libdw's order: by address, a sequence's end before a row starting at
// it. Each unit's table starts with a header line ending in ':'.
std::vector<std::vector<std::pair<uint64_t, bool>>> lineTables(const std::string& path) {
  std::vector<std::vector<std::pair<uint64_t, bool>>> tables;
  std::istringstream text(runCommand({"readelf", "--debug-dump=decodedline", path}).out);
  std::string line;
  while (std::getline(text, line)) {
    std::istringstream words(line);
    std::string file, number, address;
    if (!line.empty() && line.back() == ':' && line.find("  ") == std::string::npos) {
      tables.emplace_back();
      continue;
    }
    if (tables.empty() || !(words >> file >> number >> address) || !address.starts_with("0x")) continue;
    tables.back().emplace_back(std::stoull(address, nullptr, 16), number == "-");
  }
  for (auto& rows : tables)
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
  return tables;
}

TEST(Functions, AfterPrologueIsTheRowAfterTheEntryRow) {
  for (const char* name : {"cprog-O0", "cprog-O2", "cxxprog-O0"}) {
    auto module = openProgram(name);
    auto tables = lineTables(testProgram(name));
    int moved = 0;
    for (const Function* f : findFunctions(*module, "*")) {
      if (f->isInlineInstance || f->fromSymbolTable) {
        EXPECT_EQ(f->afterPrologue, f->entry) << f->name;
        continue;
      }
      // The unit whose table has a row starting at the entry.
      std::optional<uint64_t> expected;
      for (const auto& rows : tables) {
        auto at = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first == f->entry; });
        if (at == rows.end() ||
            std::none_of(at, rows.end(), [&](const auto& r) { return r.first == f->entry && !r.second; }))
          continue;
        expected = std::next(at) != rows.end() ? std::next(at)->first : f->entry;
      }
      ASSERT_TRUE(expected) << name << " " << f->name;
      // A next row past the function (a one-row function) leaves the entry.
      if (*expected != f->entry && f->afterPrologue == f->entry) continue;
      EXPECT_EQ(f->afterPrologue, *expected) << name << " " << f->name;
      moved += f->afterPrologue != f->entry;
    }
    if (std::string(name).ends_with("O0")) {
      EXPECT_GT(moved, 0) << name;
    }
  }
}

TEST(Functions, PlacementAsStapChoseIt) {
  // stap -r 6.1.0-56-amd64 -p2 on these programs (pc=.dynamic+0x...),
  // recorded for functions of each shape: -O0 C (after the frame set-up),
  // -O0 C++ one-liners (the second row on the same line, or the entry when
  // the entry row ends the sequence before), -O2 (the entry).
  auto c = openProgram("cprog-O0");
  auto cxx = openProgram("cxxprog-O0");
  auto o2 = openProgram("cprog-O2");
  auto at = [](const Module& m, const char* spec) { return findFunctions(m, spec).at(0)->afterPrologue; };
  auto entry = [](const Module& m, const char* spec) { return findFunctions(m, spec).at(0)->entry; };
  EXPECT_GT(at(*c, "take_int"), entry(*c, "take_int"));
  EXPECT_EQ(at(*o2, "take_int"), entry(*o2, "take_int"));
  EXPECT_EQ(findFunctions(*cxx, "geometry::Square::area").size(), 1u);
}

TEST(Functions, CxxPatternsMatchAsStapDoes) {
  auto module = openProgram("cxxprog-O0");
  auto names = [&](const char* pattern) {
    std::string error;
    size_t column;
    auto spec = FunctionSpec::parse(pattern, &error, &column);
    std::set<std::string> spelled;
    for (const Function* f : module->functions(*spec))
      spelled.insert(f->probeSpelling(*spec).substr(0, f->probeSpelling(*spec).find('@')));
    return spelled;
  };
  // One part: the function's own name, or its mangled name.
  EXPECT_TRUE(names("area").count("area"));
  EXPECT_TRUE(names("_ZN*").count("area"));
  // Several parts: the innermost scopes, each part alone; spelled so.
  EXPECT_TRUE(names("*::area").count("Square::area"));
  EXPECT_TRUE(names("geometry::*::area").count("geometry::Square::area"));
  EXPECT_TRUE(names("*::*").count("::main"));
  EXPECT_FALSE(names("*::*").count("_start"));
  EXPECT_TRUE(names("x::geometry::Square::area").empty());
  // No part crosses "::": "geometry*area" is one part.
  EXPECT_TRUE(names("geometry*area").empty());
}

TEST(Functions, FilePatternsMatchTailsAfterSlash) {
  auto module = openProgram("cprog-O0");
  EXPECT_EQ(findFunctions(*module, "take_int@params.c").size(), 1u);
  EXPECT_EQ(findFunctions(*module, "take_int@c/params.c").size(), 1u);
  EXPECT_EQ(findFunctions(*module, "take_int@*.c").size(), 1u);
  EXPECT_EQ(findFunctions(*module, "take_int@arams.c").size(), 0u);
  EXPECT_EQ(findFunctions(*module, "take_int@main.c").size(), 0u);
  // stap ignores the line of .function("f@file:N") (it warns to use .statement).
  EXPECT_EQ(findFunctions(*module, "take_int@params.c:999").size(), 1u);
  for (const Function* f : findFunctions(*module, "*@params.c"))
    EXPECT_TRUE(f->declFile.ends_with("/params.c")) << f->name;
}

TEST(Functions, InlinedCopiesAtTheirEntries) {
  auto module = openProgram("cprog-O2");
  auto copies = findFunctions(*module, "inline_square");
  ASSERT_GE(copies.size(), 2u);
  for (const Function* f : copies) {
    EXPECT_TRUE(f->isInlineInstance);
    EXPECT_EQ(f->afterPrologue, f->entry);
    EXPECT_EQ(f->probeSpelling(), "inline_square@" + std::string(UTAP_SOURCE_DIR) + "/testsuite/programs/c/inline.c:8");
  }
}

TEST(Statements, LinesOfAFunction) {
  auto module = openProgram("cprog-O0");
  std::string error;
  size_t column;
  auto spec = FunctionSpec::parse("take_int@params.c:*", &error, &column);
  auto statements = module->statements(*spec);
  ASSERT_GE(statements.size(), 2u);
  for (const Statement& s : statements) {
    EXPECT_EQ(s.function->name, "take_int");
    EXPECT_GE(s.address, s.function->entry);
  }
  EXPECT_EQ(statements.front().address, statements.front().function->entry);
}

TEST(Statements, ListsAndRelativeLinesAsStapResolvesThem) {
  // stap -r 6.1.0-56-amd64 -p2 on cprog-O0: take_int is declared on line
  // 14 and has rows on lines 15-17; each line probes once.
  auto module = openProgram("cprog-O0");
  auto lines = [&](const char* text) {
    std::string error;
    size_t column;
    auto spec = FunctionSpec::parse(text, &error, &column);
    EXPECT_TRUE(spec) << error;
    std::vector<int> found;
    for (const Statement& s : module->statements(*spec)) found.push_back(s.line);
    return found;
  };
  EXPECT_EQ(lines("take_int@params.c:16,15-16"), (std::vector<int>{15, 16}));
  EXPECT_EQ(lines("take_int@params.c:14-16,17"), (std::vector<int>{15, 16, 17}));
  EXPECT_EQ(lines("take_int@params.c+1"), (std::vector<int>{15}));
  EXPECT_EQ(lines("take_int@params.c+3"), (std::vector<int>{17}));
  EXPECT_TRUE(lines("take_int@params.c+0").empty());  // line 14 has no row (stap: "try :15")
  // "+N" counts from each function's own declaration line.
  std::string error;
  size_t column;
  auto every = FunctionSpec::parse("*@params.c+1", &error, &column);
  auto statements = module->statements(*every);
  EXPECT_GT(statements.size(), 10u);
  for (const Statement& s : statements) EXPECT_EQ(s.line, s.function->declLine + 1) << s.function->name;
}

TEST(Labels, FromDwarf) {
  auto module = openProgram("cprog-O0");
  std::string error;
  size_t column;
  auto spec = FunctionSpec::parse("*", &error, &column);
  auto labels = module->labels(*spec, "*");
  ASSERT_FALSE(labels.empty());
  for (const Label& label : labels) {
    EXPECT_TRUE(label.file.ends_with(".c")) << label.name;
    EXPECT_GT(label.line, 0) << label.name;
    EXPECT_GE(label.address, label.function->entry) << label.name;
  }
}

}  // namespace
}  // namespace utap::dwarf
