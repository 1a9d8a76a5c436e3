// Parameters of the C test program, resolved by Module::resolve at a
// function's entry (atEntry) and after its prologue, evaluated in the
// running program by the ptrace evaluator, and compared with what gdb
// prints for the same parameter at the same call. This is what proves a
// recipe gives the value, at -O0 and -O2, PIE and not.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "dwarf/module.h"
#include "oracle.h"
#include "recipe_eval.h"
#include "test_programs.h"

namespace utap::test {
namespace {

namespace dw = utap::dwarf;

// The members compared for parameters passed by value as a struct or union.
const std::map<std::string, std::vector<std::string>> kAggregateMembers = {
    {"struct point", {"x", "y"}},
    {"struct rect", {"origin.x", "origin.y", "size.x", "size.y"}},
    {"struct triple", {"a", "b", "c"}},
    {"union number", {"i", "bytes[0]"}},
};

// One value compared: a parameter, or one member of it.
struct Probe {
  std::string expression;  // C, for gdb and messages: "r.origin.x"
  dw::TargetRequest request;
  int floatSize = 0;  // 4 or 8 for float and double: compared as a double's bits
};

std::string withoutQualifiers(std::string type) {
  for (const char* qualifier : {"const ", "volatile "})
    while (type.rfind(qualifier, 0) == 0) type.erase(0, std::strlen(qualifier));
  return type;
}

// "origin.x" -> member steps; "bytes[0]" -> a member and an index.
dw::TargetRequest requestFor(const std::string& variable, const std::string& memberPath) {
  dw::TargetRequest request;
  request.base = dw::TargetRequest::Base::Variable;
  request.name = variable;
  size_t k = 0;
  while (k < memberPath.size()) {
    size_t end = memberPath.find_first_of(".[", k);
    if (end == std::string::npos) end = memberPath.size();
    if (end > k) request.path.push_back({memberPath.substr(k, end - k), std::nullopt, -1});
    if (end < memberPath.size() && memberPath[end] == '[') {
      size_t close = memberPath.find(']', end);
      request.path.push_back({"", std::stoll(memberPath.substr(end + 1, close - end - 1)), -1});
      end = close + 1;
    }
    k = end < memberPath.size() && memberPath[end] == '.' ? end + 1 : end;
  }
  return request;
}

std::vector<Probe> probesFor(const dw::VariableInfo& parameter) {
  std::string type = withoutQualifiers(parameter.typeName);
  std::vector<Probe> probes;
  if (type.find('*') == std::string::npos && (type.rfind("struct ", 0) == 0 || type.rfind("union ", 0) == 0)) {
    auto members = kAggregateMembers.find(type);
    if (members == kAggregateMembers.end()) return probes;  // not passed by value in the program
    for (const std::string& member : members->second)
      probes.push_back({parameter.name + "." + member, requestFor(parameter.name, member), 0});
    return probes;
  }
  int floatSize = type == "double" ? 8 : type == "float" ? 4 : 0;
  probes.push_back({parameter.name, requestFor(parameter.name, ""), floatSize});
  return probes;
}

// gdb's raw bits of the value as stap gives it: a double's 64-bit pattern
// (a float widened to double first, as stap 4.8's fp32_to_fp64 does),
// integers and pointers widened as C widens them to 64 bits.
std::string gdbExpression(const Probe& probe) {
  if (probe.floatSize != 0) return "/x (double)(" + probe.expression + ")";
  return "/x (unsigned long long)(" + probe.expression + ")";
}

struct Counts {
  int comparedAtEntry = 0, comparedAfterPrologue = 0;
  int refusedAtEntry = 0, unresolvedAfterPrologue = 0;
  int gdbOptimizedOut = 0;  // gdb printed no value: resolved but not compared
  std::string refused, unresolved;  // "function:expression (why)", for messages
};

enum class Outcome { Refused, Compared, NoGdbValue };

class PlacementGdbTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    path_ = testProgram(GetParam());
    module_ = openModule(path_);
    ASSERT_NE(module_, nullptr);
  }

  // Resolves `probe` at `pc` and checks the recipe's value in the stopped
  // program against gdb's.
  Outcome compare(const dw::Function& function, uint64_t pc, bool atEntry, const Probe& probe,
               const std::string& gdbValue, const TracedProgram& program, std::string* error) {
    std::optional<dw::TargetValue> value = module_->resolve(function, pc, probe.request, atEntry, error);
    if (!value) return Outcome::Refused;
    EXPECT_EQ(value->kind, dw::TargetValue::Kind::Long) << function.name << ": " << probe.expression;
    RecipeContext context;
    context.program = &program;
    context.moduleBias = program.loadBias(path_).value_or(0);
    std::string evalError;
    std::optional<uint64_t> bits = evaluateRecipe(value->value, context, &evalError);
    SCOPED_TRACE(function.name + (atEntry ? " at entry: " : " after the prologue: ") + probe.expression + " = `" +
                 value->value.describe() + "`");
    if (!bits) {
      ADD_FAILURE() << "the recipe failed in the program: " << evalError;
      return Outcome::Compared;
    }
    std::optional<uint64_t> expected = parseNumber(gdbValue);
    if (!expected) return Outcome::NoGdbValue;  // "<optimized out>"
    EXPECT_EQ(*bits, *expected) << "gdb printed " << gdbValue;
    return Outcome::Compared;
  }

  void checkFunction(const dw::Function& function, Counts* counts) {
    std::vector<Probe> probes;
    for (const dw::VariableInfo& variable : module_->variables(function, function.afterPrologue))
      if (variable.isParameter)
        for (Probe& probe : probesFor(variable)) probes.push_back(std::move(probe));
    if (probes.empty()) return;

    // gdb stops where `break NAME` puts it when the name is one out-of-line
    // function; an inlined copy of the same name would be hit first, so
    // those are stopped at the probe's own address.
    dw::FunctionSpec byName;
    byName.function = function.name;
    GdbStop stop;
    if (module_->functions(byName).size() == 1)
      stop.breakSpec = function.name;
    else
      stop.address = function.afterPrologue;
    std::vector<std::string> expressions;
    for (const Probe& probe : probes) expressions.push_back(gdbExpression(probe));
    GdbResult gdb = gdbPrintAt(path_, stop, expressions);
    ASSERT_TRUE(gdb.stopped) << function.name << ": gdb did not stop:\n" << gdb.transcript;
    ASSERT_EQ(gdb.values.size(), probes.size()) << gdb.transcript;

    std::string error;
    std::unique_ptr<TracedProgram> program = TracedProgram::start({path_}, &error);
    ASSERT_NE(program, nullptr) << error;
    ASSERT_TRUE(program->runTo(path_, function.entry, &error)) << function.name << ": " << error;
    for (size_t k = 0; k < probes.size(); k++) {
      error.clear();
      Outcome outcome = compare(function, function.entry, true, probes[k], gdb.values[k], *program, &error);
      counts->comparedAtEntry += outcome == Outcome::Compared;
      if (outcome == Outcome::Refused) {
        // The caller then places the probe after the prologue; it must say why.
        counts->refusedAtEntry++;
        counts->refused += " " + function.name + ":" + probes[k].expression + " (" + error + ")";
        EXPECT_NE(error.find(probes[k].request.name), std::string::npos)
            << function.name << ": resolve at entry refused " << probes[k].expression << " saying: " << error;
      }
    }
    if (function.afterPrologue != function.entry) {
      ASSERT_TRUE(program->runTo(path_, function.afterPrologue, &error)) << function.name << ": " << error;
    }
    for (size_t k = 0; k < probes.size(); k++) {
      error.clear();
      Outcome outcome = compare(function, function.afterPrologue, false, probes[k], gdb.values[k], *program, &error);
      counts->comparedAfterPrologue += outcome == Outcome::Compared;
      counts->gdbOptimizedOut += outcome == Outcome::NoGdbValue;
      if (outcome == Outcome::Refused) {
        counts->unresolvedAfterPrologue++;
        counts->unresolved += " " + function.name + ":" + probes[k].expression + " (" + error + ")";
        EXPECT_FALSE(error.empty()) << function.name << ": " << probes[k].expression;
      }
    }
  }

  std::string path_;
  std::unique_ptr<dw::Module> module_;
};

TEST_P(PlacementGdbTest, ParametersMatchGdbAtEntryAndAfterPrologue) {
  dw::FunctionSpec all;
  all.function = "*";
  Counts counts;
  int functions = 0;
  for (const dw::Function* function : module_->functions(all)) {
    // The program's own functions, out of line (gdb cannot stop in one
    // inlined copy by name, and libc's start files have no DWARF here).
    if (function->isInlineInstance || function->fromSymbolTable ||
        function->declFile.find("testsuite/programs/c/") == std::string::npos)
      continue;
    SCOPED_TRACE(function->name);
    checkFunction(*function, &counts);
    if (HasFatalFailure()) return;
    functions++;
  }
  // The program has 30 functions with parameters and 50 compared values;
  // every one is in scope after the prologue at -O0.
  EXPECT_GE(functions, 25);
  EXPECT_GE(counts.comparedAfterPrologue, 40) << "unresolved:" << counts.unresolved;
  if (GetParam().find("-O0") != std::string::npos) {
    EXPECT_EQ(counts.unresolvedAfterPrologue, 0) << counts.unresolved;
  }
  RecordProperty("compared_at_entry", counts.comparedAtEntry);
  RecordProperty("refused_at_entry", counts.refusedAtEntry);
  RecordProperty("compared_after_prologue", counts.comparedAfterPrologue);
  RecordProperty("unresolved_after_prologue", counts.unresolvedAfterPrologue);
  RecordProperty("gdb_optimized_out", counts.gdbOptimizedOut);
  RecordProperty("refused", counts.refused);
  RecordProperty("unresolved", counts.unresolved);
}

INSTANTIATE_TEST_SUITE_P(CPrograms, PlacementGdbTest,
                         ::testing::Values("cprog-O0", "cprog-O0-nopie", "cprog-O2", "cprog-O2-nopie"),
                         programTestName);

}  // namespace
}  // namespace utap::test
