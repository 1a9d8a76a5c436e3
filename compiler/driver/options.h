// The command line, as stap(1) spells it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace utap::driver {

// --dump-functions, --dump-probe-aliases, --dump-probe-types: list what the
// library and the probe families offer instead of running a script.
enum class Dump { None, Functions, ProbeAliases, ProbeTypes };

struct Options {
  int lastPass = 5;                                          // -p
  int verbose = 0;                                           // -v (repeatable)
  std::vector<std::string> includeDirs;                      // -I
  std::vector<std::pair<std::string, std::string>> defines;  // -D NAME[=VALUE]
  std::string outputFile;                                    // -o
  std::string outputLimits;                                  // -S SIZE[,N] (checked by run::parseOutputLimits)
  std::string targetCommand;                                 // -c
  std::optional<pid_t> targetPid;                            // -x
  bool guru = false;                                         // -g
  bool suppressWarnings = false;                             // -w
  bool warningsAreErrors = false;                            // -W
  bool unoptimized = false;                                  // -u
  int timeoutSeconds = 0;                                    // -T
  bool vm = false;                                           // --vm
  std::string vmKernel;                                      // --vm-kernel
  bool keepTemps = false;                                    // -k
  std::string moduleName;                                    // -m
  std::string kernel;                                        // -r: a release or a build directory
  std::optional<std::string> scriptText;                     // -e
  std::string scriptFile;                                    // a path, or "-" for standard input
  std::vector<std::string> args;                             // script arguments
  std::string compatVersion = "4.8";                         // --compatible
  std::string privilege = "stapdev";                         // --privilege, --unprivileged
  std::string listPattern;                                   // -l PROBE, -L PROBE
  bool listVariables = false;                                // -L
  std::vector<std::string> symbolModules;                    // -d MODULE (repeatable)
  bool ldd = false;                                          // --ldd
  std::string placement = "auto";                            // --placement: auto, entry, prologue
  Dump dump = Dump::None;                                    // --dump-*
  std::string deferBuild;                                    // --defer-build=DIR (with -p4)
  std::string buildDeferred;                                 // --build-deferred=DIR
  bool help = false;                                         // -h
  bool version = false;                                      // -V
};

struct ParsedOptions {
  Options options;
  std::vector<std::string> errors;  // each a full sentence
};

ParsedOptions parseOptions(int argc, char** argv);

const char* usageText();

}  // namespace utap::driver
