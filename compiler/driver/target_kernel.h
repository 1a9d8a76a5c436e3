// Facts about the kernel a script is compiled for (-r, or the running one)
// that the preprocessor's conditions ask about.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace utap::driver {

class TargetKernel {
 public:
  // `spec` is -r's value: a release ("6.1.0-56-amd64"), a build directory,
  // or empty for the running kernel.
  explicit TargetKernel(const std::string& spec);

  const std::string& release() const { return release_; }
  const std::string& buildDir() const { return buildDir_; }
  // stap's name for the architecture: x86_64, i386, arm64, powerpc, s390...
  static std::string arch();
  // A CONFIG_ option's value from the kernel's .config ("" when unset or
  // when no .config can be found).
  std::string config(const std::string& name);

 private:
  std::string release_;
  std::string buildDir_;
  std::optional<std::map<std::string, std::string>> config_;
};

}  // namespace utap::driver
