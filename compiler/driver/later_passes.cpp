#include "driver/later_passes.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "driver/data_dirs.h"
#include "kbuild/features.h"
#include "kbuild/kbuild.h"
#include "run/loader.h"
#include "vm/guest.h"
#include "vm/interrupts.h"
#include "vm/process.h"

namespace utap::driver {

namespace {

using vm::shellQuote;
using vm::writeAll;

// The runtime's objects: every .c of its layers.
std::vector<std::string> runtimeObjects(const std::string& root) {
  std::vector<std::string> out;
  for (const char* dir : {"core", "transport", "ubp", "uprobes", "utrace", "lifecycle", "procfs", "unwind"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(root) / dir, ec))
      if (entry.path().extension() == ".c") out.push_back(std::string(dir) + "/" + entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// utaprun sits beside utap.
std::string utaprunPath() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "utaprun").string();
}

// The environment utap runs in, for the guest's job: a -c command sees what
// it would see here. Names a shell cannot export are left out.
std::vector<std::string> exportableEnvironment() {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == 0 || eq == std::string_view::npos) continue;
    bool valid = !std::isdigit(static_cast<unsigned char>(entry[0]));
    for (char ch : entry.substr(0, eq)) valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    if (valid) out.emplace_back(entry);
  }
  return out;
}

// Pass 5 in a guest: utaprun runs there on the module, with the script's
// output streamed back as it is written.
int runInVm(const Options& o, const codegen::Translation& t, const std::string& ko, const std::string& release) {
  std::string error;
  auto kernel = vm::findGuestKernel(release, &error);
  if (!kernel) {
    fmt::print(stderr, "utap: error: {}\n", error);
    return 1;
  }
  run::OutputLimits limits;
  if (!o.outputLimits.empty()) run::parseOutputLimits(o.outputLimits, limits, error);  // checked by main
  run::OutputFiles files(o.outputFile, limits);
  if (!files.open(error)) {
    fmt::print(stderr, "utap: error: {}\n", error);
    return 1;
  }
  vm::GuestJob job;
  // exec: the stop request's signal goes to utaprun itself, not to a shell
  // that would die of it and leave utaprun's status unknown.
  job.command = "exec " + shellQuote(utaprunPath());
  // -o: the files are written here, so the guest sends its output and
  // each switch_file() as frames.
  bool framed = !o.outputFile.empty();
  if (framed) job.command += " --frames";
  for (int i = 0; i < o.verbose; ++i) job.command += " -v";
  if (o.timeoutSeconds) job.command += " -T " + std::to_string(o.timeoutSeconds);
  if (!o.targetCommand.empty()) job.command += " -c " + shellQuote(o.targetCommand);
  if (o.targetPid) job.command += " -x " + std::to_string(*o.targetPid);
  job.command += " " + shellQuote(ko);
  // With -T, utaprun stops the script; the limit only catches a hang. Else
  // it runs until it exits or is interrupted.
  job.timeLimit = o.timeoutSeconds ? std::chrono::seconds(o.timeoutSeconds + 60) : std::chrono::seconds(0);
  std::error_code ec;
  job.workingDir = std::filesystem::current_path(ec).string();
  if (ec) job.workingDir = "/";
  job.env = exportableEnvironment();

  vm::GuestControl control;
  vm::GuestBatch batch;
  // -c's command reads utap's stdin, as it would here, or the script's
  // input probes do (utaprun takes it then).
  if (!o.targetCommand.empty() || t.readsStdin) batch.stdinFd = STDIN_FILENO;
  batch.jobs.push_back(job);
  batch.control = &control;
  bool outputFailed = false;
  run::frames::Reader frames;
  auto fail = [&](const std::string& why) {
    // As utaprun does here: the script stops, its other output goes on.
    fmt::print(stderr, "utap: error: {}\n", why);
    outputFailed = true;
    control.requestStop(SIGTERM);
  };
  batch.onOutput = [&](size_t, vm::GuestStream stream, std::string_view data) {
    if (stream == vm::GuestStream::kStderr) {
      writeAll(STDERR_FILENO, data);
      return;
    }
    if (outputFailed) return;
    std::string why;
    if (!framed) {
      if (!files.write(data, why)) fail(why);
      return;
    }
    bool ok = frames.feed(data, [&](char kind, std::string_view payload) {
      return kind == 'S' ? files.switchFile(why) : files.write(payload, why);
    });
    if (!ok) fail(why.empty() ? "the guest's utaprun sent output that is not in frames" : why);
  };
  vm::GuestResult result;
  bool killed = false;
  {
    vm::InterruptForwarding forwarding(
        control, "utap: interrupted again: killing the guest (the script's end probes will not run)\n");
    result = vm::runInGuest(*kernel, batch);
    killed = forwarding.count() > 1;
  }
  if (result.stopped) {
    fmt::print(stderr, "utap: interrupted before the script started\n");
    return 1;
  }
  if (killed) return 1;
  if (!result.completed || result.jobs.empty() || !result.jobs[0].ran) {
    fmt::print(stderr, "utap: error: the guest did not run the script: {}\n",
               result.error.empty() ? "no result" : result.error);
    return 1;
  }
  const vm::GuestJobResult& r = result.jobs[0];
  if (!r.setupError.empty()) fmt::print(stderr, "utap: error: {}\n", r.setupError);
  if (!result.kernelHealthy) {
    fmt::print(stderr, "utap: error: the guest kernel reported a problem:\n");
    for (const auto& line : result.kernelProblems) fmt::print(stderr, "  {}\n", line);
    return 1;
  }
  if (r.timedOut) {
    fmt::print(stderr, "utap: error: the script did not end within the guest's time limit\n");
    return 1;
  }
  return outputFailed ? 1 : r.exitStatus;
}

// Pass 5 here: utaprun's loader in this process.
int runHere(const Options& o, const codegen::Translation& t, const std::string& ko) {
  run::LoadOptions load;
  load.modulePath = ko;
  load.moduleName = t.moduleName;
  load.outputFile = o.outputFile;
  std::string error;
  if (!o.outputLimits.empty()) run::parseOutputLimits(o.outputLimits, load.limits, error);  // checked by main
  load.timeoutSeconds = o.timeoutSeconds;
  load.verbose = o.verbose;
  if (o.targetPid) load.targetPid = *o.targetPid;
  load.command = o.targetCommand;
  return run::loadAndRun(load);
}

}  // namespace

int buildAndRun(const Options& options, const codegen::Translation& t, PassTimer& timer) {
  Options o = options;
  // With --vm the module is built for the guest's kernel.
  std::string spec = o.kernel;
  // Running here needs a kernel that loads modules: say so before looking
  // for its headers, which such a kernel usually lacks too. Where it cannot
  // and a guest kernel is installed, the run goes to the guest, as --vm
  // would, and one line says so; -x names a process of this machine, which
  // the guest cannot probe.
  if (!o.vm && spec.empty() && o.lastPass >= 5)
    if (std::string why = run::moduleLoadingUnavailable(); !why.empty()) {
      std::string ignored;
      auto guest = o.targetPid ? std::nullopt : vm::findGuestKernel("", &ignored);
      if (!guest) {
        fmt::print(stderr, "utap: error: {}\n", why);
        return 1;
      }
      fmt::print(stderr, "utap: {}; running the script in a qemu guest ({}), as --vm does\n",
                 why.substr(0, why.find(';')), guest->release);
      o.vm = true;
    }
  if (o.vm && spec.empty()) {
    std::string error;
    auto guest = vm::findGuestKernel(o.vmKernel, &error);
    if (!guest) {
      fmt::print(stderr, "utap: error: {}\n", error);
      return 1;
    }
    spec = guest->release;
  }
  std::string error;
  auto tree = kbuild::findKernelTree(spec, error);
  if (!tree) {
    fmt::print(stderr, "utap: error: {}\n", error);
    return 1;
  }
  kbuild::BuildOptions buildOptions;
  buildOptions.keepBuildDir = o.keepTemps;
  buildOptions.verbose = o.verbose > 1;
  buildOptions.deferTo = o.deferBuild;
  auto features = kbuild::probeKernelFeatures(*tree, buildOptions);
  if (!features.error.empty()) {
    fmt::print(stderr, "utap: error: {}\n", features.error);
    return 1;
  }
  kbuild::ModuleSources sources;
  sources.name = t.moduleName;
  sources.files = t.files;
  sources.runtimeRoot = runtimeDir();
  sources.runtimeObjects = runtimeObjects(sources.runtimeRoot);
  sources.includeDirs = {sources.runtimeRoot + "/include", features.includeDir};
  sources.defines = t.defines;
  kbuild::BuildResult built = kbuild::buildModule(*tree, sources, buildOptions);
  if (!built.ok()) {
    fmt::print(stderr, "utap: error: {}\n", built.error);
    fmt::print(stderr, "Pass 4: compilation failed.\n");
    return 1;
  }
  if (o.verbose) {
    std::string figures = timer.lap(true);
    if (built.cacheHit)
      fmt::print(stderr, "Pass 4: using cached {}\n", built.koPath);
    else if (built.deferred)
      fmt::print(stderr, "Pass 4: left for --build-deferred={} {}.\n", o.deferBuild, figures);
    else
      fmt::print(stderr, "Pass 4: compiled C into \"{}\" {}.\n", built.koPath, figures);
  }
  if (!built.buildDir.empty()) fmt::print(stderr, "Keeping the build directory {}\n", built.buildDir);
  if (o.lastPass == 4) {
    fmt::print("{}\n", built.koPath);
    return 0;
  }
  if (o.verbose) fmt::print(stderr, "Pass 5: starting run.\n");
  timer.restart();
  int status = o.vm ? runInVm(o, t, built.koPath, tree->release) : runHere(o, t, built.koPath);
  if (o.verbose) fmt::print(stderr, "Pass 5: run completed {}.\n", timer.lap(true));
  return status;
}

int buildDeferred(const Options& o) {
  std::string error;
  auto tree = kbuild::findKernelTree(o.kernel, error);
  if (!tree) {
    fmt::print(stderr, "utap: error: {}\n", error);
    return 1;
  }
  kbuild::BuildOptions buildOptions;
  buildOptions.verbose = o.verbose > 1;
  kbuild::DeferredBuilds built = kbuild::buildDeferredModules(*tree, o.buildDeferred, buildOptions);
  for (const std::string& ko : built.built) fmt::print("{}\n", ko);
  if (!built.error.empty()) fmt::print(stderr, "utap: error: {}\n", built.error);
  for (const std::string& name : built.failed)
    fmt::print(stderr, "utap: error: the module {} did not build for {}; build its script alone to see why ({})\n",
               name, tree->release, built.logPath);
  return built.ok() ? 0 : 1;
}

}  // namespace utap::driver
