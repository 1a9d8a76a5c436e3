// Pass 4 timings, each against a peer in the same run (the machine is shared
// and noisy): a plain `make M=DIR modules` of the same sources. Prints medians
// of N rounds; never fails.
//
//   utap_kbuild_bench [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kbuild/kbuild.h"
#include "kbuild/process.h"
#include "test_kernels.h"

namespace utap::kbuild {
namespace {

using Clock = std::chrono::steady_clock;
using test::secondsSince;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The peer: every source in one directory, one make, no cache.
double plainMake(const KernelTree& kernel, const ModuleSources& s) {
  test::TempDir dir;
  std::string objects;
  for (const auto& [path, content] : s.files) {
    dir.write(path, content);
    objects += " " + path.substr(0, path.size() - 2) + ".o";
  }
  for (const std::string& rt : s.runtimeObjects) {
    std::string content, ignored;
    std::FILE* f = std::fopen((s.runtimeRoot + "/" + rt).c_str(), "r");
    char buf[4096];
    for (size_t n; f && (n = std::fread(buf, 1, sizeof buf, f)) > 0;) content.append(buf, n);
    if (f) std::fclose(f);
    dir.write("runtime/" + rt, content);
    objects += " runtime/" + rt.substr(0, rt.size() - 2) + ".o";
  }
  dir.write("Kbuild",
            "obj-m := " + s.name + ".o\n" + s.name + "-y :=" + objects + "\nccflags-y := -I" + s.includeDirs[0] + "\n");
  std::string out;
  auto start = Clock::now();
  runProcess({"make", "-C", kernel.buildDir, "M=" + dir.path(), "-j" + std::to_string(onlineCpus()),
              "CONFIG_DEBUG_INFO_BTF_MODULES=", "modules"},
             out);
  return secondsSince(start);
}

double timed(const KernelTree& k, const ModuleSources& s, const BuildOptions& o, bool& ok) {
  auto start = Clock::now();
  BuildResult r = buildModule(k, s, o);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error.c_str());
    ok = false;
  }
  return secondsSince(start);
}

void benchKernel(const KernelTree& k, int rounds) {
  std::vector<double> peer, cold, cached, reused, heavyPeer, heavyCold, heavyReused;
  bool ok = true;
  for (int round = 0; round < rounds && ok; ++round) {
    test::TempDir dir;
    BuildOptions o;
    o.cacheDir = dir.path() + "/cache";
    ModuleSources s = test::trivialModule(dir, "utap_bench");
    peer.push_back(plainMake(k, s));
    cold.push_back(timed(k, s, o, ok));
    cached.push_back(timed(k, s, o, ok));
    s.files[0].second += "/* changed */\n";
    reused.push_back(timed(k, s, o, ok));

    ModuleSources h = s;
    h.name = "utap_bench_heavy";
    test::addHeavyRuntime(dir, h);
    heavyPeer.push_back(plainMake(k, h));
    heavyCold.push_back(timed(k, h, o, ok));
    h.files[0].second += "/* changed again */\n";
    heavyReused.push_back(timed(k, h, o, ok));
  }
  double p = median(peer), hp = median(heavyPeer);
  std::printf("%s, median of %d rounds (peer: one plain make of the same sources)\n", k.release.c_str(), rounds);
  std::printf("  trivial module (gen.c + 1 runtime file): peer %.2f s\n", p);
  std::printf("    utap cold %.2f s (%.2fx peer), cached %.3f s, runtime reused %.2f s (%.2fx peer)\n", median(cold),
              median(cold) / p, median(cached), median(reused), median(reused) / p);
  std::printf("  module + 7 runtime files (6 with heavy headers): peer %.2f s\n", hp);
  std::printf("    utap cold %.2f s (%.2fx peer), runtime reused %.2f s (%.2fx peer): reuse saves %.2f s a build\n",
              median(heavyCold), median(heavyCold) / hp, median(heavyReused), median(heavyReused) / hp,
              hp - median(heavyReused));
}

}  // namespace
}  // namespace utap::kbuild

int main(int argc, char** argv) {
  using namespace utap::kbuild;
  int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  for (const test::TestKernel& kernel : test::testKernels()) {
    std::string error;
    std::optional<KernelTree> k = test::kernelTreeOf(kernel, error);
    if (!k) {
      std::printf("series %s: skipped: %s\n", kernel.series.c_str(), error.c_str());
      continue;
    }
    benchKernel(*k, rounds);
  }
  return 0;
}
