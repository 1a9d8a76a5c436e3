// The test programs opened with the DWARF/ELF reader (see test_programs.h).
#include "test_programs.h"

#include "oracle.h"

namespace utap::test {

std::unique_ptr<dwarf::Module> openModule(const std::string& path) {
  std::string error;
  auto module = dwarf::Module::open(path, &error);
  EXPECT_TRUE(module) << error;
  return module;
}

std::unique_ptr<dwarf::Module> openProgram(std::string_view name) { return openModule(testProgram(name)); }

std::vector<const dwarf::Function*> findFunctions(const dwarf::Module& module, const std::string& spec) {
  std::string error;
  auto parsed = dwarf::FunctionSpec::parse(spec, &error, nullptr);
  EXPECT_TRUE(parsed) << spec << ": " << error;
  return parsed ? module.functions(*parsed) : std::vector<const dwarf::Function*>{};
}

std::string programTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

dwarf::Module& ProgramTest::open(const std::string& program) {
  modules_.push_back(openProgram(program));
  return *modules_.back();
}

const dwarf::Function& ProgramTest::function(const dwarf::Module& module, const std::string& name) {
  for (const dwarf::Function* f : findFunctions(module, name))
    if (!f->isInlineInstance) return *f;
  ADD_FAILURE() << "no function " << name;
  static dwarf::Function none;
  return none;
}

}  // namespace utap::test
