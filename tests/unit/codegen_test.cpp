// Pass 3 on whole scripts: the shape of the generated C where its size or
// its messages matter (the rest runs in the run-time testsuite).
#include <gtest/gtest.h>

#include <set>

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

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

const std::string kCprog = std::string(UTAP_TEST_PROGRAMS) + "/cprog-O0";

TEST(CodegenProcess, ManyPointsOfOneProbeAreOneHandlerAndATableOfRows) {
  // function("*") with a body that reads no target: one handler, one row per
  // point, so the C grows with the table, not with handlers.
  std::string errors;
  std::string c = cOf("global n\nprobe process(\"" + kCprog + "\").function(\"*\") { n[ppfunc()]++ }\n", &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_EQ(count(c, "static void probe_"), 1u);
  // Rows are short (offset, group, line, name); what they share is in a
  // few groups, one per source file of the program here.
  size_t rows = count(c, "\t{ 0x");
  EXPECT_GT(rows, 30u);
  size_t groups = count(c, "\t{ .prefix = ");
  EXPECT_GE(groups, 1u);
  EXPECT_LT(groups * 4, rows);
  EXPECT_NE(c.find("\t{ .prefix = \"process(\\\"" + kCprog + "\\\").function(\\\"\", .decl_file = \""),
            std::string::npos)
      << c;
  EXPECT_NE(c.find(", \"take_int\" },"), std::string::npos);
  EXPECT_NE(c.find(".npoints = ARRAY_SIZE(uprobe_points),"), std::string::npos);
  EXPECT_NE(c.find(".uprobes = &uprobe_table,"), std::string::npos);
}

TEST(CodegenProcess, EachPointListsItsOwnRecipesAndEqualRecipesAreSharedOnce) {
  // $$parms differs per function: one handler still, each row its own list.
  std::string errors;
  std::string c = cOf("probe process(\"" + kCprog + "\").function(\"take_*\") { println($$parms) }\n", &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_EQ(count(c, "static void probe_"), 1u);
  EXPECT_GT(count(c, "static const struct utap_target targets_"), 5u);
  // Every recipe once: no two recipe arrays with the same steps.
  size_t recipes = count(c, "static const struct utap_recipe_op recipe_");
  EXPECT_GT(recipes, 3u);
  std::set<std::string> bodies;
  for (size_t at = c.find("static const struct utap_recipe_op recipe_"); at != std::string::npos;
       at = c.find("static const struct utap_recipe_op recipe_", at + 1)) {
    size_t open = c.find("{\n", at), close = c.find("};", at);
    bodies.insert(c.substr(open, close - open));
  }
  EXPECT_EQ(bodies.size(), recipes);
}

TEST(CodegenProcess, TargetsAreReadBeforeTheLocksAndUserStringsOfThemFaultedIn) {
  std::string errors;
  std::string c = cOf("global names\nprobe process(\"" + kCprog +
                          "\").function(\"take_record\") { names[user_string($r->label)]++ }\n",
                      &errors);
  ASSERT_FALSE(c.empty()) << errors;
  size_t fetch = c.find("utap_target_fetch(c, utap_point_target(c, 0), &l->__target0);");
  size_t prefault = c.find("utap_user_prefault(c, &l->__target0, true, MAXSTRINGLEN);");
  size_t locks = c.find("if (!utap_locks_take(probe_0_locks");
  ASSERT_NE(fetch, std::string::npos) << c;
  ASSERT_NE(prefault, std::string::npos);
  ASSERT_NE(locks, std::string::npos);
  EXPECT_LT(fetch, prefault);
  EXPECT_LT(prefault, locks);
}

TEST(CodegenProcess, AReturnSavesItsEntryValuesAndReadsReturnAtTheReturn) {
  std::string errors;
  std::string c = cOf("probe process(\"" + kCprog +
                          "\").function(\"take_int\").return { println($i, $return, @entry($i + 1)) }\n",
                      &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_NE(c.find("struct probe_0_saves {"), std::string::npos);
  EXPECT_NE(c.find("static void probe_0_entry(struct utap_context *c)"), std::string::npos);
  EXPECT_NE(c.find(".save_entry = probe_0_entry, .saves_size = sizeof(struct probe_0_saves)"), std::string::npos);
  // $i at the entry (into the saves), $return at the return (into the frame).
  EXPECT_NE(c.find("&s->__target0); /* $i */"), std::string::npos);
  EXPECT_NE(c.find("&l->__target1); /* $return */"), std::string::npos);
  EXPECT_NE(c.find("s->__entry0 = "), std::string::npos);
  EXPECT_NE(c.find(".is_return = true"), std::string::npos);
}

TEST(CodegenProcess, AFunctionReadingTargetsGetsACopyPerProbe) {
  std::string errors;
  std::string c = cOf("function f() { return $i }\n"
                      "probe process(\"" + kCprog + "\").function(\"take_int\") { println(f()) }\n"
                      "probe process(\"" + kCprog + "\").function(\"take_int\").return { println(f()) }\n",
                      &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_NE(c.find("function___clone_probe0_f("), std::string::npos) << c;
  EXPECT_NE(c.find("function___clone_probe1_f("), std::string::npos);
  EXPECT_EQ(c.find("function_f("), std::string::npos);
  // The copies read what their probe read ahead: its frame, or the entry's saves.
  EXPECT_NE(c.find("((struct probe_0_frame *)c->frames)->__target0"), std::string::npos);
  EXPECT_NE(c.find("((struct probe_1_saves *)c->entry_saves)->__target0"), std::string::npos);
}

TEST(CodegenProcess, ReturnProbesListenWhereExceptionsStartAndAreCaught) {
  std::string errors;
  std::string cxx = std::string(UTAP_TEST_PROGRAMS) + "/cxxprog-O0";
  std::string c = cOf("probe process(\"" + cxx + "\").function(\"checked_sqrt\").return { println($return) }\n",
                      &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_NE(c.find("{ .function = \"_Unwind_RaiseException\","), std::string::npos);
  EXPECT_NE(c.find("{ .function = \"__cxa_begin_catch\","), std::string::npos);
  EXPECT_NE(c.find(".kind = UTAP_HOOK_CATCH }"), std::string::npos);
}

TEST(CodegenProcess, LifecycleProbesAreProbesOfTheirKindWithTheirProcess) {
  std::string errors;
  std::string c = cOf("global n\nprobe process.begin { n++ } probe process(\"" + kCprog + "\").end { n++ }\n"
                      "probe process(42).thread.begin { n++ } probe process.thread.end { n++ }\n",
                      &errors);
  ASSERT_FALSE(c.empty()) << errors;
  EXPECT_NE(c.find(".kind = UTAP_PROBE_PROCESS_BEGIN, .process = { .path = NULL, .pid = 0 }"), std::string::npos) << c;
  EXPECT_NE(c.find(".kind = UTAP_PROBE_PROCESS_END, .process = { .path = \"" + kCprog + "\", .pid = 0 }"),
            std::string::npos);
  EXPECT_NE(c.find(".kind = UTAP_PROBE_THREAD_BEGIN, .process = { .path = NULL, .pid = 42 }"), std::string::npos);
  EXPECT_NE(c.find(".kind = UTAP_PROBE_THREAD_END, .process = { .path = NULL, .pid = 0 }"), std::string::npos);
  EXPECT_EQ(c.find("uprobe_table"), std::string::npos);  // no breakpoints
}

}  // namespace
}  // namespace utap
