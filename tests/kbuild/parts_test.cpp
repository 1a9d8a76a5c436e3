// The parts of pass 4 that need no kernel: hashing, the Kbuild file, error
// extraction from make logs, finding kernel trees, checking requests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "kbuild/files.h"
#include "kbuild/kbuild.h"
#include "kbuild/kbuild_file.h"
#include "kbuild/make_log.h"
#include "kbuild/sha256.h"
#include "test_kernels.h"

namespace utap::kbuild {
namespace {

TEST(Sha256, MatchesTheStandardVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FieldsDoNotRunTogether) {
  Sha256 a, b;
  a.field("ab");
  a.field("c");
  b.field("a");
  b.field("bc");
  EXPECT_NE(a.hexDigest(), b.hexDigest());
}

TEST(KbuildFile, QuotesWordsForShellAndMake) {
  EXPECT_EQ(makeShellWord("-DX=1"), "'-DX=1'");
  EXPECT_EQ(makeShellWord("-DS=\"it's\""), "'-DS=\"it'\\''s\"'");
  EXPECT_EQ(makeShellWord("$#"), "'$$\\#'");
}

TEST(KbuildFile, ListsObjectsAndFlags) {
  std::string flags = compilerFlags({"/r/include"}, {{"MAXACTION", "5"}, {"DEBUG", ""}});
  EXPECT_EQ(flags, "'-I/r/include' '-DMAXACTION=5' '-DDEBUG'");
  std::string k = kbuildFile("m", {"gen.o", "runtime/core/error.o"}, flags);
  EXPECT_NE(k.find("obj-m := m.o\n"), std::string::npos) << k;
  EXPECT_NE(k.find("m-y := \\\n\tgen.o \\\n\truntime/core/error.o\n"), std::string::npos) << k;
  EXPECT_NE(k.find("ccflags-y := " + flags), std::string::npos) << k;
}

// A make log as kbuild writes it (the release in it is made up).
constexpr const char* kFailedLog =
    "make: Entering directory '/usr/src/linux-headers-6.1.0-99-amd64'\n"
    "  CC [M]  /tmp/utap-x-1/gen.o\n"
    "/tmp/utap-x-1/gen.c: In function 'f':\n"
    "/tmp/utap-x-1/gen.c:4:11: error: 'nope' undeclared (first use in this function)\n"
    "    4 |   int x = nope;\n"
    "      |           ^~~~\n"
    "/tmp/utap-x-1/gen.c:4:11: note: each undeclared identifier is reported only once\n"
    "make[2]: *** [scripts/Makefile.build:250: /tmp/utap-x-1/gen.o] Error 1\n"
    "make: Leaving directory '/usr/src/linux-headers-6.1.0-99-amd64'\n";

TEST(MakeLog, ShowsTheErrorWithItsExcerptAndNoMakeNoise) {
  std::string e = failureExcerpt(kFailedLog, {{"/tmp/utap-x-1/", ""}});
  EXPECT_EQ(e,
            "gen.c: In function 'f':\n"
            "gen.c:4:11: error: 'nope' undeclared (first use in this function)\n"
            "    4 |   int x = nope;\n"
            "      |           ^~~~\n");
}

TEST(MakeLog, ShowsModpostAndLinkerErrors) {
  std::string e = failureExcerpt("x\nERROR: modpost: \"foo\" [/b/m.ko] undefined!\nmake: *** Error 2\n", {});
  EXPECT_EQ(e, "ERROR: modpost: \"foo\" [/b/m.ko] undefined!\n");
}

TEST(MakeLog, ShowsLinkerErrorsWithTheirFunction) {
  std::string e = failureExcerpt(
      "  LD [M]  m.o\n"
      "ld: runtime/core/session.o: in function `utap_session_init':\n"
      "/r/core/session.c:214: multiple definition of `init_module'; gen.o:gen.c:2: first defined here\n"
      "make[1]: *** [Makefile.build:468: m.o] Error 1\n",
      {});
  EXPECT_EQ(e,
            "ld: runtime/core/session.o: in function `utap_session_init':\n"
            "/r/core/session.c:214: multiple definition of `init_module'; gen.o:gen.c:2: first defined here\n");
}

TEST(MakeLog, CountsErrorsPastTheLimit) {
  std::string log;
  for (int i = 1; i <= 5; ++i) log += "g.c:" + std::to_string(i) + ":1: error: bad\n";
  std::string e = failureExcerpt(log, {}, 2);
  EXPECT_NE(e.find("g.c:2:1"), std::string::npos);
  EXPECT_EQ(e.find("g.c:3:1"), std::string::npos);
  EXPECT_NE(e.find("... and 3 more errors"), std::string::npos);
}

TEST(MakeLog, ShowsAnErrorRepeatedInManyFunctionsOnce) {
  std::string log;
  for (const char* f : {"a", "b", "c"})
    log += std::string("m.c: In function '") + f + "':\nm.c:9:13: error: 'UINT32_MAX' undeclared\n";
  EXPECT_EQ(failureExcerpt(log, {}),
            "m.c: In function 'a':\nm.c:9:13: error: 'UINT32_MAX' undeclared\n... and 2 more errors\n");
}

TEST(MakeLog, FallsBackToTheEndOfTheLog) {
  std::string e = failureExcerpt("one\ntwo\nsomething odd happened\n", {});
  EXPECT_EQ(e, "one\ntwo\nsomething odd happened\n");
}

// A release no machine has (made up).
constexpr const char* kNoSuchRelease = "6.1.0-999-amd64";

TEST(FindKernelTree, MissingReleaseSaysWhatToInstall) {
  std::string error;
  EXPECT_FALSE(findKernelTree(kNoSuchRelease, error));
  EXPECT_NE(error.find("no kernel headers for 6.1.0-999-amd64: install "), std::string::npos) << error;
  EXPECT_NE(error.find("no kernel 6.1.0-999-amd64 is installed either"), std::string::npos) << error;
}

TEST(FindKernelTree, DebianNamesTheHeadersPackage) {
  if (!std::filesystem::exists("/etc/debian_version")) GTEST_SKIP() << "not Debian";
  std::string error;
  EXPECT_FALSE(findKernelTree(kNoSuchRelease, error));
  EXPECT_EQ(error.rfind("no kernel headers for 6.1.0-999-amd64: install linux-headers-6.1.0-999-amd64", 0), 0u) << error;
}

TEST(FindKernelTree, BuildDirectoryThatIsNotATree) {
  test::TempDir dir;
  std::string error;
  EXPECT_FALSE(findKernelTree(dir.path(), error));
  EXPECT_NE(error.find("include/config/kernel.release is missing"), std::string::npos) << error;
  EXPECT_FALSE(findKernelTree(dir.path() + "/nowhere", error));
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
}

TEST(FindKernelTree, ABuildDirectoryIsNamedAsItsModulesAreStamped) {
  // As Debian's 6.1 headers are: kernel.release is the upstream version,
  // UTS_RELEASE (vermagic) the package's release. Both made up here.
  test::TempDir dir;
  dir.write("Makefile", "");
  dir.write("Module.symvers", "");
  dir.write("include/config/auto.conf", "");
  dir.write("include/generated/autoconf.h", "");
  dir.write("include/config/kernel.release", "6.1.999\n");
  dir.write("include/generated/utsrelease.h", "#define UTS_RELEASE \"6.1.0-999-amd64\"\n");
  std::string error;
  std::optional<KernelTree> tree = findKernelTree(dir.path(), error);
  ASSERT_TRUE(tree) << error;
  EXPECT_EQ(tree->release, "6.1.0-999-amd64");
  EXPECT_EQ(tree->buildDir, dir.path());
  // A tree without utsrelease.h (not yet prepared): kernel.release.
  std::filesystem::remove(dir.path() + "/include/generated/utsrelease.h");
  tree = findKernelTree(dir.path(), error);
  ASSERT_TRUE(tree) << error;
  EXPECT_EQ(tree->release, "6.1.999");
}

TEST(FindKernelTree, RunningKernelHasTreeOrSaysWhatToInstall) {
  std::string error;
  std::optional<KernelTree> tree = findKernelTree("", error);
  if (tree) {
    EXPECT_EQ(tree->buildDir, "/lib/modules/" + tree->release + "/build");
  } else {
    EXPECT_NE(error.find("install"), std::string::npos) << error;
  }
}

TEST(BuildModule, CacheDirectoryComesFromOptionsThenEnvironmentThenHome) {
  const char* saved = std::getenv("UTAP_CACHE_DIR");
  std::string savedValue = saved ? saved : "";
  BuildOptions options;
  setenv("UTAP_CACHE_DIR", "/somewhere/utap", 1);
  EXPECT_EQ(cacheDirectory(options), "/somewhere/utap");
  options.cacheDir = "/explicit";
  EXPECT_EQ(cacheDirectory(options), "/explicit");
  unsetenv("UTAP_CACHE_DIR");
  options.cacheDir.clear();
  EXPECT_TRUE(endsWith(cacheDirectory(options), "/utap")) << cacheDirectory(options);
  if (saved) setenv("UTAP_CACHE_DIR", savedValue.c_str(), 1);
}

TEST(BuildModule, RejectsABadRequestBeforeRunningMake) {
  test::TempDir dir;
  KernelTree nowhere{"0.0", dir.path()};
  BuildOptions options;
  options.cacheDir = dir.path() + "/cache";
  ModuleSources s;
  s.name = "bad-name";
  EXPECT_NE(buildModule(nowhere, s, options).error.find("not valid"), std::string::npos);
  s.name = std::string(56, 'm');
  EXPECT_NE(buildModule(nowhere, s, options).error.find("at most 55"), std::string::npos);
  s.name = "m";
  s.files = {{"../escape.c", ""}};
  EXPECT_NE(buildModule(nowhere, s, options).error.find("not a plain relative path"), std::string::npos);
  s.files = {{"m.c", ""}};
  EXPECT_NE(buildModule(nowhere, s, options).error.find("cannot be called m.c"), std::string::npos);
}

}  // namespace
}  // namespace utap::kbuild
