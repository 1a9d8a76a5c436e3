// Keeps pass 4's cache under a size limit, as stap keeps its own: modules
// and runtime objects are removed least recently used first. Without it the
// cache grows by about a megabyte per distinct script forever.
//
// The limit and the interval are stap's files in the cache directory:
// `cache_mb_limit` (megabytes, default 256) and `cache_clean_interval_s`
// (seconds between cleanings, default 30; a stamp file `cache_clean_stamp`
// records the last). Entries used in the last five minutes are never
// removed, so a module another utap process just built or found stays.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace utap::kbuild {

struct CacheCleaning {
  std::uint64_t limitBytes = 256ull << 20;
  std::chrono::seconds interval{30};
  std::chrono::seconds keepRecent{300};
};

// The settings the cache directory's files give (defaults otherwise).
CacheCleaning cacheCleaningSettings(const std::string& cacheDir);

// Marks a cache entry (a directory under modules/ or runtime/) as used now.
void touchCacheEntry(const std::string& entryDir);

struct CacheCleanResult {
  bool ran = false;              // false: cleaned less than `interval` ago
  std::uint64_t bytesBefore = 0;
  std::uint64_t bytesRemoved = 0;
  int entriesRemoved = 0;
};

// Cleans when the last cleaning is older than the interval. Errors (an entry
// another process removes at the same time) are ignored: the cache stays valid.
CacheCleanResult cleanCache(const std::string& cacheDir, const CacheCleaning& settings);

}  // namespace utap::kbuild
