// Deferred pass-4 builds: many modules' build directories side by side,
// built by one kbuild run (buildDeferredModules in kbuild.h).
#pragma once

#include <string>

#include "kbuild/kbuild.h"
#include "kbuild/runtime_objects.h"

namespace utap::kbuild {

// A module's build directory: its generated files, the runtime objects and
// the Kbuild file that links them.
bool writeModuleDirectory(const ModuleSources& sources, const RuntimeObjects& runtime, const std::string& dir,
                          std::string& error);

// Writes the module's build directory as DEFER_DIR/NAME and sets
// result.koPath to `cachedKo` and result.deferred. False when it cannot be
// deferred: another module of the same name (other inputs) is already there,
// and kbuild refuses two modules of one name in one run; the caller then
// builds it now. A write error is returned in result.error (true).
bool deferModule(const ModuleSources& sources, const RuntimeObjects& runtime, const std::string& key,
                 const std::string& cachedKo, const std::string& deferDir, BuildResult& result);

}  // namespace utap::kbuild
