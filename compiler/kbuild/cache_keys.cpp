#include "kbuild/cache_keys.h"

#include <algorithm>
#include <vector>

#include "kbuild/files.h"
#include "kbuild/sha256.h"

namespace utap::kbuild {

namespace {

void hashDefines(Sha256& hash, const ModuleSources& sources) {
  hash.field(std::to_string(sources.defines.size()));
  for (const auto& [name, value] : sources.defines) {
    hash.field(name);
    hash.field(value);
  }
}

// Contents, not paths: the same headers in another checkout give the same key.
bool hashIncludeDirs(Sha256& hash, const ModuleSources& sources, std::string& error) {
  hash.field(std::to_string(sources.includeDirs.size()));
  for (const std::string& dir : sources.includeDirs)
    if (!hashTree(
            hash, dir, [](const std::string&) { return true; }, error))
      return false;
  return true;
}

}  // namespace

bool isRuntimeSource(const std::string& relativePath) {
  return endsWith(relativePath, ".c") || endsWith(relativePath, ".h");
}

std::optional<std::string> runtimeKey(const std::string& kernelId, const ModuleSources& sources, std::string& error) {
  Sha256 hash;
  hash.field("runtime objects");
  hash.field(kRecipe);
  hash.field(kernelId);
  hashDefines(hash, sources);
  if (!hashIncludeDirs(hash, sources, error)) return std::nullopt;
  std::vector<std::string> objects = sources.runtimeObjects;
  std::sort(objects.begin(), objects.end());
  hash.field(std::to_string(objects.size()));
  for (const std::string& o : objects) hash.field(o);
  if (!objects.empty() && !hashTree(hash, sources.runtimeRoot, isRuntimeSource, error)) return std::nullopt;
  return hash.hexDigest();
}

std::optional<std::string> moduleKey(const std::string& kernelId, const ModuleSources& sources,
                                     const std::string& runtimeKey, std::string& error) {
  Sha256 hash;
  hash.field("module");
  hash.field(kRecipe);
  hash.field(kernelId);
  hash.field(sources.name);
  std::vector<const std::pair<std::string, std::string>*> files;
  for (const auto& f : sources.files) files.push_back(&f);
  std::sort(files.begin(), files.end(), [](auto* a, auto* b) { return a->first < b->first; });
  hash.field(std::to_string(files.size()));
  for (const auto* f : files) {
    hash.field(f->first);
    hash.field(f->second);
  }
  hashDefines(hash, sources);
  if (!hashIncludeDirs(hash, sources, error)) return std::nullopt;
  hash.field(runtimeKey);
  return hash.hexDigest();
}

}  // namespace utap::kbuild
