#include "kbuild/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace utap::kbuild {

namespace fs = std::filesystem;

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return !in.bad();
}

bool makeDirs(const std::string& dir, std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create the directory " + dir + ": " + ec.message();
    return false;
  }
  return true;
}

bool writeFile(const std::string& path, std::string_view content, std::string& error) {
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !makeDirs(parent.string(), error)) return false;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool writeFileAtomically(const std::string& path, std::string_view content, std::string& error) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  if (!writeFile(tmp, content, error)) return false;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool copyFile(const std::string& from, const std::string& to, std::string& error) {
  std::string content;
  if (!readFile(from, content)) {
    error = "cannot read " + from + ": " + std::strerror(errno);
    return false;
  }
  return writeFile(to, content, error);
}

bool listTree(const std::string& dir, const std::function<bool(const std::string&)>& keep,
              std::vector<std::string>& out, std::string& error) {
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), dir, ec).string();
    if (!ec && keep(rel)) out.push_back(rel);
  }
  if (ec) {
    error = "cannot read the directory " + dir + ": " + ec.message();
    return false;
  }
  std::sort(out.begin(), out.end());
  return true;
}

bool hashTree(Sha256& hash, const std::string& dir, const std::function<bool(const std::string&)>& keep,
              std::string& error) {
  std::vector<std::string> files;
  if (!listTree(dir, keep, files, error)) return false;
  hash.field(std::to_string(files.size()));
  for (const std::string& rel : files) {
    std::string content;
    if (!readFile(dir + "/" + rel, content)) {
      error = "cannot read " + dir + "/" + rel + ": " + std::strerror(errno);
      return false;
    }
    hash.field(rel);
    hash.field(content);
  }
  return true;
}

bool makeScratchDir(const std::string& prefix, std::string& out, std::string& error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    error = "cannot create a build directory " + pattern + ": " + std::strerror(errno);
    return false;
  }
  out = pattern;
  return true;
}

void removeTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

bool publishDirectory(const std::string& from, const std::string& to, std::string& error) {
  if (std::rename(from.c_str(), to.c_str()) == 0) return true;
  int err = errno;
  std::error_code ec;
  if ((err == EEXIST || err == ENOTEMPTY) && fs::is_directory(to, ec)) {
    removeTree(from);
    return true;
  }
  error = "cannot rename " + from + " to " + to + ": " + std::strerror(err);
  removeTree(from);
  return false;
}

}  // namespace utap::kbuild
