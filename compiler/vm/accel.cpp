#include "vm/accel.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

#include "vm/files.h"

namespace utap::vm {
namespace {

std::string verdictFile() { return cacheRoot() + "/kvm-verdict"; }

std::string hostBootId() {
  std::string id = readFile("/proc/sys/kernel/random/boot_id").value_or("unknown");
  while (!id.empty() && id.back() == '\n') id.pop_back();
  return id;
}

bool kvmOpens() {
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
  close(fd);
  return ok;
}

}  // namespace

AccelChoice chooseAccelerator() {
  std::string forced = std::getenv("UTAP_VM_ACCEL") ? std::getenv("UTAP_VM_ACCEL") : "";
  if (forced == "tcg") return {false, false};
  if (forced == "kvm") return {true, false};
  if (!kvmOpens()) return {false, false};
  std::string verdict = readFile(verdictFile()).value_or("");
  std::string id = hostBootId();
  if (verdict == id + " works\n") return {true, false};
  if (verdict == id + " broken\n") return {false, false};
  return {true, true};
}

void recordKvmVerdict(bool works) {
  writeFileAtomically(verdictFile(), hostBootId() + (works ? " works\n" : " broken\n"));
}

std::vector<std::string> acceleratorArgs(bool kvm) {
  if (kvm) return {"-enable-kvm", "-cpu", "host"};
  // "max" rather than the default qemu64: host binaries built for newer CPUs
  // (AVX2, which TCG emulates since qemu 7.2) still run.
  return {"-accel", "tcg", "-cpu", "max"};
}

}  // namespace utap::vm
