// Files and directories for pass 4: reading, writing into the cache so that a
// reader never sees half a file, hashing source trees, scratch directories.
// Failures come back as sentences in `error`.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kbuild/sha256.h"

namespace utap::kbuild {

bool readFile(const std::string& path, std::string& out);
// Creates missing parent directories.
bool writeFile(const std::string& path, std::string_view content, std::string& error);
// Writes a temporary file beside `path` and renames it over `path`.
bool writeFileAtomically(const std::string& path, std::string_view content, std::string& error);
bool copyFile(const std::string& from, const std::string& to, std::string& error);

// Regular files under `dir` whose relative path passes `keep`, as sorted
// relative paths. Symbolic links are followed.
bool listTree(const std::string& dir, const std::function<bool(const std::string&)>& keep,
              std::vector<std::string>& out, std::string& error);
// Feeds each file listTree finds into `hash`: its relative path and content.
bool hashTree(Sha256& hash, const std::string& dir, const std::function<bool(const std::string&)>& keep,
              std::string& error);

// A fresh directory $TMPDIR/PREFIX-XXXXXX (or under /tmp).
bool makeScratchDir(const std::string& prefix, std::string& out, std::string& error);
bool makeDirs(const std::string& dir, std::string& error);
void removeTree(const std::string& path);
// Renames the finished directory `from` to `to` in the cache; when another
// process got there first, keeps theirs (same inputs, same content).
bool publishDirectory(const std::string& from, const std::string& to, std::string& error);

bool endsWith(std::string_view s, std::string_view suffix);

}  // namespace utap::kbuild
