#include "kbuild/kernel_tree.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "kbuild/files.h"
#include "kbuild/process.h"
#include "kbuild/sha256.h"

namespace utap::kbuild {

namespace fs = std::filesystem;

namespace {

// The package that holds a release's build tree, named the distribution's way.
std::string headersPackage(const std::string& release) {
  std::error_code ec;
  if (fs::exists("/etc/debian_version", ec)) return "linux-headers-" + release;
  if (fs::exists("/etc/fedora-release", ec) || fs::exists("/etc/redhat-release", ec)) return "kernel-devel-" + release;
  return "";
}

std::string installHint(const std::string& release) {
  std::string pkg = headersPackage(release);
  if (!pkg.empty()) return "install " + pkg;
  return "install the kernel headers of " + release + " so that /lib/modules/" + release + "/build exists";
}

std::string runningRelease() {
  struct utsname u {};
  uname(&u);
  return u.release;
}

// The files kbuild reads from a tree to build an external module.
bool checkComplete(const KernelTree& tree, bool fromRelease, std::string& error) {
  static const char* const kNeeded[] = {"Makefile", "include/generated/autoconf.h", "include/config/auto.conf",
                                        "Module.symvers"};
  for (const char* file : kNeeded) {
    std::error_code ec;
    if (fs::exists(tree.buildDir + "/" + file, ec)) continue;
    if (fromRelease) {
      error = "the kernel headers for " + tree.release + " in " + tree.buildDir + " are incomplete: " + file +
              " is missing; reinstall them (" + installHint(tree.release) + ")";
    } else if (std::string(file) == "Module.symvers") {
      error = tree.buildDir + " has no Module.symvers: build the kernel there first (make modules)";
    } else {
      error = tree.buildDir + " is not a prepared kernel build directory: " + file +
              " is missing (run 'make modules_prepare' there)";
    }
    return false;
  }
  return true;
}

std::optional<std::string> autoconfString(const std::string& autoconf, const std::string& name) {
  std::string key = "#define " + name + " \"";
  size_t at = autoconf.find(key);
  if (at == std::string::npos) return std::nullopt;
  at += key.size();
  size_t end = autoconf.find('"', at);
  if (end == std::string::npos) return std::nullopt;
  return autoconf.substr(at, end - at);
}

// "x86_64-linux-gnu-gcc-12" is in the package gcc-12.
std::string compilerPackage(const std::string& compiler) {
  for (const char* family : {"gcc", "clang"}) {
    size_t at = compiler.rfind(family);
    if (at != std::string::npos) return compiler.substr(at);
  }
  return compiler;
}

}  // namespace

std::optional<KernelTree> findKernelTree(const std::string& spec, std::string& error) {
  KernelTree tree;
  std::error_code ec;
  bool fromRelease = spec.find('/') == std::string::npos;
  if (!fromRelease) {
    tree.buildDir = fs::absolute(spec, ec).lexically_normal().string();
    if (tree.buildDir.size() > 1 && tree.buildDir.back() == '/') tree.buildDir.pop_back();
    if (!fs::is_directory(tree.buildDir, ec)) {
      error = "the kernel build directory " + spec + " does not exist";
      return std::nullopt;
    }
    // The release modules are stamped with (vermagic) is UTS_RELEASE; Debian's
    // 6.1 headers say "6.1.0-57-amd64" there but "6.1.192" in kernel.release.
    std::string uts;
    readFile(tree.buildDir + "/include/generated/utsrelease.h", uts);
    tree.release = autoconfString(uts, "UTS_RELEASE").value_or("");
    std::ifstream in(tree.buildDir + "/include/config/kernel.release");
    if (tree.release.empty() && (!std::getline(in, tree.release) || tree.release.empty())) {
      error = spec +
              " is not a prepared kernel build directory: include/config/kernel.release is missing (run 'make "
              "modules_prepare' there)";
      return std::nullopt;
    }
  } else {
    tree.release = spec.empty() ? runningRelease() : spec;
    tree.buildDir = "/lib/modules/" + tree.release + "/build";
    if (!fs::is_directory(tree.buildDir, ec)) {
      error = "no kernel headers for " + tree.release + ": " + installHint(tree.release);
      if (fs::is_symlink(tree.buildDir, ec))
        error += " (" + tree.buildDir + " points to " + fs::read_symlink(tree.buildDir, ec).string() +
                 ", which does not exist)";
      else if (!spec.empty() && !fs::is_directory("/lib/modules/" + tree.release, ec))
        error += " (no kernel " + tree.release + " is installed either: check the release)";
      return std::nullopt;
    }
  }
  if (!checkComplete(tree, fromRelease, error)) return std::nullopt;
  return tree;
}

std::string kernelCompiler(const KernelTree& kernel) {
  std::string autoconf;
  readFile(kernel.buildDir + "/include/generated/autoconf.h", autoconf);
  if (autoconf.find("#define CONFIG_CC_IS_CLANG 1") != std::string::npos) return "clang";
  std::string text = autoconfString(autoconf, "CONFIG_CC_VERSION_TEXT").value_or("gcc");
  return text.substr(0, text.find(' '));
}

std::optional<std::string> kernelIdentity(const KernelTree& kernel, std::string& error) {
  Sha256 hash;
  hash.field("utap kernel identity 1");
  hash.field(kernel.release);
  for (const char* file : {"include/generated/autoconf.h", "Module.symvers"}) {
    std::string content;
    if (!readFile(kernel.buildDir + "/" + file, content)) {
      error = "cannot read " + kernel.buildDir + "/" + file;
      return std::nullopt;
    }
    hash.field(content);
  }
  std::string compiler = kernelCompiler(kernel);
  std::string version;
  ProcessResult run = runProcess({compiler, "--version"}, version);
  if (!run.started || run.exitStatus != 0) {
    error = "the compiler kernel " + kernel.release + " was built with, " + compiler + ", is not installed: install " +
            compilerPackage(compiler);
    return std::nullopt;
  }
  hash.field(version.substr(0, version.find('\n')));
  return hash.hexDigest();
}

}  // namespace utap::kbuild
