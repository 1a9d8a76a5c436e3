// The guest runner against the installed Debian kernels: every test that
// boots runs on the newest build of each installed kernel series
// (test::testKernels(): 6.1 and 6.12 in CI), and fails under CI=true when
// that kernel, its headers or qemu are missing (elsewhere it skips). Each
// boot costs a few seconds under TCG, so a test boots once with many jobs and
// checks them all; gtest_discover_tests runs every TEST in its own process.
#include "vm/guest.h"

#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "../kbuild/test_kernels.h"
#include "kbuild/features.h"
#include "vm/kernels.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;
using kbuild::test::TestKernel;

bool haveQemu() { return std::system("command -v qemu-system-x86_64 >/dev/null 2>&1") == 0; }

// A test on one installed kernel (the parameter): the kernel to boot, with
// its headers, and qemu, or the test cannot run.
class OnEachKernel : public ::testing::TestWithParam<TestKernel> {
 protected:
  void SetUp() override {
    if (!haveQemu()) UTAP_CANNOT_RUN("qemu-system-x86_64 is not installed: install qemu-system-x86");
    if (GetParam().release.empty()) UTAP_CANNOT_RUN(GetParam().problem);
  }
  const GuestKernel& kernel() const { return GetParam().guest; }
  const std::string& release() const { return GetParam().release; }
};

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
// would count none. It registers with whichever uprobes API the kernel has,
// as the feature probes (compiler/kbuild/features.cpp) answer.
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
#include "utap_compat_autoconf.h"
static atomic_t hits = ATOMIC_INIT(0);
static struct inode *inode;
#ifdef UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE
static struct uprobe *uprobe;
#endif
static int hit(struct uprobe_consumer *self, struct pt_regs *regs) { atomic_inc(&hits); return 0; }
static struct uprobe_consumer consumer = { .handler = hit };
static int __init utap_upcount_init(void) {
  struct path path;
  /* insmod runs outside the jobs' chroot, where the host's root is /host. */
  int err = kern_path("/host/usr/bin/true", LOOKUP_FOLLOW, &path);
  if (err) return err;
  inode = igrab(d_inode(path.dentry));
  path_put(&path);
#ifdef UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE
  uprobe = uprobe_register(inode, ENTRY_OFFSET, 0, &consumer);
  err = IS_ERR(uprobe) ? PTR_ERR(uprobe) : 0;
#else
  err = uprobe_register_refctr(inode, ENTRY_OFFSET, 0, &consumer);
#endif
  if (err) iput(inode);
  return err;
}
static void __exit utap_upcount_exit(void) {
#ifdef UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE
  uprobe_unregister_nosync(uprobe, &consumer);
  uprobe_unregister_sync();
#else
  uprobe_unregister(inode, ENTRY_OFFSET, &consumer);
#endif
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

// Builds the modules above with kbuild against `kernel`'s headers in `dir`,
// with the kernel's feature header (utap_compat_autoconf.h) on the include
// path. Returns "" or why it could not.
std::string buildModules(const TestKernel& kernel, const std::string& dir) {
  std::string why;
  std::optional<kbuild::KernelTree> tree = kbuild::test::kernelTreeOf(kernel, why);
  if (!tree) return why;
  kbuild::BuildOptions options;
  options.cacheDir = dir + "/cache";
  kbuild::KernelFeatures features = kbuild::probeKernelFeatures(*tree, options);
  if (!features.ok()) return "feature probes failed: " + features.error;
  long entry = entryOffset("/usr/bin/true");
  if (entry < 0) return "cannot find /usr/bin/true's entry point";
  std::ofstream(dir + "/Kbuild") << "obj-m := utap_hello.o utap_upcount.o utap_warn.o\n"
                                 << "ccflags-y := -DENTRY_OFFSET=" << entry << " -I" << features.includeDir << "\n";
  for (const auto& [name, text] : kModuleSources) std::ofstream(dir + "/" + name) << text;
  std::string make = "make -s -C " + tree->buildDir + " M=" + dir + " modules >" + dir + "/make.log 2>&1";
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
  if (!newest) UTAP_CANNOT_RUN(error);
  EXPECT_EQ(newest->vmlinuz, "/boot/vmlinuz-" + newest->release);
  EXPECT_EQ(newest->modulesDir, "/lib/modules/" + newest->release);
  EXPECT_TRUE(newest->release.ends_with("-amd64"));
  EXPECT_FALSE(newest->release.ends_with("-cloud-amd64"));
  // The newest series' build: 6.12 sorts after 6.1 as a version, not as a string.
  const std::vector<TestKernel>& kernels = kbuild::test::testKernels();
  if (!kernels.empty() && !kernels.back().release.empty() && !std::getenv("UTAP_KERNEL_ROOT")) {
    EXPECT_EQ(newest->release, kernels.back().release);
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

using GuestTest = OnEachKernel;

TEST_P(GuestTest, RunsABatch) {
  std::string scratch = fs::temp_directory_path().string() + "/utap-vm-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(scratch.data()));
  std::string built = buildModules(GetParam(), scratch);
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
      {.command = "uname -r"},
      // A module that cannot be inserted skips its job only.
      {.command = "echo never", .modules = {"/nonexistent/nothing.ko"}},
      {.command = "echo after"},
  };
  GuestResult result = runInGuest(kernel(), batch);
  fs::remove_all(scratch);
  std::cout << "boot to results: " << result.elapsed.count() << " ms under " << result.accelerator << "\n";

  ASSERT_TRUE(result.completed) << result.error << "\nconsole:\n" << result.consoleLog;
  ASSERT_EQ(result.jobs.size(), batch.jobs.size());
  const std::vector<GuestJobResult>& jobs = result.jobs;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (i != 9) {
      EXPECT_TRUE(jobs[i].ran) << jobSummary(jobs[i]);
    }
  }

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
  EXPECT_EQ(jobs[8].out, release() + "\n") << jobSummary(jobs[8]);

  EXPECT_FALSE(jobs[9].ran);
  EXPECT_NE(jobs[9].setupError.find("cannot copy module /nonexistent/nothing.ko"), std::string::npos)
      << jobs[9].setupError;
  EXPECT_EQ(jobs[10].out, "after\n");

  EXPECT_NE(result.kernelLog.find("Linux version " + release() + " "), std::string::npos);
  EXPECT_TRUE(result.kernelHealthy) << ::testing::PrintToString(result.kernelProblems);
}

TEST_P(GuestTest, KernelWarningMakesTheKernelUnhealthy) {
  std::string scratch = fs::temp_directory_path().string() + "/utap-vm-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(scratch.data()));
  std::string built = buildModules(GetParam(), scratch);
  ASSERT_EQ(built, "");
  GuestBatch batch;
  batch.jobs = {{.command = "echo loaded", .modules = {scratch + "/utap_warn.ko"}}, {.command = "echo after"}};
  GuestResult result = runInGuest(kernel(), batch);
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

TEST_P(GuestTest, HungGuestIsKilledAtTheBootTimeout) {
  GuestBatch batch;
  batch.jobs = {{.command = "sleep 600", .timeLimit = 600s}};
  batch.timeout = 20s;
  auto start = std::chrono::steady_clock::now();
  GuestResult result = runInGuest(kernel(), batch);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(result.completed);
  EXPECT_NE(result.error.find("did not finish"), std::string::npos) << result.error;
  EXPECT_LT(took, 40s);
}

std::string makeScratch() {
  std::string scratch = fs::temp_directory_path().string() + "/utap-vm-test-XXXXXX";
  return mkdtemp(scratch.data()) ? scratch : "";
}

using GuestStreamTest = OnEachKernel;

TEST_P(GuestStreamTest, StreamsOutputAsWrittenAndStopsOnRequest) {
  std::string scratch = makeScratch();
  ASSERT_NE(scratch, "");
  // 1 MiB of every byte value, more than the ports queue: the guest must
  // wait for the host to read.
  std::string big;
  for (int i = 0; i < (1 << 20); ++i) big += static_cast<char>((i * 7 + i / 251) & 0xff);
  std::ofstream(scratch + "/big", std::ios::binary) << big;

  GuestControl control;
  GuestBatch batch;
  batch.jobs = {
      {.command = "printf 'a\\000b\\n'; cat " + scratch + "/big; printf 'to stderr\\n' >&2"},
      {.command = "for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 7"},
      // Ends only when interrupted, so it ends at all only if the host saw
      // "first" while it ran and asked it to stop.
      {.command = "trap 'echo stopped; exit 3' INT; echo first; while :; do sleep 0.1; done", .timeLimit = 300s},
      {.command = "echo never"},
  };
  batch.control = &control;
  std::map<size_t, std::string> out, err;
  bool asked = false;
  batch.onOutput = [&](size_t job, GuestStream stream, std::string_view data) {
    (stream == GuestStream::kStdout ? out : err)[job] += data;
    if (job == 2 && !asked && out[2].find("first\n") != std::string::npos) {
      asked = true;
      control.requestStop(SIGINT);
    }
  };
  GuestResult result = runInGuest(kernel(), batch);
  fs::remove_all(scratch);
  std::cout << "boot to results: " << result.elapsed.count() << " ms under " << result.accelerator << "\n";

  ASSERT_TRUE(result.completed) << result.error << "\nconsole:\n" << result.consoleLog;
  ASSERT_EQ(result.jobs.size(), 4u);
  const std::vector<GuestJobResult>& jobs = result.jobs;
  EXPECT_EQ(out[0].size(), 4 + big.size());
  EXPECT_TRUE(out[0] == std::string("a\0b\n", 4) + big) << "job 0's stdout differs (binary, 1 MiB)";
  EXPECT_EQ(err[0], "to stderr\n");
  EXPECT_EQ(jobs[0].exitStatus, 0);
  EXPECT_EQ(jobs[0].out, "");  // streamed, not collected

  EXPECT_EQ(out[1], "out1\nout2\nout3\n");
  EXPECT_EQ(err[1], "err1\nerr2\nerr3\n");
  EXPECT_EQ(jobs[1].exitStatus, 7);
  EXPECT_FALSE(jobs[1].stopped);

  EXPECT_TRUE(asked);
  EXPECT_EQ(out[2], "first\nstopped\n");
  EXPECT_EQ(jobs[2].exitStatus, 3) << jobSummary(jobs[2]);
  EXPECT_TRUE(jobs[2].stopped);
  EXPECT_FALSE(jobs[2].timedOut);

  EXPECT_FALSE(jobs[3].ran);  // none starts after a stop request
  EXPECT_NE(jobs[3].setupError.find("not started"), std::string::npos) << jobs[3].setupError;
  EXPECT_EQ(out.count(3), 0u);
  EXPECT_TRUE(result.kernelHealthy) << ::testing::PrintToString(result.kernelProblems);
}

TEST_P(GuestStreamTest, StopBeforeAnyJobAbandonsTheBoot) {
  GuestControl control;
  GuestBatch batch;
  batch.jobs = {{.command = "echo never"}};
  batch.control = &control;
  bool output = false;
  batch.onOutput = [&](size_t, GuestStream, std::string_view) { output = true; };
  control.requestStop(SIGINT);
  GuestResult result = runInGuest(kernel(), batch);
  EXPECT_TRUE(result.stopped) << result.error;
  EXPECT_FALSE(result.completed);
  EXPECT_FALSE(result.jobs.empty() ? false : result.jobs[0].ran);
  EXPECT_FALSE(output);
}

// A command run with its stdout and stderr read as they come: `onStdout` is
// called with all of stdout so far after each read.
struct Ran {
  int status = -1;  // wait status
  std::string out, err;
};

Ran runCommand(const std::vector<std::string>& argv,
               const std::function<void(const std::string&, pid_t)>& onStdout = {}, const std::string& dir = "") {
  Ran ran;
  int outPipe[2], errPipe[2];
  if (pipe2(outPipe, O_CLOEXEC) != 0 || pipe2(errPipe, O_CLOEXEC) != 0) return ran;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int failed = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(outPipe[1]);
  close(errPipe[1]);
  if (failed) {
    close(outPipe[0]);
    close(errPipe[0]);
    ran.err = std::string("cannot start ") + argv[0] + ": " + std::strerror(failed);
    return ran;
  }
  // Not a timing check: only keeps a broken run from hanging the suite.
  auto giveUp = std::chrono::steady_clock::now() + 15min;
  pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
  while ((fds[0].fd >= 0 || fds[1].fd >= 0) && std::chrono::steady_clock::now() < giveUp) {
    if (poll(fds, 2, 1000) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      (i == 0 ? ran.out : ran.err).append(buffer, static_cast<size_t>(n));
      if (i == 0 && onStdout) onStdout(ran.out, pid);
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (std::chrono::steady_clock::now() >= giveUp) kill(pid, SIGKILL);
  waitpid(pid, &ran.status, 0);
  return ran;
}

std::string describe(const Ran& ran) {
  return "wait status " + std::to_string(ran.status) + "\nstdout: " + ran.out + "\nstderr: " + ran.err;
}

// utap itself finds kernels at the real roots, not $UTAP_KERNEL_ROOT's.
using UtapVmTest = OnEachKernel;

TEST_P(UtapVmTest, InterruptRunsTheEndProbesInTheGuest) {
  std::string scratch = makeScratch();
  ASSERT_NE(scratch, "");
  std::string script = scratch + "/stop.stp";
  // "running" once the timer has fired: from then on n > 0.
  std::ofstream(script) << "global n\n"
                           "probe timer.ms(100) { if (n++ == 0) println(\"running\") }\n"
                           "probe end { println(\"end \", n > 0) }\n";
  Ran built = runCommand({UTAP_BINARY, "-p4", "-r", release(), script});
  ASSERT_TRUE(WIFEXITED(built.status) && WEXITSTATUS(built.status) == 0) << describe(built);
  ASSERT_TRUE(built.out.ends_with(".ko\n")) << describe(built);

  // The host utap is interrupted as a terminal's Ctrl-C would: once the
  // script runs.
  bool interrupted = false;
  Ran ran =
      runCommand({UTAP_BINARY, "--vm-kernel=" + release(), script}, [&](const std::string& out, pid_t pid) {
        if (!interrupted && out.find("running\n") != std::string::npos) {
          interrupted = true;
          kill(pid, SIGINT);
        }
      });
  fs::remove_all(scratch);
  EXPECT_TRUE(interrupted) << describe(ran);
  EXPECT_EQ(ran.out, "running\nend 1\n") << describe(ran);
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  EXPECT_EQ(ran.err, "") << describe(ran);
}

TEST_P(UtapVmTest, TargetCommandRunsHereInTheGuest) {
  std::string scratch = makeScratch();
  ASSERT_NE(scratch, "");
  setenv("UTAP_VM_TEST_VALUE", "it's a value", 1);
  // -c runs in utap's directory with utap's environment, as it would here,
  // and the script ends when it exits.
  Ran ran = runCommand(
      {UTAP_BINARY, "--vm-kernel=" + release(), "-c", "printf '<%s>\\n' \"$PWD\" \"$UTAP_VM_TEST_VALUE\"", "-e",
       "probe begin { println(\"begin\") } probe end { println(\"end\") }"},
      {}, scratch);
  unsetenv("UTAP_VM_TEST_VALUE");
  fs::remove_all(scratch);
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  // The command writes its output itself, the script's goes through
  // utaprun: each in order, not in order with each other.
  EXPECT_NE(ran.out.find("<" + scratch + ">\n<it's a value>\n"), std::string::npos) << describe(ran);
  EXPECT_NE(ran.out.find("begin\n"), std::string::npos) << describe(ran);
  EXPECT_TRUE(ran.out.ends_with("end\n")) << describe(ran);
}

TEST_P(UtapVmTest, TargetCommandReadsUtapsStdin) {
  // As here: -c's command reads what utap is given, to its end, however
  // much (more than the ports' buffers hold), and then sees end of file.
  std::string utap = std::string(UTAP_BINARY) + " --vm-kernel=" + release();
  Ran ran = runCommand({"/bin/sh", "-c",
                        "{ printf 'one\\ntwo\\n'; head -c 3000000 /dev/zero; } | " + utap +
                            " -c 'read a; read b; echo $a $b; wc -c' -e 'probe end { println(\"end\") }'"});
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  EXPECT_EQ(ran.out, "one two\n3000000\nend\n") << describe(ran);
}

TEST_P(UtapVmTest, InputProbesReadUtapsStdin) {
  // input.line gets utap's stdin in the guest, every line of it (more than
  // the ports' buffers hold). (That -c's command then reads /dev/null is
  // testsuite/utap.procfs/input_command.stp: the script waits for its word
  // there, where here it could end before the command ran.)
  std::string utap = std::string(UTAP_BINARY) + " --vm-kernel=" + release();
  Ran ran = runCommand(
      {"/bin/sh", "-c",
       "seq 20000 | " + utap +
           " -e 'global n, sum probe input.line { n++; sum += strtol(line, 10); "
           "if (line == \"20000\\n\") exit() } probe end { printf(\"%d lines, sum %d\\n\", n, sum) }'"});
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  EXPECT_EQ(ran.out, "20000 lines, sum 200010000\n") << describe(ran);
}

TEST_P(UtapVmTest, ADaemonTheCommandLeavesDoesNotKeepTheRunOpen) {
  // Both keep the command's stdout; the second is in a session of its own,
  // out of reach of the clean-up of the command's process group. They sleep
  // longer than runCommand waits, so a run they keep open fails.
  Ran ran = runCommand({UTAP_BINARY, "--vm-kernel=" + release(), "-c",
                        "sleep 100000 & setsid sleep 100000 & echo started", "-e", "probe end { println(\"end\") }"});
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  EXPECT_EQ(ran.out, "started\nend\n") << describe(ran);
}

TEST_P(UtapVmTest, TargetPidIsPassedToTheGuest) {
  // -x names a process of the guest, which utaprun checks there: its init.
  Ran ran = runCommand({UTAP_BINARY, "--vm-kernel=" + release(), "-x", "1", "-e",
                        "probe begin { println(target()); exit() }"});
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  EXPECT_EQ(ran.out, "1\n") << describe(ran);
}

using UtapGuestTest = OnEachKernel;

TEST_P(UtapGuestTest, CommandWordsKeepTheirQuoting) {
  Ran ran = runCommand(
      {UTAP_GUEST_BINARY, "--kernel", release(), "--", "printf", "%s|", "a b", "it's", "$HOME", "", "*", "x;y"});
  EXPECT_EQ(ran.out, "a b|it's|$HOME||*|x;y|") << describe(ran);
  EXPECT_TRUE(WIFEXITED(ran.status) && WEXITSTATUS(ran.status) == 0) << describe(ran);
  EXPECT_NE(ran.err.find("utap-guest: exit status 0"), std::string::npos) << describe(ran);
}

INSTANTIATE_TEST_SUITE_P(Installed, GuestTest, ::testing::ValuesIn(kbuild::test::testKernels()),
                         kbuild::test::kernelParamName);
INSTANTIATE_TEST_SUITE_P(Installed, GuestStreamTest, ::testing::ValuesIn(kbuild::test::testKernels()),
                         kbuild::test::kernelParamName);
INSTANTIATE_TEST_SUITE_P(Installed, UtapVmTest, ::testing::ValuesIn(kbuild::test::testKernels()),
                         kbuild::test::kernelParamName);
INSTANTIATE_TEST_SUITE_P(Installed, UtapGuestTest, ::testing::ValuesIn(kbuild::test::testKernels()),
                         kbuild::test::kernelParamName);
// With no kernel installed there is nothing to instantiate;
// TestKernels.SetupInstalledTwoSeries (tests/kbuild) says so.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GuestTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GuestStreamTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UtapVmTest);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UtapGuestTest);

}  // namespace
}  // namespace utap::vm
