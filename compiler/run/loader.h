// Pass 5 on this machine: insert a module, stream its records to the
// terminal (or -o), stop it on exit(), Ctrl-C, SIGTERM or -T, and remove it.
#pragma once

#include <string>

#include "run/output_files.h"

namespace utap::run {

struct LoadOptions {
  std::string modulePath;  // the .ko
  std::string moduleName;  // its name (the control file is /proc/NAME)
  std::string outputFile;  // -o; empty: standard output
  OutputLimits limits;     // -S
  // --vm's guest: output and switch_file() as frames on standard output
  // (output_files.h), for the host's utap to write.
  bool framedOutput = false;
  int timeoutSeconds = 0;  // -T; 0: none
  long targetPid = 0;      // -x; 0: none
  int verbose = 0;         // -v: the module reports its probes' counts at the end
  // -c: run by /bin/sh after the begin probes; the script ends when it exits.
  std::string command;
};

// Returns the exit status stap would: 0, or 1 after errors (script errors,
// or a module that could not be loaded, with a message on stderr saying
// why and what to do).
int loadAndRun(const LoadOptions& options);

// Why the running kernel cannot load any module, as a sentence that says
// what to do (built without CONFIG_MODULES: no /proc/modules; or
// /proc/sys/kernel/modules_disabled is 1); empty when it can. `procRoot`
// is "/proc" except in tests.
std::string moduleLoadingUnavailable(const std::string& procRoot = "/proc");

}  // namespace utap::run
