#include "run/loader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "run/output_files.h"
#include "run/records.h"

extern "C" {
#include "utap/control.h"
}

namespace utap::run {

namespace {

volatile sig_atomic_t stopRequested = 0;

void onSignal(int) { stopRequested = 1; }

// Why a module did not load, as a sentence with what to do.
std::string loadError(int err, const std::string& path) {
  switch (err) {
    case ENOSYS:
      return "this kernel cannot load modules (it was built without CONFIG_MODULES); run the script in a guest with "
             "--vm";
    case EPERM:
      return "the kernel refused to load the module: run utap as root, and check that the kernel is not locked down "
             "(/sys/kernel/security/lockdown) and that modules are not disabled (/proc/sys/kernel/modules_disabled); "
             "or use --vm";
    case EEXIST: return "a module of the same name is already loaded; remove it with rmmod, or choose a name with -m";
    case ENOEXEC:
      return "the kernel rejected '" + path + "' as not built for it; build against the running kernel (-r)";
    case EKEYREJECTED: return "the kernel requires signed modules (module.sig_enforce or Secure Boot); use --vm";
    case ENOMEM:
      // The module's own tables (runtime/uprobes: a site per process probe point) or the kernel's for the module.
      return "cannot load '" + path +
             "': out of memory; a script's process probe points each take memory at load (MAXUPROBES, "
             "runtime/README.md): probe fewer points";
    default: return fmt::format("cannot load '{}': {}", path, std::strerror(err));
  }
}

void requestStop(const std::string& control) {
  int fd = ::open(control.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)!::write(fd, "stop\n", 5);
  ::close(fd);
}

// A utap module whose utaprun was killed (SIGKILL: no chance to remove it)
// stays loaded; its probes stopped when its output's reader went away, or
// are still placed if utaprun died before reading. Its stp_pid parameter
// names that utaprun: when no such process runs, the module is removed
// here, as `staprun -d` would, and the user is told.
void removeOrphanedModules() {
  std::ifstream modules("/proc/modules");
  std::string line;
  while (std::getline(modules, line)) {
    std::string name = line.substr(0, line.find(' '));
    if (name.rfind("utap_", 0) != 0) continue;
    std::ifstream param("/sys/module/" + name + "/parameters/stp_pid");
    long pid = 0;
    if (!(param >> pid) || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (syscall(SYS_delete_module, name.c_str(), O_NONBLOCK) == 0)
      fmt::print(stderr, "utap: removed module {}, left loaded by utaprun process {}, which is gone\n", name, pid);
    else
      fmt::print(stderr,
                 "utap: warning: module {} is left loaded by utaprun process {}, which is gone, and cannot "
                 "be removed: {}; remove it with rmmod\n",
                 name, pid, std::strerror(errno));
  }
}

}  // namespace

namespace {

// Runs the -c command as stap does: a simple command (words without shell
// syntax) directly, so that its process is target(); anything else, or a
// program execvp cannot start, through /bin/sh -c (which says why).
// The words of a simple command (no shell syntax), or nothing.
std::optional<std::vector<std::string>> simpleCommandWords(const std::string& command) {
  if (command.find_first_of("|&;<>()$`\\\"'*?[]#~=%{}\n") != std::string::npos) return std::nullopt;
  std::vector<std::string> words;
  size_t at = 0;
  while ((at = command.find_first_not_of(" \t", at)) != std::string::npos) {
    size_t end = command.find_first_of(" \t", at);
    words.push_back(command.substr(at, end == std::string::npos ? end : end - at));
    at = end;
  }
  return words;
}

// Why a simple command's program cannot be run ("" when it can, or when the
// shell will run the command and say so itself).
std::string commandProblem(const std::string& command) {
  auto words = simpleCommandWords(command);
  if (!words || words->empty()) return "";
  const std::string& program = words->front();
  auto check = [](const std::string& path) {
    if (::access(path.c_str(), F_OK) != 0) return std::string("no such file");
    if (::access(path.c_str(), X_OK) != 0) return std::string("not executable");
    return std::string();
  };
  if (program.find('/') != std::string::npos) {
    std::string why = check(program);
    return why.empty() ? "" : "'" + program + "': " + why;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(at, end - at);
    if (check((dir.empty() ? "." : dir) + "/" + program).empty()) return "";
    at = end + 1;
  }
  return "'" + program + "' is not a program in PATH";
}

[[noreturn]] void execCommand(const std::string& command) {
  if (auto words = simpleCommandWords(command)) {
    std::vector<char*> argv;
    for (auto& w : *words) argv.push_back(w.data());
    argv.push_back(nullptr);
    if (!words->empty()) execvp(argv[0], argv.data());
  }
  execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  _exit(127);
}

// The -c command's process, made before the module goes in so that
// target() is its pid in every probe, begin probes included; it waits until
// release() (the begin probes have run), or exits when utaprun gives up.
class PendingCommand {
 public:
  explicit PendingCommand(const std::string& command) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      error_ = std::strerror(errno);
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char go = 0;
      ssize_t n;
      do n = ::read(fds[0], &go, 1);
      while (n < 0 && errno == EINTR);
      if (n != 1) _exit(127);
      // The script's input probes read utaprun's stdin: the command gets none.
      if (go == 'n') {
        int null = ::open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0) _exit(127);
        if (null != STDIN_FILENO) ::close(null);
      }
      execCommand(command);
    }
    ::close(fds[0]);
    if (pid_ < 0) {
      error_ = std::strerror(errno);
      ::close(fds[1]);
      return;
    }
    release_ = fds[1];
  }
  ~PendingCommand() { abandon(); }
  PendingCommand(const PendingCommand&) = delete;
  PendingCommand& operator=(const PendingCommand&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  // Lets the command run, with utaprun's stdin or with /dev/null.
  void release(bool withoutStdin) {
    if (release_ < 0) return;
    (void)!::write(release_, withoutStdin ? "n" : "x", 1);
    ::close(release_);
    release_ = -1;
  }
  // The module did not load: the command never runs.
  void abandon() {
    if (release_ < 0) return;
    ::close(release_);
    release_ = -1;
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int release_ = -1;
  std::string error_;
};

}  // namespace

std::string moduleLoadingUnavailable(const std::string& procRoot) {
  struct utsname uts {};
  std::string release = ::uname(&uts) == 0 ? std::string(uts.release) : std::string("running");
  if (::access((procRoot + "/modules").c_str(), F_OK) != 0)
    return "this kernel (" + release +
           ") cannot load modules: it was built without CONFIG_MODULES; run the script in a guest with --vm";
  std::ifstream disabled(procRoot + "/sys/kernel/modules_disabled");
  int value = 0;
  if (disabled >> value && value == 1)
    return "this kernel (" + release +
           ") does not load modules any more (/proc/sys/kernel/modules_disabled is 1 until reboot); run the script "
           "in a guest with --vm";
  return "";
}

// system(): the commands the script asks for, each run with /bin/sh -c in
// the background as its record arrives (after the output before it), its
// stdout where the script's output goes. utaprun waits for them before it
// ends, so that their output is not cut off.
class SystemCommands {
 public:
  void start(const std::string& command, int out) {
    pid_t pid = fork();
    if (pid == 0) {
      if (out >= 0 && out != STDOUT_FILENO) dup2(out, STDOUT_FILENO);
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid < 0)
      fmt::print(stderr, "WARNING: system(\"{}\") did not run: {}\n", command, std::strerror(errno));
    else
      pids_.push_back(pid);
  }
  // Collects those that ended (only these: the -c command is a child too).
  void reap() {
    std::erase_if(pids_, [](pid_t pid) { return waitpid(pid, nullptr, WNOHANG) == pid; });
  }
  void waitAll() {
    for (pid_t pid : pids_)
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    pids_.clear();
  }

 private:
  std::vector<pid_t> pids_;
};

// input.char and input.line: the module's "__stdin" file takes utaprun's
// standard input as it comes, until its end or until the script ends (the
// file is gone then: writes fail).
class StdinForwarder {
 public:
  explicit StdinForwarder(const std::string& path) {
    if (::access(path.c_str(), F_OK) == 0) file_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  }
  ~StdinForwarder() { stop(); }
  StdinForwarder(const StdinForwarder&) = delete;
  StdinForwarder& operator=(const StdinForwarder&) = delete;

  bool active() const { return file_ >= 0; }
  // Stdin is readable (or at its end): one read's worth goes to the script.
  void forward() {
    char buffer[512];  // small: the control file is drained between writes
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0 || !writeAll(file_, std::string_view(buffer, static_cast<size_t>(n)))) stop();
  }

 private:
  void stop() {
    if (file_ >= 0) ::close(file_);
    file_ = -1;
  }
  int file_ = -1;
};

int loadAndRun(const LoadOptions& options) {
  int ko = ::open(options.modulePath.c_str(), O_RDONLY | O_CLOEXEC);
  if (ko < 0) {
    fmt::print(stderr, "utap: error: cannot open '{}': {}\n", options.modulePath, std::strerror(errno));
    return 1;
  }
  // Facts the tapsets need about this process (tapset_support.c).
  time_t now = time(nullptr);
  struct tm local {};
  localtime_r(&now, &local);
  std::string zone = local.tm_zone ? local.tm_zone : "UTC";
  for (char& ch : zone)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '+' && ch != '-') ch = '_';
  std::string params =
      fmt::format("stp_pid={} stp_uid={} tz_gmtoff={} tz_name={}", getpid(), getuid(), -local.tm_gmtoff, zone);
  removeOrphanedModules();
  std::optional<PendingCommand> command;
  long targetPid = options.targetPid;
  // Bad targets are the user's mistakes: say so before anything is loaded.
  if (targetPid && ::kill(static_cast<pid_t>(targetPid), 0) != 0 && errno == ESRCH) {
    fmt::print(stderr, "utap: error: -x {}: there is no process with that PID\n", targetPid);
    ::close(ko);
    return 1;
  }
  if (!options.command.empty()) {
    if (std::string why = commandProblem(options.command); !why.empty()) {
      fmt::print(stderr, "utap: error: cannot run the -c command: {}\n", why);
      ::close(ko);
      return 1;
    }
  }
  if (!options.command.empty()) {
    command.emplace(options.command);
    if (command->pid() < 0) {
      fmt::print(stderr, "utap: error: cannot start '{}': {}\n", options.command, command->error());
      ::close(ko);
      return 1;
    }
    targetPid = command->pid();
  }
  if (targetPid) params += fmt::format(" target_pid={}", targetPid);
  // -c's process is still utaprun until it execs the command: its
  // process.begin waits for that exec.
  if (command) params += " target_execs=1";
  if (options.verbose) params += fmt::format(" verbose={}", options.verbose);
  // Before the module goes in: an interrupt while its begin probes run must
  // stop it (end probes and all) like any later one, not kill utaprun and
  // leave it loaded.
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  if (syscall(SYS_finit_module, ko, params.c_str(), 0) != 0) {
    int err = errno;
    ::close(ko);
    fmt::print(stderr, "utap: error: {}\n", loadError(err, options.modulePath));
    return 1;
  }
  ::close(ko);

  std::string control = "/proc/" + options.moduleName;
  OutputFiles files(options.framedOutput ? "" : options.outputFile, options.limits);
  bool outputOk = true;
  std::string outputError;
  if (!files.open(outputError)) {
    fmt::print(stderr, "utap: error: {}\n", outputError);
    requestStop(control);
    outputOk = false;
  }
  // Output and switches, to the files or (--vm's guest) as frames.
  auto output = [&](const Record& r) {
    if (!outputOk) return;
    if (options.framedOutput) {
      std::string frame = r.kind == UTAP_RECORD_SWITCH_FILE ? frames::switchFile() : frames::output(r.payload);
      outputOk = writeAll(STDOUT_FILENO, frame);
      outputError = fmt::format("cannot write the output: {}", std::strerror(errno));
    } else {
      outputOk =
          r.kind == UTAP_RECORD_SWITCH_FILE ? files.switchFile(outputError) : files.write(r.payload, outputError);
    }
    if (!outputOk) {
      fmt::print(stderr, "utap: error: {}\n", outputError);
      requestStop(control);
    }
  };
  int status = 0;
  // -c: the module is in and its begin probes have run; the command starts.
  pid_t child = -1;
  StdinForwarder input("/proc/systemtap/" + options.moduleName + "/__stdin");
  if (command) {
    child = command->pid();
    command->release(input.active());
  }
  int fd = ::open(control.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fmt::print(stderr, "utap: error: the module has no control file {}: {}\n", control, std::strerror(errno));
    status = 1;
  } else {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeoutSeconds);
    bool stopSent = false, summarized = false;
    RecordMerger merger;
    SystemCommands commands;
    utap_summary summary{};
    std::string buffer(64 * 1024, '\0');
    while (!summarized) {
      commands.reap();
      if (child > 0 && waitpid(child, nullptr, WNOHANG) == child) {
        child = -1;
        stopRequested = 1;  // the command is done: so is the script
      }
      if (!stopSent &&
          (stopRequested || (options.timeoutSeconds > 0 && std::chrono::steady_clock::now() >= deadline))) {
        requestStop(control);
        stopSent = true;
      }
      pollfd p[2] = {{fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
      int ready = ::poll(p, input.active() && !stopSent ? 2 : 1, 200);
      if (ready < 0 && errno != EINTR) break;
      if (ready > 0 && p[1].revents) input.forward();
      if (ready <= 0 || !p[0].revents) {
        merger.endPass();
        continue;
      }
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) break;
      std::vector<Record> records;
      std::string error;
      if (!parseRecords(std::string_view(buffer.data(), static_cast<size_t>(n)), records, error)) {
        fmt::print(stderr, "utap: error: {}\n", error);
        status = 1;
        requestStop(control);
        break;
      }
      for (auto& r : records) merger.add(std::move(r));
      merger.endPass();
      for (const Record& r : merger.take(false)) {
        switch (r.kind) {
          case UTAP_RECORD_OUTPUT:
          case UTAP_RECORD_SWITCH_FILE: output(r); break;
          case UTAP_RECORD_ERROR:
          case UTAP_RECORD_WARNING:
          case UTAP_RECORD_INFO: writeAll(STDERR_FILENO, r.payload); break;
          // Under --vm with -o this utaprun's stdout carries frames that
          // a command's raw output would break: it writes to stderr there.
          case UTAP_RECORD_SYSTEM: commands.start(r.payload, options.framedOutput ? STDERR_FILENO : files.fd()); break;
          case UTAP_RECORD_SUMMARY:
            std::memcpy(&summary, r.payload.data(), std::min(sizeof(summary), r.payload.size()));
            summarized = true;
            break;
          default: break;
        }
      }
    }
    ::close(fd);
    commands.waitAll();
    if (summary.errors || summary.skipped)
      fmt::print(stderr, "WARNING: Number of errors: {}, skipped probes: {}\n", summary.errors, summary.skipped);
    if (summary.dropped_bytes)
      fmt::print(stderr, "WARNING: {} bytes of output ({} records) were dropped: the output buffers were full\n",
                 summary.dropped_bytes, summary.dropped_records);
    if (summary.truncated_bytes)
      fmt::print(stderr, "WARNING: {} bytes of output were cut: a probe hit printed more than its buffer holds\n",
                 summary.truncated_bytes);
    if (summary.errors || summary.dropped_bytes) status = 1;
    if (!outputOk) status = 1;
  }
  // The module stays busy until the control file is closed; retry briefly.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (syscall(SYS_delete_module, options.moduleName.c_str(), O_NONBLOCK) == 0) return status;
    if (errno != EAGAIN && errno != EBUSY) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fmt::print(stderr, "utap: error: cannot remove module {}: {}; remove it with rmmod\n", options.moduleName,
             std::strerror(errno));
  return 1;
}

}  // namespace utap::run
