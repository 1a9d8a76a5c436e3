// utap-guest: runs one command in a guest, by hand. For trying things on a
// kernel the host cannot load modules into:
//   utap-guest [--kernel RELEASE] [--time-limit SECONDS] [--module X.ko]... [--keep] -- COMMAND...
// COMMAND's words are joined with spaces into one shell command line, as ssh
// does. Prints the command's stdout and stderr, then its exit status and the
// kernel's health on stderr. Exits with the command's status, or 125 when the
// guest failed or the kernel log shows a problem.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "vm/guest.h"

namespace {

int usage() {
  fmt::print(stderr,
             "usage: utap-guest [--kernel RELEASE] [--time-limit SECONDS] [--module FILE.ko]... [--keep] "
             "-- COMMAND...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace utap::vm;
  std::string release;
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
      job.timeLimit = std::chrono::milliseconds(static_cast<long>(std::atof(argv[++i]) * 1000));
    } else if (arg == "--module" && hasValue) {
      job.modules.push_back(argv[++i]);
    } else if (arg == "--keep") {
      batch.keepWorkDir = true;
    } else {
      return usage();
    }
  }
  if (i >= argc) return usage();
  for (; i < argc; ++i) job.command += (job.command.empty() ? "" : " ") + std::string(argv[i]);

  std::string error;
  std::optional<GuestKernel> kernel = findGuestKernel(release, &error);
  if (!kernel) {
    fmt::print(stderr, "utap-guest: {}\n", error);
    return 125;
  }
  batch.jobs.push_back(job);
  GuestResult result = runInGuest(*kernel, batch);
  const GuestJobResult& ran = result.jobs.empty() ? GuestJobResult{} : result.jobs[0];
  fmt::print("{}", ran.out);
  std::fflush(stdout);
  fmt::print(stderr, "{}", ran.err);
  if (!ran.setupError.empty()) fmt::print(stderr, "utap-guest: {}\n", ran.setupError);
  if (ran.ran) {
    fmt::print(stderr, "utap-guest: exit status {}{}\n", ran.exitStatus, ran.timedOut ? " (timed out)" : "");
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
