// Finding kernels among the installed linux-image packages: the one a guest
// boots (findGuestKernel) and the newest build of each series (kernels.h).
#include <fmt/format.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "vm/guest.h"
#include "vm/kernels.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

// Why `release` under `roots` cannot serve as a guest kernel, or "".
std::string guestProblem(const KernelRoots& roots, const std::string& release) {
  std::string vmlinuz = roots.boot + "/vmlinuz-" + release;
  std::string modules = roots.modules + "/" + release;
  std::error_code ec;
  if (!fs::exists(vmlinuz, ec))
    return fmt::format("kernel {} is not installed: no {} (install linux-image-{})", release, vmlinuz, release);
  if (access(vmlinuz.c_str(), R_OK) != 0) return fmt::format("cannot read {} (permissions?)", vmlinuz);
  if (!fs::exists(modules + "/modules.dep", ec))
    return fmt::format("kernel {} has no {}/modules.dep (reinstall linux-image-{})", release, modules, release);
  if (!fs::is_directory(modules + "/kernel/fs/9p", ec)) {
    return fmt::format(
        "kernel {} has no 9p file system module ({}/kernel/fs/9p), which the guest mounts the host "
        "with (Debian's -cloud kernels lack it)",
        release, modules);
  }
  return "";
}

// Why no module can be built for `release`, or "". Only whether its headers
// are there at all: kbuild::findKernelTree says what an incomplete tree lacks.
std::string headersProblem(const KernelRoots& roots, const std::string& release) {
  std::string makefile = roots.modules + "/" + release + "/build/Makefile";
  std::error_code ec;
  if (fs::exists(makefile, ec)) return "";
  return fmt::format("kernel {} has no headers (no {}): install linux-headers-{}", release, makefile, release);
}

// Debian's flavours other than the generic one: -cloud lacks 9p and -rt is
// not what users run.
bool isGenericAmd64(const std::string& release) {
  auto endsWith = [&](const std::string& suffix) {
    return release.size() >= suffix.size() &&
           release.compare(release.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return endsWith("-amd64") && !endsWith("-cloud-amd64") && !endsWith("-rt-amd64");
}

// strverscmp orders 6.12.x after 6.1.x and 6.1.0-100 after 6.1.0-99, which
// plain string order does not.
bool olderRelease(const std::string& a, const std::string& b) { return strverscmp(a.c_str(), b.c_str()) < 0; }

}  // namespace

KernelRoots kernelRootsFromEnvironment() {
  KernelRoots roots;
  if (const char* root = std::getenv("UTAP_KERNEL_ROOT"); root && *root) {
    roots.boot = std::string(root) + "/boot";
    roots.modules = std::string(root) + "/lib/modules";
  }
  return roots;
}

std::string kernelSeries(const std::string& release) {
  size_t first = 0;
  while (first < release.size() && std::isdigit(static_cast<unsigned char>(release[first]))) ++first;
  if (first == 0 || first >= release.size() || release[first] != '.') return "";
  size_t second = first + 1;
  while (second < release.size() && std::isdigit(static_cast<unsigned char>(release[second]))) ++second;
  if (second == first + 1) return "";
  return release.substr(0, second);
}

std::vector<InstalledKernel> installedKernels(const KernelRoots& roots) {
  std::vector<std::string> releases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(roots.boot, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("vmlinuz-", 0) == 0) releases.push_back(name.substr(8));
  }
  // A build whose image is gone may still have modules (or only headers:
  // linux-headers-R owns RELEASE/build), and is reported for what it lacks.
  for (const auto& entry : fs::directory_iterator(roots.modules, ec)) releases.push_back(entry.path().filename().string());
  std::sort(releases.begin(), releases.end(), olderRelease);
  releases.erase(std::unique(releases.begin(), releases.end()), releases.end());

  std::vector<InstalledKernel> kernels;
  for (const std::string& release : releases) {
    std::string series = kernelSeries(release);
    if (!isGenericAmd64(release) || series.empty()) continue;
    std::string modulesDir = roots.modules + "/" + release;
    kernels.push_back({release, series, roots.boot + "/vmlinuz-" + release, modulesDir, modulesDir + "/build",
                       guestProblem(roots, release), headersProblem(roots, release)});
  }
  return kernels;
}

std::vector<KernelSeriesChoice> newestOfEachSeries(const std::vector<InstalledKernel>& kernels) {
  std::map<std::string, std::vector<const InstalledKernel*>> bySeries;
  for (const InstalledKernel& k : kernels) bySeries[k.series].push_back(&k);
  std::vector<KernelSeriesChoice> choices;
  for (auto& [series, builds] : bySeries) {
    std::sort(builds.begin(), builds.end(), [](auto* a, auto* b) { return olderRelease(a->release, b->release); });
    KernelSeriesChoice choice{series, std::nullopt, "", {}};
    for (auto it = builds.rbegin(); it != builds.rend() && !choice.kernel; ++it) {
      if ((*it)->complete()) {
        choice.kernel = **it;
      } else {
        const InstalledKernel& k = **it;
        choice.passedOver.push_back(k.guestProblem.empty() ? k.headersProblem : k.guestProblem);
      }
    }
    if (!choice.kernel) {
      // Only the newest build's lacks matter: that is the one to complete.
      const InstalledKernel& newest = *builds.back();
      choice.problem = fmt::format("kernel series {}: {}", series,
                                   newest.guestProblem.empty()     ? newest.headersProblem
                                   : newest.headersProblem.empty() ? newest.guestProblem
                                                                   : newest.guestProblem + "; " + newest.headersProblem);
      choice.passedOver.clear();
    }
    choices.push_back(std::move(choice));
  }
  std::sort(choices.begin(), choices.end(), [](const auto& a, const auto& b) { return olderRelease(a.series, b.series); });
  return choices;
}

std::optional<GuestKernel> findGuestKernel(const std::string& release, std::string* error) {
  KernelRoots roots;
  std::string chosen = release;
  std::string why;
  if (chosen.empty()) {
    // installedKernels lists them oldest first.
    for (const InstalledKernel& k : installedKernels(roots))
      if (k.guestProblem.empty()) chosen = k.release;
    if (chosen.empty()) {
      why =
          "no usable kernel installed: need a generic linux-image-*-amd64 with /boot/vmlinuz-R and "
          "/lib/modules/R/kernel/fs/9p";
    }
  } else {
    why = guestProblem(roots, chosen);
  }
  if (!why.empty()) {
    if (error) *error = why;
    return std::nullopt;
  }
  return GuestKernel{chosen, roots.boot + "/vmlinuz-" + chosen, roots.modules + "/" + chosen};
}

}  // namespace utap::vm
