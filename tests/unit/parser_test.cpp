#include <gtest/gtest.h>

#include "ast/printer.h"
#include "parse/parser.h"

namespace utap {
namespace {

std::string dumpOf(const std::string& script) {
  SourceManager sources;
  Diagnostics diags(sources);
  parse::ParseOptions options;
  auto file = parse::parseFile(sources.addFile("t.stp", script), sources, diags, options);
  if (!file) return "ERROR: " + diags.renderToString();
  return ast::dumpFile(*file);
}

TEST(Parser, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(dumpOf("probe begin { x = 1 + 2 * 3 }"),
            "(probe (point begin optfalse sufffalse _) (block (expr (= x (+ 1 (* 2 3))))))\n");
}

}  // namespace
}  // namespace utap
