// The qemu guest runner: boots one of the distribution's installed kernels
// under qemu with the host's root file system mounted read-only over 9p, and
// runs a batch of shell commands in it, each optionally with kernel modules
// inserted around it. It exists because the kernel utap's tests run on here
// cannot load modules, and because a test suite must check two kernels (6.1
// and 6.12) whatever the host runs. Uses KVM when it works, else TCG.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace utap::vm {

using namespace std::chrono_literals;

// An installed kernel a guest can boot: its image and its modules, which
// must include 9p (Debian's -cloud kernels do not, so they never qualify).
struct GuestKernel {
  std::string release;     // "6.1.0-56-amd64"
  std::string vmlinuz;     // /boot/vmlinuz-<release>
  std::string modulesDir;  // /lib/modules/<release>
};

// `release` empty: the newest installed generic (not -cloud, not -rt) amd64
// kernel. std::nullopt with `*error` saying why when there is none, or when
// the named one is not installed or cannot serve (no 9p, unreadable image).
std::optional<GuestKernel> findGuestKernel(const std::string& release, std::string* error = nullptr);

// One command run in the guest.
struct GuestJob {
  // A shell command line, run by the host's /bin/sh chrooted into the host's
  // root (read-only), with fresh /proc, /sys, /dev, /dev/pts, /dev/shm and a
  // tmpfs /tmp, stdin from /dev/null (see GuestBatch::stdinFd), and a clean environment (PATH, HOME,
  // LANG=C.UTF-8). The host's /tmp entries are visible read-only inside the
  // guest's own /tmp. The command is the leader of its own process group.
  std::string command;
  // Killed (its whole process group) when it runs longer; guest time. Zero:
  // no limit (then the batch has no overall timeout either, see below).
  std::chrono::milliseconds timeLimit = 60s;
  // Host .ko files, inserted in this order before the command and removed in
  // reverse order after it (by the file's base name, as kbuild names them).
  // The command is skipped when one fails to insert.
  std::vector<std::string> modules{};
  std::string workingDir = "/";
  std::vector<std::string> env{};  // extra "NAME=value" entries
};

enum class GuestStream { kStdout, kStderr };

// Requests to a streaming runInGuest (GuestBatch::control) from a signal
// handler or another thread: what a host's Ctrl-C means for the guest.
class GuestControl {
 public:
  GuestControl();
  ~GuestControl();
  GuestControl(const GuestControl&) = delete;
  GuestControl& operator=(const GuestControl&) = delete;

  // Sends `signal` to the running job's process group, as a terminal's
  // Ctrl-C does to its foreground group, and again to any job that starts
  // later (none should: the guest starts no job after the request). Before
  // any job has started the boot is abandoned instead (GuestResult::stopped).
  // Streamed jobs start with SIGINT at its default action, not ignored as
  // for other background commands; a shell that runs a command (rather than
  // exec it) dies of SIGINT, whatever the command does. Async-signal-safe.
  void requestStop(int signal) const;
  // Kills qemu at once: the job's clean-up does not run. Async-signal-safe.
  void killGuest() const;

  // For runInGuest: readable when a request is waiting; takeRequest gives
  // it: a signal number, -1 for a kill, 0 for none.
  int readFd() const { return fds_[0]; }
  int takeRequest() const;

 private:
  int fds_[2] = {-1, -1};
};

struct GuestBatch {
  std::vector<GuestJob> jobs;
  // For the whole boot, after which qemu is killed. Zero: 90 s for booting
  // plus each job's time limit and 15 s of slack per job; no timeout when a
  // job has no time limit. Either way the guest must reach /init in 90 s.
  std::chrono::milliseconds timeout = 0ms;
  // Keep the host work directory (console log, qemu's own log, the shared
  // directory with every job's files) for diagnosis; see GuestResult::workDir.
  bool keepWorkDir = false;
  // Streaming: when set, each job's stdout and stderr are handed here, on
  // the calling thread, as the guest writes them (through virtio-serial
  // ports), each stream whole and in order; GuestJobResult::out and err stay
  // empty. A job's output has all arrived before runInGuest moves on to the
  // next one. Unset (batch mode), they are collected in files and returned.
  std::function<void(size_t job, GuestStream stream, std::string_view data)> onOutput{};
  // With onOutput: stop and kill requests (may be null).
  const GuestControl* control = nullptr;
  // With onOutput: each job's stdin is what is read from this descriptor
  // (as it comes, through a fourth port; its end is the jobs' end of file)
  // instead of /dev/null. -1: /dev/null.
  int stdinFd = -1;
};

struct GuestJobResult {
  bool ran = false;        // the guest reported an exit status for it
  int exitStatus = -1;     // as the shell reports it: 128+N for a signal N
  bool timedOut = false;   // killed at its time limit
  bool stopped = false;    // sent a stop request's signal (GuestControl::requestStop)
  std::string out;         // stdout
  std::string err;         // stderr
  std::string setupError;  // insmod/rmmod failures (the command did not run when insmod failed)
  std::string kernelLog;   // kernel messages from its insmod to its rmmod
};

struct GuestResult {
  // The guest booted, ran every job and powered off within the timeout.
  // Jobs a stop request kept from starting do not count against it: they
  // report ran false and a setupError that says so.
  bool completed = false;
  // A stop request came before any job started, and the boot was abandoned.
  bool stopped = false;
  std::string error;                 // why not: qemu missing, boot failure, timeout, panic, kill...
  std::vector<GuestJobResult> jobs;  // one per job, in order
  std::string kernelLog;             // the boot's whole kernel log (as much as was collected)
  // False when a line of the kernel log (or of the console, which is all a
  // panic leaves) reports a kernel problem; the lines are in kernelProblems.
  // Says nothing about a guest that never booted: check `completed` too.
  bool kernelHealthy = true;
  std::vector<std::string> kernelProblems;
  std::string consoleLog;                // the serial console, for diagnosis
  std::string accelerator;               // "kvm" or "tcg"
  std::chrono::milliseconds elapsed{0};  // qemu start to exit
  std::string workDir;                   // set when kept (GuestBatch::keepWorkDir)
};

// Boots `kernel` and runs `batch`. Failures are reported in the result, and
// the call returns by the batch's timeout when it has one (plus, on first
// use of a kernel, the time to make its boot files; boot_files.h); else
// when the jobs end or control asks. The first boot after the
// host booted may spend 10 s of the timeout finding that KVM hangs (accel.h).
// Environment: UTAP_VM_ACCEL=tcg or =kvm skips the automatic choice;
// UTAP_VM_APPEND adds words to the guest kernel's command line.
GuestResult runInGuest(const GuestKernel& kernel, const GuestBatch& batch);

// The lines of a kernel log that report a kernel problem: BUG, WARNING,
// Oops, general protection, KASAN, Call Trace, Kernel panic.
std::vector<std::string> kernelProblemLines(const std::string& log);

}  // namespace utap::vm
