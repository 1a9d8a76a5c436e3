// Extracting the uncompressed kernel from a bzImage, so that qemu can boot it
// through PVH and the guest does not spend its first seconds, under TCG,
// decompressing itself.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "vm/boot_files.h"
#include "vm/files.h"
#include "vm/process.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

constexpr int kFormatVersion = 1;

uint32_t le32(const std::string& data, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, data.data() + at, 4);
  return v;  // x86 only: the boot protocol is little-endian and so is the host
}

bool hasPvh(const GuestKernel& kernel) {
  std::ifstream config("/boot/config-" + kernel.release);
  std::string line;
  while (std::getline(config, line)) {
    if (line == "CONFIG_PVH=y") return true;
  }
  return false;
}

// The decompressor for the payload's magic bytes, or nullptr.
const char* decompressorFor(const std::string& payload) {
  if (payload.starts_with("\xfd"
                          "7zXZ"))
    return "xz";
  if (payload.starts_with("\x28\xb5\x2f\xfd")) return "zstd";
  if (payload.starts_with("\x1f\x8b")) return "gzip";
  return nullptr;
}

// Boot protocol (Documentation/arch/x86/boot.rst): setup_sects at 0x1f1, the
// "HdrS" magic at 0x202, version at 0x206 (>= 2.08 for the payload fields),
// payload_offset and payload_length at 0x248, relative to the protected-mode
// code after the (setup_sects + 1) * 512 bytes of real-mode setup. The build
// appends the decompressed size as 4 bytes to the compressed stream.
bool extract(const std::string& vmlinuz, const std::string& out, const std::string& scratch) {
  std::optional<std::string> image = readFile(vmlinuz);
  if (!image || image->size() < 0x250 || image->compare(0x202, 4, "HdrS") != 0) return false;
  if ((le32(*image, 0x206) & 0xffff) < 0x208) return false;
  unsigned setupSects = static_cast<unsigned char>((*image)[0x1f1]);
  if (setupSects == 0) setupSects = 4;
  size_t start = (setupSects + 1) * 512ul + le32(*image, 0x248);
  size_t length = le32(*image, 0x24c);
  if (length < 8 || start + length > image->size()) return false;
  std::string payload = image->substr(start, length - 4);
  uint32_t expectedSize = le32(*image, start + length - 4);
  const char* tool = decompressorFor(payload);
  if (!tool) return false;
  std::string compressed = scratch + "/payload";
  if (!writeFile(compressed, payload).empty()) return false;
  if (!runProcess({{tool, "-dc"}, compressed, out, "/dev/null"}, 120s).empty()) return false;
  std::error_code ec;
  if (fs::file_size(out, ec) != expectedSize) return false;
  std::ifstream elf(out, std::ios::binary);
  char magic[4] = {};
  elf.read(magic, 4);
  return std::memcmp(magic,
                     "\x7f"
                     "ELF",
                     4) == 0;
}

}  // namespace

std::optional<std::string> prepareVmlinux(const GuestKernel& kernel) {
  if (!hasPvh(kernel)) return std::nullopt;
  std::string dir = kernelCacheDir(kernel);
  std::string path = dir + "/vmlinux";
  std::string keyFile = dir + "/vmlinux.key";
  std::string key = fmt::format("utap vmlinux v{}\n{}\n", kFormatVersion, fileStamp(kernel.vmlinuz));
  std::error_code ec;
  if (readFile(keyFile) == key && fs::exists(path, ec)) return path;

  std::string scratch = makeTempDir("utap-vmlinux-");
  if (scratch.empty()) return std::nullopt;
  // Decompressed into the cache directory itself and renamed: the image is
  // 60 MB, too big to stage in memory for writeFileAtomically.
  std::string temp = fmt::format("{}.tmp.{}", path, getpid());
  bool ok = extract(kernel.vmlinuz, temp, scratch);
  fs::remove_all(scratch, ec);
  if (ok) ok = rename(temp.c_str(), path.c_str()) == 0;
  if (!ok) {
    unlink(temp.c_str());
    return std::nullopt;
  }
  if (!writeFileAtomically(keyFile, key).empty()) return std::nullopt;
  return path;
}

}  // namespace utap::vm
