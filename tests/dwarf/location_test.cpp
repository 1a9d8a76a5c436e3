// DWARF location expressions to recipes (compiler/dwarf/location.cpp),
// through Module::resolve on the C test program: frame bases through the
// CFA at different pcs, registers, DW_OP_addr for PIE and ET_EXEC,
// location lists by pc, entry_value, and the errors for what cannot be read.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <regex>
#include <set>

#include "dwarf/module.h"
#include "oracle.h"
#include "test_programs.h"

namespace utap::test {
namespace {

namespace dw = utap::dwarf;
using K = dw::RecipeOp::Kind;

dw::RecipeOp reg(int number) { return {K::Register, static_cast<uint8_t>(number)}; }
dw::RecipeOp plus(int64_t value) { return {K::PlusConstant, 0, 0, false, value}; }
dw::RecipeOp read(uint8_t size, bool isSigned) { return {K::Read, 0, size, isSigned, 0}; }
dw::RecipeOp extend(uint8_t size, bool isSigned) { return {K::Extend, 0, size, isSigned, 0}; }
dw::RecipeOp moduleAddress(uint64_t address) { return {K::ModuleAddress, 0, 0, false, static_cast<int64_t>(address)}; }
dw::RecipeOp constant(uint64_t value) { return {K::Constant, 0, 0, false, static_cast<int64_t>(value)}; }

constexpr int kRdi = 5, kRsi = 4, kRbp = 6, kRsp = 7;

class LocationTest : public ProgramTest {
 protected:
  static dw::TargetRequest variable(const std::string& name) {
    dw::TargetRequest request;
    request.name = name;
    return request;
  }
  // The recipe of $name at pc, or the error text prefixed with "error: ".
  static std::string recipeAt(const dw::Module& module, const dw::Function& f, uint64_t pc, const std::string& name,
                              bool atEntry = false) {
    std::string error;
    auto value = module.resolve(f, pc, variable(name), atEntry, &error);
    return value ? value->value.describe() : "error: " + error;
  }
  static std::vector<dw::RecipeOp> opsAt(const dw::Module& module, const dw::Function& f, uint64_t pc,
                                         const dw::TargetRequest& request, bool atEntry = false) {
    std::string error;
    auto value = module.resolve(f, pc, request, atEntry, &error);
    EXPECT_TRUE(value) << error;
    return value ? value->value.ops : std::vector<dw::RecipeOp>{};
  }
};

// -O0: `int i` at DW_OP_fbreg -20 over DW_AT_frame_base DW_OP_call_frame_cfa.
// After `push %rbp; mov %rsp,%rbp` the CFA is rbp+16.
TEST_F(LocationTest, FrameBaseThroughCfaAfterPrologue) {
  dw::Module& module = open("cprog-O0");
  const dw::Function& f = function(module, "take_int");
  ASSERT_NE(f.afterPrologue, f.entry);
  EXPECT_EQ(opsAt(module, f, f.afterPrologue, variable("i")),
            (std::vector<dw::RecipeOp>{reg(kRbp), plus(16 - 20), read(4, true)}));
}

// The CFA comes from .eh_frame at each pc: rsp+8 at the entry, rsp+16 once
// %rbp is pushed, rbp+16 after the frame pointer is set.
TEST_F(LocationTest, CfaFollowsThePc) {
  dw::Module& module = open("cprog-O0");
  const dw::Function& f = function(module, "take_long");
  EXPECT_EQ(recipeAt(module, f, f.entry, "l"), "reg rsp; plus -16; read s64");
  EXPECT_EQ(recipeAt(module, f, f.entry + 1, "l"), "reg rsp; plus -8; read s64");
  EXPECT_EQ(recipeAt(module, f, f.entry + 4, "l"), "reg rbp; plus -8; read s64");
}

// Arguments 7 and 8 are above the return address: fbreg 0 and 8, in the
// caller's frame, already written at the entry instruction.
TEST_F(LocationTest, StackArgumentsAtEntryAreTheCallersSlots) {
  dw::Module& module = open("cprog-O0");
  const dw::Function& f = function(module, "take_many");
  EXPECT_EQ(opsAt(module, f, f.entry, variable("g"), true),
            (std::vector<dw::RecipeOp>{reg(kRsp), plus(8), read(4, true)}));
  EXPECT_EQ(opsAt(module, f, f.entry, variable("h"), true),
            (std::vector<dw::RecipeOp>{reg(kRsp), plus(16), read(8, true)}));
}

// -O2 keeps parameters in their registers: DW_OP_reg5 and DW_OP_reg4.
TEST_F(LocationTest, RegistersAtO2) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "take_many");
  EXPECT_EQ(opsAt(module, f, f.entry, variable("a")), (std::vector<dw::RecipeOp>{reg(kRdi), extend(4, true)}));
  EXPECT_EQ(opsAt(module, f, f.entry, variable("b")), (std::vector<dw::RecipeOp>{reg(kRsi)}));
  const dw::Function& d = function(module, "take_double");
  EXPECT_EQ(recipeAt(module, d, d.entry, "d"), "reg xmm0");
}

// DW_OP_addr: relative to the load bias in a PIE, absolute in ET_EXEC.
TEST_F(LocationTest, GlobalAddressesPieAndExec) {
  for (const char* program : {"cprog-O0", "cprog-O0-nopie"}) {
    SCOPED_TRACE(program);
    dw::Module& module = open(program);
    std::optional<uint64_t> symbol;
    for (const NmSymbol& s : nmSymbols(testProgram(program)))
      if (s.name == "global_counter") symbol = s.address;
    ASSERT_TRUE(symbol);
    const dw::Function& f = function(module, "take_int");
    dw::RecipeOp base = module.isSharedObject() ? moduleAddress(*symbol) : constant(*symbol);
    EXPECT_EQ(opsAt(module, f, f.afterPrologue, variable("global_counter")),
              (std::vector<dw::RecipeOp>{base, read(8, true)}));
  }
}

// main's argc at -O2: DW_OP_reg5 at first, later only entry_value(rdi),
// which is known only at the function's entry.
TEST_F(LocationTest, LocationListsByPcAndEntryValue) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "main");
  EXPECT_EQ(recipeAt(module, f, f.entry, "argc"), "reg rdi; extend s32");
  std::set<std::string> outcomes;
  for (uint64_t pc = f.entry; pc < f.entry + 0x200; ++pc) {
    std::string outcome = recipeAt(module, f, pc, "argc");
    // One entry per kind of message: the pc varies, the reason does not.
    if (outcome.rfind("error: ", 0) == 0) outcomes.insert(std::regex_replace(outcome, std::regex("0x[0-9a-f]+"), "PC"));
  }
  bool sawEntryValue = false;
  for (const std::string& outcome : outcomes) {
    sawEntryValue |= outcome.find("DW_OP_entry_value") != std::string::npos;
    EXPECT_NE(outcome.find("$argc"), std::string::npos) << outcome;
  }
  EXPECT_TRUE(sawEntryValue) << "no pc of main where argc is only its entry value";
}

// A local whose location list does not cover a pc is optimized out there,
// and the message says where.
TEST_F(LocationTest, OptimizedOutNamesVariablePcAndFunction) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "main");
  std::string outcome = recipeAt(module, f, f.entry, "total");
  EXPECT_EQ(outcome, fmt::format("error: $total is optimized out at {:#x} in main", f.entry));
}

}  // namespace
}  // namespace utap::test
