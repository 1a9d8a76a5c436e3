// runInGuest: lays the batch out in a shared directory, boots qemu, waits
// with a deadline and reads the results back from the same directory. The
// guest's side of the protocol is init_script.h.
#include "vm/guest.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "vm/accel.h"
#include "vm/boot_files.h"
#include "vm/files.h"
#include "vm/process.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

// quiet: the console is only for diagnosis, and every line printed on an
// emulated serial port costs boot time; the full log is read with dmesg.
// panic=-1 with -no-reboot makes a panicking guest exit qemu at once.
constexpr const char* kKernelCommandLine = "console=ttyS0 quiet panic=-1";

// UTAP_VM_APPEND adds words, for debugging a guest (loglevel=7, ftrace=...).
std::string kernelCommandLine() {
  const char* extra = std::getenv("UTAP_VM_APPEND");
  return extra && *extra ? fmt::format("{} {}", kKernelCommandLine, extra) : kKernelCommandLine;
}

std::string shellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
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

std::chrono::milliseconds defaultTimeout(const GuestBatch& batch) {
  std::chrono::milliseconds total = 90s;
  for (const GuestJob& job : batch.jobs) total += job.timeLimit + 15s;
  return total;
}

// Writes the batch into `io` (layout in init_script.h). Returns "" or an error.
std::string layOutBatch(const GuestBatch& batch, const std::string& io) {
  std::error_code ec;
  fs::remove_all(io, ec);
  if (!fs::create_directories(io, ec)) return fmt::format("cannot create {}: {}", io, ec.message());
  std::string script;
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
    script += fmt::format("job {} {:.3f}\n", i, job.timeLimit.count() / 1000.0);
  }
  return writeFile(io + "/batch", script);
}

std::vector<std::string> qemuCommand(bool kvm, const std::string& kernel, const std::string& initramfs,
                                     const std::string& work) {
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
  return argv;
}

enum class BootEnd { kExited, kTimedOut, kNoSignOfLife, kNotStarted };

// Runs one qemu to its end. With `liveness`, gives up when the guest has not
// reached /init (io/booted) by then.
BootEnd boot(const std::vector<std::string>& argv, const std::string& work, Clock::time_point deadline,
             std::optional<Clock::time_point> liveness, GuestResult& result) {
  std::string error;
  std::optional<Process> qemu = Process::start({argv, "/dev/null", work + "/qemu.log", work + "/qemu.log"}, &error);
  if (!qemu) {
    result.error = error + (error.find("qemu") != std::string::npos ? " (install qemu-system-x86)" : "");
    return BootEnd::kNotStarted;
  }
  std::error_code ec;
  while (liveness && !fs::exists(work + "/io/booted", ec)) {
    if (Clock::now() >= *liveness) return BootEnd::kNoSignOfLife;  // ~Process kills it
    if (qemu->waitUntil(std::min(*liveness, Clock::now() + 50ms))) return BootEnd::kExited;
  }
  if (!qemu->waitUntil(deadline)) {
    qemu->kill();
    return BootEnd::kTimedOut;
  }
  return BootEnd::kExited;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void collect(const GuestBatch& batch, const std::string& work, GuestResult& result) {
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
  auto deadline = Clock::now() + (batch.timeout > 0ms ? batch.timeout : defaultTimeout(batch));
  AccelChoice accel = chooseAccelerator();
  BootEnd end = BootEnd::kNotStarted;
  auto started = Clock::now();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (std::string failed = layOutBatch(batch, work + "/io"); !failed.empty()) {
      result.error = failed;
      break;
    }
    result.accelerator = accel.kvm ? "kvm" : "tcg";
    std::optional<Clock::time_point> liveness;
    if (accel.probing) liveness = Clock::now() + std::chrono::seconds(kKvmLivenessSeconds);
    started = Clock::now();
    end = boot(qemuCommand(accel.kvm, image, *initramfs, work), work, deadline, liveness, result);
    if (!accel.probing || end == BootEnd::kNotStarted) break;
    // Reaching /init is the proof; qemu exiting early (it could not set up
    // KVM) fails the probe as surely as a silent hang does.
    std::error_code ec;
    bool alive = fs::exists(work + "/io/booted", ec);
    recordKvmVerdict(alive);
    if (alive) break;
    accel = {false, false};
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (end != BootEnd::kNotStarted) collect(batch, work, result);
  if (end == BootEnd::kTimedOut) {
    result.error = fmt::format("the guest did not finish within {:.0f} s and was killed",
                               std::chrono::duration<double>(deadline - started).count());
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
