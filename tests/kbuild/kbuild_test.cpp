// Pass 4 against real kernel trees: Debian 12's 6.1 and 6.12. Each test is
// skipped when that kernel's headers are not installed.
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

class KernelBuild : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string error;
    std::optional<KernelTree> tree = findKernelTree(GetParam(), error);
    if (!tree) GTEST_SKIP() << error;
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
  EXPECT_LT(hitSeconds, 0.5) << "a cache hit must not run make";

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

INSTANTIATE_TEST_SUITE_P(Debian12, KernelBuild, ::testing::Values(test::kKernel61, test::kKernel612),
                         [](const auto& info) {
                           std::string name = info.param;
                           name = name.substr(0, name.find('.', name.find('.') + 1));
                           for (char& c : name)
                             if (c == '.') c = '_';
                           return "linux_" + name;
                         });

TEST(KernelFeatures, UprobeRegisterReturnsAStructUprobeOn612AndAnIntOn61) {
  std::string error;
  std::optional<KernelTree> k61 = findKernelTree(test::kKernel61, error);
  if (!k61) GTEST_SKIP() << error;
  std::optional<KernelTree> k612 = findKernelTree(test::kKernel612, error);
  if (!k612) GTEST_SKIP() << error;
  test::TempDir tmp;
  BuildOptions options;
  options.cacheDir = tmp.path() + "/cache";

  auto start = Clock::now();
  KernelFeatures f61 = probeKernelFeatures(*k61, options);
  double probe61 = secondsSince(start);
  ASSERT_TRUE(f61.ok()) << f61.error;
  KernelFeatures f612 = probeKernelFeatures(*k612, options);
  ASSERT_TRUE(f612.ok()) << f612.error;
  EXPECT_NE(f61.includeDir, f612.includeDir);

  EXPECT_FALSE(f61.has("UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE"));
  EXPECT_TRUE(f61.has("UTAP_HAVE_UPROBE_REGISTER_REFCTR"));
  EXPECT_FALSE(f61.has("UTAP_HAVE_UPROBE_UNREGISTER_NOSYNC"));
  EXPECT_TRUE(f612.has("UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE"));
  EXPECT_FALSE(f612.has("UTAP_HAVE_UPROBE_REGISTER_REFCTR"));
  EXPECT_TRUE(f612.has("UTAP_HAVE_UPROBE_UNREGISTER_NOSYNC"));

  std::string h61, h612;
  ASSERT_TRUE(readText(f61.header, h61));
  ASSERT_TRUE(readText(f612.header, h612));
  EXPECT_NE(h61.find("/* #undef UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE */"), std::string::npos) << h61;
  EXPECT_NE(h61.find("#define UTAP_HAVE_UPROBE_REGISTER_REFCTR 1"), std::string::npos) << h61;
  EXPECT_NE(h612.find("#define UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE 1"), std::string::npos) << h612;

  start = Clock::now();
  KernelFeatures cached = probeKernelFeatures(*k61, options);
  double cachedSeconds = secondsSince(start);
  EXPECT_TRUE(cached.cacheHit);
  std::printf("[ TIMING   ] feature probes on %s: %.2f s, cached %.3f s\n", test::kKernel61, probe61, cachedSeconds);
}

TEST(KernelFeatures, AProbeThatDoesNotCompileIsAnAnswerNotAnError) {
  std::string error;
  std::optional<KernelTree> k = findKernelTree(test::kKernel61, error);
  if (!k) GTEST_SKIP() << error;
  test::TempDir tmp;
  BuildOptions options;
  options.cacheDir = tmp.path() + "/cache";
  const FeatureProbe probes[] = {
      {"UTAP_HAVE_NOTHING", "#include <linux/kernel.h>\nint x = no_such_thing;\n", nullptr},
      {"UTAP_HAVE_KMALLOC", "#include <linux/slab.h>\nvoid *(*p)(size_t, gfp_t) = __kmalloc;\n", "__kmalloc"},
      {"UTAP_HAVE_UNEXPORTED", "#include <linux/kernel.h>\n", "no_such_symbol_anywhere"},
  };
  KernelFeatures f = probeKernelFeatures(*k, options, probes);
  ASSERT_TRUE(f.ok()) << f.error;
  EXPECT_FALSE(f.has("UTAP_HAVE_NOTHING"));
  EXPECT_TRUE(f.has("UTAP_HAVE_KMALLOC"));
  EXPECT_FALSE(f.has("UTAP_HAVE_UNEXPORTED")) << "compiles, but the symbol is not exported";
}

}  // namespace
}  // namespace utap::kbuild
