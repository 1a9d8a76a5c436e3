// What pass 4 needs to know about a kernel build tree beyond its location.
#pragma once

#include <optional>
#include <string>

#include "kbuild/kbuild.h"

namespace utap::kbuild {

// A hash of everything in the tree that changes what a module built against
// it contains: the release, the configuration (include/generated/autoconf.h),
// the exported symbols and their CRCs (Module.symvers) and the version of the
// compiler kbuild will use. Fails, saying what to install, when that compiler
// is missing.
std::optional<std::string> kernelIdentity(const KernelTree& kernel, std::string& error);

// The compiler the tree was configured with (CONFIG_CC_VERSION_TEXT's
// program, e.g. "x86_64-linux-gnu-gcc-12"), which kbuild uses too.
std::string kernelCompiler(const KernelTree& kernel);

}  // namespace utap::kbuild
