#include "kbuild/runtime_objects.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "kbuild/cache_keys.h"
#include "kbuild/files.h"
#include "kbuild/kbuild_file.h"
#include "kbuild/make.h"
#include "kbuild/make_log.h"

namespace utap::kbuild {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRuntimeModule = "utap_runtime";

// runtime/core/error.o → runtime/core/.error.o.cmd, where kbuild keeps an
// object's command line, dependencies and symbol versions.
std::string cmdFileOf(const std::string& object) {
  fs::path p(object);
  return (p.parent_path() / ("." + p.filename().string() + ".cmd")).string();
}

std::string symverLines(const std::string& cmdFile) {
  std::string content, out;
  readFile(cmdFile, content);
  size_t at = 0;
  while (at < content.size()) {
    size_t nl = content.find('\n', at);
    if (nl == std::string::npos) nl = content.size();
    if (content.compare(at, 8, "#SYMVER ") == 0) out.append(content, at, nl - at).append("\n");
    at = nl + 1;
  }
  return out;
}

// Compiles the runtime in a scratch directory; on success stores the objects
// in `staging`.
bool compileRuntime(const KernelTree& kernel, const ModuleSources& sources, const std::vector<std::string>& objects,
                    const std::string& staging, const std::string& cacheDir, const BuildOptions& options,
                    RuntimeObjects& result) {
  std::string scratch;
  if (!makeScratchDir("utap-runtime", scratch, result.error)) return false;
  std::vector<std::string> tree;
  bool ok = listTree(sources.runtimeRoot, isRuntimeSource, tree, result.error);
  for (size_t i = 0; ok && i < tree.size(); ++i)
    ok = copyFile(sources.runtimeRoot + "/" + tree[i], scratch + "/runtime/" + tree[i], result.error);
  // The objects outlive the scratch directory: their debug information,
  // __FILE__ and the linker's messages name the runtime's own sources.
  std::string flags = compilerFlags(sources.includeDirs, sources.defines) + " " +
                      makeShellWord("-ffile-prefix-map=" + scratch + "/runtime/=" + sources.runtimeRoot + "/");
  ok = ok && writeFile(scratch + "/Kbuild", kbuildFile(kRuntimeModule, objects, flags), result.error);
  if (!ok) {
    removeTree(scratch);
    return false;
  }

  MakeOutcome make = runKbuild(kernel, scratch, objects, options);
  if (!make.ok) {
    if (!make.error.empty()) {
      result.error = make.error;
    } else {
      result.logPath = saveFailureLog(cacheDir, kRuntimeModule, make.log);
      result.error =
          "the runtime did not compile for " + kernel.release + ":\n" +
          failureExcerpt(make.log, {{scratch + "/runtime/", sources.runtimeRoot + "/"}, {scratch + "/", ""}}) +
          fullLogSentence(result.logPath);
    }
    removeTree(scratch);
    return false;
  }
  for (size_t i = 0; ok && i < objects.size(); ++i) {
    ok = copyFile(scratch + "/" + objects[i], staging + "/" + objects[i], result.error) &&
         writeFile(staging + "/" + cmdFileOf(objects[i]), symverLines(scratch + "/" + cmdFileOf(objects[i])),
                   result.error);
  }
  removeTree(scratch);
  return ok;
}

}  // namespace

std::string runtimeObjectPath(const std::string& runtimeSource) {
  return "runtime/" + runtimeSource.substr(0, runtimeSource.size() - 2) + ".o";
}

RuntimeObjects ensureRuntimeObjects(const KernelTree& kernel, const ModuleSources& sources, const std::string& key,
                                    const std::string& cacheDir, const BuildOptions& options) {
  RuntimeObjects result;
  for (const std::string& source : sources.runtimeObjects) result.objects.push_back(runtimeObjectPath(source));
  if (result.objects.empty()) return result;
  result.dir = cacheDir + "/runtime/" + key;
  std::error_code ec;
  if (fs::is_directory(result.dir, ec)) {
    result.reused = true;
    return result;
  }

  std::string staging = result.dir + ".tmp-XXXXXX";
  if (!makeDirs(cacheDir + "/runtime", result.error)) return result;
  if (!mkdtemp(staging.data())) {
    result.error = "cannot create " + staging + ": " + std::strerror(errno);
    return result;
  }
  if (!compileRuntime(kernel, sources, result.objects, staging, cacheDir, options, result)) {
    removeTree(staging);
    return result;
  }
  publishDirectory(staging, result.dir, result.error);
  return result;
}

bool copyRuntimeObjects(const RuntimeObjects& runtime, const std::string& buildDir, std::string& error) {
  for (const std::string& object : runtime.objects) {
    if (!copyFile(runtime.dir + "/" + object, buildDir + "/" + object, error) ||
        !copyFile(runtime.dir + "/" + cmdFileOf(object), buildDir + "/" + cmdFileOf(object), error))
      return false;
  }
  return true;
}

}  // namespace utap::kbuild
