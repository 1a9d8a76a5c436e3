#include "kbuild/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

extern char** environ;

namespace utap::kbuild {

namespace {

// Variables that would change what kbuild does if they leaked in from the
// caller's environment (a parent make's jobserver, an output directory).
bool dropFromEnvironment(std::string_view entry) {
  static const std::string_view kDropped[] = {
      "MAKEFLAGS=",     "MFLAGS=", "MAKELEVEL=", "MAKEOVERRIDES=", "KBUILD_OUTPUT=",
      "KBUILD_EXTMOD=", "LC_ALL=", "LANG=",      "LANGUAGE="};
  for (std::string_view d : kDropped)
    if (entry.substr(0, d.size()) == d) return true;
  return false;
}

}  // namespace

ProcessResult runProcess(const std::vector<std::string>& argv, std::string& output, std::FILE* echo) {
  ProcessResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return result;
  }

  std::vector<std::string> envStorage;
  for (char** e = environ; *e; ++e)
    if (!dropFromEnvironment(*e)) envStorage.emplace_back(*e);
  envStorage.emplace_back("LC_ALL=C");
  std::vector<char*> envp;
  for (auto& s : envStorage) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argStorage = argv;
  std::vector<char*> args;
  for (auto& s : argStorage) args.push_back(s.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    result.error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  result.started = true;

  char buf[8192];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
    if (echo) {
      std::fwrite(buf, 1, static_cast<size_t>(n), echo);
      std::fflush(echo);
    }
  }
  close(fds[0]);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

int onlineCpus() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace utap::kbuild
