// SDT markers: the operand decoder on every form sys/sdt.h and gas write,
// the notes of the test programs and of Debian's python3.11 and
// libstdc++.so.6 against readelf -n and stap -L, the prelink adjustment,
// and the decoded recipes evaluated in the stopped test programs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "dwarf/module.h"
#include "oracle.h"
#include "recipe_eval.h"
#include "test_programs.h"

namespace utap::dwarf {
namespace {

using test::testProgram;

// Symbols for decoder tests: two known ones, anything else unknown.
std::optional<uint64_t> knownSymbol(std::string_view name, std::string* error) {
  if (name == "_ZL3foo") return 0x4018;
  if (name == "garr") return 0x4080;
  *error = fmt::format("no symbol \"{}\"", name);
  return std::nullopt;
}

std::string decoded(std::string_view operand, int size, bool isSigned, bool moduleRelative = true) {
  std::string error;
  auto recipe = decodeSdtOperand(operand, size, isSigned, moduleRelative, knownSymbol, &error);
  return recipe ? recipe->describe() : "error: " + error;
}

TEST(SdtOperand, Registers) {
  EXPECT_EQ(decoded("%rax", 8, true), "reg rax");
  EXPECT_EQ(decoded("%edi", 4, true), "reg rdi; extend s32");
  EXPECT_EQ(decoded("%edi", 4, false), "reg rdi; extend u32");
  EXPECT_EQ(decoded("%ax", 2, false), "reg rax; extend u16");
  EXPECT_EQ(decoded("%si", 2, true), "reg rsi; extend s16");
  EXPECT_EQ(decoded("%al", 1, true), "reg rax; extend s8");
  EXPECT_EQ(decoded("%dil", 1, false), "reg rdi; extend u8");
  EXPECT_EQ(decoded("%ah", 1, true), "reg rax; const 8; shr; extend s8");
  EXPECT_EQ(decoded("%bh", 1, false), "reg rbx; const 8; shr; extend u8");
  EXPECT_EQ(decoded("%r8b", 1, true), "reg r8; extend s8");
  EXPECT_EQ(decoded("%r9w", 2, false), "reg r9; extend u16");
  EXPECT_EQ(decoded("%r15", 8, false), "reg r15");
  // A narrower register than the operand: only the register's bits.
  EXPECT_EQ(decoded("%r12d", 8, false), "reg r12; extend u32");
  EXPECT_EQ(decoded("%r12d", 8, true), "reg r12; extend s32");
  // A wider register than the operand: only the operand's bytes.
  EXPECT_EQ(decoded("%rdx", 4, true), "reg rdx; extend s32");
  EXPECT_EQ(decoded("%xmm0", 8, false), "reg xmm0");
  EXPECT_EQ(decoded("%xmm15", 4, false), "reg xmm15; extend u32");
}

TEST(SdtOperand, Constants) {
  EXPECT_EQ(decoded("$5", 4, true), "const 5");
  EXPECT_EQ(decoded("$-1", 4, true), "const -1");
  EXPECT_EQ(decoded("$-7", 4, true), "const -7");
  // Truncated to the operand's size and extended as a register would hold it (stap: 4000000000).
  EXPECT_EQ(decoded("$-294967296", 4, false), "const 0xee6b2800");
  EXPECT_EQ(decoded("$-1", 4, false), "const 0xffffffff");
  EXPECT_EQ(decoded("$255", 1, true), "const -1");
  EXPECT_EQ(decoded("$1099511627776", 8, true), "const 0x10000000000");
  EXPECT_EQ(decoded("$0x10", 8, true), "const 16");
}

TEST(SdtOperand, Memory) {
  EXPECT_EQ(decoded("-16(%rbp)", 8, true), "reg rbp; plus -16; read s64");
  EXPECT_EQ(decoded("(%rax)", 1, true), "reg rax; read s8");
  EXPECT_EQ(decoded("72(%rcx)", 8, false), "reg rcx; plus 72; read u64");
  EXPECT_EQ(decoded("0x10(%rsp)", 4, false), "reg rsp; plus 16; read u32");
  EXPECT_EQ(decoded("-0x8(%rbp)", 8, true), "reg rbp; plus -8; read s64");
  EXPECT_EQ(decoded("(%rax,%rbx,8)", 8, true), "reg rax; reg rbx; const 8; mul; add; read s64");
  EXPECT_EQ(decoded("(%rsi,%rdx)", 4, true), "reg rsi; reg rdx; add; read s32");
  EXPECT_EQ(decoded("16(,%rcx,4)", 8, false), "reg rcx; const 4; mul; plus 16; read u64");
  EXPECT_EQ(decoded("-8(%rbp,%rcx,2)", 2, true), "reg rbp; reg rcx; const 2; mul; add; plus -8; read s16");
  EXPECT_EQ(decoded("(%r12,%r13,1)", 8, true), "reg r12; reg r13; add; read s64");
}

TEST(SdtOperand, SymbolsAreAddressesNotRipOffsets) {
  EXPECT_EQ(decoded("_ZL3foo(%rip)", 8, true), "module+0x4018; read s64");
  EXPECT_EQ(decoded("_ZL3foo+8(%rip)", 8, true), "module+0x4020; read s64");
  EXPECT_EQ(decoded("16+garr(%rip)", 8, true), "module+0x4090; read s64");
  EXPECT_EQ(decoded("garr-8(%rip)", 4, false), "module+0x4078; read u32");
  // ET_EXEC: the link-time address is the run-time one.
  EXPECT_EQ(decoded("16+garr(%rip)", 8, true, false), "const 16528; read s64");
  EXPECT_EQ(decoded("garr(,%rax,8)", 8, true), "module+0x4080; reg rax; const 8; mul; add; read s64");
  // No symbol: rip itself, as stap reads it.
  EXPECT_EQ(decoded("8(%rip)", 8, true), "reg rip; plus 8; read s64");
}

TEST(SdtOperand, ErrorsNameTheOperandAndTheReason) {
  struct Case {
    const char* operand;
    int size;
    const char* reason;
  };
  const Case cases[] = {
      {"weird", 8, "no symbol \"weird\""},
      {"%fs:0x28", 8, "segment-relative operands (%fs:) are not supported"},
      {"%foo", 8, "%foo is not an x86-64 register"},
      {"%r16", 8, "%r16 is not an x86-64 register"},
      {"(%eax)", 4, "the base register must be a 64-bit general-purpose register"},
      {"(%rax,%rbx,3)", 8, "the scale 3 is not 1, 2, 4 or 8"},
      {"(%rax,%rsp,2)", 8, "%rsp and %rip cannot be an index"},
      {"8(%rip,%rax)", 8, "a rip-relative reference cannot have an index"},
      {"$sym", 8, "only numeric constants are supported after '$'"},
      {"16+(%rax)", 8, "the displacement ends in an operator"},
      {"(%rax", 8, "expected ')'"},
      {"()", 8, "the memory reference names no register"},
      {"%rax junk", 8, "unexpected \" junk\" after the operand"},
      {"-garr(%rip)", 8, "a symbol cannot be subtracted"},
      {"garr+_ZL3foo(%rip)", 8, "a displacement may name only one symbol"},
      {"$99999999999999999999", 8, "the number does not fit 64 bits"},
      {"", 8, "the operand is empty"},
      {"%eax", 3, "its size 3 is not 1, 2, 4 or 8 bytes"},
      {"%rax", 16, "its size 16 is not 1, 2, 4 or 8 bytes"},
  };
  for (const Case& c : cases) {
    std::string text = decoded(c.operand, c.size, true);
    EXPECT_NE(text.find(fmt::format("cannot decode \"{}\"", c.operand)), std::string::npos) << text;
    EXPECT_NE(text.find(c.reason), std::string::npos) << c.operand << ": " << text;
  }
}

// Our markers against `readelf -n`: same notes in the same order, same
// addresses (no prelink here), operands as written, all decoded; without
// a symbol table (strip --strip-all) the rip-relative operands that name
// a symbol cannot be, and say so, while the marker still lists.
void expectMatchesReadelf(const std::string& path, bool symbolTableStripped = false) {
  SCOPED_TRACE(path);
  auto module = test::openModule(path);
  ASSERT_TRUE(module);
  std::vector<test::ReadelfSdtNote> notes = test::readelfSdtNotes(path);
  const std::vector<SdtProbe>& probes = module->sdtProbes();
  ASSERT_FALSE(notes.empty());
  ASSERT_EQ(probes.size(), notes.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    const SdtProbe& p = probes[i];
    const test::ReadelfSdtNote& n = notes[i];
    SCOPED_TRACE(p.provider + ":" + p.name);
    EXPECT_EQ(p.provider, n.provider);
    EXPECT_EQ(p.name, n.name);
    EXPECT_EQ(p.pc, n.location);
    EXPECT_EQ(p.semaphore, n.semaphore);
    ASSERT_EQ(p.arguments.size(), n.arguments.size());
    for (size_t k = 0; k < n.arguments.size(); ++k) {
      const SdtProbe::Argument& a = p.arguments[k];
      EXPECT_EQ(fmt::format("{}{}@{}", a.isSigned ? "-" : "", a.size, a.operand), n.arguments[k]);
      bool namesSymbol = a.operand.find("(%rip)") != std::string::npos && a.operand[0] != '(';
      if (symbolTableStripped && namesSymbol) {
        EXPECT_TRUE(a.value.ops.empty());
        std::string expected = fmt::format("cannot decode \"{}\": the symbol \"", a.operand);
        EXPECT_EQ(a.error.substr(0, expected.size()), expected);
      } else {
        EXPECT_EQ(a.error, "");
        EXPECT_FALSE(a.value.ops.empty());
      }
    }
  }
}

TEST(SdtNotes, TestProgramsMatchReadelf) {
  for (const char* name :
       {"cprog-O0", "cprog-O2", "cprog-O2-nopie", "cprog-dwarf4", "cprog-debuglink", "libutaptest.so"})
    expectMatchesReadelf(testProgram(name));
  expectMatchesReadelf(testProgram("cprog-stripped"), true);
}

TEST(SdtNotes, SystemFilesMatchReadelf) {
  for (const char* path : {"/usr/bin/python3.11", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"}) {
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed";
    expectMatchesReadelf(path);
  }
}

// What `stap -r 6.1.0-56-amd64 -L 'process("X").mark("*")'` lists: each
// marker name once, with its $argN count (every $argN is a long).
std::map<std::string, size_t> listing(const Module& module) {
  std::map<std::string, size_t> names;
  for (const SdtProbe& p : module.sdtProbes()) names[p.name] = p.arguments.size();
  return names;
}

TEST(SdtNotes, PythonListsAsStapDoes) {
  const char* path = "/usr/bin/python3.11";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed";
  auto module = test::openModule(path);
  ASSERT_TRUE(module);
  std::map<std::string, size_t> stap = {
      {"audit", 2},     {"function__entry", 3},          {"function__return", 3},          {"gc__done", 1},
      {"gc__start", 1}, {"import__find__load__done", 2}, {"import__find__load__start", 1}, {"line", 3}};
  EXPECT_EQ(listing(*module), stap);
  for (const SdtProbe& p : module->sdtProbes()) {
    EXPECT_EQ(p.provider, "python");
    EXPECT_NE(p.semaphore, 0u) << p.name;  // python guards every marker
    if (p.name == "function__entry") {
      ASSERT_EQ(p.arguments.size(), 3u);
      EXPECT_EQ(p.arguments[0].value.describe(), "reg rbp");
      EXPECT_EQ(p.arguments[1].value.describe(), "reg r12");
      EXPECT_EQ(p.arguments[2].value.describe(), "reg rax; extend s32");
    }
    if (p.name == "gc__start") {
      EXPECT_EQ(p.arguments.at(0).value.describe(), "reg rsp; plus 112; read s32");
    }
  }
}

TEST(SdtNotes, LibstdcxxListsAsStapDoes) {
  const char* path = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not installed";
  auto module = test::openModule(path);
  ASSERT_TRUE(module);
  std::map<std::string, size_t> stap = {{"catch", 2}, {"rethrow", 2}, {"throw", 2}};
  EXPECT_EQ(listing(*module), stap);
  for (const SdtProbe& p : module->sdtProbes()) {
    EXPECT_EQ(p.provider, "libstdcxx");
    EXPECT_EQ(p.semaphore, 0u);
    if (p.name == "catch") {
      EXPECT_EQ(p.arguments.at(1).value.describe(), "reg rbx; plus -80; read u64");
    }
  }
}

// nm's defined symbols of `path`: name -> link-time address.
std::map<std::string, uint64_t> nmAddresses(const std::string& path) {
  std::map<std::string, uint64_t> addresses;
  for (const test::NmSymbol& s : test::nmSymbols(path)) addresses[s.name] = s.address;
  return addresses;
}

const SdtProbe* marker(const Module& module, std::string_view name) {
  for (const SdtProbe& p : module.sdtProbes())
    if (p.name == name) return &p;
  return nullptr;
}

TEST(SdtNotes, SemaphoreAndRipRelativeSymbols) {
  for (const char* name : {"cprog-O2", "cprog-O2-nopie"}) {
    std::string path = testProgram(name);
    SCOPED_TRACE(path);
    auto module = test::openModule(path);
    ASSERT_TRUE(module);
    std::map<std::string, uint64_t> nm = nmAddresses(path);
    const SdtProbe* traced = marker(*module, "traced");
    ASSERT_TRUE(traced);
    EXPECT_EQ(traced->semaphore, nm.at("utaptest_traced_semaphore"));
    for (const SdtProbe& p : module->sdtProbes())
      if (&p != traced) {
        EXPECT_EQ(p.semaphore, 0u) << p.name;
      }
    // -8@global_counter(%rip) at -O2: the global's own address.
    const SdtProbe* globals = marker(*module, "globals");
    ASSERT_TRUE(globals);
    ASSERT_EQ(globals->arguments.at(0).operand, "global_counter(%rip)");
    bool pie = module->isSharedObject();
    std::string address = pie ? fmt::format("module+{:#x}", nm.at("global_counter"))
                              : fmt::format("const {:#x}", nm.at("global_counter"));
    EXPECT_EQ(globals->arguments[0].value.describe(), address + "; read s64");
  }
}

// A copy of `source` whose notes say they were linked against a
// .stapsdt.base `delta` bytes lower, with pc moved the same way: what a
// prelinked file looks like after prelink moved the section.
std::string shiftedNotesCopy(const std::string& source, uint64_t delta) {
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const test::ReadelfSdtNote& n : test::readelfSdtNotes(source)) {
    uint64_t fields[3] = {n.location, n.base, n.semaphore};
    std::string needle(reinterpret_cast<const char*>(fields), sizeof fields);
    size_t at = bytes.find(needle);
    if (at == std::string::npos) return "";
    uint64_t moved[3] = {n.location - delta, n.base - delta, n.semaphore ? n.semaphore - delta : 0};
    bytes.replace(at, sizeof moved, reinterpret_cast<const char*>(moved), sizeof moved);
  }
  std::string path = testing::TempDir() + "/utap-sdt-prelinked-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return "";
  close(fd);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(SdtNotes, PrelinkAdjustment) {
  std::string original = testProgram("cprog-O2");
  std::string copy = shiftedNotesCopy(original, 0x1000);
  ASSERT_NE(copy, "");
  auto module = test::openModule(copy);
  ASSERT_TRUE(module);
  std::vector<test::ReadelfSdtNote> notes = test::readelfSdtNotes(original);
  const std::vector<SdtProbe>& probes = module->sdtProbes();
  ASSERT_EQ(probes.size(), notes.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(probes[i].pc, notes[i].location) << probes[i].name;
    EXPECT_EQ(probes[i].semaphore, notes[i].semaphore) << probes[i].name;
  }
  EXPECT_EQ(test::readelfSdtNotes(copy).at(0).location, notes.at(0).location - 0x1000);
  std::filesystem::remove(copy);
}

// ---- the recipes evaluated in the stopped programs ----

// Runs `program` to marker `probe` of `modulePath` and evaluates each
// argument there, as the generated code will at the uprobe hit.
std::vector<int64_t> argumentsAtHit(const std::string& program, const std::string& modulePath, const SdtProbe& probe,
                                    uint64_t* bias = nullptr) {
  std::string error;
  std::unique_ptr<test::TracedProgram> traced = test::TracedProgram::start({program}, &error);
  EXPECT_TRUE(traced) << error;
  if (!traced) return {};
  if (!traced->runTo(modulePath, probe.pc, &error)) {
    ADD_FAILURE() << probe.name << ": " << error;
    return {};
  }
  test::RecipeContext context;
  context.program = traced.get();
  context.moduleBias = traced->loadBias(modulePath).value_or(0);
  if (bias) *bias = context.moduleBias;
  std::vector<int64_t> values;
  for (const SdtProbe::Argument& a : probe.arguments) {
    auto value = test::evaluateRecipe(a.value, context, &error);
    EXPECT_TRUE(value) << probe.name << " " << a.operand << ": " << error;
    values.push_back(static_cast<int64_t>(value.value_or(0xdeadbeef)));
  }
  // Pointers are checked by what they point at, while the program is stopped.
  if (probe.name == "strings" && values.size() == 2) {
    char label[12] = {};
    EXPECT_TRUE(traced->readMemory(static_cast<uint64_t>(values[1]), label, sizeof label - 1));
    EXPECT_STREQ(label, "first label");
  }
  return values;
}

// markers.c's fire_markers(seed = 1, &global_record) in the first round:
// the values each marker passes, written from the C source.
TEST(SdtRecipes, TestProgramMarkersGiveTheirValues) {
  for (const char* name : {"cprog-O0", "cprog-O2", "cprog-O2-nopie", "cprog-dwarf4"}) {
    std::string path = testProgram(name);
    SCOPED_TRACE(path);
    auto module = test::openModule(path);
    ASSERT_TRUE(module);
    std::map<std::string, uint64_t> nm = nmAddresses(path);
    for (const SdtProbe& p : module->sdtProbes()) {
      if (p.name == "traced") continue;  // fires only while its semaphore is set
      uint64_t bias = 0;
      std::vector<int64_t> values = argumentsAtHit(path, path, p, &bias);
      auto record = static_cast<int64_t>(bias + nm.at("global_record"));
      std::map<std::string, std::vector<int64_t>> expected = {
          {"begin", {}},
          {"one", {1}},
          {"constants", {42, -7}},
          {"globals", {100, 1}},
          {"stack", {11, 13}},
          {"sizes", {'b', -2, 1, int64_t{1} << 40, record, 4000000000}},
          {"strings", {record + 8, values.size() == 2 ? values[1] : 0}},
          {"eight", {1, 1, 3, 10, 5, 100, 1, 8}},
      };
      ASSERT_TRUE(expected.count(p.name)) << "a marker this test does not know: " << p.name;
      EXPECT_EQ(values, expected.at(p.name)) << p.name;
    }
  }
}

// A marker in a shared library, reached through the program using it.
TEST(SdtRecipes, LibraryMarkerGivesItsValues) {
  std::string library = std::filesystem::canonical(testProgram("libutaptest.so")).string();
  auto module = test::openModule(library);
  ASSERT_TRUE(module);
  const SdtProbe* add = marker(*module, "add");
  ASSERT_TRUE(add);
  EXPECT_EQ(argumentsAtHit(testProgram("uselib"), library, *add), (std::vector<int64_t>{1, 2}));
}

// Operands gcc's sys/sdt.h rarely writes but gas accepts, written by
// hand with STAP_PROBE_ASM in a program compiled here: high bytes, index
// registers, symbol+offset, a token without a size prefix (it continues
// the operand before it, so stap -L counts two arguments for "odd"), and
// operands that cannot be decoded (stap -L still lists four for "bad").
TEST(SdtRecipes, HandWrittenOperands) {
  std::string dir = (std::filesystem::path(testing::TempDir()) / "utap-sdt-XXXXXX").string();
  ASSERT_TRUE(mkdtemp(dir.data())) << dir;
  std::string source = dir + "/hand.c", program = dir + "/hand";
  std::ofstream(source) << R"(#include <sys/sdt.h>
long g[4] = {10, 20, 30, 40};
int main(void)
{
	/* Basic asm: rbx is saved around the marker; rax and rcx are free at the end of main. */
	__asm__ __volatile__("push %rbx\n\t"
			     "mov $0xfe80, %eax\n\t"
			     "lea g(%rip), %rbx\n\t"
			     "mov $2, %ecx\n\t"
			     STAP_PROBE_ASM(hand, regs, -1@%ah 1@%ah -1@%al 2@%ax -2@%ax 8@(%rbx,%rcx,8) 8@g+8(%rip) 8@16+g(%rip) -4@$-1)
			     "pop %rbx\n\t");
	__asm__ __volatile__(STAP_PROBE_ASM(hand, odd, 8@%rax %rdi -4@%edx));
	__asm__ __volatile__(STAP_PROBE_ASM(hand, bad, 8@%xmm0 8@weird 4@%fs:0x28 3@%eax));
	return 0;
}
)";
  test::CommandResult cc = test::runCommand({"gcc", "-O2", "-g", "-fPIE", "-pie", "-o", program, source}, true);
  ASSERT_EQ(cc.exitStatus, 0) << cc.out;
  auto module = test::openModule(program);
  ASSERT_TRUE(module);
  std::map<std::string, size_t> stap = {{"bad", 4}, {"odd", 2}, {"regs", 9}};
  EXPECT_EQ(listing(*module), stap);

  const SdtProbe* odd = marker(*module, "odd");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->arguments.at(0).operand, "%rax %rdi");
  EXPECT_EQ(odd->arguments[0].error, "cannot decode \"%rax %rdi\": unexpected \" %rdi\" after the operand");
  EXPECT_EQ(odd->arguments.at(1).value.describe(), "reg rdx; extend s32");

  const SdtProbe* bad = marker(*module, "bad");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->arguments.at(0).value.describe(), "reg xmm0");
  EXPECT_EQ(bad->arguments.at(1).error,
            fmt::format("cannot decode \"weird\": the symbol \"weird\" is not in {}'s symbol tables", program));
  EXPECT_EQ(bad->arguments.at(2).error,
            "cannot decode \"%fs:0x28\": segment-relative operands (%fs:) are not supported");
  EXPECT_EQ(bad->arguments.at(3).error, "cannot decode \"%eax\": its size 3 is not 1, 2, 4 or 8 bytes");

  const SdtProbe* regs = marker(*module, "regs");
  ASSERT_TRUE(regs);
  // eax = 0xfe80, rbx = &g, rcx = 2 at the marker.
  EXPECT_EQ(argumentsAtHit(program, program, *regs),
            (std::vector<int64_t>{-2, 0xfe, -128, 0xfe80, -384, 30, 20, 30, -1}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace utap::dwarf
