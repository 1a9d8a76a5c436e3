// Finding a kernel to boot among the installed linux-image packages.
#include <fmt/format.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "vm/guest.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

// Why `release` cannot serve as a guest kernel, or "".
std::string unusable(const std::string& release) {
  std::string vmlinuz = "/boot/vmlinuz-" + release;
  std::string modules = "/lib/modules/" + release;
  std::error_code ec;
  if (!fs::exists(vmlinuz, ec)) return fmt::format("kernel {} is not installed: no {}", release, vmlinuz);
  if (access(vmlinuz.c_str(), R_OK) != 0) return fmt::format("cannot read {} (permissions?)", vmlinuz);
  if (!fs::exists(modules + "/modules.dep", ec))
    return fmt::format("kernel {} has no {}/modules.dep", release, modules);
  if (!fs::is_directory(modules + "/kernel/fs/9p", ec)) {
    return fmt::format(
        "kernel {} has no 9p file system module ({}/kernel/fs/9p), which the guest mounts the host "
        "with (Debian's -cloud kernels lack it)",
        release, modules);
  }
  return "";
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

}  // namespace

std::optional<GuestKernel> findGuestKernel(const std::string& release, std::string* error) {
  std::string chosen = release;
  std::string why;
  if (chosen.empty()) {
    std::vector<std::string> candidates;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/boot", ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("vmlinuz-", 0) != 0) continue;
      std::string r = name.substr(8);
      if (isGenericAmd64(r) && unusable(r).empty()) candidates.push_back(r);
    }
    // strverscmp orders 6.12.x after 6.1.x, which plain string order does not.
    std::sort(candidates.begin(), candidates.end(),
              [](const std::string& a, const std::string& b) { return strverscmp(a.c_str(), b.c_str()) < 0; });
    if (candidates.empty()) {
      why =
          "no usable kernel installed: need a generic linux-image-*-amd64 with /boot/vmlinuz-R and "
          "/lib/modules/R/kernel/fs/9p";
    } else {
      chosen = candidates.back();
    }
  } else {
    why = unusable(chosen);
  }
  if (!why.empty()) {
    if (error) *error = why;
    return std::nullopt;
  }
  return GuestKernel{chosen, "/boot/vmlinuz-" + chosen, "/lib/modules/" + chosen};
}

}  // namespace utap::vm
