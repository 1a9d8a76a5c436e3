// The recipe interpreter (runtime/core/recipe.c) in user space: the steps,
// the failures, the single-to-double widening and pretty printing, over a
// fake thread (registers and a memory map) given through the two hooks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

extern "C" {
#include "utap/recipe.h"
}

namespace {

// The thread the hooks read: registers by DWARF number, bytes by address.
std::map<unsigned, uint64_t> g_registers;
std::map<uint64_t, unsigned char> g_memory;

void poke(uint64_t addr, const void* bytes, size_t len) {
  for (size_t i = 0; i < len; ++i) g_memory[addr + i] = static_cast<const unsigned char*>(bytes)[i];
}

}  // namespace

extern "C" int utap_recipe_register(struct utap_context* c, unsigned int reg, uint64_t* value) {
  auto it = g_registers.find(reg);
  if (it == g_registers.end()) return -ENOENT;
  *value = it->second;
  return 0;
}

extern "C" int utap_recipe_read(struct utap_context* c, void* dst, uint64_t addr, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    auto it = g_memory.find(addr + i);
    if (it == g_memory.end()) return -EFAULT;
    static_cast<unsigned char*>(dst)[i] = it->second;
  }
  return 0;
}

namespace {

class RuntimeRecipe : public ::testing::Test {
 protected:
  void SetUp() override {
    g_registers.clear();
    g_memory.clear();
    std::memset(&c_, 0, sizeof c_);
  }
  int64_t run(std::initializer_list<utap_recipe_op> ops, const int64_t* inputs = nullptr) {
    std::vector<utap_recipe_op> v(ops);
    result_ = {};
    return utap_recipe_run(&c_, v.data(), v.size(), inputs, &result_);
  }
  utap_context c_;
  utap_recipe_result result_{};
};

utap_recipe_op op(uint8_t code, int64_t value = 0, uint8_t size = 0, bool isSigned = false, uint8_t reg = 0) {
  utap_recipe_op o{};
  o.op = code;
  o.value = value;
  o.size = size;
  o.is_signed = isSigned;
  o.reg = reg;
  return o;
}

TEST_F(RuntimeRecipe, RegistersMemoryAndExtension) {
  g_registers[5] = 0x1000;  // rdi: a struct's address
  int32_t member = -7;
  poke(0x1008, &member, 4);
  EXPECT_EQ(run({op(UTAP_OP_REGISTER, 0, 0, false, 5), op(UTAP_OP_PLUS_CONSTANT, 8), op(UTAP_OP_READ, 0, 4, true)}),
            -7);
  EXPECT_EQ(result_.status, 0);
  EXPECT_EQ(run({op(UTAP_OP_REGISTER, 0, 0, false, 5), op(UTAP_OP_PLUS_CONSTANT, 8), op(UTAP_OP_READ, 0, 4, false)}),
            0xfffffff9);
  // A 32-bit parameter in a register: only its low half is the value.
  g_registers[4] = 0xdeadbeef80000000ull;
  EXPECT_EQ(run({op(UTAP_OP_REGISTER, 0, 0, false, 4), op(UTAP_OP_EXTEND, 0, 4, true)}), INT32_MIN);
}

TEST_F(RuntimeRecipe, ModuleAddressesAddTheLoadBiasAndInputsAreScriptValues) {
  c_.load_bias = 0x555500000000;
  EXPECT_EQ(run({op(UTAP_OP_MODULE_ADDRESS, 0x4010)}), 0x555500004010);
  int64_t inputs[] = {3, 40};
  EXPECT_EQ(run({op(UTAP_OP_INPUT, 1), op(UTAP_OP_INPUT, 0), op(UTAP_OP_MUL)}, inputs), 120);
}

TEST_F(RuntimeRecipe, FailuresSayWhatAndWhere) {
  g_registers[5] = 0x2000;
  run({op(UTAP_OP_REGISTER, 0, 0, false, 5), op(UTAP_OP_READ, 0, 8)});
  EXPECT_EQ(result_.status, -EFAULT);
  EXPECT_EQ(result_.fault, 0x2000u);
  run({op(UTAP_OP_REGISTER, 0, 0, false, 9)});
  EXPECT_EQ(result_.status, -ENOENT);
  run({op(UTAP_OP_CONSTANT, 1), op(UTAP_OP_CONSTANT, 0), op(UTAP_OP_DIV)});
  EXPECT_EQ(result_.status, -EDOM);
  // Malformed: nothing to read from, two values left, an input without inputs.
  run({op(UTAP_OP_READ, 0, 8)});
  EXPECT_EQ(result_.status, -EINVAL);
  run({op(UTAP_OP_CONSTANT, 1), op(UTAP_OP_CONSTANT, 2)});
  EXPECT_EQ(result_.status, -EINVAL);
  run({op(UTAP_OP_INPUT, 0)});
  EXPECT_EQ(result_.status, -EINVAL);
  std::vector<utap_recipe_op> deep(UTAP_RECIPE_STACK + 1, op(UTAP_OP_CONSTANT, 1));
  result_ = {};
  utap_recipe_run(&c_, deep.data(), deep.size(), nullptr, &result_);
  EXPECT_EQ(result_.status, -EINVAL);
}

TEST_F(RuntimeRecipe, ArithmeticWrapsAndShiftsAsDwarfSays) {
  EXPECT_EQ(run({op(UTAP_OP_CONSTANT, INT64_MIN), op(UTAP_OP_CONSTANT, -1), op(UTAP_OP_DIV)}), INT64_MIN);
  EXPECT_EQ(run({op(UTAP_OP_CONSTANT, -8), op(UTAP_OP_CONSTANT, 1), op(UTAP_OP_SHRA)}), -4);
  EXPECT_EQ(run({op(UTAP_OP_CONSTANT, -8), op(UTAP_OP_CONSTANT, 60), op(UTAP_OP_SHR)}), 15);
  EXPECT_EQ(run({op(UTAP_OP_CONSTANT, 1), op(UTAP_OP_CONSTANT, 64), op(UTAP_OP_SHL)}), 0);
  EXPECT_EQ(run({op(UTAP_OP_CONSTANT, 7), op(UTAP_OP_NEG), op(UTAP_OP_NOT)}), 6);
  EXPECT_EQ(run({op(UTAP_OP_CONSTANT, -7), op(UTAP_OP_CONSTANT, 3), op(UTAP_OP_MOD)}),
            static_cast<int64_t>(static_cast<uint64_t>(-7) % 3));
}

TEST_F(RuntimeRecipe, SinglesWidenToTheSameDoubleExactly) {
  const float samples[] = {0.0f, -0.0f, 1.5f, -3.25f, 0.1f, std::numeric_limits<float>::max(),
                           std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min(),
                           1e-40f, -1e-42f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity()};
  for (float f : samples) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    double d = f;
    uint64_t want;
    std::memcpy(&want, &d, 8);
    EXPECT_EQ(utap_fp32_to_fp64(bits), want) << f;
  }
  uint64_t nan = utap_fp32_to_fp64(0x7fc00001u);
  double d;
  std::memcpy(&d, &nan, 8);
  EXPECT_TRUE(std::isnan(d));
}

TEST_F(RuntimeRecipe, PlacesForAssignment) {
  g_registers[6] = 0x3000;  // rbp
  utap_recipe_op mem[] = {op(UTAP_OP_REGISTER, 0, 0, false, 6), op(UTAP_OP_PLUS_CONSTANT, -20),
                          op(UTAP_OP_READ, 0, 4, true)};
  uint64_t addr = 0;
  unsigned size = 0, reg = 0;
  utap_recipe_result r{};
  EXPECT_EQ(utap_recipe_place(&c_, mem, 3, nullptr, &addr, &size, &reg, &r), 1);
  EXPECT_EQ(addr, 0x3000u - 20);
  EXPECT_EQ(size, 4u);
  utap_recipe_op in_reg[] = {op(UTAP_OP_REGISTER, 0, 0, false, 5), op(UTAP_OP_EXTEND, 0, 4, true)};
  EXPECT_EQ(utap_recipe_place(&c_, in_reg, 2, nullptr, &addr, &size, &reg, &r), 2);
  EXPECT_EQ(reg, 5u);
  utap_recipe_op computed[] = {op(UTAP_OP_CONSTANT, 1), op(UTAP_OP_CONSTANT, 2), op(UTAP_OP_ADD)};
  EXPECT_EQ(utap_recipe_place(&c_, computed, 3, nullptr, &addr, &size, &reg, &r), 0);
}

TEST_F(RuntimeRecipe, PrettyPartsAsStapPrintsThem) {
  g_registers[5] = 0;       // a null pointer
  g_registers[4] = 0x4000;  // a string
  poke(0x4000, "a\"b\n", 5);
  utap_recipe_op rdi[] = {op(UTAP_OP_REGISTER, 0, 0, false, 5)};
  utap_recipe_op rsi[] = {op(UTAP_OP_REGISTER, 0, 0, false, 4)};
  utap_recipe_op bad[] = {op(UTAP_OP_CONSTANT, 0x10), op(UTAP_OP_READ, 0, 4, true)};
  utap_recipe_op minus[] = {op(UTAP_OP_CONSTANT, -2)};
  utap_recipe_op chr[] = {op(UTAP_OP_CONSTANT, '\t')};
  utap_pretty_part parts[] = {
      {UTAP_PRETTY_TEXT, false, 0, "p=", nullptr, 0},        {UTAP_PRETTY_HEX, true, 0, "", rdi, 1},
      {UTAP_PRETTY_TEXT, false, 0, " s=", nullptr, 0},       {UTAP_PRETTY_USER_STRING, true, 100, "", rsi, 1},
      {UTAP_PRETTY_TEXT, false, 0, " v=", nullptr, 0},       {UTAP_PRETTY_SIGNED, true, 0, "", bad, 2},
      {UTAP_PRETTY_TEXT, false, 0, " u=", nullptr, 0},       {UTAP_PRETTY_UNSIGNED, true, 0, "", minus, 1},
      {UTAP_PRETTY_TEXT, false, 0, " c=", nullptr, 0},       {UTAP_PRETTY_CHAR, true, 0, "", chr, 1},
      {UTAP_PRETTY_TEXT, false, 0, " q=", nullptr, 0},       {UTAP_PRETTY_USER_STRING, true, 100, "", rdi, 1},
  };
  char out[MAXSTRINGLEN];
  utap_recipe_result r{};
  utap_pretty_format(&c_, parts, sizeof parts / sizeof parts[0], nullptr, out, &r);
  EXPECT_EQ(r.status, 0);
  EXPECT_STREQ(out, "p=0x0 s=\"a\\\"b\\n\" v=? u=18446744073709551614 c='\\t' q=?");
  // A part that may not fault makes the whole value the script's error.
  parts[5].may_fault = false;
  r = {};
  utap_pretty_format(&c_, parts, sizeof parts / sizeof parts[0], nullptr, out, &r);
  EXPECT_EQ(r.status, -EFAULT);
  EXPECT_EQ(r.fault, 0x10u);
}

}  // namespace
