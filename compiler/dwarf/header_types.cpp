// The types of C headers, for @cast(p, "type", "<sys/un.h>"): the headers
// are compiled with `gcc -g` into a small shared object whose debug
// information describes every type they declare, kept in the cache
// directory under a name made from the headers, so the next use reads it
// again instead of compiling.
#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "dwarf/module.h"

#include "base/cache_dir.h"

namespace utap::dwarf {

namespace fs = std::filesystem;

namespace {

// Where compiled headers are kept: as pass 4's cache (kbuild.h).
std::string cacheDirectory() { return userCacheDirectory(); }

// Runs argv with stdout and stderr collected; returns the exit status
// (-1 when it could not run).
int run(const std::vector<std::string>& argv, std::string& output) {
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) {
    output = std::strerror(errno);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    output = std::strerror(errno);
    close(pipeFds[0]);
    close(pipeFds[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(pipeFds[1], 1);
    dup2(pipeFds[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    setenv("LC_ALL", "C", 1);
    execvp(args[0], args.data());
    dprintf(2, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(pipeFds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipeFds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) output.append(buf, static_cast<size_t>(n));
  close(pipeFds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// What gcc said went wrong, from its first error line ("nosuch.h: No
// such file or directory"), without the name of our temporary file.
std::string firstError(const std::string& output) {
  size_t at = output.find("error: ");
  if (at == std::string::npos) return "gcc failed: " + output.substr(0, output.find('\n'));
  at += 7;
  size_t end = output.find('\n', at);
  return output.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace

bool isHeaderModule(const std::string& module) { return !module.empty() && module.front() == '<'; }

std::optional<std::string> compileHeaders(const std::string& module, std::string* error) {
  // "<a.h><b/c.h>": each header between angle brackets, nothing between.
  std::vector<std::string> headers;
  for (size_t at = 0; at < module.size();) {
    size_t close = module.find('>', at);
    if (module[at] != '<' || close == std::string::npos || close == at + 1) {
      *error = fmt::format("@cast module \"{}\" is not a list of headers: write each as <name.h>, as in \"<sys/un.h>\"",
                           module);
      return std::nullopt;
    }
    std::string header = module.substr(at + 1, close - at - 1);
    if (header.find_first_of("<\n\"") != std::string::npos) {
      *error = fmt::format("@cast module \"{}\": '{}' is not a header name", module, header);
      return std::nullopt;
    }
    headers.push_back(header);
    at = close + 1;
  }
  std::string source = "/* utap: the types of " + module + " for @cast */\n";
  for (const auto& h : headers) source += "#include <" + h + ">\n";

  uint64_t hash = 1469598103934665603ULL;  // FNV-1a of the source
  for (unsigned char c : source) hash = (hash ^ c) * 1099511628211ULL;
  std::string dir = cacheDirectory() + "/headers";
  std::string base = fmt::format("{}/{:016x}", dir, hash);
  std::string object = base + ".so";
  std::error_code ec;
  if (fs::exists(object, ec)) return object;
  fs::create_directories(dir, ec);
  if (ec) {
    *error = fmt::format("cannot make the cache directory {} for @cast's headers: {}", dir, ec.message());
    return std::nullopt;
  }
  // Written under a name of this process, then renamed: another utap
  // compiling the same headers never sees half a file.
  std::string tmp = fmt::format("{}.{}", base, getpid());
  {
    std::ofstream out(tmp + ".c", std::ios::binary);
    out << source;
    if (!out) {
      *error = fmt::format("cannot write {}.c: {}", tmp, std::strerror(errno));
      return std::nullopt;
    }
  }
  std::string output;
  // Every type declared, used or not, gets its debug information.
  int status = run({"gcc", "-g", "-fno-eliminate-unused-debug-types", "-shared", "-fPIC", "-o", tmp + ".so",
                    tmp + ".c"},
                   output);
  fs::remove(tmp + ".c", ec);
  if (status != 0) {
    fs::remove(tmp + ".so", ec);
    *error = fmt::format("cannot compile the headers of @cast's module \"{}\": {}", module, firstError(output));
    return std::nullopt;
  }
  fs::rename(tmp + ".so", object, ec);
  if (ec) {
    *error = fmt::format("cannot store {}: {}", object, ec.message());
    return std::nullopt;
  }
  return object;
}

}  // namespace utap::dwarf
