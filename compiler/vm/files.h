// Small file-system helpers shared by the guest runner's pieces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace utap::vm {

// The whole file, or nothing when it cannot be read.
std::optional<std::string> readFile(const std::string& path);

// Writes `data` to a temporary name beside `path` and renames it into place,
// so a concurrent reader (another test process) never sees a half-written
// file. Returns "" or an error message.
std::string writeFileAtomically(const std::string& path, const std::string& data);

// Plain write for files nobody else reads concurrently. Returns "" or an error.
std::string writeFile(const std::string& path, const std::string& data);

// "path size mtime-ns", or "path missing": what a cache key records about an
// input so that a reinstalled package (new size or mtime) invalidates it.
std::string fileStamp(const std::string& path);

// $XDG_CACHE_HOME/utap/vm, else ~/.cache/utap/vm, created on demand.
std::string cacheRoot();

// A fresh private directory under $TMPDIR (or /tmp), or "" on failure.
std::string makeTempDir(const std::string& prefix);

// FNV-1a: a stable hash for cache keys (std::hash may differ across builds).
uint64_t stableHash(const std::string& data);

}  // namespace utap::vm
