// utap-guest: runs commands in a guest. For trying things on a kernel the
// host cannot load modules into, one command by hand:
//   utap-guest [--kernel RELEASE] [--time-limit SECONDS] [--module X.ko]... [--keep] -- COMMAND [ARG]...
// COMMAND runs with exactly these arguments (each word is quoted for the
// guest's shell; for a shell command line, say sh -c 'LINE'), in the current
// directory, with the environment described at GuestJob. Its stdout and
// stderr are printed as it writes them; then its exit status and the
// kernel's health on stderr. A first Ctrl-C (or SIGTERM) is passed on to the
// command's process group in the guest, a second kills the guest. The time
// limit (default 60 s) may be 0 for none. Exits with the command's status,
// or 125 when the guest failed or the kernel log shows a problem.
//
// For test suites, many commands in one boot:
//   utap-guest [--kernel RELEASE] [--keep] [--timeout SECONDS] --batch FILE --results DIR
// FILE has one job per line; empty lines and lines starting with '#' are
// skipped. A job line is optional leading options, then the shell command
// line (the rest of the line, verbatim):
//   [--time-limit SECONDS] [--module FILE.ko]... [--] COMMAND
// (--time-limit: killed after that long, guest time, default 60; --module:
// inserted before the command and removed after it; option values cannot
// contain spaces). Jobs are numbered from 1 in the order of their lines, and
// DIR (created; old result files in it are overwritten) receives:
//   N.out, N.err      the job's stdout and stderr
//   N.status          one line: its exit status (128+S for a signal S),
//                     "timeout" when its time limit killed it, or "notrun"
//                     (a module failed to insert, or the guest never got to it)
//   N.setup           insmod/rmmod messages (empty when none)
//   N.kernel          the kernel log from the job's start to its end
//   N.health          the lines of N.kernel that report a kernel problem
//                     (BUG, WARNING, Oops, ...), one per line; empty when healthy
//   health            every kernel problem of the whole boot, one per line,
//                     including a panic that only reached the console; empty
//                     when healthy
//   guest             "kernel RELEASE", "accelerator kvm|tcg", "seconds S",
//                     "completed yes|no", "jobs N", and "error TEXT" when the
//                     guest failed (did not boot, was killed, panicked)
//   kernel.log        the boot's whole kernel log; console.log the serial console
// Exits 0 when the guest ran every job and the kernel stayed healthy, whatever
// the jobs' own statuses; 125 otherwise (2 for a usage error).
//
//   utap-guest [--kernel RELEASE] --print-kernel
// prints the release a guest would boot (the newest usable generic amd64
// kernel when --kernel is not given), for building modules for it.
//
//   utap-guest --list-kernels
// prints the kernels test suites run on: one line per installed kernel
// series, oldest first, "SERIES RELEASE" for the newest build of it that has
// an image, modules with 9p and headers, or "SERIES - SENTENCE" when no build
// has all of them (SENTENCE says what is missing and what to install). Newer
// builds passed over are noted on stderr. Exits 125, saying why on stderr,
// when no generic amd64 kernel is installed at all. $UTAP_KERNEL_ROOT, when
// set, is searched instead of / (kernels.h).
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>

#include "vm/files.h"
#include "vm/guest.h"
#include "vm/interrupts.h"
#include "vm/kernels.h"
#include "vm/process.h"

namespace {

using namespace utap::vm;

int usage() {
  fmt::print(stderr,
             "usage: utap-guest [--kernel RELEASE] [--time-limit SECONDS] [--module FILE.ko]... [--keep] "
             "-- COMMAND...\n"
             "       utap-guest [--kernel RELEASE] [--keep] [--timeout SECONDS] --batch FILE --results DIR\n"
             "       utap-guest [--kernel RELEASE] --print-kernel\n"
             "       utap-guest --list-kernels\n");
  return 2;
}

std::chrono::milliseconds seconds(const char* text) {
  return std::chrono::milliseconds(static_cast<long>(std::atof(text) * 1000));
}

// Parses a batch file (format above). Returns "" or an error naming the line.
std::string parseBatch(const std::string& file, const std::string& text, std::vector<GuestJob>& jobs) {
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t at = line.find_first_not_of(" \t");
    if (at == std::string::npos || line[at] == '#') continue;
    GuestJob job;
    auto word = [&line](size_t from, size_t* end) {
      size_t start = line.find_first_not_of(" \t", from);
      if (start == std::string::npos) {
        *end = line.size();
        return std::string();
      }
      *end = line.find_first_of(" \t", start);
      if (*end == std::string::npos) *end = line.size();
      return line.substr(start, *end - start);
    };
    for (;;) {
      size_t end = 0;
      std::string option = word(at, &end);
      if (option == "--") {
        at = end;
        break;
      }
      if (option != "--time-limit" && option != "--module") break;
      std::string value = word(end, &end);
      if (value.empty()) return fmt::format("{}:{}: {} needs a value", file, number, option);
      if (option == "--time-limit") {
        char* rest = nullptr;
        double s = std::strtod(value.c_str(), &rest);
        if (*rest || s <= 0) return fmt::format("{}:{}: bad time limit '{}'", file, number, value);
        job.timeLimit = std::chrono::milliseconds(static_cast<long>(s * 1000));
      } else {
        job.modules.push_back(value);
      }
      at = end;
    }
    size_t start = line.find_first_not_of(" \t", at);
    if (start == std::string::npos) return fmt::format("{}:{}: no command", file, number);
    job.command = line.substr(start);
    jobs.push_back(std::move(job));
  }
  return "";
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

int runBatch(const GuestKernel& kernel, GuestBatch& batch, const std::string& file, const std::string& dir) {
  std::optional<std::string> text = readFile(file);
  if (!text) {
    fmt::print(stderr, "utap-guest: cannot read {}\n", file);
    return 2;
  }
  if (std::string failed = parseBatch(file, *text, batch.jobs); !failed.empty()) {
    fmt::print(stderr, "utap-guest: {}\n", failed);
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::is_directory(dir, ec)) {
    fmt::print(stderr, "utap-guest: cannot create {}\n", dir);
    return 125;
  }
  GuestResult result;
  if (!batch.jobs.empty())
    result = runInGuest(kernel, batch);
  else
    result.completed = true;

  std::string failed;
  auto put = [&](const std::string& name, const std::string& data) {
    std::string error = writeFile(dir + "/" + name, data);
    if (failed.empty()) failed = error;
  };
  for (size_t i = 0; i < batch.jobs.size(); ++i) {
    GuestJobResult ran = i < result.jobs.size() ? result.jobs[i] : GuestJobResult{};
    std::string n = std::to_string(i + 1);
    std::string status = ran.timedOut ? "timeout" : ran.ran ? std::to_string(ran.exitStatus) : "notrun";
    put(n + ".out", ran.out);
    put(n + ".err", ran.err);
    put(n + ".status", status + "\n");
    put(n + ".setup", ran.setupError.empty() ? "" : ran.setupError + "\n");
    put(n + ".kernel", ran.kernelLog);
    put(n + ".health", joinLines(kernelProblemLines(ran.kernelLog)));
  }
  put("health", joinLines(result.kernelProblems));
  std::string guest = fmt::format("kernel {}\naccelerator {}\nseconds {:.2f}\ncompleted {}\njobs {}\n", kernel.release,
                                  result.accelerator, result.elapsed.count() / 1000.0, result.completed ? "yes" : "no",
                                  batch.jobs.size());
  if (!result.error.empty()) {
    std::string error = result.error;
    for (char& c : error)
      if (c == '\n') c = ' ';
    guest += "error " + error + "\n";
  }
  put("guest", guest);
  put("kernel.log", result.kernelLog);
  put("console.log", result.consoleLog);
  if (!failed.empty()) {
    fmt::print(stderr, "utap-guest: {}\n", failed);
    return 125;
  }

  if (!result.error.empty()) fmt::print(stderr, "utap-guest: {}\n", result.error);
  if (!result.kernelHealthy) {
    fmt::print(stderr, "utap-guest: kernel {} reported problems:\n", kernel.release);
    for (const std::string& line : result.kernelProblems) fmt::print(stderr, "  {}\n", line);
  }
  fmt::print(stderr, "utap-guest: {} jobs, {:.2f} s under {}\n", batch.jobs.size(), result.elapsed.count() / 1000.0,
             result.accelerator);
  if (!result.workDir.empty()) fmt::print(stderr, "utap-guest: kept {}\n", result.workDir);
  return result.completed && result.kernelHealthy ? 0 : 125;
}

// --list-kernels (above).
int listKernels() {
  KernelRoots roots = kernelRootsFromEnvironment();
  std::vector<KernelSeriesChoice> choices = newestOfEachSeries(installedKernels(roots));
  if (choices.empty()) {
    fmt::print(stderr,
               "utap-guest: no generic amd64 kernel is installed (none in {} or {}): scripts/setup installs "
               "Debian's\n",
               roots.boot, roots.modules);
    return 125;
  }
  for (const KernelSeriesChoice& c : choices) {
    if (c.kernel)
      fmt::print("{} {}\n", c.series, c.kernel->release);
    else
      fmt::print("{} - {}\n", c.series, c.problem);
    for (const std::string& why : c.passedOver)
      fmt::print(stderr, "utap-guest: series {}: using {}, not a newer build: {}\n", c.series, c.kernel->release, why);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string release;
  std::string batchFile;
  std::string resultsDir;
  bool printKernel = false;
  bool listSeries = false;
  GuestJob job;
  GuestBatch batch;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--") {
      ++i;
      break;
    } else if (arg == "--kernel" && hasValue) {
      release = argv[++i];
    } else if (arg == "--time-limit" && hasValue) {
      job.timeLimit = seconds(argv[++i]);
    } else if (arg == "--module" && hasValue) {
      job.modules.push_back(argv[++i]);
    } else if (arg == "--keep") {
      batch.keepWorkDir = true;
    } else if (arg == "--timeout" && hasValue) {
      batch.timeout = seconds(argv[++i]);
    } else if (arg == "--batch" && hasValue) {
      batchFile = argv[++i];
    } else if (arg == "--results" && hasValue) {
      resultsDir = argv[++i];
    } else if (arg == "--print-kernel") {
      printKernel = true;
    } else if (arg == "--list-kernels") {
      listSeries = true;
    } else {
      return usage();
    }
  }
  bool batchMode = !batchFile.empty() || !resultsDir.empty();
  if (batchMode && (batchFile.empty() || resultsDir.empty() || i < argc || printKernel)) return usage();
  if (printKernel && i < argc) return usage();
  if (listSeries && (printKernel || batchMode || i < argc || !release.empty())) return usage();
  if (listSeries) return listKernels();
  if (!batchMode && !printKernel && i >= argc) return usage();

  std::string error;
  std::optional<GuestKernel> kernel = findGuestKernel(release, &error);
  if (!kernel) {
    fmt::print(stderr, "utap-guest: {}\n", error);
    return 125;
  }
  if (printKernel) {
    fmt::print("{}\n", kernel->release);
    return 0;
  }
  if (batchMode) return runBatch(*kernel, batch, batchFile, resultsDir);

  for (; i < argc; ++i) job.command += (job.command.empty() ? "" : " ") + shellQuote(argv[i]);
  std::error_code ec;
  job.workingDir = std::filesystem::current_path(ec).string();
  if (ec) job.workingDir = "/";
  batch.jobs.push_back(job);
  GuestControl control;
  batch.control = &control;
  batch.onOutput = [](size_t, GuestStream stream, std::string_view data) {
    writeAll(stream == GuestStream::kStdout ? STDOUT_FILENO : STDERR_FILENO, data);
  };
  InterruptForwarding forwarding(control, "utap-guest: interrupted again: killing the guest\n");
  GuestResult result = runInGuest(*kernel, batch);
  const GuestJobResult& ran = result.jobs.empty() ? GuestJobResult{} : result.jobs[0];
  if (!ran.setupError.empty()) fmt::print(stderr, "utap-guest: {}\n", ran.setupError);
  if (ran.ran) {
    fmt::print(stderr, "utap-guest: exit status {}{}\n", ran.exitStatus,
               ran.timedOut  ? " (timed out)"
               : ran.stopped ? " (stopped on request)"
                             : "");
  }
  if (!result.error.empty()) fmt::print(stderr, "utap-guest: {}\n", result.error);
  if (result.kernelHealthy && !result.completed) {
    fmt::print(stderr, "utap-guest: kernel {}: no problem logged before the guest stopped\n", kernel->release);
  } else if (result.kernelHealthy) {
    fmt::print(stderr, "utap-guest: kernel {} healthy\n", kernel->release);
  } else {
    fmt::print(stderr, "utap-guest: kernel {} reported problems:\n", kernel->release);
    for (const std::string& line : result.kernelProblems) fmt::print(stderr, "  {}\n", line);
  }
  fmt::print(stderr, "utap-guest: {:.2f} s under {}\n", result.elapsed.count() / 1000.0, result.accelerator);
  if (!result.workDir.empty()) fmt::print(stderr, "utap-guest: kept {}\n", result.workDir);
  if (!result.completed || !result.kernelHealthy || !ran.ran) return 125;
  return ran.exitStatus;
}
