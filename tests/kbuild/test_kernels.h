// Helpers for the pass-4 tests: the kernels to build for, scratch
// directories, a trivial module, modinfo.
#pragma once

#include <chrono>
#include <string>

#include "kbuild/kbuild.h"

namespace utap::kbuild::test {

// Debian 12's two kernels, as installed by scripts/setup.
inline constexpr const char* kKernel61 = "6.1.0-56-amd64";
inline constexpr const char* kKernel612 = "6.12.117+deb12-amd64";

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
