// Which installed kernel the tests and `utap --vm` pick, over a made-up /boot
// and /lib/modules: the newest build of each series that has an image,
// modules with 9p and headers, whatever Debian has published since. Every
// release here is made up.
#include "vm/kernels.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

// What a made-up build has.
struct Parts {
  bool image = true;
  bool modules = true;  // modules.dep
  bool ninep = true;    // kernel/fs/9p
  bool headers = true;  // build/Makefile
};

class FakeKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "utap-kernels-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    roots_ = {root_ + "/boot", root_ + "/lib/modules"};
    fs::create_directories(roots_.boot);
    fs::create_directories(roots_.modules);
  }
  void TearDown() override { fs::remove_all(root_); }

  void install(const std::string& release, Parts parts = {}) {
    std::string modules = roots_.modules + "/" + release;
    if (parts.image) std::ofstream(roots_.boot + "/vmlinuz-" + release) << "image";
    // System.map and config files beside the image are not kernels.
    std::ofstream(roots_.boot + "/config-" + release) << "CONFIG_MODULES=y\n";
    fs::create_directories(modules);
    if (parts.modules) std::ofstream(modules + "/modules.dep") << "";
    if (parts.ninep) fs::create_directories(modules + "/kernel/fs/9p");
    if (parts.headers) {
      // As Debian installs them: a symlink to /usr/src/linux-headers-R.
      std::string headers = root_ + "/usr/src/linux-headers-" + release;
      fs::create_directories(headers);
      std::ofstream(headers + "/Makefile") << "";
      fs::create_directory_symlink(headers, modules + "/build");
    }
  }

  std::vector<KernelSeriesChoice> choose() const { return newestOfEachSeries(installedKernels(roots_)); }

  std::string root_;
  KernelRoots roots_;
};

TEST(KernelSeries, IsTheFirstTwoNumbers) {
  EXPECT_EQ(kernelSeries("6.1.0-99-amd64"), "6.1");
  EXPECT_EQ(kernelSeries("6.12.999+deb12-amd64"), "6.12");
  EXPECT_EQ(kernelSeries("10.2.3-1-amd64"), "10.2");
  EXPECT_EQ(kernelSeries("6.1"), "6.1");
  EXPECT_EQ(kernelSeries("6-amd64"), "");
  EXPECT_EQ(kernelSeries("vmlinuz"), "");
  EXPECT_EQ(kernelSeries(""), "");
}

TEST_F(FakeKernels, NewestBuildOfEachSeriesInVersionOrder) {
  install("6.1.0-98-amd64");
  install("6.1.0-100-amd64");  // after -99 as a version, before it as a string
  install("6.1.0-99-amd64");
  install("6.12.998+deb12-amd64");
  install("6.12.999+deb12-amd64");
  std::vector<KernelSeriesChoice> c = choose();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].series, "6.1");  // 6.1 before 6.12 as a version
  ASSERT_TRUE(c[0].kernel);
  EXPECT_EQ(c[0].kernel->release, "6.1.0-100-amd64");
  EXPECT_EQ(c[0].kernel->vmlinuz, roots_.boot + "/vmlinuz-6.1.0-100-amd64");
  EXPECT_EQ(c[0].kernel->modulesDir, roots_.modules + "/6.1.0-100-amd64");
  EXPECT_EQ(c[0].kernel->buildDir, roots_.modules + "/6.1.0-100-amd64/build");
  EXPECT_EQ(c[1].series, "6.12");
  ASSERT_TRUE(c[1].kernel);
  EXPECT_EQ(c[1].kernel->release, "6.12.999+deb12-amd64");
  EXPECT_TRUE(c[0].passedOver.empty());
  EXPECT_TRUE(c[1].passedOver.empty());
  EXPECT_EQ(c[0].problem, "");
}

TEST_F(FakeKernels, ANewerBuildWithoutHeadersIsPassedOverAndSaysWhy) {
  install("6.12.998+deb12-amd64");
  install("6.12.999+deb12-amd64", {.headers = false});
  std::vector<KernelSeriesChoice> c = choose();
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(c[0].kernel);
  EXPECT_EQ(c[0].kernel->release, "6.12.998+deb12-amd64");
  ASSERT_EQ(c[0].passedOver.size(), 1u);
  EXPECT_EQ(c[0].passedOver[0], "kernel 6.12.999+deb12-amd64 has no headers (no " + roots_.modules +
                                    "/6.12.999+deb12-amd64/build/Makefile): install linux-headers-6.12.999+deb12-amd64");
}

TEST_F(FakeKernels, ASeriesWithoutAnyCompleteBuildSaysWhatToInstall) {
  install("6.1.0-99-amd64", {.headers = false});
  install("6.12.999+deb12-amd64");
  std::vector<KernelSeriesChoice> c = choose();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_FALSE(c[0].kernel);
  EXPECT_EQ(c[0].problem, "kernel series 6.1: kernel 6.1.0-99-amd64 has no headers (no " + roots_.modules +
                              "/6.1.0-99-amd64/build/Makefile): install linux-headers-6.1.0-99-amd64");
  ASSERT_TRUE(c[1].kernel);
  EXPECT_EQ(c[1].problem, "");
}

TEST_F(FakeKernels, OnlyTheNewestBuildsLacksAreReported) {
  install("6.1.0-98-amd64", {.ninep = false});
  install("6.1.0-99-amd64", {.image = false});
  std::vector<KernelSeriesChoice> c = choose();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].kernel);
  EXPECT_EQ(c[0].problem, "kernel series 6.1: kernel 6.1.0-99-amd64 is not installed: no " + roots_.boot +
                              "/vmlinuz-6.1.0-99-amd64 (install linux-image-6.1.0-99-amd64)");
  EXPECT_TRUE(c[0].passedOver.empty());
}

TEST_F(FakeKernels, ImageModulesAnd9pAreEachNeeded) {
  install("6.1.0-99-amd64", {.modules = false});
  install("6.12.999+deb12-amd64", {.ninep = false, .headers = false});
  std::vector<InstalledKernel> k = installedKernels(roots_);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0].guestProblem, "kernel 6.1.0-99-amd64 has no " + roots_.modules +
                                   "/6.1.0-99-amd64/modules.dep (reinstall linux-image-6.1.0-99-amd64)");
  EXPECT_EQ(k[0].headersProblem, "");
  EXPECT_NE(k[1].guestProblem.find("has no 9p file system module"), std::string::npos) << k[1].guestProblem;
  EXPECT_NE(k[1].headersProblem.find("install linux-headers-6.12.999+deb12-amd64"), std::string::npos);
  std::vector<KernelSeriesChoice> c = choose();
  ASSERT_EQ(c.size(), 2u);
  // Both lacks of the newest build, in one sentence.
  EXPECT_NE(c[1].problem.find("9p file system module"), std::string::npos) << c[1].problem;
  EXPECT_NE(c[1].problem.find("; kernel 6.12.999+deb12-amd64 has no headers"), std::string::npos) << c[1].problem;
}

TEST_F(FakeKernels, OtherFlavoursAndLeftoversAreNotKernelsToTest) {
  install("6.12.999+deb12-cloud-amd64", {.ninep = false});
  install("6.12.999+deb12-rt-amd64");
  install("6.1.0-99-arm64");
  install("6.1.0-98-amd64");
  // Headers left behind by a removed older build: only build/ remains.
  install("6.1.0-97-amd64", {.image = false, .modules = false, .ninep = false});
  fs::create_directories(roots_.modules + "/not-a-release");
  std::vector<KernelSeriesChoice> c = choose();
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(c[0].kernel);
  EXPECT_EQ(c[0].kernel->release, "6.1.0-98-amd64");
  EXPECT_TRUE(c[0].passedOver.empty());
}

TEST_F(FakeKernels, NoKernelsNoSeries) {
  EXPECT_TRUE(choose().empty());
  KernelRoots nowhere{root_ + "/no/boot", root_ + "/no/modules"};
  EXPECT_TRUE(installedKernels(nowhere).empty());
}

TEST_F(FakeKernels, UtapKernelRootMovesTheSearch) {
  const char* saved = std::getenv("UTAP_KERNEL_ROOT");
  std::string savedValue = saved ? saved : "";
  unsetenv("UTAP_KERNEL_ROOT");
  EXPECT_EQ(kernelRootsFromEnvironment().boot, "/boot");
  EXPECT_EQ(kernelRootsFromEnvironment().modules, "/lib/modules");
  setenv("UTAP_KERNEL_ROOT", root_.c_str(), 1);
  install("6.12.999+deb12-amd64");
  std::vector<KernelSeriesChoice> c = newestOfEachSeries(installedKernels(kernelRootsFromEnvironment()));
  if (saved)
    setenv("UTAP_KERNEL_ROOT", savedValue.c_str(), 1);
  else
    unsetenv("UTAP_KERNEL_ROOT");
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(c[0].kernel);
  EXPECT_EQ(c[0].kernel->vmlinuz, root_ + "/boot/vmlinuz-6.12.999+deb12-amd64");
}

}  // namespace
}  // namespace utap::vm
