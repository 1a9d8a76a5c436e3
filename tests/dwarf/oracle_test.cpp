// The oracles themselves: nm, readelf and gdb parsed right, and the ptrace
// evaluator giving gdb's values for recipes written by hand from the
// psABI. The reader's tests rely on both, so both are checked first.
#include "oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "recipe_eval.h"

namespace utap::test {
namespace {

using dwarf::RecipeOp;
using dwarf::ValueRecipe;
using K = RecipeOp::Kind;

RecipeOp reg(int number) { return {K::Register, static_cast<uint8_t>(number)}; }
RecipeOp constant(int64_t value) { return {K::Constant, 0, 0, false, value}; }
RecipeOp op(K kind, int64_t value = 0) { return {kind, 0, 0, false, value}; }
RecipeOp sized(K kind, uint8_t size, bool isSigned) { return {kind, 0, size, isSigned, 0}; }

uint64_t doubleBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

TEST(Oracle, NmFindsGlobalAndStaticFunctions) {
  std::vector<NmSymbol> symbols = nmSymbols(testProgram("cprog-O0"));
  auto find = [&](std::string_view name) {
    return std::find_if(symbols.begin(), symbols.end(), [&](const NmSymbol& s) { return s.name == name; });
  };
  ASSERT_NE(find("take_int"), symbols.end());
  EXPECT_EQ(find("take_int")->type, 'T');
  ASSERT_NE(find("static_square"), symbols.end());
  EXPECT_EQ(find("static_square")->type, 't');
  EXPECT_EQ(find("global_counter")->type, 'D');
  EXPECT_EQ(nmFunctionAddress(testProgram("cprog-O0"), "take_int"), find("take_int")->address);
  EXPECT_EQ(nmFunctionAddress(testProgram("cprog-O0"), "global_counter"), std::nullopt);
  EXPECT_TRUE(nmSymbols(testProgram("cprog-stripped")).empty());
  std::vector<NmSymbol> exported = nmSymbols(testProgram("libutaptest.so"), true);
  EXPECT_TRUE(std::any_of(exported.begin(), exported.end(), [](const NmSymbol& s) { return s.name == "lib_add"; }));
  EXPECT_FALSE(std::any_of(exported.begin(), exported.end(), [](const NmSymbol& s) { return s.name == "lib_count"; }));
}

TEST(Oracle, ReadelfSdtNotes) {
  std::vector<ReadelfSdtNote> notes = readelfSdtNotes(testProgram("cprog-O2"));
  std::vector<std::string> names;
  for (const ReadelfSdtNote& note : notes)
    if (note.provider == "utaptest") names.push_back(note.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"begin", "constants", "eight", "globals", "one", "sizes", "stack",
                                             "strings", "traced"}));
  for (const ReadelfSdtNote& note : notes) {
    EXPECT_NE(note.location, 0u) << note.name;
    EXPECT_NE(note.base, 0u) << note.name;
    EXPECT_EQ(note.semaphore != 0, note.name == "traced") << note.name;
    if (note.name == "constants") {
      EXPECT_EQ(note.arguments, (std::vector<std::string>{"-4@$42", "-4@$-7"}));
    } else if (note.name == "begin") {
      EXPECT_TRUE(note.arguments.empty());
    } else if (note.name == "eight") {
      EXPECT_EQ(note.arguments.size(), 8u);
    }
  }
}

TEST(Oracle, ReadelfLineRowsCoverFunctions) {
  std::string path = testProgram("cprog-O0");
  std::vector<LineRow> rows = readelfLineRows(path);
  std::optional<uint64_t> takeInt = nmFunctionAddress(path, "take_int");
  ASSERT_TRUE(takeInt);
  // The row that starts take_int (the previous sequence may end at the same address).
  auto first = std::find_if(rows.begin(), rows.end(),
                            [&](const LineRow& r) { return r.address == *takeInt && !r.endSequence; });
  ASSERT_NE(first, rows.end());
  EXPECT_EQ(first->file, "params.c");
  EXPECT_EQ(first->line, 15);  // the line of "{" after OUT_OF_LINE int take_int(int i)
  EXPECT_TRUE(first->isStmt);
  EXPECT_NE(first->compileUnit.find("params.c"), std::string::npos);
  EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [](const LineRow& r) { return r.endSequence; }));
}

TEST(Oracle, GdbPrintsAtABreakAndAtALinkTimeAddress) {
  for (const char* name : {"cprog-O0", "cprog-O0-nopie"}) {
    std::string path = testProgram(name);
    GdbResult byName = gdbPrintAt(path, {std::nullopt, "take_int"}, {"i", "nosuch", "global_record.name"});
    ASSERT_TRUE(byName.stopped) << byName.transcript;
    EXPECT_NE(byName.breakAddress, 0u);
    ASSERT_EQ(byName.values.size(), 3u);
    EXPECT_EQ(byName.values[0], "42");
    EXPECT_EQ(byName.values[1], "No symbol \"nosuch\" in current context.");
    EXPECT_EQ(byName.values[2], "\"first\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\"");

    GdbResult byAddress = gdbPrintAt(path, {byName.breakAddress, ""}, {"i", "/x $pc"});
    ASSERT_TRUE(byAddress.stopped) << byAddress.transcript;
    EXPECT_EQ(byAddress.values[0], "42");
    EXPECT_EQ(parseNumber(byAddress.values[1]), byName.breakAddress + byAddress.loadBias);
    EXPECT_EQ(byAddress.loadBias != 0, isSharedObjectFile(path)) << name;
  }
}

// Runs `program` to the entry of `function` (link-time address from nm).
std::unique_ptr<TracedProgram> stoppedAt(const std::string& program, const std::string& module,
                                         std::string_view function) {
  std::optional<uint64_t> address = nmFunctionAddress(module, function);
  EXPECT_TRUE(address) << function;
  std::string error;
  std::unique_ptr<TracedProgram> traced = TracedProgram::start({program}, &error);
  EXPECT_NE(traced, nullptr) << error;
  if (traced && address && !traced->runTo(module, *address, &error)) {
    ADD_FAILURE() << function << ": " << error;
    return nullptr;
  }
  return address ? std::move(traced) : nullptr;
}

uint64_t evaluate(const TracedProgram& program, std::vector<RecipeOp> ops, uint64_t bias = 0) {
  RecipeContext context;
  context.program = &program;
  context.moduleBias = bias;
  std::string error;
  std::optional<uint64_t> value = evaluateRecipe(ValueRecipe{std::move(ops)}, context, &error);
  EXPECT_TRUE(value) << error;
  return value.value_or(0xdeadbeef);
}

TEST(RecipeEval, RegistersAtEntryFollowThePsAbi) {
  for (const char* name : {"cprog-O2", "cprog-O0-nopie"}) {
    std::string path = testProgram(name);
    SCOPED_TRACE(name);
    if (auto p = stoppedAt(path, path, "take_int")) {  // rdi, int 42
      EXPECT_EQ(evaluate(*p, {reg(5), sized(K::Extend, 4, true)}), 42u);
    }
    if (auto p = stoppedAt(path, path, "take_short")) {  // -300, sign-extended from 16 bits
      EXPECT_EQ(static_cast<int64_t>(evaluate(*p, {reg(5), sized(K::Extend, 2, true)})), -300);
    }
    if (auto p = stoppedAt(path, path, "take_double")) {  // xmm0
      EXPECT_EQ(evaluate(*p, {reg(17)}), doubleBits(2.5));
    }
    if (auto p = stoppedAt(path, path, "take_many")) {
      // g and h: above the return address, 8 bytes apart.
      EXPECT_EQ(evaluate(*p, {reg(7), op(K::PlusConstant, 8), sized(K::Read, 4, true)}), 7u);
      EXPECT_EQ(evaluate(*p, {reg(7), op(K::PlusConstant, 16), sized(K::Read, 8, true)}), 8u);
      EXPECT_EQ(evaluate(*p, {reg(1), sized(K::Extend, 2, true)}), 3u);  // c in rdx
    }
  }
}

TEST(RecipeEval, GlobalsThroughTheLoadBiasMatchGdb) {
  for (const char* name : {"cprog-O0", "cprog-O2-nopie"}) {
    std::string path = testProgram(name);
    SCOPED_TRACE(name);
    std::optional<uint64_t> counter;
    for (const NmSymbol& symbol : nmSymbols(path))
      if (symbol.name == "global_counter") counter = symbol.address;
    ASSERT_TRUE(counter);
    auto p = stoppedAt(path, path, "take_record");
    ASSERT_NE(p, nullptr);
    uint64_t bias = p->loadBias(path).value_or(~0ull);
    EXPECT_EQ(bias, gdbLoadBias(path));
    RecipeOp address{K::ModuleAddress, 0, 0, false, static_cast<int64_t>(*counter)};
    EXPECT_EQ(evaluate(*p, {address, sized(K::Read, 8, true)}, bias), 100u);
    // record->values[2] through the pointer in rdi, as gdb prints it there.
    std::optional<uint64_t> function = nmFunctionAddress(path, "take_record");
    // At the entry r is still in rdi (at -O0 its stack slot is not written yet).
    GdbResult gdb = gdbPrintAt(path, {function, ""}, {"((struct record *)$rdi)->values[2]", "/x $rdi"});
    ASSERT_TRUE(gdb.stopped) << gdb.transcript;
    EXPECT_EQ(std::to_string(evaluate(*p, {reg(5), op(K::PlusConstant, 32), sized(K::Read, 4, true)})),
              gdb.values[0]);
    EXPECT_EQ(evaluate(*p, {reg(5)}), parseNumber(gdb.values[1]));
  }
}

// Pointers into the stack compare equal only if gdb starts the program
// as a plain exec does (no shell, no LINES/COLUMNS added).
TEST(RecipeEval, StackAddressesAgreeWithGdb) {
  for (const char* name : {"cprog-O0", "cprog-O2-nopie"}) {
    std::string path = testProgram(name);
    SCOPED_TRACE(name);
    auto p = stoppedAt(path, path, "take_pointer");
    ASSERT_NE(p, nullptr);
    GdbResult gdb = gdbPrintAt(path, {nmFunctionAddress(path, "take_pointer"), ""}, {"/x $rdi", "/x $rsp"});
    ASSERT_TRUE(gdb.stopped) << gdb.transcript;
    EXPECT_EQ(evaluate(*p, {reg(5)}), parseNumber(gdb.values[0]));
    EXPECT_EQ(evaluate(*p, {reg(7)}), parseNumber(gdb.values[1]));
    EXPECT_EQ(evaluate(*p, {reg(5), sized(K::Read, 4, true)}), 11u);  // pair[0]
  }
}

// .return probes read parameters from registers saved at the entry.
TEST(RecipeEval, EntryRegistersAreTheSavedOnes) {
  std::string path = testProgram("cprog-O2");
  auto p = stoppedAt(path, path, "take_int");
  ASSERT_NE(p, nullptr);
  Registers atEntry = p->registers();
  std::string error;
  // Stop at the next function called after take_int returned.
  ASSERT_TRUE(p->runTo(path, *nmFunctionAddress(path, "take_long"), &error)) << error;
  RecipeContext context{p.get(), 0, {}, &atEntry};
  RecipeOp entryRdi{K::EntryRegister, 5};
  EXPECT_EQ(evaluateRecipe(ValueRecipe{{entryRdi, sized(K::Extend, 4, true)}}, context, &error), 42u) << error;
  EXPECT_EQ(evaluateRecipe(ValueRecipe{{reg(5)}}, context, &error), static_cast<uint64_t>(-1234567890123L));
  context.entryRegisters = nullptr;
  EXPECT_FALSE(evaluateRecipe(ValueRecipe{{entryRdi}}, context, &error));
}

TEST(RecipeEval, LibraryAddressesAfterTheLoaderMappedIt) {
  std::string library = testProgram("libutaptest.so");
  auto p = stoppedAt(testProgram("uselib"), library, "lib_add");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(evaluate(*p, {reg(5)}) & 0xffffffff, 1u);
  EXPECT_EQ(evaluate(*p, {reg(4)}) & 0xffffffff, 2u);
  EXPECT_NE(p->loadBias(library).value_or(0), 0u);
}

TEST(RecipeEval, ArithmeticAndStrings) {
  std::string path = testProgram("cprog-O0");
  auto p = stoppedAt(path, path, "take_mixed");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(evaluate(*p, {constant(-7), constant(2), op(K::Div)}), static_cast<uint64_t>(-3));
  EXPECT_EQ(evaluate(*p, {constant(-7), constant(2), op(K::Mod)}), 1u);  // unsigned: 2^64-7 is odd
  EXPECT_EQ(evaluate(*p, {constant(-8), constant(1), op(K::Shra)}), static_cast<uint64_t>(-4));
  EXPECT_EQ(evaluate(*p, {constant(-8), constant(60), op(K::Shr)}), 15u);
  EXPECT_EQ(evaluate(*p, {constant(0x1ff), sized(K::Extend, 1, true)}), static_cast<uint64_t>(-1));
  EXPECT_EQ(evaluate(*p, {constant(5), op(K::Neg), op(K::Not)}), 4u);
  EXPECT_EQ(evaluate(*p, {constant(0x40600000), op(K::Fp32ToFp64)}), doubleBits(3.5));  // 3.5f

  std::string error;
  RecipeContext context{p.get(), 0, {}, nullptr};
  EXPECT_FALSE(evaluateRecipe(ValueRecipe{{constant(1), constant(0), op(K::Div)}}, context, &error));
  EXPECT_EQ(error, "division by zero");
  EXPECT_FALSE(evaluateRecipe(ValueRecipe{{constant(16), sized(K::Read, 8, false)}}, context, &error));
  EXPECT_EQ(error, "cannot read 8 bytes at 0x10");

  // take_mixed(int i, double d, const char *s, float f): s is in rsi.
  dwarf::TargetValue pretty;
  pretty.kind = dwarf::TargetValue::Kind::String;
  pretty.pretty = {{dwarf::PrettyPart::Format::Text, "s=", {}, 0, true},
                   {dwarf::PrettyPart::Format::UserString, "", ValueRecipe{{reg(4)}}, 5, true},
                   {dwarf::PrettyPart::Format::Text, " i=", {}, 0, true},
                   {dwarf::PrettyPart::Format::Signed, "", ValueRecipe{{reg(5), sized(K::Extend, 4, true)}}, 0, true},
                   {dwarf::PrettyPart::Format::Text, " bad=", {}, 0, true},
                   {dwarf::PrettyPart::Format::Hex, "", ValueRecipe{{constant(8), sized(K::Read, 8, false)}}, 0, true}};
  EXPECT_EQ(evaluateTarget(pretty, context, &error), "s=\"hello\" i=1 bad=?");
}

}  // namespace
}  // namespace utap::test
