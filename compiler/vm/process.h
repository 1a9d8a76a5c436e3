// Child processes with deadlines: qemu for a boot, and the decompressors
// (xz, zstd, gzip) the boot files are made with. Nothing here ever waits
// without a deadline, so a hung child cannot hang the caller.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace utap::vm {

using Clock = std::chrono::steady_clock;

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in $PATH
  std::string stdinPath = "/dev/null";
  std::string stdoutPath = "/dev/null";
  std::string stderrPath = "/dev/null";  // the same path as stdout shares one file
  // Descriptors the child inherits as 3, 4, ... in this order (qemu's
  // chardevs take them with fd=N). The caller keeps and closes its own.
  std::vector<int> passFds{};
  // In a process group of its own, so that a terminal's Ctrl-C, which goes
  // to the whole foreground group, reaches the caller alone: the caller
  // decides what an interrupt means for the child.
  bool ownProcessGroup = false;
};

class Process {
 public:
  // Starts the child; std::nullopt and `*error` set when it cannot.
  static std::optional<Process> start(const ProcessSpec& spec, std::string* error);

  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  ~Process();  // kills and reaps a child that is still running

  // The wait(2) status once the child has exited, or std::nullopt when the
  // deadline passed first (the child keeps running).
  std::optional<int> waitUntil(Clock::time_point deadline);
  // SIGKILL and reap.
  void kill();
  pid_t pid() const { return pid_; }
  // Readable once the child has exited (a pidfd), for a poll(2) loop that
  // also waits for other things; -1 when the kernel has no pidfd_open.
  int exitFd() const { return pidfd_; }

 private:
  explicit Process(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
  pid_t pid_ = -1;
  int pidfd_ = -1;  // -1 when pidfd_open is unavailable: waits then poll waitpid
  std::optional<int> status_;
};

// One word for /bin/sh: `s` in single quotes, each ' as '\''.
std::string shellQuote(const std::string& s);

// Writes all of `data` to `fd` (retrying short writes and EINTR); false
// when a write fails (errno says why).
bool writeAll(int fd, std::string_view data);

// Runs a child to completion within `limit`. Returns "" or why it failed
// (could not start, timed out, non-zero exit).
std::string runProcess(const ProcessSpec& spec, std::chrono::milliseconds limit);

// "exit status 3", "killed by signal 9".
std::string describeWaitStatus(int status);

}  // namespace utap::vm
