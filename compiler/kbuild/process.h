// Running make and the compiler as child processes.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace utap::kbuild {

struct ProcessResult {
  bool started = false;  // false: `error` says why it could not run
  int exitStatus = -1;   // 128 + N when killed by signal N
  std::string error;
};

// Runs argv[0] (looked up in PATH) with stdout and stderr both collected into
// `output` and, when `echo` is set, copied there as they come. The child gets
// LC_ALL=C, so that compiler messages read the same everywhere, and none of
// the variables a parent make exports (MAKEFLAGS...), which would steer kbuild.
ProcessResult runProcess(const std::vector<std::string>& argv, std::string& output, std::FILE* echo = nullptr);

// The number of online CPUs, at least 1.
int onlineCpus();

}  // namespace utap::kbuild
