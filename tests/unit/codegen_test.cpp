// Pass 3 on whole scripts: the shape of the generated C where its size or
// its messages matter (the rest runs in the run-time testsuite).
#include <gtest/gtest.h>

#include "codegen/translate.h"
#include "sema/elaborate.h"
#include "test_support.h"

namespace utap {
namespace {

// The module's C for `script`, or "" with the diagnostics in `errors`.
std::string cOf(const std::string& script, std::string* errors = nullptr) {
  SourceManager sources;
  Diagnostics diags(sources);
  sema::ElaborateOptions options;
  options.parse = test::defaultOptions();
  options.tapsetDirs.push_back(UTAP_SOURCE_DIR "/tapsets");
  std::string c;
  test::onLargeStack([&] {
    FileId id = sources.addFile("t.stp", script);
    auto file = parse::parseFile(id, sources, diags, options.parse);
    std::unique_ptr<sema::Program> program;
    if (file) program = sema::elaborate(std::move(file), sources, diags, options, probes::Registry::standard());
    if (program) {
      codegen::Translation t = codegen::translate(*program, sources, diags, {});
      if (!diags.hasErrors()) c = t.files.at(0).second;
    }
  });
  if (errors) *errors = diags.renderToString();
  return c;
}

TEST(CodegenFrames, TheLargestFrameIsOneUnionNotNestedMacros) {
  // A nested max macro per probe doubled the expression at each level: a
  // script of 20 probes needed gigabytes in the C compiler.
  std::string script = "global n\n";
  for (int i = 1; i <= 100; ++i) script += "probe timer.ms(" + std::to_string(i) + ") { x = n; n = x + 1 }\n";
  script += "function f(a) { return a + 1 }\nprobe begin { println(f(n)); exit() }\n";
  std::string errors;
  std::string c = cOf(script, &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_EQ(c.find("UTAP_MAX_SIZE"), std::string::npos);
  EXPECT_NE(c.find("union probe_frames {"), std::string::npos);
  EXPECT_NE(c.find("\tstruct probe_100_frame probe_100_frame;"), std::string::npos);
  EXPECT_NE(c.find("MAXNESTING * UTAP_FRAME_SIZE(sizeof(union function_frames))"), std::string::npos);
  EXPECT_LT(c.size(), 200u * 1024) << "the C should grow linearly with the probes";
}

TEST(CodegenErrors, TapsetErrorsAreLocatedAtTheFunctionsNameButErrorIsNot) {
  std::string c = cOf("probe begin { println(stringat(\"ab\", 5)); error(\"x\") }\n");
  ASSERT_FALSE(c.empty());
  EXPECT_NE(c.find("utap_error_near(c, \"identifier 'stringat' at "), std::string::npos);
  // error() raises its message as it is, without STAP_ERROR's location, as
  // stap's error() does.
  EXPECT_NE(c.find("utap_error(CONTEXT, \"%s\", STAP_ARG_msg);"), std::string::npos);
}

}  // namespace
}  // namespace utap
