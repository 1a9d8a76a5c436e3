// The guest runner against the installed Debian kernels. Each boot costs a
// few seconds under TCG, so a test boots once with many jobs and checks them
// all; gtest_discover_tests runs every TEST in its own process.
#include "vm/guest.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

constexpr const char* k61 = "6.1.0-56-amd64";
constexpr const char* k612 = "6.12.117+deb12-amd64";

bool haveQemu() { return std::system("command -v qemu-system-x86_64 >/dev/null 2>&1") == 0; }

// The kernel, or the reason to skip in `*why`.
std::optional<GuestKernel> kernelOrSkip(const std::string& release, std::string* why) {
  if (!haveQemu()) {
    *why = "qemu-system-x86_64 is not installed";
    return std::nullopt;
  }
  return findGuestKernel(release, why);
}

// The file offset of an ELF executable's entry point, or -1.
long entryOffset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string elf((std::istreambuf_iterator<char>(in)), {});
  if (elf.size() < sizeof(Elf64_Ehdr)) return -1;
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, elf.data(), sizeof ehdr);
  for (int i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr;
    if (ehdr.e_phoff + (i + 1) * sizeof phdr > elf.size()) break;
    std::memcpy(&phdr, elf.data() + ehdr.e_phoff + i * sizeof phdr, sizeof phdr);
    if (phdr.p_type == PT_LOAD && phdr.p_vaddr <= ehdr.e_entry && ehdr.e_entry < phdr.p_vaddr + phdr.p_filesz) {
      return static_cast<long>(ehdr.e_entry - phdr.p_vaddr + phdr.p_offset);
    }
  }
  return -1;
}

// utap_hello says hello on load and goodbye on unload; utap_warn warns. utap_upcount puts a
// uprobe on /usr/bin/true's entry the way utap's runtime does, on an inode
// held without its dentry, and reports its hits when removed: with 9p's
// default cache=none every later exec would look up a new inode and it
// would count none.
constexpr const char* kModuleSources[][2] = {{"utap_hello.c", R"(#include <linux/module.h>
static int __init utap_hello_init(void) { pr_info("utap_hello: loaded\n"); return 0; }
static void __exit utap_hello_exit(void) { pr_info("utap_hello: unloaded\n"); }
module_init(utap_hello_init);
module_exit(utap_hello_exit);
MODULE_LICENSE("GPL");
)"},
                                             {"utap_upcount.c", R"(#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/uprobes.h>
static atomic_t hits = ATOMIC_INIT(0);
static struct inode *inode;
static int hit(struct uprobe_consumer *self, struct pt_regs *regs) { atomic_inc(&hits); return 0; }
static struct uprobe_consumer consumer = { .handler = hit };
static int __init utap_upcount_init(void) {
  struct path path;
  /* insmod runs outside the jobs' chroot, where the host's root is /host. */
  int err = kern_path("/host/usr/bin/true", LOOKUP_FOLLOW, &path);
  if (err) return err;
  inode = igrab(d_inode(path.dentry));
  path_put(&path);
  err = uprobe_register(inode, ENTRY_OFFSET, &consumer);
  if (err) iput(inode);
  return err;
}
static void __exit utap_upcount_exit(void) {
  uprobe_unregister(inode, ENTRY_OFFSET, &consumer);
  iput(inode);
  pr_info("utap_upcount: %d hits\n", atomic_read(&hits));
}
module_init(utap_upcount_init);
module_exit(utap_upcount_exit);
MODULE_LICENSE("GPL");
)"},
                                             {"utap_warn.c", R"(#include <linux/module.h>
static int __init utap_warn_init(void) { WARN_ON(1); return 0; }
static void __exit utap_warn_exit(void) {}
module_init(utap_warn_init);
module_exit(utap_warn_exit);
MODULE_LICENSE("GPL");
)"}};

// Builds the modules above with kbuild against `release`'s headers in `dir`.
// Returns "" or why it could not.
std::string buildModules(const std::string& release, const std::string& dir) {
  std::string kbuild = "/lib/modules/" + release + "/build";
  if (!fs::exists(kbuild + "/Makefile")) return "no kernel headers at " + kbuild;
  long entry = entryOffset("/usr/bin/true");
  if (entry < 0) return "cannot find /usr/bin/true's entry point";
  std::ofstream(dir + "/Kbuild") << "obj-m := utap_hello.o utap_upcount.o utap_warn.o\n"
                                 << "ccflags-y := -DENTRY_OFFSET=" << entry << "\n";
  for (const auto& [name, text] : kModuleSources) std::ofstream(dir + "/" + name) << text;
  std::string make = "make -s -C " + kbuild + " M=" + dir + " modules >" + dir + "/make.log 2>&1";
  if (std::system(make.c_str()) == 0) return "";
  std::ifstream log(dir + "/make.log");
  return "kbuild failed: " + std::string(std::istreambuf_iterator<char>(log), {});
}

std::string jobSummary(const GuestJobResult& job) {
  return "status " + std::to_string(job.exitStatus) + " ran " + std::to_string(job.ran) + "\nstdout: " + job.out +
         "\nstderr: " + job.err + "\nsetup: " + job.setupError;
}

TEST(GuestKernelTest, FindsInstalledKernelsAndExplainsMissingOnes) {
  std::string error;
  std::optional<GuestKernel> newest = findGuestKernel("", &error);
  if (!newest) GTEST_SKIP() << error;
  EXPECT_EQ(newest->vmlinuz, "/boot/vmlinuz-" + newest->release);
  EXPECT_EQ(newest->modulesDir, "/lib/modules/" + newest->release);
  EXPECT_TRUE(newest->release.ends_with("-amd64"));
  EXPECT_FALSE(newest->release.ends_with("-cloud-amd64"));
  if (fs::exists(std::string("/boot/vmlinuz-") + k61) && fs::exists(std::string("/boot/vmlinuz-") + k612)) {
    EXPECT_EQ(newest->release, k612);  // 6.12 sorts after 6.1 as a version, not as a string
  }
  EXPECT_FALSE(findGuestKernel("0.0.0-no-such-amd64", &error));
  EXPECT_NE(error.find("not installed"), std::string::npos) << error;
}

TEST(GuestKernelTest, KernelProblemLines) {
  std::string log =
      "[    1.0] utap_hello: loaded\n"
      "[    2.0] WARNING: CPU: 1 PID: 42 at kernel/foo.c:12 bar+0x1/0x2\n"
      "[    2.1] DEBUG and WARNINGS are words of their own\n"
      "[    3.0] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
      "[    3.1] Call Trace:\n";
  std::vector<std::string> lines = kernelProblemLines(log);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("WARNING: CPU"), std::string::npos);
  EXPECT_NE(lines[1].find("BUG: kernel NULL"), std::string::npos);
  EXPECT_NE(lines[2].find("Call Trace"), std::string::npos);
}

TEST(GuestTest, RunsABatchOn61) {
  std::string why;
  std::optional<GuestKernel> kernel = kernelOrSkip(k61, &why);
  if (!kernel) GTEST_SKIP() << why;
  std::string scratch = fs::temp_directory_path().string() + "/utap-vm-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(scratch.data()));
  std::string built = buildModules(k61, scratch);
  ASSERT_EQ(built, "");

  GuestBatch batch;
  batch.jobs = {
      {.command = "echo hello"},
      {.command = "exit 3"},
      {.command = "echo oops >&2"},
      {.command = "python3 -c 'import sys; print(sys.version_info[0] * 7)'"},
      {.command = "echo started; sleep 30; echo not reached", .timeLimit = 2s},
      {.command = "grep utap_hello /proc/modules | cut -d' ' -f1", .modules = {scratch + "/utap_hello.ko"}},
      {.command = "echo scratch >/tmp/f && cat /tmp/f && pwd", .workingDir = "/usr"},
      {.command = "/usr/bin/true; /usr/bin/true", .modules = {scratch + "/utap_upcount.ko"}},
  };
  GuestResult result = runInGuest(*kernel, batch);
  fs::remove_all(scratch);
  std::cout << "boot to results: " << result.elapsed.count() << " ms under " << result.accelerator << "\n";

  ASSERT_TRUE(result.completed) << result.error << "\nconsole:\n" << result.consoleLog;
  ASSERT_EQ(result.jobs.size(), batch.jobs.size());
  const std::vector<GuestJobResult>& jobs = result.jobs;
  for (const GuestJobResult& job : jobs) EXPECT_TRUE(job.ran) << jobSummary(job);

  EXPECT_EQ(jobs[0].out, "hello\n");
  EXPECT_EQ(jobs[0].exitStatus, 0);
  EXPECT_EQ(jobs[1].exitStatus, 3);
  EXPECT_EQ(jobs[2].err, "oops\n");
  EXPECT_EQ(jobs[2].out, "");
  EXPECT_EQ(jobs[3].out, "21\n") << jobSummary(jobs[3]);
  EXPECT_EQ(jobs[3].exitStatus, 0);

  EXPECT_TRUE(jobs[4].timedOut) << jobSummary(jobs[4]);
  EXPECT_EQ(jobs[4].exitStatus, 128 + 9);
  EXPECT_EQ(jobs[4].out, "started\n");
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (i != 4) {
      EXPECT_FALSE(jobs[i].timedOut) << "job " << i;
    }
  }

  EXPECT_EQ(jobs[5].out, "utap_hello\n") << jobSummary(jobs[5]);
  EXPECT_EQ(jobs[5].setupError, "");
  EXPECT_NE(jobs[5].kernelLog.find("utap_hello: loaded"), std::string::npos) << jobs[5].kernelLog;
  EXPECT_NE(jobs[5].kernelLog.find("utap_hello: unloaded"), std::string::npos) << jobs[5].kernelLog;
  EXPECT_NE(result.kernelLog.find("utap_hello: unloaded"), std::string::npos);

  EXPECT_EQ(jobs[6].out, "scratch\n/usr\n") << jobSummary(jobs[6]);
  EXPECT_EQ(jobs[7].setupError, "");
  EXPECT_NE(jobs[7].kernelLog.find("utap_upcount: 2 hits"), std::string::npos) << jobs[7].kernelLog;

  EXPECT_NE(result.kernelLog.find("Linux version 6.1.0-56-amd64"), std::string::npos);
  EXPECT_TRUE(result.kernelHealthy) << ::testing::PrintToString(result.kernelProblems);
}

TEST(GuestTest, BootsOn612) {
  std::string why;
  std::optional<GuestKernel> kernel = kernelOrSkip(k612, &why);
  if (!kernel) GTEST_SKIP() << why;
  GuestBatch batch;
  batch.jobs = {{.command = "uname -r"}};
  GuestResult result = runInGuest(*kernel, batch);
  std::cout << "boot to results: " << result.elapsed.count() << " ms under " << result.accelerator << "\n";
  ASSERT_TRUE(result.completed) << result.error << "\nconsole:\n" << result.consoleLog;
  EXPECT_EQ(result.jobs[0].out, std::string(k612) + "\n") << jobSummary(result.jobs[0]);
  EXPECT_EQ(result.jobs[0].exitStatus, 0);
  EXPECT_TRUE(result.kernelHealthy) << ::testing::PrintToString(result.kernelProblems);
}

TEST(GuestTest, KernelWarningMakesTheKernelUnhealthy) {
  std::string why;
  std::optional<GuestKernel> kernel = kernelOrSkip(k61, &why);
  if (!kernel) GTEST_SKIP() << why;
  std::string scratch = fs::temp_directory_path().string() + "/utap-vm-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(scratch.data()));
  std::string built = buildModules(k61, scratch);
  ASSERT_EQ(built, "");
  GuestBatch batch;
  batch.jobs = {{.command = "echo loaded", .modules = {scratch + "/utap_warn.ko"}}, {.command = "echo after"}};
  GuestResult result = runInGuest(*kernel, batch);
  fs::remove_all(scratch);
  ASSERT_TRUE(result.completed) << result.error;
  EXPECT_EQ(result.jobs[0].out, "loaded\n");
  EXPECT_EQ(result.jobs[1].out, "after\n");
  EXPECT_FALSE(result.kernelHealthy);
  ASSERT_FALSE(result.kernelProblems.empty());
  EXPECT_NE(result.kernelProblems[0].find("WARNING: CPU:"), std::string::npos)
      << ::testing::PrintToString(result.kernelProblems);
  EXPECT_NE(result.jobs[0].kernelLog.find("utap_warn_init"), std::string::npos) << result.jobs[0].kernelLog;
}

TEST(GuestTest, MissingModuleSkipsTheJobOnly) {
  std::string why;
  std::optional<GuestKernel> kernel = kernelOrSkip(k61, &why);
  if (!kernel) GTEST_SKIP() << why;
  GuestBatch batch;
  batch.jobs = {{.command = "echo never", .modules = {"/nonexistent/nothing.ko"}}, {.command = "echo after"}};
  GuestResult result = runInGuest(*kernel, batch);
  ASSERT_TRUE(result.completed) << result.error;
  EXPECT_FALSE(result.jobs[0].ran);
  EXPECT_NE(result.jobs[0].setupError.find("cannot copy module /nonexistent/nothing.ko"), std::string::npos)
      << result.jobs[0].setupError;
  EXPECT_EQ(result.jobs[1].out, "after\n");
}

TEST(GuestTest, HungGuestIsKilledAtTheBootTimeout) {
  std::string why;
  std::optional<GuestKernel> kernel = kernelOrSkip(k61, &why);
  if (!kernel) GTEST_SKIP() << why;
  GuestBatch batch;
  batch.jobs = {{.command = "sleep 600", .timeLimit = 600s}};
  batch.timeout = 20s;
  auto start = std::chrono::steady_clock::now();
  GuestResult result = runInGuest(*kernel, batch);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(result.completed);
  EXPECT_NE(result.error.find("did not finish"), std::string::npos) << result.error;
  EXPECT_LT(took, 40s);
}

// Not a check: prints boot-to-results times for the report in DESIGN.md.
// Run with --gtest_also_run_disabled_tests --gtest_filter='*BootTimes*'.
TEST(GuestTest, DISABLED_BootTimes) {
  for (const char* release : {k61, k612}) {
    std::string why;
    std::optional<GuestKernel> kernel = kernelOrSkip(release, &why);
    if (!kernel) continue;
    GuestBatch batch;
    for (int i = 0; i < 5; ++i) batch.jobs.push_back({.command = "echo " + std::to_string(i)});
    std::vector<double> qemu, total;
    for (int run = 0; run < 3; ++run) {
      auto start = std::chrono::steady_clock::now();
      GuestResult result = runInGuest(*kernel, batch);
      ASSERT_TRUE(result.completed) << result.error;
      total.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      qemu.push_back(result.elapsed.count() / 1000.0);
    }
    std::sort(qemu.begin(), qemu.end());
    std::sort(total.begin(), total.end());
    std::cout << release << ": 5 jobs, median of 3: qemu " << qemu[1] << " s, runInGuest " << total[1] << " s (qemu "
              << ::testing::PrintToString(qemu) << ")\n";
  }
}

}  // namespace
}  // namespace utap::vm
