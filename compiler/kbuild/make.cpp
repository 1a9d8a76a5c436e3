#include "kbuild/make.h"

#include "kbuild/files.h"
#include "kbuild/process.h"

namespace utap::kbuild {

MakeOutcome runKbuild(const KernelTree& kernel, const std::string& dir, const std::vector<std::string>& targets,
                      const BuildOptions& options, bool keepGoing) {
  int jobs = options.jobs > 0 ? options.jobs : onlineCpus();
  std::vector<std::string> argv = {"make", "-C", kernel.buildDir, "M=" + dir, "-j" + std::to_string(jobs)};
  if (keepGoing) argv.push_back("-k");
  if (options.verbose) argv.push_back("V=1");
  // Module BTF only serves BPF programs, and making it needs a pahole that
  // matches the kernel (Debian's headers do not pull one in: without it a 6.12
  // build fails in the BTF step). Modules load the same without it.
  argv.push_back("CONFIG_DEBUG_INFO_BTF_MODULES=");
  argv.insert(argv.end(), targets.begin(), targets.end());

  MakeOutcome outcome;
  std::FILE* echo = options.verbose ? options.verboseOut : nullptr;
  if (echo) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    std::fprintf(echo, "%s\n", line.c_str());
  }
  ProcessResult run = runProcess(argv, outcome.log, echo);
  std::string ignored;
  writeFile(dir + "/make.log", outcome.log, ignored);
  if (!run.started) {
    outcome.error = run.error + " (install make)";
    return outcome;
  }
  outcome.ok = run.exitStatus == 0;
  return outcome;
}

std::string saveFailureLog(const std::string& cacheDir, const std::string& name, const std::string& log) {
  std::string path = cacheDir + "/logs/" + name + ".log";
  std::string ignored;
  return writeFileAtomically(path, log, ignored) ? path : "";
}

std::string fullLogSentence(const std::string& logPath) {
  return logPath.empty() ? "The full log could not be saved." : "The full log is " + logPath + ".";
}

}  // namespace utap::kbuild
