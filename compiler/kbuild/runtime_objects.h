// The runtime's objects, compiled once per kernel (and per defines and
// headers) and linked by every module built after that.
//
// How the reuse works: a module's build directory gets the cached objects as
// runtime/<path>.o with no .c beside them. kbuild's pattern rules need the
// .c, so make takes such an object as a given file and links it without a
// compile. Each object also gets its .<name>.o.cmd file, cut down to the
// #SYMVER lines, because modpost opens it for the CRCs of exported symbols and
// fails when it is missing.
//
// The objects are compiled in a module of their own name (utap_runtime), so
// their KBUILD_MODNAME is "utap_runtime" whatever module links them: runtime
// code names its module with THIS_MODULE->name, not KBUILD_MODNAME.
#pragma once

#include <string>
#include <vector>

#include "kbuild/kbuild.h"

namespace utap::kbuild {

struct RuntimeObjects {
  std::string dir;                   // holds runtime/<path>.o and the .cmd files
  std::vector<std::string> objects;  // "runtime/core/error.o", relative to dir
  bool reused = false;               // found in the cache
  std::string error;
  std::string logPath;  // on a failed compile
};

// The object path in a build directory for a runtime .c file.
std::string runtimeObjectPath(const std::string& runtimeSource);

RuntimeObjects ensureRuntimeObjects(const KernelTree& kernel, const ModuleSources& sources, const std::string& key,
                                    const std::string& cacheDir, const BuildOptions& options);

// Copies the objects (and .cmd files) into a module's build directory.
bool copyRuntimeObjects(const RuntimeObjects& runtime, const std::string& buildDir, std::string& error);

}  // namespace utap::kbuild
