#include "driver/later_passes.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "kbuild/features.h"
#include "kbuild/kbuild.h"
#include "run/loader.h"
#include "vm/guest.h"

#ifndef UTAP_RUNTIME_DIR
#define UTAP_RUNTIME_DIR ""
#endif

namespace utap::driver {

namespace {

std::string runtimeDir() {
  if (const char* env = std::getenv("UTAP_RUNTIME_DIR")) return env;
  return UTAP_RUNTIME_DIR;
}

// The runtime's objects: every .c under core/ and transport/.
std::vector<std::string> runtimeObjects(const std::string& root) {
  std::vector<std::string> out;
  for (const char* dir : {"core", "transport"}) {
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

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

int runInVm(const Options& o, const std::string& ko, const std::string& release) {
  std::string error;
  auto kernel = vm::findGuestKernel(release, &error);
  if (!kernel) {
    fmt::print(stderr, "utap: error: {}\n", error);
    return 1;
  }
  vm::GuestJob job;
  job.command = shellQuote(utaprunPath());
  if (o.timeoutSeconds) job.command += " -T " + std::to_string(o.timeoutSeconds);
  if (!o.targetCommand.empty()) job.command += " -c " + shellQuote(o.targetCommand);
  job.command += " " + shellQuote(ko);
  job.timeLimit = std::chrono::seconds(o.timeoutSeconds ? o.timeoutSeconds + 60 : 600);
  vm::GuestBatch batch;
  batch.jobs.push_back(job);
  vm::GuestResult result = vm::runInGuest(*kernel, batch);
  if (!result.completed || result.jobs.empty() || !result.jobs[0].ran) {
    fmt::print(stderr, "utap: error: the guest did not run the script: {}\n",
               result.error.empty() ? "no result" : result.error);
    return 1;
  }
  const vm::GuestJobResult& r = result.jobs[0];
  if (o.outputFile.empty()) {
    std::fwrite(r.out.data(), 1, r.out.size(), stdout);
  } else {
    std::FILE* f = std::fopen(o.outputFile.c_str(), "wb");
    if (!f) {
      fmt::print(stderr, "utap: error: cannot write '{}'\n", o.outputFile);
      return 1;
    }
    std::fwrite(r.out.data(), 1, r.out.size(), f);
    std::fclose(f);
  }
  std::fwrite(r.err.data(), 1, r.err.size(), stderr);
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
  return r.exitStatus;
}

}  // namespace

int buildAndRun(const Options& o, const codegen::Translation& t) {
  // With --vm the module is built for the guest's kernel.
  std::string spec = o.kernel;
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
  auto start = std::chrono::steady_clock::now();
  kbuild::BuildResult built = kbuild::buildModule(*tree, sources, buildOptions);
  if (!built.ok()) {
    fmt::print(stderr, "utap: error: {}\n", built.error);
    fmt::print(stderr, "Pass 4: compilation failed.\n");
    return 1;
  }
  if (o.verbose)
    fmt::print(stderr, "Pass 4: {} {} in {} ms.\n", built.cacheHit ? "using the cached module" : "compiled",
               built.koPath,
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  if (!built.buildDir.empty()) fmt::print(stderr, "Keeping the build directory {}\n", built.buildDir);
  if (o.lastPass == 4) {
    fmt::print("{}\n", built.koPath);
    return 0;
  }
  if (o.vm) return runInVm(o, built.koPath, tree->release);
  run::LoadOptions load;
  load.modulePath = built.koPath;
  load.moduleName = t.moduleName;
  load.outputFile = o.outputFile;
  load.timeoutSeconds = o.timeoutSeconds;
  if (o.targetPid) load.targetPid = *o.targetPid;
  load.command = o.targetCommand;
  return run::loadAndRun(load);
}

}  // namespace utap::driver
