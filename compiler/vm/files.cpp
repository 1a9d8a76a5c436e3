#include "vm/files.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace utap::vm {

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

std::string writeFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return fmt::format("cannot write {}: {}", path, std::strerror(errno));
  return "";
}

std::string writeFileAtomically(const std::string& path, const std::string& data) {
  std::random_device random;
  std::string temp = fmt::format("{}.tmp.{}.{:x}", path, getpid(), random());
  if (std::string error = writeFile(temp, data); !error.empty()) {
    unlink(temp.c_str());
    return error;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    std::string error = fmt::format("cannot rename {} to {}: {}", temp, path, std::strerror(errno));
    unlink(temp.c_str());
    return error;
  }
  return "";
}

std::string fileStamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return path + " missing";
  return fmt::format("{} {} {}.{:09}", path, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

std::string cacheRoot() {
  std::string base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.cache";
  } else {
    base = "/tmp";
  }
  std::string root = base + "/utap/vm";
  std::error_code ignored;
  std::filesystem::create_directories(root, ignored);
  return root;
}

std::string makeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/{}XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
  if (!mkdtemp(pattern.data())) return "";
  return pattern;
}

uint64_t stableHash(const std::string& data) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : data) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

}  // namespace utap::vm
