// The kernels installed on this machine, grouped by series (6.1, 6.12...):
// which one `utap --vm` boots and which ones the tests run on. Debian
// publishes a new build of each series every few weeks, so nothing may name a
// release: each series' newest complete build is found at run time.
// Implemented in kernel.cpp, beside findGuestKernel, which uses it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace utap::vm {

// Where installed kernels live. The tests of the choice point these at a
// made-up tree; nothing else should.
struct KernelRoots {
  std::string boot = "/boot";            // vmlinuz-RELEASE
  std::string modules = "/lib/modules";  // RELEASE/{modules.dep,kernel/fs/9p,build/Makefile}
};

// The real roots, or $UTAP_KERNEL_ROOT/boot and $UTAP_KERNEL_ROOT/lib/modules
// when that is set: for trying the test suites against a made-up set of
// kernels (one whose headers are missing, a newer build...) without touching
// the machine's. Only the tests' kernel list (utap-guest --list-kernels)
// reads it; `utap --vm` always looks at the real ones.
KernelRoots kernelRootsFromEnvironment();

// One installed build of a generic amd64 kernel and what it lacks.
struct InstalledKernel {
  std::string release;     // "6.12.118+deb12-amd64"
  std::string series;      // "6.12"
  std::string vmlinuz;     // ROOT/boot/vmlinuz-RELEASE
  std::string modulesDir;  // ROOT/lib/modules/RELEASE
  std::string buildDir;    // modulesDir/build: the headers kbuild builds against
  // Why a guest cannot boot it (no image, no modules.dep, no 9p), or "".
  std::string guestProblem;
  // Why no module can be built for it (no headers), or "".
  std::string headersProblem;
  bool complete() const { return guestProblem.empty() && headersProblem.empty(); }
};

// "6.1" of "6.1.0-57-amd64", "6.12" of "6.12.118+deb12-amd64": the first two
// numbers. "" when the release does not start with them.
std::string kernelSeries(const std::string& release);

// Every generic amd64 kernel (not -cloud, not -rt) that has an image or a
// modules directory under `roots`, oldest first (in version order: 6.12
// after 6.1, 6.1.0-100 after 6.1.0-99).
std::vector<InstalledKernel> installedKernels(const KernelRoots& roots);

// One kernel series and the build of it to use.
struct KernelSeriesChoice {
  std::string series;
  // The newest build with an image, modules, 9p and headers.
  std::optional<InstalledKernel> kernel;
  // When there is none: a sentence saying what the newest build lacks and
  // what to install.
  std::string problem;
  // Newer builds than `kernel` that lack something, each as a sentence: the
  // series is tested on an older build than the newest one installed.
  std::vector<std::string> passedOver;
};

// Each series of `kernels` (as installedKernels gives them), oldest first.
std::vector<KernelSeriesChoice> newestOfEachSeries(const std::vector<InstalledKernel>& kernels);

}  // namespace utap::vm
