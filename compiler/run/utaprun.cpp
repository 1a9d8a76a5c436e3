// utaprun: pass 5 alone, as stap's staprun: load a module utap built, stream
// its output, stop it on exit(), Ctrl-C, SIGTERM or -T, and remove it.
//
//   utaprun [-v] [-o FILE] [-S SIZE[,N]] [-T SECONDS] [-c CMD | -x PID] MODULE.ko
//
// -v prints each process probe's counts (hits, skipped, filtered) at the end.
// --frames writes the output as frames (run/output_files.h), for utap --vm.
#include <fmt/format.h>
#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "run/loader.h"

namespace {

constexpr const char* kUsage =
    "usage: utaprun [-h] [-v] [-o FILE] [-S SIZE[,N]] [--frames] [-T SECONDS] [-c CMD | -x PID] MODULE.ko\n";

}  // namespace

int main(int argc, char** argv) {
  utap::run::LoadOptions options;
  std::string limits;
  const struct option longOptions[] = {
      {"frames", no_argument, nullptr, 'F'},
      {nullptr, 0, nullptr, 0},
  };
  for (int c; (c = getopt_long(argc, argv, "+o:S:T:c:x:vh", longOptions, nullptr)) != -1;) {
    switch (c) {
      case 'c': options.command = optarg; break;
      case 'x': options.targetPid = std::atol(optarg); break;
      case 'o': options.outputFile = optarg; break;
      case 'S': limits = optarg; break;
      case 'F': options.framedOutput = true; break;
      case 'T': options.timeoutSeconds = std::atoi(optarg); break;
      case 'v': ++options.verbose; break;
      default: fmt::print(stderr, "{}", kUsage); return c == 'h' ? 0 : 1;
    }
  }
  if (optind + 1 != argc) {
    fmt::print(stderr, "{}", kUsage);
    return 1;
  }
  if (!limits.empty()) {
    std::string error;
    if (!utap::run::parseOutputLimits(limits, options.limits, error)) {
      fmt::print(stderr, "utaprun: error: {}\n", error);
      return 1;
    }
    if (options.outputFile.empty()) {
      fmt::print(stderr, "utaprun: error: -S limits the output files' size: give the files' name with -o FILE\n");
      return 1;
    }
  }
  options.modulePath = argv[optind];
  std::string base = options.modulePath.substr(options.modulePath.find_last_of('/') + 1);
  options.moduleName = base.substr(0, base.rfind(".ko"));
  for (char& ch : options.moduleName)
    if (ch == '-') ch = '_';  // as the kernel names it
  return utap::run::loadAndRun(options);
}
