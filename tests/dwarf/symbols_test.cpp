// Functions named by more than DWARF, as stap 4.8 lists them (recorded with
// `stap -r 6.1.0-56-amd64 -l 'process("X").function("*")'`): ELF symbol
// aliases, the assembler's DWARF, the debug file's symbol table of a
// stripped file, definitions DWARF places nowhere. Programs with assembly
// and C++ shapes the shared test programs lack are built here by gcc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "dwarf/module.h"
#include "oracle.h"
#include "test_programs.h"

namespace utap::dwarf {
namespace {

using test::findFunctions;
using test::openModule;

// A directory of programs built for one test, removed after it.
class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/utap-symbols-XXXXXX";
    if (mkdtemp(pattern)) path_ = pattern;
  }
  ~ScratchDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path_ + "/" + name) << text; }
  // Runs `command` in the directory; true when it succeeded.
  bool run(const std::string& command) const {
    return !path_.empty() && std::system(("cd " + path_ + " && " + command + " >/dev/null 2>&1").c_str()) == 0;
  }

 private:
  std::string path_;
};

// Line 5 is asm_add's first instruction (3 bytes), line 13 asm_helper's;
// asm_alias is a second symbol at asm_add.
const char* const kAssembly =
    "\t.text\n"
    "\t.globl asm_add\n"
    "\t.type asm_add, @function\n"
    "asm_add:\n"
    "\tmov %rdi, %rax\n"
    "\tadd %rsi, %rax\n"
    "\tret\n"
    "\t.size asm_add, .-asm_add\n"
    "\t.globl asm_alias\n"
    "\t.set asm_alias, asm_add\n"
    "\t.type asm_helper, @function\n"
    "asm_helper:\n"
    "\tnop\n"
    "\tret\n"
    "\t.size asm_helper, .-asm_helper\n"
    "\t.section .note.GNU-stack,\"\",@progbits\n";

// kAssembly called from a C main, built in `dir` as "prog" with DWARF
// (gcc -g) or with only the symbol table; true when it built.
bool buildAssemblyProgram(const ScratchDir& dir, bool withDwarf) {
  dir.write("f.S", kAssembly);
  dir.write("m.c", "long asm_add(long, long);\nint main(void) { return (int)asm_add(1, -1); }\n");
  return dir.run(withDwarf ? "gcc -g -O0 m.c f.S -o prog" : "gcc -O0 m.c f.S -o prog");
}

TEST(Symbols, AssemblyWithDwarfIsSpelledByItsLineTable) {
  ScratchDir dir;
  ASSERT_TRUE(buildAssemblyProgram(dir, true));
  auto module = openModule(dir.path() + "/prog");
  // gas writes a DIE per symbol, asm_alias too, none with a declaration:
  // stap lists one function per address, spelled from the line table.
  auto listed = findFunctions(*module, "asm_*");
  ASSERT_EQ(listed.size(), 2u);
  const Function* add = listed[0];
  EXPECT_EQ(add->probeSpelling(), "asm_add@" + dir.path() + "/f.S:5");
  EXPECT_EQ(listed[1]->probeSpelling(), "asm_helper@" + dir.path() + "/f.S:13");
  EXPECT_FALSE(add->fromSymbolTable);
  EXPECT_EQ(add->afterPrologue, add->entry + 3);  // the row after the entry row, as stap -p2 places it
  EXPECT_EQ(add->aliases, std::vector<std::string>{"asm_alias"});
  // The alias names the same probe point.
  auto alias = findFunctions(*module, "asm_alias");
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_EQ(alias[0], add);
}

TEST(Symbols, SymbolAliasesListOnceByTheFirstSymbol) {
  ScratchDir dir;
  ASSERT_TRUE(buildAssemblyProgram(dir, false));
  auto module = openModule(dir.path() + "/prog");
  auto listed = findFunctions(*module, "asm_*");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_TRUE(listed[0]->fromSymbolTable);
  EXPECT_EQ(listed[0]->probeSpelling(), "asm_add");  // .symtab has asm_add before asm_alias
  EXPECT_EQ(listed[1]->probeSpelling(), "asm_helper");
  auto alias = findFunctions(*module, "asm_alias");
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_EQ(alias[0], listed[0]);
}

// Every function "*" lists, by spelling, with its entry.
std::map<std::string, uint64_t> listing(const Module& module) {
  std::map<std::string, uint64_t> spelled;
  for (const Function* f : findFunctions(module, "*")) spelled.emplace(f->probeSpelling(), f->entry);
  return spelled;
}

TEST(Symbols, StrippedFileUsesTheDebugFilesSymbolTable) {
  ScratchDir dir;
  std::string original = test::testProgram("cxxprog-O2");
  ASSERT_TRUE(dir.run("objcopy --only-keep-debug " + original + " prog.debug && strip --strip-all -o prog " + original +
                      " && objcopy --add-gnu-debuglink=prog.debug prog"));
  auto stripped = openModule(dir.path() + "/prog");
  ASSERT_TRUE(stripped->hasDebugInfo());
  // Local symbols (frame_dummy, main.cold) live only in .symtab, which
  // strip moved into the debug file: the listing is the unstripped one.
  auto whole = openModule(original);
  auto expected = listing(*whole);
  EXPECT_EQ(listing(*stripped), expected);
  EXPECT_TRUE(expected.count("frame_dummy"));
  EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [](const auto& f) { return f.first.ends_with(".cold"); }));
}

TEST(Symbols, CxxDefinitionsDeclaredNowhere) {
  ScratchDir dir;
  dir.write("c.cpp",
            "#include <string>\n"
            "std::string greeting = std::string(\"hello, \") + \"world\";\n"
            "__attribute__((noinline)) int measure(int n) {\n"
            "  struct Best {\n"
            "    std::string text;\n"
            "    int value = 0;\n"
            "  };\n"
            "  Best best;\n"
            "  best.value = n;\n"
            "  best.text = greeting;\n"
            "  return best.value + static_cast<int>(best.text.size());\n"
            "}\n"
            "int main(int argc, char**) { return measure(argc) == 0; }\n");
  ASSERT_TRUE(dir.run("g++ -O0 -g c.cpp -o o0 && g++ -O2 -g c.cpp -o o2"));
  // gcc gives the static initializer no DW_AT_decl_file: stap spells it by
  // the line-table row at its low_pc, and with DW_AT_ranges (-O2 splits
  // it) as of unknown source.
  auto o0 = listing(*openModule(dir.path() + "/o0"));
  EXPECT_TRUE(o0.count("_GLOBAL__sub_I__Z8greetingB5cxx11@" + dir.path() + "/c.cpp:13"));
  auto optimized = openModule(dir.path() + "/o2");
  auto o2 = listing(*optimized);
  EXPECT_TRUE(o2.count("_GLOBAL__sub_I__Z8greetingB5cxx11@<unknown source>"));
  // Inlined copies of Best's artificial constructor and destructor.
  EXPECT_TRUE(o2.count("Best@<unknown source>"));
  EXPECT_TRUE(o2.count("~Best@<unknown source>"));
  // The .cold parts start with inlined destructors: "*" lists those
  // copies there, not the symbols; a pattern naming only the symbols
  // lists them (stap: the two below for "*.cold", neither for "*").
  auto cold = findFunctions(*optimized, "*.cold");
  ASSERT_EQ(cold.size(), 2u);
  for (const Function* f : cold) {
    EXPECT_TRUE(f->fromSymbolTable) << f->name;
    EXPECT_FALSE(o2.count(f->probeSpelling())) << f->name;
  }
  EXPECT_EQ(cold[0]->probeSpelling(), "_Z7measurei.cold");
  EXPECT_EQ(cold[1]->probeSpelling(), "_GLOBAL__sub_I__Z8greetingB5cxx11.cold");
  // .call and .return match no inlined copies, so the symbols list there.
  std::string error;
  size_t column;
  auto all = FunctionSpec::parse("*", &error, &column);
  std::set<std::string> outOfLine;
  for (const Function* f : optimized->outOfLineFunctions(*all)) {
    EXPECT_FALSE(f->isInlineInstance) << f->name;
    outOfLine.insert(f->probeSpelling());
  }
  EXPECT_TRUE(outOfLine.count("_Z7measurei.cold"));
  EXPECT_TRUE(outOfLine.count("_GLOBAL__sub_I__Z8greetingB5cxx11.cold"));
}

TEST(Symbols, NoInlinedCopiesInMethodsOfLocalClasses) {
  ScratchDir dir;
  dir.write("l.cpp",
            "static inline __attribute__((always_inline)) int bump(int x) { return x * 3 + 1; }\n"
            "__attribute__((noinline)) int direct(int n) { return bump(n); }\n"
            "__attribute__((noinline)) int viaLambda(int n) {\n"
            "  auto f = [](int v) __attribute__((noinline)) { return bump(v); };\n"
            "  return f(n);\n"
            "}\n"
            "__attribute__((noinline)) int viaLocalClass(int n) {\n"
            "  struct Helper {\n"
            "    __attribute__((noinline)) static int run(int v) { return bump(v); }\n"
            "  };\n"
            "  return Helper::run(n);\n"
            "}\n"
            "int main(int argc, char**) { return direct(argc) + viaLambda(argc) + viaLocalClass(argc); }\n");
  ASSERT_TRUE(dir.run("g++ -O2 -g l.cpp -o prog"));
  auto module = openModule(dir.path() + "/prog");
  // stap -p2 probes bump in direct() and in the lambda's clone, which gcc
  // writes at the unit's top level, but not in Helper::run, whose DIE
  // sits in the local class.
  auto run = findFunctions(*module, "run");
  ASSERT_EQ(run.size(), 1u);
  auto direct = findFunctions(*module, "direct");
  ASSERT_EQ(direct.size(), 1u);
  auto copies = findFunctions(*module, "bump");
  ASSERT_EQ(copies.size(), 2u);
  for (const Function* f : copies) {
    EXPECT_TRUE(f->isInlineInstance);
    EXPECT_NE(f->entry, run[0]->entry);
  }
  EXPECT_TRUE(
      std::any_of(copies.begin(), copies.end(), [&](const Function* f) { return f->entry == direct[0]->entry; }));
}

// Debian's libc.so.6 keeps only .dynsym; its DWARF and .symtab are in
// libc6-dbg's build-id file.
TEST(Symbols, LibcAsStapListsIt) {
  auto libc = openModule("/usr/lib/x86_64-linux-gnu/libc.so.6");
  if (!libc || !libc->hasDebugInfo()) GTEST_SKIP() << "no debug information for libc.so.6 (libc6-dbg)";
  // malloc is a symbol at __libc_malloc's entry.
  auto malloc = findFunctions(*libc, "malloc");
  ASSERT_EQ(malloc.size(), 1u);
  EXPECT_EQ(malloc[0]->name, "__libc_malloc");
  EXPECT_TRUE(malloc[0]->probeSpelling().starts_with("__libc_malloc@./malloc/malloc.c:"));
  EXPECT_TRUE(libc->isExported(*malloc[0]));
  // One listing per address: no alias lists apart.
  std::map<uint64_t, const Function*> outOfLine;
  for (const Function* f : findFunctions(*libc, "*")) {
    if (f->isInlineInstance) continue;
    auto [at, fresh] = outOfLine.emplace(f->entry, f);
    EXPECT_TRUE(fresh) << f->probeSpelling() << " and " << at->second->probeSpelling();
    EXPECT_NE(f->name, "malloc");
  }
  // Local symbols from the debug file's .symtab: syscall stubs are gas
  // DIEs spelled from syscall-template.S; .cold parts list by symbol.
  auto bind = findFunctions(*libc, "__GI___bind");
  ASSERT_EQ(bind.size(), 1u);
  EXPECT_NE(bind[0]->probeSpelling().find("syscall-template.S:"), std::string::npos);
  EXPECT_FALSE(findFunctions(*libc, "*.cold").empty());
}

}  // namespace
}  // namespace utap::dwarf
