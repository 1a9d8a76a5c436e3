// Pass 4 against real kernel trees: the newest installed build of every
// kernel series (test::testKernels(); Debian 12's 6.1 and 6.12 in CI). A
// series whose newest build lacks its headers fails under CI=true and is
// skipped elsewhere, saying what to install.
//
// The tests print what they measure as "[ TIMING ]" lines: cold and cached
// build times, and what reusing the runtime objects saves.
#include "kbuild/kbuild.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "kbuild/features.h"
#include "test_kernels.h"

namespace utap::kbuild {
namespace {

namespace fs = std::filesystem;
using test::secondsSince;
using Clock = std::chrono::steady_clock;

bool readText(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return false;
  char buf[4096];
  size_t n;
  out.clear();
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return true;
}

class KernelBuild : public ::testing::TestWithParam<test::TestKernel> {
 protected:
  void SetUp() override {
    std::string error;
    std::optional<KernelTree> tree = test::kernelTreeOf(GetParam(), error);
    if (!tree) UTAP_CANNOT_RUN(error);
    kernel_ = *tree;
    options_.cacheDir = tmp_.path() + "/cache";
  }

  test::TempDir tmp_;
  KernelTree kernel_;
  BuildOptions options_;
};

TEST_P(KernelBuild, BuildsThenHitsTheCacheThenMissesOnAChangedByte) {
  ModuleSources s = test::trivialModule(tmp_, "utap_trivial");
  auto start = Clock::now();
  BuildResult cold = buildModule(kernel_, s, options_);
  double coldSeconds = secondsSince(start);
  ASSERT_TRUE(cold.ok()) << cold.error;
  EXPECT_FALSE(cold.cacheHit);
  EXPECT_FALSE(cold.runtimeReused);
  EXPECT_TRUE(cold.buildDir.empty());
  ASSERT_TRUE(fs::is_regular_file(cold.koPath)) << cold.koPath;
  EXPECT_EQ(cold.koPath.rfind(options_.cacheDir + "/", 0), 0u) << cold.koPath;
  EXPECT_EQ(test::modinfo(cold.koPath, "name"), "utap_trivial");
  EXPECT_EQ(test::modinfo(cold.koPath, "license"), "GPL");
  EXPECT_EQ(test::modinfo(cold.koPath, "vermagic").rfind(kernel_.release + " ", 0), 0u)
      << test::modinfo(cold.koPath, "vermagic");

  start = Clock::now();
  BuildResult hit = buildModule(kernel_, s, options_);
  double hitSeconds = secondsSince(start);
  ASSERT_TRUE(hit.ok()) << hit.error;
  EXPECT_TRUE(hit.cacheHit);
  EXPECT_EQ(hit.koPath, cold.koPath);

  size_t at = s.files[0].second.find("bye");
  ASSERT_NE(at, std::string::npos);
  s.files[0].second[at + 2] = 'f';
  start = Clock::now();
  BuildResult changed = buildModule(kernel_, s, options_);
  double changedSeconds = secondsSince(start);
  ASSERT_TRUE(changed.ok()) << changed.error;
  EXPECT_FALSE(changed.cacheHit);
  EXPECT_TRUE(changed.runtimeReused);
  EXPECT_NE(changed.koPath, cold.koPath);

  std::printf("[ TIMING   ] %s trivial module: cold %.2f s, cached %.3f s, one byte changed %.2f s\n",
              kernel_.release.c_str(), coldSeconds, hitSeconds, changedSeconds);
}

TEST_P(KernelBuild, DefinesAndIncludedHeadersArePartOfTheKey) {
  ModuleSources s = test::trivialModule(tmp_, "utap_keyed");
  BuildResult first = buildModule(kernel_, s, options_);
  ASSERT_TRUE(first.ok()) << first.error;
  s.defines[0].second = "512";
  BuildResult otherDefine = buildModule(kernel_, s, options_);
  ASSERT_TRUE(otherDefine.ok()) << otherDefine.error;
  EXPECT_FALSE(otherDefine.cacheHit);
  EXPECT_FALSE(otherDefine.runtimeReused) << "runtime objects are per defines";

  tmp_.write("include/trivial_helper.h", "int trivial_add(int a, int b); /* changed */\n");
  BuildResult otherHeader = buildModule(kernel_, s, options_);
  ASSERT_TRUE(otherHeader.ok()) << otherHeader.error;
  EXPECT_FALSE(otherHeader.cacheHit);
  EXPECT_FALSE(otherHeader.runtimeReused);
}

TEST_P(KernelBuild, ACompileErrorShowsFileAndLineNotTheWholeLog) {
  ModuleSources s = test::trivialModule(tmp_, "utap_broken");
  s.files[0].second =
      "#include <linux/module.h>\n"
      "static int __init broken_init(void) {\n"
      "  return no_such_variable;\n"
      "}\n"
      "module_init(broken_init);\n"
      "MODULE_LICENSE(\"GPL\");\n";
  BuildResult r = buildModule(kernel_, s, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.koPath.empty());
  EXPECT_NE(r.error.find("gen.c:3:10: error: 'no_such_variable' undeclared"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("The full log is " + r.logPath), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("Entering directory"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("utap-utap_broken-"), std::string::npos) << "paths in a removed build directory: " << r.error;
  EXPECT_TRUE(fs::is_regular_file(r.logPath)) << r.logPath;
}

// --defer-build and --build-deferred: three modules left in one directory,
// built by one make; the one that does not compile spares the others, and
// a module of a name already there (other inputs) is built at once.
TEST_P(KernelBuild, DeferredModulesBuildTogetherAndAFailureSparesTheOthers) {
  std::string deferDir = tmp_.path() + "/deferred";
  options_.deferTo = deferDir;
  ModuleSources one = test::trivialModule(tmp_, "utap_one");
  ModuleSources two = test::trivialModule(tmp_, "utap_two");
  ModuleSources bad = test::trivialModule(tmp_, "utap_bad");
  bad.files[0].second += "static int broken(void) { return no_such_variable; }\n";
  BuildResult r1 = buildModule(kernel_, one, options_);
  BuildResult r2 = buildModule(kernel_, two, options_);
  BuildResult rBad = buildModule(kernel_, bad, options_);
  for (const BuildResult* r : {&r1, &r2, &rBad}) {
    ASSERT_TRUE(r->ok()) << r->error;
    EXPECT_TRUE(r->deferred);
    EXPECT_FALSE(r->cacheHit);
    EXPECT_FALSE(fs::exists(r->koPath)) << r->koPath;
  }
  EXPECT_TRUE(fs::is_directory(deferDir + "/utap_one"));

  BuildResult again = buildModule(kernel_, one, options_);
  EXPECT_TRUE(again.deferred);
  EXPECT_EQ(again.koPath, r1.koPath);

  ModuleSources otherOne = one;
  otherOne.files[0].second += "/* other inputs, the same name */\n";
  BuildResult now = buildModule(kernel_, otherOne, options_);
  ASSERT_TRUE(now.ok()) << now.error;
  EXPECT_FALSE(now.deferred);
  EXPECT_TRUE(fs::is_regular_file(now.koPath)) << now.koPath;
  EXPECT_NE(now.koPath, r1.koPath);

  BuildOptions batchOptions = options_;
  batchOptions.deferTo.clear();
  DeferredBuilds batch = buildDeferredModules(kernel_, deferDir, batchOptions);
  EXPECT_TRUE(batch.error.empty()) << batch.error;
  EXPECT_FALSE(batch.ok());
  EXPECT_EQ(batch.failed, std::vector<std::string>{"utap_bad"});
  EXPECT_EQ(batch.built, (std::vector<std::string>{r1.koPath, r2.koPath}));
  EXPECT_EQ(test::modinfo(r1.koPath, "name"), "utap_one");
  EXPECT_EQ(test::modinfo(r2.koPath, "name"), "utap_two");
  EXPECT_FALSE(fs::exists(rBad.koPath));
  for (const char* name : {"utap_one", "utap_two", "utap_bad"})
    EXPECT_FALSE(fs::exists(deferDir + "/" + name)) << name << " is left in " << deferDir;

  BuildResult hit = buildModule(kernel_, one, options_);
  EXPECT_TRUE(hit.cacheHit);
  EXPECT_FALSE(hit.deferred);
  EXPECT_EQ(hit.koPath, r1.koPath);
  DeferredBuilds nothing = buildDeferredModules(kernel_, deferDir, batchOptions);
  EXPECT_TRUE(nothing.ok()) << nothing.error;
  EXPECT_TRUE(nothing.built.empty());
}

TEST_P(KernelBuild, ARuntimeCompileErrorNamesTheRuntimeSource) {
  ModuleSources s = test::trivialModule(tmp_, "utap_broken_runtime");
  tmp_.write("runtime/helper.c", "#include <linux/kernel.h>\nint trivial_add(int a, int b) { return a + c; }\n");
  BuildResult r = buildModule(kernel_, s, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find(s.runtimeRoot + "/helper.c:2:"), std::string::npos) << r.error;
}

TEST_P(KernelBuild, KeepsTheBuildDirectoryAndLinksRuntimeObjectsWithoutCompilingThem) {
  ModuleSources s = test::trivialModule(tmp_, "utap_kept");
  ASSERT_TRUE(buildModule(kernel_, s, options_).ok());
  BuildOptions keep = options_;
  keep.keepBuildDir = true;
  BuildResult r = buildModule(kernel_, s, keep);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.cacheHit) << "-k builds, so that there is a build directory to look at";
  EXPECT_TRUE(r.runtimeReused);
  ASSERT_FALSE(r.buildDir.empty());
  EXPECT_TRUE(fs::is_regular_file(r.buildDir + "/Kbuild"));
  EXPECT_TRUE(fs::is_regular_file(r.buildDir + "/utap_kept.ko"));
  std::string log;
  ASSERT_TRUE(readText(r.logPath, log)) << r.logPath;
  EXPECT_NE(log.find("CC [M]  " + r.buildDir + "/gen.o"), std::string::npos) << log;
  EXPECT_EQ(log.find("helper.o"), std::string::npos) << "the runtime object was compiled again:\n" << log;
  fs::remove_all(r.buildDir);
}

TEST_P(KernelBuild, VerboseShowsMakesCommandLines) {
  ModuleSources s = test::trivialModule(tmp_, "utap_verbose");
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  BuildOptions verbose = options_;
  verbose.verbose = true;
  verbose.verboseOut = out;
  BuildResult r = buildModule(kernel_, s, verbose);
  ASSERT_TRUE(r.ok()) << r.error;
  std::rewind(out);
  std::string shown;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) shown.append(buf, n);
  std::fclose(out);
  EXPECT_NE(shown.find("make -C " + kernel_.buildDir + " M="), std::string::npos) << shown;
  EXPECT_NE(shown.find("-c -o "), std::string::npos) << "V=1 shows the compiler's command lines";
}

// A module with the heavy runtime files; `tag` makes its generated C differ.
ModuleSources heavyRuntimeModule(const test::TempDir& dir, const std::string& name, const std::string& tag) {
  ModuleSources s = test::trivialModule(dir, name);
  test::addHeavyRuntime(dir, s);
  s.files[0].second += "/* " + tag + " */\n";
  return s;
}

TEST_P(KernelBuild, ReusingRuntimeObjectsSavesTheirCompileTime) {
  ModuleSources first = heavyRuntimeModule(tmp_, "utap_heavy_a", "a");
  auto start = Clock::now();
  BuildResult a = buildModule(kernel_, first, options_);
  double cold = secondsSince(start);
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_FALSE(a.runtimeReused);

  ModuleSources second = heavyRuntimeModule(tmp_, "utap_heavy_b", "b");
  start = Clock::now();
  BuildResult b = buildModule(kernel_, second, options_);
  double reused = secondsSince(start);
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_TRUE(b.runtimeReused);
  EXPECT_FALSE(b.cacheHit);

  // The same module with the runtime compiled in (what a build without the
  // object cache does), in one make run.
  ModuleSources inlined = heavyRuntimeModule(tmp_, "utap_heavy_c", "c");
  for (const std::string& rt : inlined.runtimeObjects) {
    std::string content;
    ASSERT_TRUE(readText(inlined.runtimeRoot + "/" + rt, content));
    inlined.files.emplace_back("rt/" + rt, content);
  }
  inlined.runtimeObjects.clear();
  start = Clock::now();
  BuildResult c = buildModule(kernel_, inlined, options_);
  double compiledIn = secondsSince(start);
  ASSERT_TRUE(c.ok()) << c.error;

  std::printf(
      "[ TIMING   ] %s module + 7 runtime files: cold (runtime objects built, then module) %.2f s, "
      "runtime objects reused %.2f s, runtime compiled into the module %.2f s: reuse saves %.2f s\n",
      kernel_.release.c_str(), cold, reused, compiledIn, compiledIn - reused);
}

TEST_P(KernelBuild, FeatureHeaderSelectsTheUprobeApi) {
  KernelFeatures f = probeKernelFeatures(kernel_, options_);
  ASSERT_TRUE(f.ok()) << f.error;
  EXPECT_FALSE(f.cacheHit);
  ASSERT_TRUE(fs::is_regular_file(f.header));
  // A module that registers a uprobe with whichever API the header selects
  // builds, and modpost finds the symbols exported.
  ModuleSources s = test::trivialModule(tmp_, "utap_uprobe_api");
  s.includeDirs.push_back(f.includeDir);
  s.files.emplace_back("uprobe_api.c",
                       "#include <linux/uprobes.h>\n"
                       "#include \"utap_compat_autoconf.h\"\n"
                       "int utap_try_register(struct inode *inode, struct uprobe_consumer *uc);\n"
                       "int utap_try_register(struct inode *inode, struct uprobe_consumer *uc) {\n"
                       "#ifdef UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE\n"
                       "  struct uprobe *u = uprobe_register(inode, 0, 0, uc);\n"
                       "  if (IS_ERR(u)) return PTR_ERR(u);\n"
                       "  uprobe_unregister_nosync(u, uc);\n"
                       "  uprobe_unregister_sync();\n"
                       "  return 0;\n"
                       "#else\n"
                       "  int err = uprobe_register_refctr(inode, 0, 0, uc);\n"
                       "  if (!err) uprobe_unregister(inode, 0, uc);\n"
                       "  return err;\n"
                       "#endif\n"
                       "}\n");
  BuildResult r = buildModule(kernel_, s, options_);
  EXPECT_TRUE(r.ok()) << r.error;

  KernelFeatures again = probeKernelFeatures(kernel_, options_);
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_TRUE(again.cacheHit);
  EXPECT_EQ(again.values, f.values);
  EXPECT_EQ(again.header, f.header);
}

INSTANTIATE_TEST_SUITE_P(Installed, KernelBuild, ::testing::ValuesIn(test::testKernels()), test::kernelParamName);
// With no kernel installed there is nothing to instantiate;
// TestKernels.SetupInstalledTwoSeries says so.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(KernelBuild);

TEST(TestKernels, SetupInstalledTwoSeries) {
  // scripts/setup installs Debian 12's default kernel (the 6.1 series) and the
  // newest 6.12; kernel reach is what these tests are for, so under CI a
  // machine with fewer series fails rather than testing less.
  std::string found;
  for (const test::TestKernel& k : test::testKernels()) {
    found += "\n  " + k.series + ": " + (k.release.empty() ? k.problem : k.release);
    for (const std::string& why : k.passedOver) found += "\n    (not a newer build: " + why + ")";
  }
  std::printf("kernels the tests run on:%s\n", found.empty() ? " none" : found.c_str());
  if (test::testKernels().size() < 2)
    UTAP_CANNOT_RUN("found " + std::to_string(test::testKernels().size()) +
                    " installed kernel series, not the two scripts/setup installs (Debian 12's linux-image-amd64 "
                    "and the newest linux-image-6.12.*+deb12-amd64)" +
                    found);
}

}  // namespace
}  // namespace utap::kbuild
