// Choosing between KVM and TCG (software emulation) for a guest.
//
// /dev/kvm can exist and answer ioctls while a real boot under it hangs: on
// this project's build machines (nested virtualization) qemu -enable-kvm
// stops right after the kernel's decompressor, with no output. So KVM is
// trusted only once a KVM boot of this host (per /proc boot_id) has reached
// /init; until then a KVM boot is a probe with a short liveness deadline, and
// TCG takes over when the probe fails. The verdict is cached.
#pragma once

#include <string>
#include <vector>

namespace utap::vm {

struct AccelChoice {
  bool kvm = false;
  // KVM not yet proven on this host boot: give up on it when the guest shows
  // no sign of life within kKvmLivenessSeconds, and record the verdict.
  bool probing = false;
};

inline constexpr int kKvmLivenessSeconds = 10;

// UTAP_VM_ACCEL=kvm or =tcg decides; otherwise KVM when /dev/kvm opens and
// it is not known to be broken on this host boot.
AccelChoice chooseAccelerator();
void recordKvmVerdict(bool works);
// qemu's options for the choice.
std::vector<std::string> acceleratorArgs(bool kvm);

}  // namespace utap::vm
