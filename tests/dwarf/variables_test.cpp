// Target variables (compiler/dwarf/variables.cpp, types.cpp, access.cpp,
// pretty.cpp, entry_convention.cpp, return_value.cpp) on the C and C++ test
// programs: -L's names and types as stap 4.8 prints them, recipes against
// the layouts the compiler gives types.h (offsetof), the calling
// convention's registers at the entry, and values read from the running
// program by the ptrace evaluator.
#include <gtest/gtest.h>

#include <cstddef>

#include "../../testsuite/programs/c/types.h"
#include "dwarf/module.h"
#include "oracle.h"
#include "recipe_eval.h"
#include "test_programs.h"

namespace utap::test {
namespace {

namespace dw = utap::dwarf;
using K = dw::RecipeOp::Kind;
using Base = dw::TargetRequest::Base;

dw::RecipeOp reg(int number) { return {K::Register, static_cast<uint8_t>(number)}; }
dw::RecipeOp plus(int64_t value) { return {K::PlusConstant, 0, 0, false, value}; }
dw::RecipeOp read(uint8_t size, bool isSigned) { return {K::Read, 0, size, isSigned, 0}; }
dw::RecipeOp constant(int64_t value) { return {K::Constant, 0, 0, false, value}; }
dw::RecipeOp op(K kind, int64_t value = 0) { return {kind, 0, 0, false, value}; }

constexpr int kRax = 0, kRdx = 1, kRcx = 2, kRsi = 4, kRdi = 5, kR8 = 8, kR9 = 9, kXmm0 = 17, kXmm1 = 18;

// "$r->box->size->y", "$r->values[2]", "&$r->values", "$r$", "$$parms$".
dw::TargetRequest parse(std::string text) {
  dw::TargetRequest request;
  if (text.rfind("&", 0) == 0) {
    request.addressOf = true;
    text.erase(0, 1);
  }
  while (!text.empty() && text.back() == '$' && text.size() > 2) {
    request.pretty++;
    text.pop_back();
  }
  if (text == "$$parms") request.base = Base::Parms;
  else if (text == "$$locals") request.base = Base::Locals;
  else if (text == "$$vars") request.base = Base::Vars;
  if (request.base != Base::Variable) return request;
  text.erase(0, 1);
  size_t end = text.find_first_of("-[");
  request.name = text.substr(0, end);
  while (end < text.size()) {
    if (text[end] == '[') {
      size_t close = text.find(']', end);
      std::string index = text.substr(end + 1, close - end - 1);
      if (index == "i") request.path.push_back({"", std::nullopt, 0});
      else request.path.push_back({"", std::stoll(index), -1});
      end = close + 1;
    } else {
      size_t next = text.find_first_of("-[", end + 2);
      request.path.push_back({text.substr(end + 2, next - end - 2), std::nullopt, -1});
      end = next;
    }
  }
  return request;
}

class VariablesTest : public ProgramTest {
 protected:
  static std::string listing(const dw::Module& module, const dw::Function& f) {
    std::string text;
    for (const dw::VariableInfo& v : module.variables(f, f.afterPrologue))
      text += (text.empty() ? "$" : " $") + v.name + ":" + v.typeName;
    return text;
  }
  static std::optional<dw::TargetValue> resolve(const dw::Module& module, const dw::Function& f, uint64_t pc,
                                                const std::string& expression, bool atEntry, std::string* error) {
    return module.resolve(f, pc, parse(expression), atEntry, error);
  }
  static std::vector<dw::RecipeOp> ops(const dw::Module& module, const dw::Function& f, uint64_t pc,
                                       const std::string& expression, bool atEntry = false) {
    std::string error;
    auto value = resolve(module, f, pc, expression, atEntry, &error);
    EXPECT_TRUE(value) << expression << ": " << error;
    return value ? value->value.ops : std::vector<dw::RecipeOp>{};
  }
  static std::string errorOf(const dw::Module& module, const dw::Function& f, uint64_t pc,
                             const std::string& expression, bool atEntry = false) {
    std::string error;
    auto value = resolve(module, f, pc, expression, atEntry, &error);
    EXPECT_FALSE(value) << expression << " resolved to " << (value ? value->value.describe() : "");
    return error;
  }
};

// ---- names, as stap -r 6.1.0-56-amd64 -L prints them for these programs --

TEST_F(VariablesTest, ListingSpellsTypesAsStap) {
  dw::Module& module = open("cprog-O0");
  EXPECT_EQ(listing(module, function(module, "take_record")), "$r:struct record const*");
  EXPECT_EQ(listing(module, function(module, "take_mixed")), "$i:int $d:double $s:char const* $f:float");
  EXPECT_EQ(listing(module, function(module, "take_unsigned")), "$u:unsigned int");
  EXPECT_EQ(listing(module, function(module, "apply")), "$op:binary_op $a:int $b:int");
  EXPECT_EQ(listing(module, function(module, "take_union")), "$n:union number");
  EXPECT_EQ(listing(module, function(module, "take_enum")), "$c:enum color");
  EXPECT_EQ(listing(module, function(module, "main")), "$argc:int $argv:char** $rounds:int $total:long int");
  // A block's variable is not in a .function probe's scope (stap: "unable to find local").
  EXPECT_EQ(listing(module, function(module, "fill_slots")), "$slots:long int* $count:int $first:long int");
}

TEST_F(VariablesTest, ListingOmitsVariablesWithoutALocationAtThePc) {
  dw::Module& module = open("cprog-O2");
  EXPECT_EQ(listing(module, function(module, "main")), "$argc:int $argv:char**");
}

TEST_F(VariablesTest, CxxNamesAndReferences) {
  dw::Module& module = open("cxxprog-O0");
  std::string error;
  auto spec = dw::FunctionSpec::parse("*", &error, nullptr);
  bool sawThis = false;
  for (const dw::Function* f : module.functions(*spec)) {
    for (const dw::VariableInfo& v : module.variables(*f, f->afterPrologue)) {
      if (v.name == "this") {
        sawThis = true;
        // "struct Shape* const" or "class Shape const* const": a const pointer.
        EXPECT_EQ(v.typeName.substr(v.typeName.size() - 7), "* const") << f->name;
      }
    }
  }
  EXPECT_TRUE(sawThis);
}

// ---- recipes against the layout of types.h ----------------------------

TEST_F(VariablesTest, MembersAtTheirOffsets) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "take_record");
  EXPECT_EQ(ops(module, f, f.entry, "$r->box->size->y"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, box.size.y)), read(4, true)}));
  EXPECT_EQ(ops(module, f, f.entry, "$r->id"), (std::vector<dw::RecipeOp>{reg(kRdi), read(8, true)}));
  EXPECT_EQ(ops(module, f, f.entry, "$r->color"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, color)), read(4, false)}));
  // Through a second pointer: one read for ->next, then the member.
  EXPECT_EQ(ops(module, f, f.entry, "$r->next->values[1]"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, next)), read(8, false),
                                       plus(offsetof(record, values) + sizeof(int)), read(4, true)}));
  // A member of a union.
  EXPECT_EQ(ops(module, f, f.entry, "$r->num->bytes[3]"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, num) + 3), read(1, false)}));
}

TEST_F(VariablesTest, ArraysAreAddressesAndIndexByInput) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "take_record");
  EXPECT_EQ(ops(module, f, f.entry, "$r->name"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, name))}));
  EXPECT_EQ(ops(module, f, f.entry, "$r->values[i]"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, values)), op(K::Input, 0),
                                       constant(sizeof(int)), op(K::Mul), op(K::Add), read(4, true)}));
  EXPECT_EQ(ops(module, f, f.entry, "&$r->values"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(offsetof(record, values))}));
  // A pointer indexed: element 2 of what r points to.
  EXPECT_EQ(ops(module, f, f.entry, "$r[2]->id"),
            (std::vector<dw::RecipeOp>{reg(kRdi), plus(2 * sizeof(record)), read(8, true)}));
}

TEST_F(VariablesTest, BitfieldsShiftTheirStorage) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "take_record");
  // level: signed, 4 bits after ready:1 and mode:3, so bits 4-7 of the flags word.
  auto level = ops(module, f, f.entry, "$r->flags->level");
  ASSERT_GE(level.size(), 5u);
  EXPECT_EQ(level.back(), op(K::Shra));
  EXPECT_EQ(level[level.size() - 2], constant(64 - 4));
  EXPECT_EQ(level[level.size() - 4], constant(64 - 4 - 4));
  auto rest = ops(module, f, f.entry, "$r->flags->rest");
  EXPECT_EQ(rest.back(), op(K::Shr));
  EXPECT_EQ(rest[rest.size() - 2], constant(64 - 24));
  // DWARF 4 (DW_AT_bit_offset from the top of a 4-byte unit) shifts the
  // same bits out, whatever unit it reads.
  dw::Module& dwarf4 = open("cprog-dwarf4");
  const dw::Function& f4 = function(dwarf4, "take_record");
  auto level4 = ops(dwarf4, f4, f4.entry, "$r->flags->level");
  ASSERT_GE(level4.size(), 5u);
  EXPECT_EQ(std::vector<dw::RecipeOp>(level4.end() - 4, level4.end()),
            std::vector<dw::RecipeOp>(level.end() - 4, level.end()));
}

// ---- the calling convention at the entry instruction (-O0) -------------

TEST_F(VariablesTest, EntryRegistersFromTheCallingConvention) {
  dw::Module& module = open("cprog-O0");
  const dw::Function& many = function(module, "take_many");
  std::vector<std::pair<std::string, int>> expected = {{"$a", kRdi}, {"$b", kRsi}, {"$c", kRdx},
                                                       {"$d", kRcx}, {"$e", kR8},  {"$f", kR9}};
  for (auto& [name, number] : expected) {
    auto recipe = ops(module, many, many.entry, name, /*atEntry=*/true);
    ASSERT_FALSE(recipe.empty()) << name;
    EXPECT_EQ(recipe[0], reg(number)) << name;
  }
  // Integers and doubles count separately: rdi, xmm0, rsi (xmm1 is the float).
  const dw::Function& mixed = function(module, "take_mixed");
  EXPECT_EQ(ops(module, mixed, mixed.entry, "$d", true), (std::vector<dw::RecipeOp>{reg(kXmm0)}));
  EXPECT_EQ(ops(module, mixed, mixed.entry, "$s", true), (std::vector<dw::RecipeOp>{reg(kRsi)}));
}

TEST_F(VariablesTest, EntryRefusesWhatTheConventionDoesNotPlaceInOneRegister) {
  dw::Module& module = open("cprog-O0");
  const dw::Function& rect = function(module, "take_rect");
  EXPECT_NE(errorOf(module, rect, rect.entry, "$r->size->x", true).find("struct rect"), std::string::npos);
  const dw::Function& main = function(module, "main");
  EXPECT_NE(errorOf(module, main, main.entry, "$total", true).find("local"), std::string::npos);
}

// -O2 describes a struct passed in a register by DWARF itself (valid at
// the entry too): y is the upper half of rdi.
TEST_F(VariablesTest, EntryUsesDwarfWhereItDescribesTheEntry) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "take_point");
  EXPECT_EQ(ops(module, f, f.entry, "$p->y", true),
            (std::vector<dw::RecipeOp>{reg(kRdi), constant(32), op(K::Shr), {K::Extend, 0, 4, true, 0}}));
  // A union in a register: its array member's first element from the register.
  const dw::Function& u = function(module, "take_union");
  std::string error;
  auto value = resolve(module, u, u.entry, "$n$$", true, &error);
  ASSERT_TRUE(value) << error;
  ASSERT_GE(value->pretty.size(), 4u);
  EXPECT_EQ(value->pretty[0].text, "{.i=");
}

// stap 4.8 gives a float as the bits of the same value as a double (its
// fp32_to_fp64), a double as its own bits.
TEST_F(VariablesTest, FloatsAreWidenedToDoubleBits) {
  dw::Module& module = open("cprog-O2");
  const dw::Function& f = function(module, "take_float");
  EXPECT_EQ(ops(module, f, f.entry, "$f"),
            (std::vector<dw::RecipeOp>{reg(kXmm0), {K::Extend, 0, 4, false, 0}, op(K::Fp32ToFp64)}));
  dw::TargetRequest ret;
  ret.base = Base::Return;
  std::string error;
  auto value = module.resolveReturn(f, ret, &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(value->value.describe(), "reg xmm0; extend u32; fp32-to-fp64");
  // The fourth argument of take_mixed is the second SSE one: xmm1 at the entry (-O0).
  dw::Module& o0 = open("cprog-O0");
  const dw::Function& mixed = function(o0, "take_mixed");
  EXPECT_EQ(ops(o0, mixed, mixed.entry, "$f", true),
            (std::vector<dw::RecipeOp>{reg(kXmm1), {K::Extend, 0, 4, false, 0}, op(K::Fp32ToFp64)}));
}

// ---- errors for people --------------------------------------------------

TEST_F(VariablesTest, ErrorsNameTheVariableAndWhatStoppedIt) {
  dw::Module& module = open("cprog-O0");
  const dw::Function& f = function(module, "take_record");
  EXPECT_EQ(errorOf(module, f, f.afterPrologue, "$zz"), "$zz not found in take_record; available: $r");
  EXPECT_NE(errorOf(module, f, f.afterPrologue, "$r->q").find("no member named 'q' in struct record"),
            std::string::npos);
  EXPECT_NE(errorOf(module, f, f.afterPrologue, "$r->id->x").find("not a struct"), std::string::npos);
  EXPECT_NE(errorOf(module, f, f.afterPrologue, "$r->box").find("struct rect"), std::string::npos);
  EXPECT_NE(errorOf(module, f, f.afterPrologue, "&$r->flags->mode").find("bitfield"), std::string::npos);
  dw::Module& o2 = open("cprog-O2");
  const dw::Function& g = function(o2, "take_int");
  EXPECT_NE(errorOf(o2, g, g.entry, "&$i").find("register rdi"), std::string::npos);
}

// ---- $return ------------------------------------------------------------

TEST_F(VariablesTest, ReturnValuesByTheirType) {
  dw::Module& module = open("cprog-O0");
  std::string error;
  dw::TargetRequest ret;
  ret.base = Base::Return;
  auto value = module.resolveReturn(function(module, "take_short"), ret, &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(value->value.ops, (std::vector<dw::RecipeOp>{reg(kRax), {K::Extend, 0, 2, true, 0}}));
  value = module.resolveReturn(function(module, "take_double"), ret, &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(value->value.ops, (std::vector<dw::RecipeOp>{reg(kXmm0)}));
  EXPECT_FALSE(module.resolveReturn(function(module, "fill_slots"), ret, &error));
  EXPECT_NE(error.find("returns void"), std::string::npos) << error;
  dw::TargetRequest pretty;
  pretty.base = Base::ReturnPretty;
  value = module.resolveReturn(function(module, "fill_slots"), pretty, &error);
  ASSERT_TRUE(value) << error;
  EXPECT_TRUE(value->pretty.empty());
  value = module.resolveReturn(function(module, "take_long"), pretty, &error);
  ASSERT_TRUE(value) << error;
  ASSERT_EQ(value->pretty.size(), 2u);
  EXPECT_EQ(value->pretty[0].text, "return=");
  EXPECT_EQ(value->pretty[1].format, dw::PrettyPart::Format::Hex);
}

// ---- values in the running program --------------------------------------

class RunningVariablesTest : public VariablesTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(RunningVariablesTest, ValuesOfTheGlobalRecordThroughR) {
  std::string path = testProgram(GetParam());
  dw::Module& module = open(GetParam());
  const dw::Function& f = function(module, "take_record");
  std::string error;
  auto program = TracedProgram::start({path}, &error);
  ASSERT_NE(program, nullptr) << error;
  ASSERT_TRUE(program->runTo(path, f.afterPrologue, &error)) << error;
  RecipeContext context;
  context.program = program.get();
  context.moduleBias = program->loadBias(path).value_or(0);
  context.inputs = {3};
  auto valueOf = [&](const std::string& expression) -> std::string {
    std::string why;
    auto value = resolve(module, f, f.afterPrologue, expression, false, &why);
    if (!value) return "error: " + why;
    auto text = evaluateTarget(*value, context, &why);
    return text ? *text : "error: " + why;
  };
  EXPECT_EQ(valueOf("$r->id"), "1");
  EXPECT_EQ(valueOf("$r->values[i]"), "4");
  EXPECT_EQ(valueOf("$r->box->size->x"), "3");
  EXPECT_EQ(valueOf("$r->flags->ready"), "1");
  EXPECT_EQ(valueOf("$r->flags->mode"), "5");
  EXPECT_EQ(valueOf("$r->flags->level"), "-3");
  EXPECT_EQ(valueOf("$r->flags->rest"), "1000");
  EXPECT_EQ(valueOf("$r->color"), "6");
  EXPECT_EQ(valueOf("$r->next->id"), "2");
  EXPECT_EQ(valueOf("$r->next->num->i"), std::to_string(0x01020304));
  EXPECT_EQ(valueOf("$global_counter"), "100");
  EXPECT_EQ(valueOf("$r->name$"), "\"first\"");
  EXPECT_EQ(valueOf("$r->label$"), "\"first label\"");
  EXPECT_EQ(valueOf("$r->box$"), "{.origin={...}, .size={...}}");
  EXPECT_EQ(valueOf("$r->box$$"), "{.origin={.x=1, .y=2}, .size={.x=3, .y=4}}");
  EXPECT_EQ(valueOf("$r->flags$"), "{.ready=1, .mode=5, .level=-3, .rest=1000}");
  // $r$ follows the pointer and prints the record one level deep.
  std::string record = valueOf("$r$");
  EXPECT_EQ(record.rfind("{.id=1, .name=[...], .values=[...], .box={...}, .num={...}, .flags={...}, .color=6, "
                         ".label=\"first label\", .next=0x",
                         0),
            0u)
      << record;
  std::string parms = valueOf("$$parms");
  EXPECT_EQ(parms.rfind("r=0x", 0), 0u) << parms;
  // @var with a file, and a file-scope static only that CU has.
  dw::TargetRequest atVar;
  atVar.base = Base::AtVar;
  atVar.name = "static_total@globals.c";
  auto value = module.resolve(f, f.afterPrologue, atVar, false, &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(evaluateTarget(*value, context, &error).value_or(error), "7");
  atVar.name = "global_matrix@c/globals.c";
  atVar.path = {{"", 1, -1}, {"", 2, -1}};
  value = module.resolve(f, f.afterPrologue, atVar, false, &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(evaluateTarget(*value, context, &error).value_or(error), "6");
  // @cast of r's value as the struct.
  dw::TargetRequest cast;
  cast.base = Base::Cast;
  cast.name = "struct record";
  cast.path = {{"next", std::nullopt, -1}, {"id", std::nullopt, -1}};
  value = module.resolve(f, f.afterPrologue, cast, false, &error);
  ASSERT_TRUE(value) << error;
  auto r = resolve(module, f, f.afterPrologue, "$r", false, &error);
  ASSERT_TRUE(r) << error;
  auto pointer = evaluateRecipe(r->value, context, &error);
  ASSERT_TRUE(pointer) << error;
  context.inputs = {static_cast<int64_t>(*pointer)};
  EXPECT_EQ(evaluateTarget(*value, context, &error).value_or(error), "2");
  // Autocast: the steps through $r's value by its type ("r = $r; r->next->id").
  ASSERT_NE(r->typeDie, 0u);
  EXPECT_FALSE(r->typeAddressed);
  value = module.resolveTyped(r->typeDie, r->typeAddressed, parse("$r->next->id"), &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(evaluateTarget(*value, context, &error).value_or(error), "2");
  value = module.resolveTyped(r->typeDie, r->typeAddressed, parse("$r->values[2]"), &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(evaluateTarget(*value, context, &error).value_or(error), "3");
  // const struct record* and struct record* are one type; char const* another.
  auto next = resolve(module, f, f.afterPrologue, "$r->next", false, &error);
  auto label = resolve(module, f, f.afterPrologue, "$r->label", false, &error);
  ASSERT_TRUE(next && label) << error;
  EXPECT_EQ(next->typeIdentity, r->typeIdentity);
  EXPECT_NE(label->typeIdentity, r->typeIdentity);
  // &$r->box->origin is the address of a struct point: [1] is the next one.
  auto origin = resolve(module, f, f.afterPrologue, "&$r->box->origin", false, &error);
  ASSERT_TRUE(origin) << error;
  EXPECT_TRUE(origin->typeAddressed);
  auto address = evaluateRecipe(origin->value, context, &error);
  ASSERT_TRUE(address) << error;
  context.inputs = {static_cast<int64_t>(*address)};
  value = module.resolveTyped(origin->typeDie, origin->typeAddressed, parse("$o[1]->x"), &error);
  ASSERT_TRUE(value) << error;
  EXPECT_EQ(evaluateTarget(*value, context, &error).value_or(error), "3");
  value = module.resolveTyped(origin->typeDie, origin->typeAddressed, parse("$o->nosuch"), &error);
  EXPECT_FALSE(value);
  EXPECT_NE(error.find("no member named 'nosuch' in struct point"), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(CPrograms, RunningVariablesTest,
                         ::testing::Values("cprog-O0", "cprog-O2", "cprog-O0-nopie", "cprog-dwarf4"), programTestName);

}  // namespace
}  // namespace utap::test
