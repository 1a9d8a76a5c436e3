#include "test_kernels.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "vm/kernels.h"

namespace utap::kbuild::test {

namespace fs = std::filesystem;

const std::vector<TestKernel>& testKernels() {
  static const std::vector<TestKernel> kernels = [] {
    std::vector<TestKernel> out;
    for (const vm::KernelSeriesChoice& c : vm::newestOfEachSeries(vm::installedKernels(vm::kernelRootsFromEnvironment()))) {
      TestKernel k{c.series, "", c.problem, {}, "", c.passedOver};
      if (c.kernel) {
        k.release = c.kernel->release;
        k.guest = {c.kernel->release, c.kernel->vmlinuz, c.kernel->modulesDir};
        k.buildDir = c.kernel->buildDir;
      }
      out.push_back(k);
    }
    return out;
  }();
  return kernels;
}

void PrintTo(const TestKernel& kernel, std::ostream* os) {
  *os << (kernel.release.empty() ? kernel.series + " (" + kernel.problem + ")" : kernel.release);
}

std::optional<TestKernel> testKernelOfSeries(const std::string& series, std::string& why) {
  for (const TestKernel& k : testKernels()) {
    if (k.series != series) continue;
    if (k.release.empty()) {
      why = k.problem;
      return std::nullopt;
    }
    return k;
  }
  why = "no kernel of the " + series + " series is installed (scripts/setup installs Debian 12's 6.1 and 6.12)";
  return std::nullopt;
}

std::string kernelParamName(const ::testing::TestParamInfo<TestKernel>& info) {
  std::string name = "linux_" + info.param.series;
  for (char& c : name)
    if (c == '.') c = '_';
  return name;
}

std::optional<KernelTree> kernelTreeOf(const TestKernel& kernel, std::string& why) {
  if (kernel.release.empty()) {
    why = kernel.problem;
    return std::nullopt;
  }
  // By path, so that a made-up $UTAP_KERNEL_ROOT is honoured too.
  return findKernelTree(kernel.buildDir, why);
}

bool underCi() {
  const char* ci = std::getenv("CI");
  std::string value = ci ? ci : "";
  return !value.empty() && value != "false" && value != "0";
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "utap-kbuild-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& relative, const std::string& content) const {
  fs::path p = fs::path(path_) / relative;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << content;
}

ModuleSources trivialModule(const TempDir& dir, const std::string& name) {
  dir.write("include/trivial_helper.h", "int trivial_add(int a, int b);\n");
  dir.write("runtime/helper.c",
            "#include <linux/kernel.h>\n"
            "#include \"trivial_helper.h\"\n"
            "int trivial_add(int a, int b) { return a + b; }\n");
  ModuleSources s;
  s.name = name;
  s.files = {{"gen.c",
              "#include <linux/module.h>\n"
              "#include <linux/kernel.h>\n"
              "#include \"trivial_helper.h\"\n"
              "static int __init trivial_init(void) { pr_info(\"trivial: %d\\n\", trivial_add(2, 3)); return 0; }\n"
              "static void __exit trivial_exit(void) { pr_info(\"trivial: bye\\n\"); }\n"
              "module_init(trivial_init);\n"
              "module_exit(trivial_exit);\n"
              "MODULE_LICENSE(\"GPL\");\n"
              "MODULE_DESCRIPTION(\"utap kbuild test\");\n"}};
  s.runtimeRoot = dir.path() + "/runtime";
  s.runtimeObjects = {"helper.c"};
  s.includeDirs = {dir.path() + "/include"};
  s.defines = {{"MAXSTRINGLEN", "256"}};
  return s;
}

void addHeavyRuntime(const TempDir& dir, ModuleSources& s) {
  for (int i = 1; i <= 6; ++i) {
    std::string n = std::to_string(i);
    dir.write("runtime/heavy" + n + ".c",
              "#include <linux/module.h>\n#include <linux/uprobes.h>\n#include <linux/sched.h>\n"
              "#include <linux/fs.h>\n#include <linux/slab.h>\n#include <linux/percpu.h>\n"
              "#include <linux/tracepoint.h>\n#include <linux/uaccess.h>\n#include <linux/task_work.h>\n"
              "#include <linux/miscdevice.h>\n#include <linux/poll.h>\n#include <linux/mm.h>\n"
              "int heavy" +
                  n + "(int a);\nint heavy" + n + "(int a) { return a * " + n +
                  " + (int)sizeof(struct task_struct); }\n");
    s.runtimeObjects.push_back("heavy" + n + ".c");
  }
}

std::string modinfo(const std::string& ko, const std::string& field) {
  std::string tool = "modinfo";
  for (const char* p : {"/usr/sbin/modinfo", "/sbin/modinfo"})
    if (fs::exists(p)) tool = p;
  std::string cmd = tool + " -F " + field + " '" + ko + "' 2>/dev/null";
  std::FILE* f = popen(cmd.c_str(), "r");
  if (!f) return "";
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  pclose(f);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace utap::kbuild::test
