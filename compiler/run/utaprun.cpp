// utaprun: pass 5 alone, as stap's staprun: load a module utap built, stream
// its output, stop it on exit(), Ctrl-C, SIGTERM or -T, and remove it.
//
//   utaprun [-v] [-o FILE] [-T SECONDS] [-c CMD | -x PID] MODULE.ko
//
// -v prints each process probe's counts (hits, skipped, filtered) at the end.
#include <fmt/format.h>
#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "run/loader.h"

int main(int argc, char** argv) {
  utap::run::LoadOptions options;
  for (int c; (c = getopt(argc, argv, "+o:T:c:x:vh")) != -1;) {
    switch (c) {
      case 'c': options.command = optarg; break;
      case 'x': options.targetPid = std::atol(optarg); break;
      case 'o': options.outputFile = optarg; break;
      case 'T': options.timeoutSeconds = std::atoi(optarg); break;
      case 'v': ++options.verbose; break;
      default:
        fmt::print(stderr, "usage: utaprun [-h] [-v] [-o FILE] [-T SECONDS] [-c CMD | -x PID] MODULE.ko\n");
        return c == 'h' ? 0 : 1;
    }
  }
  if (optind + 1 != argc) {
    fmt::print(stderr, "usage: utaprun [-h] [-v] [-o FILE] [-T SECONDS] [-c CMD | -x PID] MODULE.ko\n");
    return 1;
  }
  options.modulePath = argv[optind];
  std::string base = options.modulePath.substr(options.modulePath.find_last_of('/') + 1);
  options.moduleName = base.substr(0, base.rfind(".ko"));
  for (char& ch : options.moduleName)
    if (ch == '-') ch = '_';  // as the kernel names it
  return utap::run::loadAndRun(options);
}
