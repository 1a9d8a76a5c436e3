// What of a failed make's output to show: the errors, not the whole log.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace utap::kbuild {

// Each distinct compiler, assembler, linker or modpost error in `log`, with
// the lines gcc prints around it (the "In function" line before, the source
// excerpt and caret after), at most `maxErrors` of them; the last lines of
// the log when no error line is recognized. Each (from, to) of `pathMap`
// replaces the path prefix `from`, e.g. a scratch build directory by "".
std::string failureExcerpt(std::string_view log, const std::vector<std::pair<std::string, std::string>>& pathMap,
                           size_t maxErrors = 10);

}  // namespace utap::kbuild
