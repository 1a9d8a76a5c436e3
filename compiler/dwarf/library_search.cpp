// findLibrary and findExecutable: where process("NAME") and
// .library("NAME") point, decided at translate time as stap does.
// Libraries are searched in ld.so's order (ld.so(8)): DT_RPATH when there
// is no DT_RUNPATH, LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, then the
// default directories; only 64-bit x86-64 ELF files qualify, as ld.so
// skips the others.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultDirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"};
constexpr const char* kCacheFile = "/etc/ld.so.cache";
// The glibc 2.32+ cache layout ("new format"): a 48-byte header, then
// 24-byte entries whose string offsets count from the header's start.
constexpr char kCacheMagic[] = "glibc-ld.so.cache1.1";
constexpr char kOldCacheMagic[] = "ld.so-1.7.0";
constexpr size_t kCacheHeaderSize = 48;
constexpr size_t kCacheEntrySize = 24;
constexpr int32_t kCacheFlagLibc6 = 0x0003;  // FLAG_ELF_LIBC6, under FLAG_TYPE_MASK 0x00ff
constexpr int32_t kCacheFlagX8664 = 0x0300;  // FLAG_X8664_LIB64, under FLAG_REQUIRED_MASK 0xff00

// What ld.so reads of the executable's dynamic section.
struct SearchPaths {
  std::vector<std::string> rpath, runpath;
  bool noDefaultLib = false;  // DF_1_NODEFLIB: skip the cache and the default directories
};

// "/a::/b" split at ':'; an empty element is the current directory (ld.so, execvp).
std::vector<std::string> splitPathList(std::string_view list) {
  std::vector<std::string> dirs;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string_view::npos) end = list.size();
    std::string dir(list.substr(start, end - start));
    dirs.push_back(dir.empty() ? "." : dir);
    start = end + 1;
  }
  return dirs;
}

// ld.so's dynamic string tokens as Debian x86-64 expands them; `origin` is
// the directory of the executable, symlinks resolved.
std::vector<std::string> expandTokens(std::vector<std::string> dirs, const std::string& origin) {
  const std::pair<const char*, std::string> tokens[] = {{"${ORIGIN}", origin},
                                                        {"$ORIGIN", origin},
                                                        {"${LIB}", "lib/x86_64-linux-gnu"},
                                                        {"$LIB", "lib/x86_64-linux-gnu"},
                                                        {"${PLATFORM}", "x86_64"},
                                                        {"$PLATFORM", "x86_64"}};
  for (std::string& dir : dirs) {
    for (const auto& [token, value] : tokens) {
      for (size_t at = dir.find(token); at != std::string::npos; at = dir.find(token, at + value.size()))
        dir.replace(at, std::strlen(token), value);
    }
  }
  return dirs;
}

std::string originOf(const std::string& path) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  return (ec ? fs::absolute(path) : real).parent_path().string();
}

// The DT_RPATH/DT_RUNPATH/DT_FLAGS_1 of the file at `path`.
SearchPaths readSearchPaths(const std::string& path) {
  SearchPaths paths;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return paths;
  std::string origin = originOf(path);
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  for (Elf_Scn* scn = elf ? elf_nextscn(elf, nullptr) : nullptr; scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr header;
    if (!gelf_getshdr(scn, &header) || header.sh_type != SHT_DYNAMIC || header.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    size_t count = data ? header.sh_size / header.sh_entsize : 0;
    for (size_t i = 0; i < count; ++i) {
      GElf_Dyn dyn;
      if (!gelf_getdyn(data, static_cast<int>(i), &dyn) || dyn.d_tag == DT_NULL) continue;
      if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODEFLIB)) paths.noDefaultLib = true;
      if (dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH) continue;
      const char* text = elf_strptr(elf, header.sh_link, dyn.d_un.d_val);
      if (!text) continue;
      auto dirs = expandTokens(splitPathList(text), origin);
      auto& into = dyn.d_tag == DT_RPATH ? paths.rpath : paths.runpath;
      into.insert(into.end(), dirs.begin(), dirs.end());
    }
  }
  if (elf) elf_end(elf);
  close(fd);
  return paths;
}

// Whether `path` is a 64-bit x86-64 ELF file. ld.so passes over ELF files
// of another class or machine; a file that is not ELF at all stops it with
// an error, but at translate time the next candidate is the useful answer.
bool isX8664Elf(const std::string& path) {
  unsigned char ident[20] = {};
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t got = read(fd, ident, sizeof ident);
  close(fd);
  if (got != static_cast<ssize_t>(sizeof ident)) return false;
  uint16_t machine = static_cast<uint16_t>(ident[18] | ident[19] << 8);
  return std::memcmp(ident, ELFMAG, SELFMAG) == 0 && ident[EI_CLASS] == ELFCLASS64 && ident[EI_DATA] == ELFDATA2LSB &&
         machine == EM_X86_64;
}

std::optional<std::string> searchDirs(const std::vector<std::string>& dirs, std::string_view name) {
  for (const std::string& dir : dirs) {
    std::string candidate = fmt::format("{}/{}", dir, name);
    if (isX8664Elf(candidate)) return candidate;
  }
  return std::nullopt;
}

uint32_t readU32(const std::string& bytes, size_t at) {
  uint32_t value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

// `name` in /etc/ld.so.cache (or `cacheFile`): the first x86-64 libc6
// entry, skipping glibc-hwcaps entries, which ld.so takes only on CPUs
// that have the features.
std::optional<std::string> searchCache(std::string_view name, const char* cacheFile) {
  std::ifstream in(cacheFile, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = 0;  // the new-format header
  if (bytes.compare(0, sizeof kOldCacheMagic - 1, kOldCacheMagic) == 0 && bytes.size() >= 16) {
    // A compat file: the old table first, the new one after it (8-aligned).
    start = (16 + static_cast<size_t>(readU32(bytes, 12)) * 12 + 7) & ~size_t{7};
  }
  if (bytes.size() < start + kCacheHeaderSize || bytes.compare(start, sizeof kCacheMagic - 1, kCacheMagic) != 0)
    return std::nullopt;
  size_t count = readU32(bytes, start + 20);
  if (count > (bytes.size() - start - kCacheHeaderSize) / kCacheEntrySize) return std::nullopt;
  auto stringAt = [&](uint32_t offset) -> std::string_view {
    size_t at = start + offset;
    if (at >= bytes.size()) return {};
    size_t end = bytes.find('\0', at);
    return end == std::string::npos ? std::string_view{} : std::string_view(bytes).substr(at, end - at);
  };
  for (size_t i = 0; i < count; ++i) {
    size_t entry = start + kCacheHeaderSize + i * kCacheEntrySize;
    int32_t flags = static_cast<int32_t>(readU32(bytes, entry));
    uint64_t hwcap;
    std::memcpy(&hwcap, bytes.data() + entry + 16, sizeof hwcap);
    if ((flags & 0xff) != kCacheFlagLibc6 || (flags & 0xff00) != kCacheFlagX8664 || hwcap != 0) continue;
    if (stringAt(readU32(bytes, entry + 4)) != name) continue;
    std::string_view path = stringAt(readU32(bytes, entry + 8));
    if (!path.empty()) return std::string(path);
  }
  return std::nullopt;
}

std::string realPath(const std::string& path) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  return ec ? path : real.string();
}

bool isRegularFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool isExecutableFile(const std::string& path) { return isRegularFile(path) && access(path.c_str(), X_OK) == 0; }

std::string pathList() {
  const char* env = std::getenv("PATH");
  return env ? env : "/bin:/usr/bin";  // execvp's default
}

// `name` in $PATH as execvp finds it: the first regular file with x permission.
std::optional<std::string> searchPath(std::string_view name) {
  for (const std::string& dir : splitPathList(pathList())) {
    std::string candidate = fmt::format("{}/{}", dir, name);
    if (isExecutableFile(candidate)) return fs::absolute(candidate).lexically_normal().string();
  }
  return std::nullopt;
}

// The interpreter and its first argument of a "#!" script, if `path` is one.
std::optional<std::pair<std::string, std::string>> scriptInterpreter(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line.compare(0, 2, "#!") != 0) return std::nullopt;
  std::vector<std::string> words;
  size_t pos = 2;
  while (words.size() < 2) {
    size_t start = line.find_first_not_of(" \t\r", pos);
    if (start == std::string::npos) break;
    size_t end = line.find_first_of(" \t\r", start);
    words.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    pos = end;
  }
  if (words.empty()) return std::nullopt;
  return std::make_pair(words[0], words.size() > 1 ? words[1] : "");
}

// The file a probe on `path` goes into: the file itself, symlinks
// followed, or for a "#!" script the interpreter the kernel runs (the
// kernel follows at most 4 levels; "/usr/bin/env NAME" runs NAME from $PATH).
std::optional<std::string> resolveProgram(const std::string& path, int depth, std::string* error) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *error = fmt::format("{} does not exist", path);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = fmt::format("{} is not a regular file; give a program or a shared library", path);
    return std::nullopt;
  }
  std::string real = realPath(path);
  auto interpreter = scriptInterpreter(real);
  if (!interpreter) return real;
  if (depth == 4) {
    *error = fmt::format("{} is a script whose interpreters nest more than 4 deep", real);
    return std::nullopt;
  }
  auto [program, argument] = *interpreter;
  if (fs::path(program).filename() == "env" && !argument.empty() && argument[0] != '-') {
    auto found = searchPath(argument);
    if (!found) {
      *error = fmt::format("{} is a script run by \"{}\" through env, which is not in $PATH ({})", real, argument,
                           pathList());
      return std::nullopt;
    }
    program = *found;
  }
  std::string why;
  auto resolved = resolveProgram(fs::absolute(program).lexically_normal().string(), depth + 1, &why);
  if (!resolved) *error = fmt::format("{} is a script, and its interpreter {}", real, why);
  return resolved;
}

}  // namespace

std::optional<std::string> findLibrary(const Module& executable, std::string_view name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) {
    // A path, as ld.so takes a DT_NEEDED with a slash: no search.
    std::string path = fs::absolute(fs::path(name)).lexically_normal().string();
    if (!isX8664Elf(path)) return std::nullopt;
    return name[0] == '/' ? std::string(name) : path;
  }
  SearchPaths paths = readSearchPaths(executable.path());
  std::optional<std::string> found;
  if (paths.runpath.empty()) found = searchDirs(paths.rpath, name);
  // stap resolves at translate time with the translator's environment.
  if (const char* env = std::getenv("LD_LIBRARY_PATH"); !found && env && *env) {
    std::string list(env);
    for (char& c : list)
      if (c == ';') c = ':';  // ld.so takes both separators
    found = searchDirs(expandTokens(splitPathList(list), originOf(executable.path())), name);
  }
  if (!found) found = searchDirs(paths.runpath, name);
  if (!found && !paths.noDefaultLib) {
    if (auto cached = searchCache(name, kCacheFile); cached && isX8664Elf(*cached)) found = cached;
  }
  if (!found && !paths.noDefaultLib)
    found = searchDirs(std::vector<std::string>(std::begin(kDefaultDirs), std::end(kDefaultDirs)), name);
  if (!found) return std::nullopt;
  return realPath(*found);
}

std::optional<std::string> findExecutable(std::string_view name, std::string* error) {
  if (name.empty()) {
    *error = "the process name is empty; give a path or a program name in $PATH";
    return std::nullopt;
  }
  std::string path = fs::absolute(fs::path(name)).lexically_normal().string();
  if (name.find('/') == std::string_view::npos) {
    auto found = searchPath(name);
    // stap falls back to the working directory for a name not in $PATH.
    if (!found && !isRegularFile(path)) {
      *error = fmt::format("cannot find the program \"{}\" in $PATH ({}) or the working directory; give its path", name,
                           pathList());
      return std::nullopt;
    }
    if (found) path = *found;
  }
  return resolveProgram(path, 0, error);
}

}  // namespace utap::dwarf
