// What qemu boots a guest from, made at run time from the installed packages
// and cached per kernel release under cacheRoot()/<release>/.
#pragma once

#include <optional>
#include <string>

#include "vm/guest.h"

namespace utap::vm {

// The initramfs (uncompressed cpio: under TCG the guest would take longer to
// gunzip it than the kernel takes to copy it) with busybox-static, the 9p and
// virtio modules, decompressed, in dependency order (and virtio_console,
// which /init loads only to stream), and /init. Rebuilt when
// busybox, the kernel or its modules change (their sizes and mtimes are the
// cache key), or when /init does. Returns its path, or std::nullopt with
// `*error` set.
std::optional<std::string> prepareInitramfs(const GuestKernel& kernel, std::string* error);

// The uncompressed vmlinux extracted from the bzImage, which qemu boots
// through the PVH entry point: under TCG that saves the ~2 s the guest takes
// to decompress itself. std::nullopt (boot the bzImage instead) when the
// kernel lacks CONFIG_PVH or its payload cannot be extracted.
std::optional<std::string> prepareVmlinux(const GuestKernel& kernel);

// cacheRoot()/<release>, created on demand.
std::string kernelCacheDir(const GuestKernel& kernel);

}  // namespace utap::vm
