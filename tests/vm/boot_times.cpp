// Guest boot times, printed for the report in DESIGN.md; not a test. Boots
// the newest build of each installed kernel series three times with five
// trivial jobs and prints the medians.
//
//   utap_vm_bench
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "../kbuild/test_kernels.h"
#include "vm/guest.h"

int main() {
  using namespace utap::vm;
  for (const utap::kbuild::test::TestKernel& kernel : utap::kbuild::test::testKernels()) {
    if (kernel.release.empty()) {
      std::printf("series %s: skipped: %s\n", kernel.series.c_str(), kernel.problem.c_str());
      continue;
    }
    GuestBatch batch;
    for (int i = 0; i < 5; ++i) batch.jobs.push_back({.command = "echo " + std::to_string(i)});
    std::vector<double> qemu, total;
    for (int run = 0; run < 3; ++run) {
      auto start = std::chrono::steady_clock::now();
      GuestResult result = runInGuest(kernel.guest, batch);
      if (!result.completed) {
        std::printf("%s: the guest failed: %s\n", kernel.release.c_str(), result.error.c_str());
        return 1;
      }
      total.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      qemu.push_back(result.elapsed.count() / 1000.0);
    }
    std::sort(qemu.begin(), qemu.end());
    std::sort(total.begin(), total.end());
    std::printf("%s: 5 jobs, median of 3: qemu %.2f s, runInGuest %.2f s (qemu %.2f .. %.2f s)\n",
                kernel.release.c_str(), qemu[1], total[1], qemu[0], qemu[2]);
  }
  return 0;
}
