// The Kbuild file of a module build directory.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace utap::kbuild {

// One shell word inside a make variable: single-quoted for the shell, with
// '$' and '#' escaped for make. `word` must not contain a newline.
std::string makeShellWord(std::string_view word);

// The compiler flags for -I directories and -D NAME=VALUE defines.
std::string compilerFlags(const std::vector<std::string>& includeDirs,
                          const std::vector<std::pair<std::string, std::string>>& defines);

// A Kbuild file for one module linked from `objects` (paths relative to the
// build directory, ending in .o).
std::string kbuildFile(const std::string& module, const std::vector<std::string>& objects, const std::string& flags);

}  // namespace utap::kbuild
