// PLT stubs against objdump -d (its "<name@plt>" labels) and against the
// names stap 4.8 lists (the JUMP_SLOT relocations of .rela.plt), on the
// test programs, /bin/ls, and an IBT build whose calls go through .plt.sec.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "dwarf/module.h"
#include "oracle.h"
#include "test_programs.h"

namespace utap::dwarf {
namespace {

using test::runCommand;
using Stubs = std::set<std::pair<std::string, uint64_t>>;

// "<name@plt>" labels objdump -d prints in `sections`.
Stubs objdumpStubs(const std::string& path, const std::vector<std::string>& sections) {
  Stubs stubs;
  for (const std::string& section : sections) {
    test::CommandResult r = runCommand({"objdump", "-d", "-j", section, path}, true);
    for (const std::string& line : test::splitLines(r.out)) {
      // "0000000000004040 <getenv@plt>:"
      size_t open = line.find(" <"), close = line.rfind("@plt>:");
      if (open == std::string::npos || close == std::string::npos || close < open) continue;
      auto address = test::parseNumber("0x" + line.substr(0, open));
      if (address) stubs.insert({line.substr(open + 2, close - open - 2), *address});
    }
  }
  return stubs;
}

bool hasSection(const std::string& path, const std::string& section) {
  test::CommandResult r = runCommand({"readelf", "-SW", path});
  return r.out.find(" " + section + " ") != std::string::npos;
}

// The symbols of .rela.plt's JUMP_SLOT relocations, as readelf -rW prints them.
std::set<std::string> jumpSlotNames(const std::string& path) {
  std::set<std::string> names;
  test::CommandResult r = runCommand({"readelf", "-rW", path});
  for (const std::string& line : test::splitLines(r.out)) {
    std::vector<std::string> words = test::splitWords(line);
    if (words.size() < 5 || words[2] != "R_X86_64_JUMP_SLOT") continue;
    std::string name = words[4];
    names.insert(name.substr(0, name.find('@')));
  }
  return names;
}

void expectMatchesObjdump(const std::string& path) {
  SCOPED_TRACE(path);
  auto module = test::openModule(path);
  ASSERT_TRUE(module);
  bool ibt = hasSection(path, ".plt.sec");
  // With IBT the .plt entries are the lazy-binding path; calls use .plt.sec.
  Stubs expected = objdumpStubs(path, {ibt ? ".plt.sec" : ".plt", ".plt.got"});
  Stubs nonLazy = objdumpStubs(path, {".plt.got"});
  ASSERT_FALSE(expected.empty());
  Stubs got;
  std::set<std::string> lazyNames;
  for (const PltEntry& e : module->pltEntries()) {
    got.insert({e.name, e.address});
    EXPECT_EQ(e.nonLazy, nonLazy.count({e.name, e.address}) == 1) << e.name;
    if (!e.nonLazy) lazyNames.insert(e.name);
  }
  EXPECT_EQ(got, expected);
  // stap 4.8 lists exactly the JUMP_SLOT symbols.
  EXPECT_EQ(lazyNames, jumpSlotNames(path));
  const auto& entries = module->pltEntries();
  EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end(),
                             [](const PltEntry& a, const PltEntry& b) { return a.address < b.address; }));
}

TEST(Plt, TestProgramsMatchObjdump) {
  for (const char* name : {"cprog-O2", "cprog-O0-nopie", "uselib", "cxxprog-O2", "libutaptest.so"})
    expectMatchesObjdump(test::testProgram(name));
}

TEST(Plt, LsMatchesObjdumpAndStap) {
  if (!std::filesystem::exists("/bin/ls")) GTEST_SKIP() << "no /bin/ls";
  expectMatchesObjdump("/bin/ls");
}

// An IBT build (-fcf-protection -z ibtplt), compiled here: the stubs calls
// reach are in .plt.sec, and a function whose address is taken is called
// through .plt.got.
TEST(Plt, IbtPltSec) {
  std::string pattern = testing::TempDir() + "/utap-plt-XXXXXX";
  ASSERT_TRUE(mkdtemp(pattern.data())) << pattern;
  std::string source = pattern + "/ibt.c", program = pattern + "/ibt";
  {
    // malloc is called and its address taken in code: a GLOB_DAT slot and a .plt.got stub.
    std::ofstream out(source);
    out << "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
           "void *(*volatile allocate)(size_t);\n"
           "int main(int argc, char **argv) {\n"
           "  allocate = malloc;\n  puts(argv[0]);\n  printf(\"%zu\\n\", strlen(argv[0]));\n"
           "  char *p = malloc(argc);\n  printf(\"%p\\n\", (void *)p);\n  free(p);\n"
           "  free(allocate(4));\n  exit(argc - 1);\n}\n";
  }
  test::CommandResult cc =
      runCommand({"gcc", "-O2", "-fPIE", "-pie", "-fcf-protection=full", "-Wl,-z,ibtplt", "-o", program, source}, true);
  ASSERT_EQ(cc.exitStatus, 0) << cc.out;
  ASSERT_TRUE(hasSection(program, ".plt.sec"));
  expectMatchesObjdump(program);
  auto module = test::openModule(program);
  ASSERT_TRUE(module);
  std::filesystem::remove_all(pattern);
  std::set<std::string> lazy, nonLazy;
  for (const PltEntry& e : module->pltEntries()) (e.nonLazy ? nonLazy : lazy).insert(e.name);
  EXPECT_EQ(lazy, (std::set<std::string>{"puts", "printf", "strlen", "free", "exit"}));
  EXPECT_TRUE(nonLazy.count("malloc")) << "malloc's address is taken, so its stub is in .plt.got";
}

}  // namespace
}  // namespace utap::dwarf
