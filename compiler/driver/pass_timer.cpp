#include "driver/pass_timer.h"

#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

namespace utap::driver {

namespace {

long milliseconds(const timeval& tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; }

// /proc/self/statm's size, resident, shared and data, in kB.
std::string memoryInUse() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0, shared = 0, text = 0, lib = 0, data = 0;
  if (!(statm >> size >> resident >> shared >> text >> lib >> data)) return "";
  long kb = sysconf(_SC_PAGESIZE) / 1024;
  return fmt::format("using {}virt/{}res/{}shr/{}data kb, ", size * kb, resident * kb, shared * kb, data * kb);
}

}  // namespace

void PassTimer::restart() {
  start_ = std::chrono::steady_clock::now();
  getrusage(RUSAGE_SELF, &self_);
  getrusage(RUSAGE_CHILDREN, &children_);
}

std::string PassTimer::lap(bool children) {
  rusage self {}, kids {};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  const rusage& now = children ? kids : self;
  const rusage& then = children ? children_ : self_;
  auto real = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
  std::string text = fmt::format("{}in {}usr/{}sys/{}real ms", children ? "" : memoryInUse(),
                                 milliseconds(now.ru_utime) - milliseconds(then.ru_utime),
                                 milliseconds(now.ru_stime) - milliseconds(then.ru_stime), real.count());
  restart();
  return text;
}

}  // namespace utap::driver
