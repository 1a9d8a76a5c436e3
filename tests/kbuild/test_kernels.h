// Helpers for the tests that build modules or boot guests (tests/kbuild,
// tests/vm): the kernels to run on, scratch directories, a trivial module,
// modinfo.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "kbuild/kbuild.h"
#include "vm/guest.h"

namespace utap::kbuild::test {

// A kernel the tests run on: the newest build of one installed kernel series
// that has an image, modules with 9p and headers, found as `utap-guest
// --list-kernels` finds it (vm::newestOfEachSeries; $UTAP_KERNEL_ROOT points
// the search at a made-up tree). Debian publishes new builds every few weeks,
// so no test names a release.
struct TestKernel {
  std::string series;   // "6.12"
  std::string release;  // "6.12.118+deb12-amd64"; "" when no build of the series is complete
  std::string problem;  // then: what is missing and what to install
  vm::GuestKernel guest;
  std::string buildDir;  // its headers, for kbuild
  // Newer builds of the series that lack something, each as a sentence.
  std::vector<std::string> passedOver;
};

// For gtest's messages: "6.12.118+deb12-amd64", or the series and its problem.
void PrintTo(const TestKernel& kernel, std::ostream* os);

// Every installed series, oldest first. Computed once per process.
const std::vector<TestKernel>& testKernels();
// The test kernel of `series`, or std::nullopt with `why` saying why not
// (not installed, or incomplete).
std::optional<TestKernel> testKernelOfSeries(const std::string& series, std::string& why);
// "linux_6_12": a gtest parameter name that stays the same across builds.
std::string kernelParamName(const ::testing::TestParamInfo<TestKernel>& info);
// The kernel tree to build for, or std::nullopt with `why`.
std::optional<KernelTree> kernelTreeOf(const TestKernel& kernel, std::string& why);

// Under CI=true (the CI run), a test that cannot run fails; elsewhere it may
// be skipped. scripts/test counts and lists the skips.
bool underCi();
#define UTAP_CANNOT_RUN(why)                                                                   \
  do {                                                                                         \
    if (::utap::kbuild::test::underCi())                                                       \
      FAIL() << (why) << " (under CI=true a test that cannot run fails; see scripts/setup)"; \
    else                                                                                       \
      GTEST_SKIP() << (why);                                                                   \
  } while (0)

// A directory that is removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/relative, making directories.
  void write(const std::string& relative, const std::string& content) const;

 private:
  std::string path_;
};

// A module `name` of one generated gen.c (init/exit with pr_info) that calls
// a helper from the runtime object helper.c under dir/runtime, declared in
// dir/include/trivial_helper.h.
ModuleSources trivialModule(const TempDir& dir, const std::string& name);

// Adds six runtime files to `s` that include what the real runtime does
// (uprobes, scheduler, files, tracepoints...), so that compiling them costs
// what the runtime's compilation costs.
void addHeavyRuntime(const TempDir& dir, ModuleSources& s);

// `modinfo -F field ko`, without the trailing newline; "" when it fails.
std::string modinfo(const std::string& ko, const std::string& field);

double secondsSince(std::chrono::steady_clock::time_point start);

}  // namespace utap::kbuild::test
