// buildModule: the cache lookup, then the runtime objects, then one kbuild run
// for the module in a scratch directory, and the .ko into the cache.
#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "kbuild/cache_clean.h"
#include "kbuild/cache_keys.h"
#include "kbuild/deferred_builds.h"
#include "kbuild/files.h"
#include "kbuild/kbuild.h"

#include "kbuild/kbuild_file.h"
#include "kbuild/kernel_tree.h"
#include "kbuild/make.h"
#include "kbuild/make_log.h"
#include "kbuild/runtime_objects.h"

#include "base/cache_dir.h"

namespace utap::kbuild {

namespace fs = std::filesystem;

namespace {

bool isIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

bool isPlainRelativePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  for (const auto& part : fs::path(path))
    if (part == ".." || part == ".") return false;
  return true;
}

// The checks that keep a bad request from becoming a confusing make error.
bool validate(const ModuleSources& s, std::string& error) {
  if (!isIdentifier(s.name) || s.name.size() > 55) {
    error = "the module name '" + s.name + "' is not valid: it must be a C identifier of at most 55 characters";
    return false;
  }
  for (const auto& [path, content] : s.files) {
    if (!isPlainRelativePath(path)) {
      error = "the generated file name '" + path + "' is not a plain relative path";
      return false;
    }
    if (path == s.name + ".c") {
      error = "a generated file cannot be called " + path + ": kbuild makes " + s.name + ".o from the module's objects";
      return false;
    }
    if (path.rfind("runtime/", 0) == 0 && !s.runtimeObjects.empty()) {
      error = "the generated file " + path + " is under runtime/, where the runtime objects go";
      return false;
    }
  }
  for (const std::string& o : s.runtimeObjects) {
    if (!isPlainRelativePath(o) || !endsWith(o, ".c")) {
      error = "the runtime object source '" + o + "' is not a relative path to a .c file";
      return false;
    }
  }
  std::error_code ec;
  if (!s.runtimeObjects.empty() && !fs::is_directory(s.runtimeRoot, ec)) {
    error = "the runtime directory '" + s.runtimeRoot + "' does not exist";
    return false;
  }
  for (const std::string& dir : s.includeDirs) {
    if (!fs::is_directory(dir, ec)) {
      error = "the include directory '" + dir + "' does not exist";
      return false;
    }
  }
  for (const auto& [name, value] : s.defines) {
    if (!isIdentifier(name) || value.find('\n') != std::string::npos) {
      error = "the define '" + name + "=" + value + "' is not valid: it needs an identifier and a one-line value";
      return false;
    }
  }
  return true;
}

ModuleSources withAbsolutePaths(ModuleSources s) {
  std::error_code ec;
  for (std::string& dir : s.includeDirs) dir = fs::absolute(dir, ec).lexically_normal().string();
  if (!s.runtimeRoot.empty()) s.runtimeRoot = fs::absolute(s.runtimeRoot, ec).lexically_normal().string();
  return s;
}

// Writes the build directory and runs make; on success the .ko is in `dir`.
bool makeModule(const KernelTree& kernel, const ModuleSources& s, const RuntimeObjects& runtime, const std::string& dir,
                const std::string& cacheDir, const BuildOptions& options, BuildResult& result) {
  if (!writeModuleDirectory(s, runtime, dir, result.error)) return false;
  MakeOutcome make = runKbuild(kernel, dir, {"modules"}, options);
  if (make.ok) return true;
  if (!make.error.empty()) {
    result.error = make.error;
    return false;
  }
  // Paths in the scratch directory mean nothing once it is gone.
  std::vector<std::pair<std::string, std::string>> pathMap;
  if (options.keepBuildDir) {
    result.logPath = dir + "/make.log";
  } else {
    result.logPath = saveFailureLog(cacheDir, s.name, make.log);
    pathMap.emplace_back(dir + "/", "");
  }
  result.error = "the module " + s.name + " did not build for " + kernel.release + ":\n" +
                 failureExcerpt(make.log, pathMap) + fullLogSentence(result.logPath);
  return false;
}

}  // namespace

bool writeModuleDirectory(const ModuleSources& s, const RuntimeObjects& runtime, const std::string& dir,
                          std::string& error) {
  std::vector<std::string> objects;
  for (const auto& [path, content] : s.files) {
    if (!writeFile(dir + "/" + path, content, error)) return false;
    if (endsWith(path, ".c")) objects.push_back(path.substr(0, path.size() - 2) + ".o");
  }
  if (!copyRuntimeObjects(runtime, dir, error)) return false;
  objects.insert(objects.end(), runtime.objects.begin(), runtime.objects.end());
  return writeFile(dir + "/Kbuild", kbuildFile(s.name, objects, compilerFlags(s.includeDirs, s.defines)), error);
}

std::string cacheDirectory(const BuildOptions& options) {
  return options.cacheDir.empty() ? userCacheDirectory() : options.cacheDir;
}

BuildResult buildModule(const KernelTree& kernel, const ModuleSources& request, const BuildOptions& options) {
  BuildResult result;
  if (!validate(request, result.error)) return result;
  ModuleSources sources = withAbsolutePaths(request);
  std::string cacheDir = cacheDirectory(options);
  std::optional<std::string> kernelId = kernelIdentity(kernel, result.error);
  if (!kernelId) return result;
  std::optional<std::string> rtKey = runtimeKey(*kernelId, sources, result.error);
  if (!rtKey) return result;
  std::optional<std::string> key = moduleKey(*kernelId, sources, *rtKey, result.error);
  if (!key) return result;

  std::string cachedKo = cacheDir + "/modules/" + *key + "/" + sources.name + ".ko";
  std::error_code ec;
  if (!options.keepBuildDir && fs::is_regular_file(cachedKo, ec)) {
    touchCacheEntry(fs::path(cachedKo).parent_path().string());
    result.koPath = cachedKo;
    result.cacheHit = true;
    cleanCache(cacheDir, cacheCleaningSettings(cacheDir));
    return result;
  }

  RuntimeObjects runtime = ensureRuntimeObjects(kernel, sources, *rtKey, cacheDir, options);
  if (!runtime.error.empty()) {
    result.error = runtime.error;
    result.logPath = runtime.logPath;
    return result;
  }
  result.runtimeReused = runtime.reused;
  touchCacheEntry(runtime.dir);
  if (!options.deferTo.empty() && !options.keepBuildDir &&
      deferModule(sources, runtime, *key, cachedKo, options.deferTo, result))
    return result;

  std::string dir;
  if (!makeScratchDir("utap-" + sources.name, dir, result.error)) return result;
  if (makeModule(kernel, sources, runtime, dir, cacheDir, options, result)) {
    std::string ko;
    if (!readFile(dir + "/" + sources.name + ".ko", ko)) {
      result.error = "make succeeded but left no " + sources.name + ".ko in " + dir;
    } else if (writeFileAtomically(cachedKo, ko, result.error)) {
      result.koPath = cachedKo;
    }
  }
  if (options.keepBuildDir) {
    result.buildDir = dir;
    result.logPath = dir + "/make.log";
  } else {
    removeTree(dir);
  }
  if (result.ok()) cleanCache(cacheDir, cacheCleaningSettings(cacheDir));
  return result;
}

}  // namespace utap::kbuild
