#include "driver/data_dirs.h"

#include <cstdlib>
#include <filesystem>

// Set by CMake: the data directory relative to the installed program's
// directory ("../share/utap"), and the source tree's directories.
#ifndef UTAP_DATA_FROM_BIN
#define UTAP_DATA_FROM_BIN "../share/utap"
#endif
#ifndef UTAP_TAPSET_DIR
#define UTAP_TAPSET_DIR ""
#endif
#ifndef UTAP_RUNTIME_DIR
#define UTAP_RUNTIME_DIR ""
#endif

namespace utap::driver {

namespace {

namespace fs = std::filesystem;

// PREFIX/share/utap/NAME when the running program is PREFIX/bin/utap and
// that directory exists; else "".
std::string installed(const char* name) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  fs::path dir = (self.parent_path() / UTAP_DATA_FROM_BIN / name).lexically_normal();
  return fs::is_directory(dir, ec) ? dir.string() : "";
}

std::string locate(const char* env, const char* name, const char* sourceDir) {
  if (const char* value = std::getenv(env)) return value;  // "" means none
  if (std::string dir = installed(name); !dir.empty()) return dir;
  return sourceDir;
}

}  // namespace

std::string tapsetDir() { return locate("UTAP_TAPSET_DIR", "tapsets", UTAP_TAPSET_DIR); }

std::string runtimeDir() { return locate("UTAP_RUNTIME_DIR", "runtime", UTAP_RUNTIME_DIR); }

}  // namespace utap::driver
