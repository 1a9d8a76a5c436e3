#include "driver/target_kernel.h"

#include <sys/utsname.h>

#include <fstream>

namespace utap::driver {

TargetKernel::TargetKernel(const std::string& spec) {
  if (spec.find('/') != std::string::npos) {
    buildDir_ = spec;
    // UTS_RELEASE, as kbuild::findKernelTree reads it: Debian's 6.1 headers
    // say "6.1.192" in include/config/kernel.release.
    std::ifstream uts(spec + "/include/generated/utsrelease.h");
    for (std::string line; std::getline(uts, line);) {
      const std::string key = "#define UTS_RELEASE \"";
      if (line.rfind(key, 0) == 0 && line.size() > key.size() + 1 && line.back() == '"')
        release_ = line.substr(key.size(), line.size() - key.size() - 1);
    }
    std::ifstream in(spec + "/include/config/kernel.release");
    if (release_.empty()) std::getline(in, release_);
  } else {
    release_ = spec;
    if (release_.empty()) {
      struct utsname u {};
      uname(&u);
      release_ = u.release;
    }
    buildDir_ = "/lib/modules/" + release_ + "/build";
  }
}

std::string TargetKernel::arch() {
  struct utsname u {};
  uname(&u);
  std::string m = u.machine;
  if (m.size() == 4 && m[0] == 'i' && m.substr(2) == "86") return "i386";
  if (m == "aarch64") return "arm64";
  if (m.rfind("ppc", 0) == 0) return "powerpc";
  if (m.rfind("s390", 0) == 0) return "s390";
  if (m.rfind("arm", 0) == 0) return "arm";
  return m;
}

std::string TargetKernel::config(const std::string& name) {
  if (!config_) {
    config_.emplace();
    std::ifstream in(buildDir_ + "/.config");
    if (!in) in.open("/boot/config-" + release_);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      (*config_)[line.substr(0, eq)] = value;
    }
  }
  auto it = config_->find(name);
  return it == config_->end() ? "" : it->second;
}

}  // namespace utap::driver
