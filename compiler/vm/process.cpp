#include "vm/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace utap::vm {
namespace {

// Resolved in the parent: after fork() in a possibly multithreaded caller the
// child may only make async-signal-safe calls, which execvp's search is not.
std::string findProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = (end > start ? dirs.substr(start, end - start) : ".") + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

int openFor(const std::string& path, bool write) {
  int flags = O_CLOEXEC | (write ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY);
  return open(path.c_str(), flags, 0644);
}

}  // namespace

std::optional<Process> Process::start(const ProcessSpec& spec, std::string* error) {
  std::string program = spec.argv.empty() ? "" : findProgram(spec.argv[0]);
  if (spec.passFds.size() > 16) {
    *error = "cannot pass more than 16 descriptors to a child";
    return std::nullopt;
  }
  if (program.empty()) {
    *error = fmt::format("cannot find '{}' in PATH", spec.argv.empty() ? "" : spec.argv[0]);
    return std::nullopt;
  }
  int in = openFor(spec.stdinPath, false);
  int out = openFor(spec.stdoutPath, true);
  int err = spec.stderrPath == spec.stdoutPath ? out : openFor(spec.stderrPath, true);
  if (in < 0 || out < 0 || err < 0) {
    *error = fmt::format("cannot open the standard files of {}: {}", program, std::strerror(errno));
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    if (err >= 0 && err != out) close(err);
    return std::nullopt;
  }
  std::vector<char*> argv;
  for (const std::string& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv[0] = program.data();
  argv.push_back(nullptr);
  pid_t parent = getpid();
  int passed = static_cast<int>(spec.passFds.size());
  pid_t pid = fork();
  if (pid == 0) {
    // If the caller dies (a killed test run), take qemu down with it rather
    // than leave a guest spinning a CPU with nobody waiting for it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (spec.ownProcessGroup) setpgid(0, 0);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Out of the way first (a source may be another's target), then down
    // to 3, 4, ...: dup2 leaves the copies without close-on-exec.
    int high[16];
    for (int i = 0; i < passed && i < 16; ++i) high[i] = fcntl(spec.passFds[i], F_DUPFD_CLOEXEC, 3 + passed);
    for (int i = 0; i < passed && i < 16; ++i) {
      if (high[i] < 0 || dup2(high[i], 3 + i) < 0) _exit(127);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  int saved = errno;
  close(in);
  close(out);
  if (err != out) close(err);
  if (pid < 0) {
    *error = fmt::format("cannot fork: {}", std::strerror(saved));
    return std::nullopt;
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  return Process(pid, pidfd);
}

Process::Process(Process&& other) noexcept : pid_(other.pid_), pidfd_(other.pidfd_), status_(other.status_) {
  other.pid_ = -1;
  other.pidfd_ = -1;
}

Process::~Process() {
  if (pid_ > 0 && !status_) kill();
  if (pidfd_ >= 0) close(pidfd_);
}

std::optional<int> Process::waitUntil(Clock::time_point deadline) {
  while (!status_) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = status;
      break;
    }
    if (done < 0 && errno != EINTR) {
      status_ = 0;  // not our child any more (reaped elsewhere): nothing to wait for
      break;
    }
    auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    if (pidfd_ >= 0) {
      pollfd fd{pidfd_, POLLIN, 0};
      poll(&fd, 1, static_cast<int>(std::min<long long>(left, 1000)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<long long>(left, 5)));
    }
  }
  return status_;
}

void Process::kill() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
}

std::string runProcess(const ProcessSpec& spec, std::chrono::milliseconds limit) {
  std::string error;
  std::optional<Process> child = Process::start(spec, &error);
  if (!child) return error;
  std::optional<int> status = child->waitUntil(Clock::now() + limit);
  if (!status) {
    child->kill();
    return fmt::format("{} did not finish within {} s", spec.argv[0], limit.count() / 1000.0);
  }
  if (*status != 0) return fmt::format("{} failed: {}", spec.argv[0], describeWaitStatus(*status));
  return "";
}

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("wait status {:#x}", status);
}

std::string shellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace utap::vm
