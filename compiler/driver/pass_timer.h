#pragma once
// What each pass cost, for -v, in stap's words: "using
// 107472virt/97076res/7280shr/89720data kb, in 130usr/50sys/580real ms".

#include <sys/resource.h>

#include <chrono>
#include <string>

namespace utap::driver {

class PassTimer {
 public:
  PassTimer() { restart(); }
  // The memory in use now and the time since the last restart() (this
  // process's CPU time, or with `children` that of the processes it waited
  // for, as kbuild's), as "using ... kb, in ...usr/...sys/...real ms"
  // (without the memory for children); then restarts.
  std::string lap(bool children = false);
  void restart();

 private:
  std::chrono::steady_clock::time_point start_;
  rusage self_{}, children_{};
};

}  // namespace utap::driver
