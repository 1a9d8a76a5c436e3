// Cache cleaning (kbuild/cache_clean.h): least recently used first, recent
// entries kept, at most once per interval, stap's setting files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "kbuild/cache_clean.h"

namespace utap::kbuild {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class CacheClean : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("utap-cache-clean-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An entry of `kb` kilobytes last used `age` ago.
  void entry(const std::string& kind, const std::string& name, int kb, std::chrono::seconds age) {
    fs::path d = dir_ / kind / name;
    fs::create_directories(d);
    std::ofstream(d / "x.ko") << std::string(kb * 1024, 'x');
    fs::last_write_time(d, fs::file_time_type::clock::now() - age);
  }
  bool has(const std::string& kind, const std::string& name) const { return fs::exists(dir_ / kind / name); }

  fs::path dir_;
};

TEST_F(CacheClean, RemovesTheLeastRecentlyUsedUntilUnderTheLimit) {
  entry("modules", "old", 100, 3h);
  entry("runtime", "older", 100, 4h);
  entry("modules", "mid", 100, 2h);
  entry("modules", "new", 100, 1h);
  CacheCleaning settings;
  settings.limitBytes = 250 * 1024;
  CacheCleanResult r = cleanCache(dir_.string(), settings);
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.entriesRemoved, 2);
  EXPECT_EQ(r.bytesBefore, 400u * 1024);
  EXPECT_FALSE(has("runtime", "older"));
  EXPECT_FALSE(has("modules", "old"));
  EXPECT_TRUE(has("modules", "mid"));
  EXPECT_TRUE(has("modules", "new"));
}

TEST_F(CacheClean, KeepsRecentlyUsedEntriesOverTheLimitAndRunsOncePerInterval) {
  entry("modules", "a", 100, 10s);
  entry("modules", "b", 100, 20s);
  CacheCleaning settings;
  settings.limitBytes = 0;
  EXPECT_EQ(cleanCache(dir_.string(), settings).entriesRemoved, 0);
  EXPECT_TRUE(has("modules", "a"));
  EXPECT_TRUE(has("modules", "b"));
  // The stamp says it just ran: not again within the interval.
  settings.keepRecent = 0s;
  EXPECT_FALSE(cleanCache(dir_.string(), settings).ran);
  settings.interval = 0s;
  EXPECT_EQ(cleanCache(dir_.string(), settings).entriesRemoved, 2);
}

TEST_F(CacheClean, TouchingAnEntryMakesItTheLastToGo) {
  entry("modules", "a", 100, 3h);
  entry("modules", "b", 100, 2h);
  touchCacheEntry((dir_ / "modules" / "a").string());
  CacheCleaning settings;
  settings.limitBytes = 150 * 1024;
  settings.keepRecent = 0s;
  cleanCache(dir_.string(), settings);
  EXPECT_TRUE(has("modules", "a"));
  EXPECT_FALSE(has("modules", "b"));
}

TEST_F(CacheClean, SettingsComeFromStapsFiles) {
  EXPECT_EQ(cacheCleaningSettings(dir_.string()).limitBytes, 256ull << 20);
  EXPECT_EQ(cacheCleaningSettings(dir_.string()).interval, 30s);
  std::ofstream(dir_ / "cache_mb_limit") << "64\n";
  std::ofstream(dir_ / "cache_clean_interval_s") << "5\n";
  EXPECT_EQ(cacheCleaningSettings(dir_.string()).limitBytes, 64ull << 20);
  EXPECT_EQ(cacheCleaningSettings(dir_.string()).interval, 5s);
  std::ofstream(dir_ / "cache_mb_limit") << "lots\n";
  EXPECT_EQ(cacheCleaningSettings(dir_.string()).limitBytes, 256ull << 20);
}

}  // namespace
}  // namespace utap::kbuild
