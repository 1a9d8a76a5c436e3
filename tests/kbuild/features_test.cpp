// The kernel feature probes (compiler/kbuild/features.cpp) against every
// installed kernel: each probe gives the answer expected for the kernel's
// series, and the series differ where the kernels do. A new probe or a new
// kernel series is a new row or a new answer in kExpected below; the steps
// are in runtime/README.md ("When a new kernel series arrives").
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>

#include "kbuild/features.h"
#include "kbuild/files.h"
#include "test_kernels.h"

namespace utap::kbuild {

// For gtest's messages: the probe's macro.
void PrintTo(const FeatureProbe& probe, std::ostream* os) { *os << probe.macro; }

namespace {

using test::secondsSince;
using Clock = std::chrono::steady_clock;

// What each probe answers on each kernel series Debian ships.
struct ExpectedAnswers {
  const char* macro;
  std::map<std::string, bool> bySeries;
};
const ExpectedAnswers kExpected[] = {
    // 6.12 changed uprobe registration: uprobe_register returns the struct
    // uprobe * that uprobe_unregister_nosync takes; uprobe_register_refctr
    // is gone.
    {"UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE", {{"6.1", false}, {"6.12", true}}},
    {"UTAP_HAVE_UPROBE_REGISTER_REFCTR", {{"6.1", true}, {"6.12", false}}},
    {"UTAP_HAVE_UPROBE_UNREGISTER_NOSYNC", {{"6.1", false}, {"6.12", true}}},
    // struct return_instance, with the same fields, in <linux/uprobes.h>.
    {"UTAP_HAVE_UPROBE_RETURN_INSTANCES", {{"6.1", true}, {"6.12", true}}},
};

const ExpectedAnswers* expectedFor(const std::string& macro) {
  for (const ExpectedAnswers& e : kExpected)
    if (macro == e.macro) return &e;
  return nullptr;
}

TEST(FeatureTable, EveryProbeHasAnAnswerForEveryKnownSeries) {
  std::map<std::string, int> series;
  for (const ExpectedAnswers& e : kExpected)
    for (const auto& [s, answer] : e.bySeries) ++series[s];
  for (const FeatureProbe& p : kernelFeatureProbes()) {
    const ExpectedAnswers* e = expectedFor(p.macro);
    ASSERT_NE(e, nullptr) << p.macro << " has no expected answers: add a row to kExpected";
    for (const auto& [s, count] : series)
      EXPECT_EQ(e->bySeries.count(s), 1u) << p.macro << " has no expected answer for series " << s;
  }
  for (const ExpectedAnswers& e : kExpected) {
    bool probed = false;
    for (const FeatureProbe& p : kernelFeatureProbes()) probed = probed || e.macro == std::string(p.macro);
    EXPECT_TRUE(probed) << e.macro << " is expected but features.cpp has no such probe";
  }
}

// One installed kernel and one probe: the probe alone is compiled (the full
// set is compiled by KernelBuild.FeatureHeaderSelectsTheUprobeApi).
class FeatureProbeAnswer : public ::testing::TestWithParam<std::tuple<test::TestKernel, FeatureProbe>> {};

TEST_P(FeatureProbeAnswer, IsTheOneExpectedForTheKernelSeries) {
  const auto& [kernel, probe] = GetParam();
  std::string error;
  std::optional<KernelTree> tree = test::kernelTreeOf(kernel, error);
  if (!tree) UTAP_CANNOT_RUN(error);
  const ExpectedAnswers* expected = expectedFor(probe.macro);
  ASSERT_NE(expected, nullptr) << probe.macro << " has no expected answers: add a row to kExpected";
  auto answer = expected->bySeries.find(kernel.series);
  ASSERT_NE(answer, expected->bySeries.end())
      << "kernel series " << kernel.series << " (" << kernel.release << ") is installed, but kExpected has no answer of "
      << probe.macro << " for it: add the series to every row (runtime/README.md, \"When a new kernel series arrives\")";

  test::TempDir tmp;
  BuildOptions options;
  options.cacheDir = tmp.path() + "/cache";
  KernelFeatures f = probeKernelFeatures(*tree, options, {&probe, 1});
  ASSERT_TRUE(f.ok()) << f.error;
  ASSERT_EQ(f.values.size(), 1u);
  EXPECT_EQ(f.values[0].second, answer->second) << probe.macro << " on " << kernel.release;
  std::string header;
  ASSERT_TRUE(readFile(f.header, header)) << f.header;
  std::string line = answer->second ? std::string("#define ") + probe.macro + " 1\n"
                                    : std::string("/* #undef ") + probe.macro + " */\n";
  EXPECT_NE(header.find(line), std::string::npos) << header;
  EXPECT_NE(header.find(kernel.release), std::string::npos) << "the header names its kernel:\n" << header;
}

std::string probeParamName(const ::testing::TestParamInfo<std::tuple<test::TestKernel, FeatureProbe>>& info) {
  return test::kernelParamName({std::get<0>(info.param), info.index}) + "_" + std::get<1>(info.param).macro;
}

INSTANTIATE_TEST_SUITE_P(Installed, FeatureProbeAnswer,
                         ::testing::Combine(::testing::ValuesIn(test::testKernels()),
                                            ::testing::ValuesIn(kernelFeatureProbes().begin(),
                                                                kernelFeatureProbes().end())),
                         probeParamName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FeatureProbeAnswer);

// The two series Debian 12 ships differ in the uprobes API, and the probes
// see it: the cached headers are apart and say opposite things.
TEST(KernelFeatures, UprobeRegisterReturnsAStructUprobeOn612AndAnIntOn61) {
  std::string error;
  std::optional<test::TestKernel> k61 = test::testKernelOfSeries("6.1", error);
  if (!k61) UTAP_CANNOT_RUN(error);
  std::optional<test::TestKernel> k612 = test::testKernelOfSeries("6.12", error);
  if (!k612) UTAP_CANNOT_RUN(error);
  std::optional<KernelTree> t61 = test::kernelTreeOf(*k61, error);
  if (!t61) UTAP_CANNOT_RUN(error);
  std::optional<KernelTree> t612 = test::kernelTreeOf(*k612, error);
  if (!t612) UTAP_CANNOT_RUN(error);
  test::TempDir tmp;
  BuildOptions options;
  options.cacheDir = tmp.path() + "/cache";

  auto start = Clock::now();
  KernelFeatures f61 = probeKernelFeatures(*t61, options);
  double probe61 = secondsSince(start);
  ASSERT_TRUE(f61.ok()) << f61.error;
  KernelFeatures f612 = probeKernelFeatures(*t612, options);
  ASSERT_TRUE(f612.ok()) << f612.error;
  EXPECT_NE(f61.includeDir, f612.includeDir);

  EXPECT_FALSE(f61.has("UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE"));
  EXPECT_TRUE(f61.has("UTAP_HAVE_UPROBE_REGISTER_REFCTR"));
  EXPECT_FALSE(f61.has("UTAP_HAVE_UPROBE_UNREGISTER_NOSYNC"));
  EXPECT_TRUE(f612.has("UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE"));
  EXPECT_FALSE(f612.has("UTAP_HAVE_UPROBE_REGISTER_REFCTR"));
  EXPECT_TRUE(f612.has("UTAP_HAVE_UPROBE_UNREGISTER_NOSYNC"));

  std::string h61, h612;
  ASSERT_TRUE(readFile(f61.header, h61));
  ASSERT_TRUE(readFile(f612.header, h612));
  EXPECT_NE(h61.find("/* #undef UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE */"), std::string::npos) << h61;
  EXPECT_NE(h61.find("#define UTAP_HAVE_UPROBE_REGISTER_REFCTR 1"), std::string::npos) << h61;
  EXPECT_NE(h612.find("#define UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE 1"), std::string::npos) << h612;

  start = Clock::now();
  KernelFeatures cached = probeKernelFeatures(*t61, options);
  double cachedSeconds = secondsSince(start);
  EXPECT_TRUE(cached.cacheHit);
  std::printf("[ TIMING   ] feature probes on %s: %.2f s, cached %.3f s\n", k61->release.c_str(), probe61,
              cachedSeconds);
}

class FeatureProbeMechanism : public ::testing::TestWithParam<test::TestKernel> {};

TEST_P(FeatureProbeMechanism, AProbeThatDoesNotCompileIsAnAnswerNotAnError) {
  std::string error;
  std::optional<KernelTree> k = test::kernelTreeOf(GetParam(), error);
  if (!k) UTAP_CANNOT_RUN(error);
  test::TempDir tmp;
  BuildOptions options;
  options.cacheDir = tmp.path() + "/cache";
  const FeatureProbe probes[] = {
      {"UTAP_HAVE_NOTHING", "#include <linux/kernel.h>\nint x = no_such_thing;\n", nullptr},
      // kfree: a function, exported by every kernel (6.12's __kmalloc is a macro).
      {"UTAP_HAVE_KFREE", "#include <linux/slab.h>\nvoid (*p)(const void *) = kfree;\n", "kfree"},
      {"UTAP_HAVE_UNEXPORTED", "#include <linux/kernel.h>\n", "no_such_symbol_anywhere"},
  };
  KernelFeatures f = probeKernelFeatures(*k, options, probes);
  ASSERT_TRUE(f.ok()) << f.error;
  EXPECT_FALSE(f.has("UTAP_HAVE_NOTHING"));
  EXPECT_TRUE(f.has("UTAP_HAVE_KFREE"));
  EXPECT_FALSE(f.has("UTAP_HAVE_UNEXPORTED")) << "compiles, but the symbol is not exported";
}

INSTANTIATE_TEST_SUITE_P(Installed, FeatureProbeMechanism, ::testing::ValuesIn(test::testKernels()),
                         test::kernelParamName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FeatureProbeMechanism);

}  // namespace
}  // namespace utap::kbuild
