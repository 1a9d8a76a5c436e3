// Kernel feature probes: tiny C files compiled against a kernel tree decide
// what runtime/include/utap/compat.h cannot tell from LINUX_VERSION_CODE
// (distribution kernels backport API changes). The answers go into a
// generated utap_compat_autoconf.h as UTAP_HAVE_* macros, cached per kernel.
//
// A new probe is one entry in kernelFeatureProbes() (features.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kbuild/kbuild.h"

namespace utap::kbuild {

struct FeatureProbe {
  // Defined to 1 in the header when the probe passes: UTAP_HAVE_...
  const char* macro;
  // A C file that compiles against the kernel's headers only when the
  // feature is there (compiler warnings do not count: make the check an
  // error, e.g. a _Static_assert on a type).
  const char* code;
  // A symbol that must also be exported (in Module.symvers), or nullptr.
  const char* exported;
};

// The probes utap runs.
std::span<const FeatureProbe> kernelFeatureProbes();

struct KernelFeatures {
  std::string includeDir;  // holds utap_compat_autoconf.h: add it to ModuleSources::includeDirs
  std::string header;      // that header's path
  std::vector<std::pair<std::string, bool>> values;  // macro → present, in probe order
  bool cacheHit = false;                             // read from the cache; nothing was compiled
  std::string error;                                 // empty on success
  bool ok() const { return error.empty(); }
  bool has(std::string_view macro) const;
};

KernelFeatures probeKernelFeatures(const KernelTree& kernel, const BuildOptions& options);
KernelFeatures probeKernelFeatures(const KernelTree& kernel, const BuildOptions& options,
                                   std::span<const FeatureProbe> probes);

inline constexpr const char* kCompatAutoconfHeader = "utap_compat_autoconf.h";

}  // namespace utap::kbuild
