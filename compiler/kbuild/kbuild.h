// Pass 4: generated C + the runtime's C → a kernel module (.ko), built with
// kbuild against one kernel's build tree and kept in a content-addressed cache.
//
// Everything that goes into a module is hashed (sources, runtime sources and
// headers, defines, name, and the kernel tree's identity: release, autoconf.h,
// Module.symvers, compiler version), so a repeated build is a cache hit that
// never runs make. The runtime's .c files are compiled once per kernel and
// per defines, and later builds link those objects without recompiling them.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace utap::kbuild {

// A kernel to build for: its release and the directory kbuild runs in
// (`make -C buildDir`), usually /lib/modules/RELEASE/build.
struct KernelTree {
  std::string release;
  std::string buildDir;
};

// `spec` is -r's value: a release ("6.1.0-56-amd64"), a build directory (any
// value with a '/'), or empty for the running kernel. On failure `error` says
// what is missing and what to install.
std::optional<KernelTree> findKernelTree(const std::string& spec, std::string& error);

struct ModuleSources {
  // The module's name: a C identifier of at most 55 characters.
  std::string name;
  // Generated files, relative path → content. Every .c file is an object of
  // the module; headers are written beside them.
  std::vector<std::pair<std::string, std::string>> files;
  // The runtime's .c files, relative to runtimeRoot. They are compiled once
  // per kernel (and per defines and headers) and the objects reused. Every .c
  // and .h under runtimeRoot is part of their cache key.
  std::vector<std::string> runtimeObjects;
  std::string runtimeRoot;
  // -I directories for both the generated and the runtime C. Every file under
  // them is part of the cache keys, so keep them small (runtime/include).
  std::vector<std::string> includeDirs;
  // -D NAME=VALUE (an empty VALUE gives -DNAME) for both.
  std::vector<std::pair<std::string, std::string>> defines;
};

struct BuildOptions {
  // Empty: $UTAP_CACHE_DIR, else $XDG_CACHE_HOME/utap, else ~/.cache/utap.
  std::string cacheDir;
  // -k: always build (no cache lookup), keep the build directory and report it.
  bool keepBuildDir = false;
  // Show make's command lines (V=1) and output on `verboseOut` as it runs.
  bool verbose = false;
  std::FILE* verboseOut = stderr;
  // make -j; 0 means the number of online CPUs.
  int jobs = 0;
  // Not empty: on a cache miss, the module's build directory is written
  // under this directory instead of running make, and buildDeferredModules
  // later builds all of them with one kbuild run (kbuild's own start-up,
  // about 0.6 s of CPU, is paid once, not per module). One process at a
  // time writes to a given directory.
  std::string deferTo;
};

struct BuildResult {
  std::string koPath;          // the module, inside the cache; empty on failure
  bool cacheHit = false;       // the module came from the cache; make did not run
  bool runtimeReused = false;  // the runtime objects came from the cache
  std::string buildDir;        // the kept build directory (-k), else empty
  std::string logPath;         // make's full output, when kept (-k) or on failure
  std::string error;           // empty on success
  bool deferred = false;       // written under deferTo; koPath is where it will be
  bool ok() const { return error.empty(); }
};

BuildResult buildModule(const KernelTree& kernel, const ModuleSources& sources, const BuildOptions& options);

// The cache directory `options` selects (see BuildOptions::cacheDir).
std::string cacheDirectory(const BuildOptions& options);

struct DeferredBuilds {
  std::vector<std::string> built;   // the modules made, as paths in the cache
  std::vector<std::string> failed;  // names of modules that did not build (build one alone to see why)
  std::string logPath;              // the batch's make output
  std::string error;                // make could not run, or a directory could not be written
  bool ok() const { return error.empty() && failed.empty(); }
};

// Builds every module deferred to `dir` (BuildOptions::deferTo) with one
// kbuild run, puts each .ko where buildModule said it would be, and empties
// `dir`. A module that fails does not stop the others.
DeferredBuilds buildDeferredModules(const KernelTree& kernel, const std::string& dir, const BuildOptions& options);

}  // namespace utap::kbuild
