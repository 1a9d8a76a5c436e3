// Cache keys: hashes of everything that goes into a build product. Each key
// starts with what it is for and kRecipe, so changing how utap builds (flags,
// Kbuild layout) invalidates what older versions cached.
#pragma once

#include <optional>
#include <string>

#include "kbuild/kbuild.h"

namespace utap::kbuild {

inline constexpr const char* kRecipe = "utap kbuild recipe 1";

// The runtime objects: kernel, defines, include directories' files, and every
// .c and .h under the runtime root.
std::optional<std::string> runtimeKey(const std::string& kernelId, const ModuleSources& sources, std::string& error);

// The module: kernel, name, generated files, defines, include directories'
// files and the runtime's key.
std::optional<std::string> moduleKey(const std::string& kernelId, const ModuleSources& sources,
                                     const std::string& runtimeKey, std::string& error);

// Runtime root files that are sources (part of the key, copied to build).
bool isRuntimeSource(const std::string& relativePath);

}  // namespace utap::kbuild
