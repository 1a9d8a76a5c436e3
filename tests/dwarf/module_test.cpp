// Module::open and FunctionSpec::parse against the test programs:
// refusals, where DWARF is found (in the file, compressed, by build-id,
// through .gnu_debuglink), the dynamic section and file offsets, checked
// against readelf.
#include "dwarf/module.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "oracle.h"
#include "test_programs.h"

namespace utap::dwarf {
namespace {

const std::string kPrograms = UTAP_TEST_PROGRAMS;

using test::openProgram;

TEST(ModuleOpen, RefusesWhatIsNoProgram) {
  std::string error;
  EXPECT_FALSE(Module::open(kPrograms + "/no-such-file", &error));
  EXPECT_NE(error.find("no-such-file"), std::string::npos) << error;
  EXPECT_FALSE(Module::open(std::string(UTAP_SOURCE_DIR) + "/README.md", &error));
  EXPECT_NE(error.find("is not an ELF file"), std::string::npos) << error;
  // A relocatable object: the C program's main.c compiled alone.
  std::string object = testing::TempDir() + "/utap_module_test.o";
  ASSERT_EQ(system(("cc -c -o " + object + " " + UTAP_SOURCE_DIR + "/testsuite/programs/c/main.c").c_str()), 0);
  EXPECT_FALSE(Module::open(object, &error));
  EXPECT_NE(error.find("relocatable object"), std::string::npos) << error;
  EXPECT_NE(error.find(object), std::string::npos) << error;
}

TEST(ModuleOpen, RefusesOtherMachines) {
  // An ELF header for i386 is enough: the machine is checked first.
  std::string path = testing::TempDir() + "/utap_module_test_i386";
  std::string bytes(64, '\0');
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
  for (size_t i = 0; i < sizeof ident; ++i) bytes[i] = static_cast<char>(ident[i]);
  bytes[16] = 2;   // ET_EXEC
  bytes[18] = 3;   // EM_386
  bytes[20] = 1;   // EV_CURRENT
  bytes[40] = 52;  // e_ehsize
  std::ofstream(path, std::ios::binary) << bytes;
  std::string error;
  EXPECT_FALSE(Module::open(path, &error));
  EXPECT_NE(error.find("x86-64"), std::string::npos) << error;
}

TEST(ModuleOpen, FindsDwarfWhereverItIs) {
  for (const char* name : {"cprog-O0", "cprog-O2-nopie", "cprog-dwarf4", "cprog-gz", "cxxprog-O2"}) {
    auto module = openProgram(name);
    ASSERT_TRUE(module);
    EXPECT_TRUE(module->hasDebugInfo()) << name;
    EXPECT_EQ(module->debugFile(), kPrograms + "/" + name);
  }
  auto linked = openProgram("cprog-debuglink");
  EXPECT_EQ(linked->debugFile(), kPrograms + "/cprog-debuglink.debug");
  auto stripped = openProgram("cprog-stripped");
  EXPECT_FALSE(stripped->hasDebugInfo());
  EXPECT_EQ(stripped->debugFile(), "");
}

TEST(ModuleOpen, FindsDwarfByBuildId) {
  // cprog-stripped is cprog-O2 without debug info: same build id, so the
  // debug root finds the split-off file for it.
  std::ifstream stamp(kPrograms + "/debugroot/.build-id/stamp");
  std::string id;
  stamp >> id;
  ASSERT_GT(id.size(), 2u);
  setenv("SYSTEMTAP_DEBUGINFO_PATH", (kPrograms + "/debugroot").c_str(), 1);
  std::string error;
  auto module = Module::open(kPrograms + "/cprog-stripped", &error);
  unsetenv("SYSTEMTAP_DEBUGINFO_PATH");
  ASSERT_TRUE(module) << error;
  EXPECT_EQ(module->debugFile(), kPrograms + "/debugroot/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug");
  FunctionSpec spec;
  spec.function = "take_int";
  ASSERT_EQ(module->functions(spec).size(), 1u);
  EXPECT_EQ(module->functions(spec)[0]->declFile, std::string(UTAP_SOURCE_DIR) + "/testsuite/programs/c/params.c");
}

TEST(ModuleOpen, DebuglinkCrcIsChecked) {
  // A copy whose .debug file was replaced: the CRC no longer matches.
  std::string dir = testing::TempDir() + "/utap_debuglink";
  ASSERT_EQ(system(("rm -rf " + dir + " && mkdir -p " + dir + " && cp " + kPrograms + "/cprog-debuglink " + dir +
                    "/ && cp " + kPrograms + "/cprog-O0 " + dir + "/cprog-debuglink.debug")
                       .c_str()),
            0);
  std::string error;
  auto module = Module::open(dir + "/cprog-debuglink", &error);
  ASSERT_TRUE(module) << error;
  EXPECT_FALSE(module->hasDebugInfo());
  setenv("SYSTEMTAP_DEBUGINFO_PATH", "-:.debug", 1);  // '-': no CRC check
  auto unchecked = Module::open(dir + "/cprog-debuglink", &error);
  unsetenv("SYSTEMTAP_DEBUGINFO_PATH");
  ASSERT_TRUE(unchecked) << error;
  EXPECT_TRUE(unchecked->hasDebugInfo());
}

TEST(ModuleOpen, DynamicSectionAndTypes) {
  auto uselib = openProgram("uselib");
  EXPECT_TRUE(uselib->isSharedObject());
  auto needed = uselib->neededLibraries();
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libutaptest.so"), needed.end());
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libc.so.6"), needed.end());
  // Its RUNPATH is $ORIGIN: the library beside it is the one found.
  EXPECT_EQ(findLibrary(*uselib, "libutaptest.so"), std::filesystem::canonical(kPrograms + "/libutaptest.so").string());
  EXPECT_FALSE(openProgram("cprog-O0-nopie")->isSharedObject());
  EXPECT_TRUE(openProgram("libutaptest.so")->isSharedObject());
}

TEST(ModuleOpen, FileOffsetsFollowTheLoadSegments) {
  // readelf's LOAD rows: offset, vaddr, filesz for each segment.
  for (const char* name : {"cprog-O0", "cprog-O0-nopie"}) {
    auto module = openProgram(name);
    int segments = 0;
    for (const std::string& line : test::splitLines(test::runCommand({"readelf", "-lW", kPrograms + "/" + name}).out)) {
      std::vector<std::string> words = test::splitWords(line);
      if (words.size() < 5 || words[0] != "LOAD") continue;
      uint64_t o = std::stoull(words[1], nullptr, 16), v = std::stoull(words[2], nullptr, 16),
               s = std::stoull(words[4], nullptr, 16);
      if (s == 0) continue;
      EXPECT_EQ(module->fileOffset(v), o) << name;
      EXPECT_EQ(module->fileOffset(v + s - 1), o + s - 1) << name;
      ++segments;
    }
    EXPECT_GE(segments, 2) << name;
    EXPECT_FALSE(module->fileOffset(0x7fffffff0000)) << name;
  }
}

TEST(ModuleOpen, CachedOpensOnce) {
  std::string error;
  auto first = Module::cached(kPrograms + "/cprog-O2", &error);
  auto second = Module::cached(kPrograms + "/cprog-O2", &error);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_FALSE(Module::cached(kPrograms + "/no-such-file", &error));
}

struct ParseCase {
  const char* text;
  const char* function;
  const char* file;
  FunctionSpec::Lines lines;
  int first, last;
};

TEST(FunctionSpecParse, AcceptsStapForms) {
  using L = FunctionSpec::Lines;
  const ParseCase cases[] = {
      {"main", "main", "", L::None, 0, 0},
      {"*", "*", "", L::None, 0, 0},
      {"add@t.c", "add", "t.c", L::None, 0, 0},
      {"add@src/t.c:12", "add", "src/t.c", L::One, 12, 12},
      {"add@t.c:12-15", "add", "t.c", L::Range, 12, 15},
      {"*@t.c:*", "*", "t.c", L::Every, 0, 0},
      {"ns::Shape::area", "ns::Shape::area", "", L::None, 0, 0},
      {"ns::Shape::operator<@s.cpp:6", "ns::Shape::operator<", "s.cpp", L::One, 6, 6},
      {"operator()", "operator()", "", L::None, 0, 0},
      {"f@c:/x.c:3", "f", "c:/x.c", L::One, 3, 3},
      {"f@t.c:15,16", "f", "t.c", L::List, 15, 16},
      {"f@t.c:16,15-17", "f", "t.c", L::List, 15, 17},
      {"f@t.c:15,", "f", "t.c", L::One, 15, 15},  // stap skips empty items
      {"f@t.c+2", "f", "t.c", L::One, 2, 2},
      {"f@t.c+0", "f", "t.c", L::One, 0, 0},
      {"f@/usr/include/c++/12/vector:3", "f", "/usr/include/c++/12/vector", L::One, 3, 3},
      {"f@c++/x.h", "f", "c++/x.h", L::None, 0, 0},
  };
  for (const ParseCase& c : cases) {
    std::string error;
    size_t column = 0;
    auto spec = FunctionSpec::parse(c.text, &error, &column);
    ASSERT_TRUE(spec) << c.text << ": " << error;
    EXPECT_EQ(spec->function, c.function) << c.text;
    EXPECT_EQ(spec->file, c.file) << c.text;
    EXPECT_EQ(spec->lines, c.lines) << c.text;
    EXPECT_EQ(spec->firstLine, c.first) << c.text;
    EXPECT_EQ(spec->lastLine, c.last) << c.text;
  }
}

TEST(FunctionSpecParse, LineListsAndRelativeLines) {
  std::string error;
  size_t column = 0;
  auto list = FunctionSpec::parse("f@t.c:16,15-17,,20", &error, &column);
  ASSERT_TRUE(list) << error;
  EXPECT_EQ(list->lineRanges, (std::vector<std::pair<int, int>>{{16, 16}, {15, 17}, {20, 20}}));
  EXPECT_FALSE(list->relativeLines);
  auto relative = FunctionSpec::parse("*@t.c+3", &error, &column);
  ASSERT_TRUE(relative) << error;
  EXPECT_TRUE(relative->relativeLines);
  EXPECT_EQ(relative->lineRanges, (std::vector<std::pair<int, int>>{{3, 3}}));
  auto every = FunctionSpec::parse("f@t.c:*", &error, &column);
  ASSERT_TRUE(every) << error;
  EXPECT_TRUE(every->lineRanges.empty());
}

TEST(FunctionSpecParse, ErrorsSayWhereAndWhat) {
  const struct {
    const char* text;
    size_t column;
    const char* words;
  } cases[] = {
      {"", 0, "empty"},
      {"f@", 2, "source file"},
      {"f@t.c:", 6, "must follow ':'"},
      {"f@t.c:0", 6, "start at 1"},
      {"f@t.c:9-3", 8, "ends before it starts"},
      {"f@t.c:3-", 8, "line number"},
      {"f@t.c:3x", 7, "unexpected text"},
      {"f@a@b.c", 3, "only one '@'"},
      {"f@t.c:3,9-3", 10, "ends before it starts"},
      {"f@t.c:3,x", 8, "line number"},
      {"f@t.c+1-2", 7, "one number"},
      {"f@t.c:3+1", 7, "relative line"},
      {"f@t.c:,", 7, "must follow ':'"},
  };
  for (const auto& c : cases) {
    std::string error;
    size_t column = 999;
    EXPECT_FALSE(FunctionSpec::parse(c.text, &error, &column)) << c.text;
    EXPECT_EQ(column, c.column) << c.text << ": " << error;
    EXPECT_NE(error.find(c.words), std::string::npos) << c.text << ": " << error;
  }
}

}  // namespace
}  // namespace utap::dwarf
