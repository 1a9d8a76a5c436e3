// Where utap keeps what it builds (modules, compiled @cast headers):
// $UTAP_CACHE_DIR, else $XDG_CACHE_HOME/utap, else ~/.cache/utap.
// Header-only: the dwarf and kbuild libraries both use it.
#pragma once

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace utap {

inline std::string userCacheDirectory() {
  if (const char* dir = std::getenv("UTAP_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/utap";
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const struct passwd* pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : "/tmp";
  }
  return std::string(home) + "/.cache/utap";
}

}  // namespace utap
