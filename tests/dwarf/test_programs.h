// The test programs opened with the DWARF/ELF reader: what every test of
// it needs before it can compare anything, written once. Failures name
// the reader's error, so a refused program reads as such in the test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dwarf/module.h"

namespace utap::test {

// Module::open(path); a refusal fails the test with the reader's error.
std::unique_ptr<dwarf::Module> openModule(const std::string& path);
// openModule(testProgram(name)).
std::unique_ptr<dwarf::Module> openProgram(std::string_view name);

// The functions (inlined copies included) a probe's function spec, such
// as "take_int" or "*@main.c", names in `module`; a spec that does not
// parse fails the test and names none.
std::vector<const dwarf::Function*> findFunctions(const dwarf::Module& module, const std::string& spec);

// A test instantiated per program is named after it, '-' being no
// character of a test name: "cprog-O0" -> "cprog_O0".
std::string programTestName(const ::testing::TestParamInfo<std::string>& info);

// A fixture of tests that open test programs and look into their
// functions: the modules live as long as the test.
class ProgramTest : public ::testing::Test {
 protected:
  dwarf::Module& open(const std::string& program);
  // The out-of-line function called `name`; none fails the test and gives
  // an empty function.
  static const dwarf::Function& function(const dwarf::Module& module, const std::string& name);

  std::vector<std::unique_ptr<dwarf::Module>> modules_;
};

}  // namespace utap::test
