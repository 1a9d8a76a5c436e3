// One kbuild run for an external module directory.
#pragma once

#include <string>
#include <vector>

#include "kbuild/kbuild.h"

namespace utap::kbuild {

struct MakeOutcome {
  bool ok = false;
  std::string log;    // make's stdout and stderr, also written to DIR/make.log
  std::string error;  // set when make could not run at all
};

// make -C BUILD M=DIR -jN TARGETS, with V=1 and echoing when verbose, and -k
// when `keepGoing` (feature probes: every snippet is tried).
MakeOutcome runKbuild(const KernelTree& kernel, const std::string& dir, const std::vector<std::string>& targets,
                      const BuildOptions& options, bool keepGoing = false);

// Keeps a failed build's log as CACHE/logs/NAME.log, since the build
// directory goes away; returns its path ("" if it could not be written).
std::string saveFailureLog(const std::string& cacheDir, const std::string& name, const std::string& log);
// The sentence that ends a build error: where the full log is.
std::string fullLogSentence(const std::string& logPath);

}  // namespace utap::kbuild
