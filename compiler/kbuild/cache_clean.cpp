#include "kbuild/cache_clean.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace utap::kbuild {

namespace fs = std::filesystem;

namespace {

// A whole number from a one-line file, or `fallback`.
std::uint64_t readNumber(const fs::path& file, std::uint64_t fallback) {
  std::ifstream in(file);
  long long value = -1;
  if (in >> value && value >= 0) return static_cast<std::uint64_t>(value);
  return fallback;
}

struct Entry {
  fs::path dir;
  fs::file_time_type used;
  std::uint64_t bytes = 0;
};

std::uint64_t treeBytes(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

}  // namespace

CacheCleaning cacheCleaningSettings(const std::string& cacheDir) {
  CacheCleaning settings;
  fs::path dir(cacheDir);
  settings.limitBytes = readNumber(dir / "cache_mb_limit", settings.limitBytes >> 20) << 20;
  settings.interval = std::chrono::seconds(readNumber(dir / "cache_clean_interval_s", settings.interval.count()));
  return settings;
}

void touchCacheEntry(const std::string& entryDir) {
  std::error_code ec;
  fs::last_write_time(entryDir, fs::file_time_type::clock::now(), ec);
}

CacheCleanResult cleanCache(const std::string& cacheDir, const CacheCleaning& settings) {
  CacheCleanResult result;
  std::error_code ec;
  fs::path stamp = fs::path(cacheDir) / "cache_clean_stamp";
  auto now = fs::file_time_type::clock::now();
  if (fs::exists(stamp, ec) && now - fs::last_write_time(stamp, ec) < settings.interval) return result;
  // Claim this round first, so that concurrent utap processes clean once.
  std::ofstream(stamp).flush();
  touchCacheEntry(stamp.string());
  result.ran = true;

  std::vector<Entry> entries;
  for (const char* kind : {"modules", "runtime"}) {
    for (auto it = fs::directory_iterator(fs::path(cacheDir) / kind, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (!it->is_directory(ec)) continue;
      Entry e{it->path(), fs::last_write_time(it->path(), ec), treeBytes(it->path())};
      result.bytesBefore += e.bytes;
      entries.push_back(std::move(e));
    }
    ec.clear();
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  std::uint64_t total = result.bytesBefore;
  for (const Entry& e : entries) {
    if (total <= settings.limitBytes) break;
    if (now - e.used < settings.keepRecent) break;  // sorted: the rest are newer
    if (fs::remove_all(e.dir, ec) > 0 && !ec) {
      total -= std::min(total, e.bytes);
      result.bytesRemoved += e.bytes;
      ++result.entriesRemoved;
    }
    ec.clear();
  }
  return result;
}

}  // namespace utap::kbuild
