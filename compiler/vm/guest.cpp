// runInGuest: lays the batch out in a shared directory, boots qemu, waits
// with a deadline and reads the results back from the same directory. The
// guest's side of the protocol is init_script.h.
#include "vm/guest.h"

#include <fmt/format.h>
#include <poll.h>

#include <cstdlib>
#include <filesystem>

#include "vm/accel.h"
#include "vm/boot_files.h"
#include "vm/files.h"
#include "vm/process.h"
#include "vm/stream.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

// quiet: the console is only for diagnosis, and every line printed on an
// emulated serial port costs boot time; the full log is read with dmesg.
// panic=-1 with -no-reboot makes a panicking guest exit qemu at once.
// cryptomgr.notests: Debian's kernels test every crypto algorithm as it
// registers, which under TCG costs boot time and once hung a 6.1 boot in a
// soft lockup (cryptomgr_test) for minutes; utap uses no crypto.
// no_timer_check: under TCG on a loaded host the kernel's check that the
// IO-APIC delivers timer interrupts can miss its window and panic the boot
// ("IO-APIC + timer doesn't work!"); the emulated timer is known to work.
constexpr const char* kKernelCommandLine = "console=ttyS0 quiet panic=-1 cryptomgr.notests no_timer_check";

// UTAP_VM_APPEND adds words, for debugging a guest (loglevel=7, ftrace=...).
std::string kernelCommandLine() {
  const char* extra = std::getenv("UTAP_VM_APPEND");
  return extra && *extra ? fmt::format("{} {}", kKernelCommandLine, extra) : kKernelCommandLine;
}

// qemu's option syntax separates with commas; a literal one is doubled.
std::string qemuPath(const std::string& path) {
  std::string escaped;
  for (char c : path) {
    escaped += c;
    if (c == ',') escaped += ',';
  }
  return escaped;
}

// Booting, under TCG on a loaded machine, takes at most this long.
constexpr std::chrono::milliseconds kBootAllowance = 90s;

// When the boot is killed; max() when a job may run for ever.
Clock::time_point bootDeadline(const GuestBatch& batch, Clock::time_point start) {
  if (batch.timeout > 0ms) return start + batch.timeout;
  std::chrono::milliseconds total = kBootAllowance;
  for (const GuestJob& job : batch.jobs) {
    if (job.timeLimit <= 0ms) return Clock::time_point::max();
    total += job.timeLimit + 15s;
  }
  return start + total;
}

// Writes the batch into `io` (layout in init_script.h). Returns "" or an error.
std::string layOutBatch(const GuestBatch& batch, const std::string& io) {
  std::error_code ec;
  fs::remove_all(io, ec);
  if (!fs::create_directories(io, ec)) return fmt::format("cannot create {}: {}", io, ec.message());
  std::string script = !batch.onOutput ? "" : batch.stdinFd >= 0 ? "stream input\n" : "stream\n";
  for (size_t i = 0; i < batch.jobs.size(); ++i) {
    const GuestJob& job = batch.jobs[i];
    std::string dir = fmt::format("{}/{}", io, i);
    fs::create_directories(dir + "/mods", ec);
    std::string text = fmt::format("cd {} || exit 126\n", shellQuote(job.workingDir));
    for (const std::string& var : job.env) text += fmt::format("export {}\n", shellQuote(var));
    text += job.command + "\n";
    if (std::string failed = writeFile(dir + "/cmd", text); !failed.empty()) return failed;
    std::string cannotRun;
    std::string names;
    for (const std::string& module : job.modules) {
      std::string name = fs::path(module).filename().string();
      if (cannotRun.empty() &&
          !fs::copy_file(module, dir + "/mods/" + name, fs::copy_options::overwrite_existing, ec)) {
        cannotRun = fmt::format("cannot copy module {}: {}", module, ec.message());
      }
      names += name + "\n";
    }
    if (!cannotRun.empty()) {
      // The guest skips a job marked so; the reason reaches its result.
      writeFile(dir + "/setup", cannotRun + "\n");
      writeFile(dir + "/skipped", "");
    } else if (!names.empty()) {
      if (std::string failed = writeFile(dir + "/modules", names); !failed.empty()) return failed;
    }
    if (job.timeLimit > 0ms) {
      script += fmt::format("job {} {:.3f}\n", i, job.timeLimit.count() / 1000.0);
    } else {
      script += fmt::format("job {} 0\n", i);
    }
  }
  return writeFile(io + "/batch", script);
}

std::vector<std::string> qemuCommand(bool kvm, const std::string& kernel, const std::string& initramfs,
                                     const std::string& work, bool streaming) {
  std::vector<std::string> argv = {"qemu-system-x86_64", "-nodefaults", "-no-user-config", "-no-reboot"};
  for (std::string& arg : acceleratorArgs(kvm)) argv.push_back(std::move(arg));
  auto option = [&argv](const char* name, std::string value) {
    argv.push_back(name);
    argv.push_back(std::move(value));
  };
  option("-display", "none");
  option("-m", "1024");
  option("-smp", "2");
  option("-kernel", kernel);
  option("-initrd", initramfs);
  option("-append", kernelCommandLine());
  option("-serial", "file:" + qemuPath(work + "/console.log"));
  // multidevs=remap keeps inode numbers of different host file systems apart:
  // with cache=loose a clash would make two host files one in the guest.
  option("-fsdev", "local,id=host,path=/,readonly=on,security_model=none,multidevs=remap");
  option("-device", "virtio-9p-pci,fsdev=host,mount_tag=utap_host");
  option("-fsdev", "local,id=io,security_model=none,path=" + qemuPath(work + "/io"));
  option("-device", "virtio-9p-pci,fsdev=io,mount_tag=utap_io");
  if (streaming) {
    for (std::string& arg : StreamLink::qemuArgs()) argv.push_back(std::move(arg));
  }
  return argv;
}

enum class BootEnd { kExited, kTimedOut, kNoInit, kNoSignOfLife, kNotStarted, kKilled, kStopped };

// Each max() when there is none.
struct BootLimits {
  Clock::time_point deadline = Clock::time_point::max();  // the whole boot
  // The guest must have reached /init (io/booted) by then: kNoSignOfLife
  // when `liveness` (a KVM probe) passes, kNoInit when `reachInit` does.
  Clock::time_point liveness = Clock::time_point::max();
  Clock::time_point reachInit = Clock::time_point::max();
};

// Runs one qemu to its end; with `link`, streams its jobs' output meanwhile
// and passes on the batch's control requests.
BootEnd boot(const std::vector<std::string>& argv, const std::string& work, const BootLimits& limits, StreamLink* link,
             const GuestControl* control, GuestResult& result) {
  std::string error;
  ProcessSpec spec{argv, "/dev/null", work + "/qemu.log", work + "/qemu.log"};
  if (link) {
    spec.passFds = link->guestFds();
    // The host's Ctrl-C is a stop request, not the end of qemu.
    spec.ownProcessGroup = true;
  }
  std::optional<Process> qemu = Process::start(spec, &error);
  if (link) link->closeGuestEnds();
  if (!qemu) {
    result.error = error + (error.find("qemu") != std::string::npos ? " (install qemu-system-x86)" : "");
    return BootEnd::kNotStarted;
  }
  std::error_code ec;
  bool booted = false;
  bool bootLimited = limits.liveness != Clock::time_point::max() || limits.reachInit != Clock::time_point::max();
  for (;;) {
    auto now = Clock::now();
    bool watchBoot = !booted && bootLimited;
    if (watchBoot) booted = fs::exists(work + "/io/booted", ec);
    if (!booted && now >= limits.liveness) return BootEnd::kNoSignOfLife;  // ~Process kills it
    bool noInit = !booted && now >= limits.reachInit;
    if (noInit || now >= limits.deadline) {
      qemu->kill();
      if (link) link->drain();
      return noInit ? BootEnd::kNoInit : BootEnd::kTimedOut;
    }
    Clock::time_point wake = limits.deadline;
    if (watchBoot && !booted) wake = std::min(wake, now + 50ms);
    if (!link) {
      if (qemu->waitUntil(wake)) return BootEnd::kExited;
      continue;
    }
    if (qemu->waitUntil(now)) {
      link->drain();
      return BootEnd::kExited;
    }
    std::vector<pollfd> fds;
    link->addPollFds(fds);
    if (control) fds.push_back({control->readFd(), POLLIN, 0});
    if (qemu->exitFd() >= 0) fds.push_back({qemu->exitFd(), POLLIN, 0});
    // Without a pidfd, qemu's exit is noticed by looking.
    auto most = qemu->exitFd() >= 0 ? 1000ms : 50ms;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(wake - now, Clock::duration(most)));
    ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(left.count(), 0) + 1));
    link->service();
    for (int request; control && (request = control->takeRequest()) != 0;) {
      if (request < 0) {
        qemu->kill();
        link->drain();
        result.error = "the guest was killed on request";
        return BootEnd::kKilled;
      }
      if (!link->requestStop(request)) {
        qemu->kill();
        result.stopped = true;
        result.error = "stopped on request before any job started";
        return BootEnd::kStopped;
      }
    }
  }
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void collect(const GuestBatch& batch, const std::string& work, const StreamLink* link, GuestResult& result) {
  std::string io = work + "/io";
  auto read = [](const std::string& path) { return readFile(path).value_or(""); };
  result.consoleLog = read(work + "/console.log");
  result.kernelLog = read(io + "/boot.dmesg");
  std::error_code ec;
  for (size_t i = 0; i < batch.jobs.size(); ++i) {
    std::string dir = fmt::format("{}/{}", io, i);
    GuestJobResult job;
    if (std::optional<std::string> status = readFile(dir + "/status"); status && !trimmed(*status).empty()) {
      job.ran = true;
      job.exitStatus = std::atoi(status->c_str());
    }
    job.timedOut = fs::exists(dir + "/timedout", ec);
    job.stopped = link && i < link->stoppedJobs().size() && link->stoppedJobs()[i];
    job.out = read(dir + "/out");
    job.err = read(dir + "/err");
    job.setupError = trimmed(read(dir + "/setup"));
    job.kernelLog = read(dir + "/dmesg");
    result.kernelLog += job.kernelLog;
    result.jobs.push_back(std::move(job));
  }
  result.kernelLog += read(io + "/end.dmesg");
  result.completed = fs::exists(io + "/done", ec);

  result.kernelProblems = kernelProblemLines(result.kernelLog);
  // A guest that died never wrote the rest of its log; the console has what
  // the kernel printed last (a panic, an oops), at console log level.
  if (!result.completed) {
    for (std::string& line : kernelProblemLines(result.consoleLog)) {
      std::string text = line.substr(line.find(']') == std::string::npos ? 0 : line.find(']') + 1);
      if (result.kernelLog.find(text) == std::string::npos) result.kernelProblems.push_back(std::move(line));
    }
  }
  result.kernelHealthy = result.kernelProblems.empty();
}

std::string lastLines(const std::string& text, size_t count) {
  size_t at = text.size();
  while (count-- > 0 && at > 0) {
    size_t nl = text.rfind('\n', at - 1);
    at = nl == std::string::npos ? 0 : nl;
  }
  return trimmed(text.substr(at));
}

}  // namespace

GuestResult runInGuest(const GuestKernel& kernel, const GuestBatch& batch) {
  GuestResult result;
  std::string error;
  std::optional<std::string> initramfs = prepareInitramfs(kernel, &error);
  if (!initramfs) {
    result.error = "cannot make the guest's initramfs: " + error;
    return result;
  }
  std::string image = prepareVmlinux(kernel).value_or(kernel.vmlinuz);
  std::string work = makeTempDir("utap-vm-");
  if (work.empty()) {
    result.error = "cannot make a temporary directory";
    return result;
  }
  BootLimits limits;
  limits.deadline = bootDeadline(batch, Clock::now());
  std::optional<StreamLink> link;
  if (batch.onOutput) link.emplace(batch);
  AccelChoice accel = chooseAccelerator();
  BootEnd end = BootEnd::kNotStarted;
  auto started = Clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (std::string failed = layOutBatch(batch, work + "/io"); !failed.empty()) {
      result.error = failed;
      break;
    }
    if (link) {
      if (std::string failed = link->open(); !failed.empty()) {
        result.error = failed;
        break;
      }
    }
    result.accelerator = accel.kvm ? "kvm" : "tcg";
    limits.liveness = Clock::time_point::max();
    if (accel.probing) limits.liveness = Clock::now() + std::chrono::seconds(kKvmLivenessSeconds);
    // However long the jobs may take, a boot that does not reach /init in
    // time has hung (under TCG on a loaded machine): fail it now, not at
    // the end of the jobs' allowance.
    limits.reachInit = Clock::now() + kBootAllowance;
    started = Clock::now();
    end = boot(qemuCommand(accel.kvm, image, *initramfs, work, link.has_value()), work, limits, link ? &*link : nullptr,
               batch.control, result);
    if (!accel.probing || end == BootEnd::kNotStarted || end == BootEnd::kStopped || end == BootEnd::kKilled) break;
    // Reaching /init is the proof; qemu exiting early (it could not set up
    // KVM) fails the probe as surely as a silent hang does.
    std::error_code ec;
    bool alive = fs::exists(work + "/io/booted", ec);
    recordKvmVerdict(alive);
    if (alive) break;
    accel = {false, false};
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (end != BootEnd::kNotStarted) collect(batch, work, link ? &*link : nullptr, result);
  if (end == BootEnd::kNoInit) {
    result.error = fmt::format("the guest did not reach its /init within {:.0f} s and was killed",
                               std::chrono::duration<double>(kBootAllowance).count());
  } else if (end == BootEnd::kTimedOut) {
    result.error = fmt::format("the guest did not finish within {:.0f} s and was killed",
                               std::chrono::duration<double>(limits.deadline - started).count());
  } else if (end == BootEnd::kExited && !result.completed) {
    std::string qemuLog = trimmed(readFile(work + "/qemu.log").value_or(""));
    result.error = fmt::format("the guest stopped before finishing its jobs{}; console:\n{}",
                               qemuLog.empty() ? "" : " (qemu: " + qemuLog + ")", lastLines(result.consoleLog, 15));
  }
  std::error_code ec;
  if (batch.keepWorkDir) {
    result.workDir = work;
  } else {
    fs::remove_all(work, ec);
  }
  return result;
}

}  // namespace utap::vm
