// Pass 2 on process probes of the test programs (testsuite/programs): the
// recipes' script inputs stay tied to the accessors that were inputs when
// they were resolved, even once a later step folds an index to a number.
#include <gtest/gtest.h>

#include "ast/printer.h"
#include "ast/visitor.h"
#include "test_support.h"

namespace utap {
namespace {

test::Elaborated elaborate(const std::string& script) {
  sema::ElaborateOptions options;
  options.parse = test::defaultOptions();
  options.tapsetDirs.push_back(UTAP_SOURCE_DIR "/tapsets");
  return test::elaborateScript(script, options);
}

class Targets : public ast::Visitor {
 public:
  std::vector<const ast::TargetExpr*> found;
  void visit(ast::TargetExpr& n) override {
    found.push_back(&n);
    Visitor::visit(n);
  }
};

const std::string kProgram = std::string(UTAP_TEST_PROGRAMS) + "/cprog-O0";

TEST(ProcessTargets, InputsAreTheIndexesThatWereExpressions) {
  // The second index folds to 1 after resolution (@defined of a literal
  // expression is 1): it stays the recipe's input 1, after @cast's pointer.
  test::Elaborated e = elaborate("probe process(\"" + kProgram + "\").function(\"take_record\") {\n"
                           "  n = 1\n"
                           "  println(@cast($r, \"struct record\")->values[n], $r->values[@defined(1) ? 1 : 0])\n"
                           "}\n");
  ASSERT_TRUE(e.program) << e.rendered;
  Targets targets;
  e.program->probes.at(0)->body->accept(targets);
  std::vector<std::string> inputs;
  for (const ast::TargetExpr* t : targets.found) {
    auto it = e.program->targets.find(t);
    if (it == e.program->targets.end()) continue;
    std::string line = ast::printExpr(*t) + ":";
    for (const ast::Expr* input : sema::targetInputs(*t, it->second)) line += " " + ast::printExpr(*input);
    inputs.push_back(line);
  }
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0], "@cast($r, \"struct record\")->values[n]: $r n") << e.rendered;
  EXPECT_EQ(inputs[1], "$r:");
  EXPECT_EQ(inputs[2], "$r->values[1]: 1");
}

}  // namespace
}  // namespace utap
