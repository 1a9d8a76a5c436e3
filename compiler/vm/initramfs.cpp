// The guest's initramfs: busybox-static, the modules that mount the host's
// root over 9p, and /init (init_script.h).
#include <elf.h>
#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "vm/boot_files.h"
#include "vm/cpio.h"
#include "vm/files.h"
#include "vm/init_script.h"
#include "vm/process.h"

namespace utap::vm {
namespace {

namespace fs = std::filesystem;

// Bump when the archive's layout changes in a way the key does not see.
constexpr int kFormatVersion = 2;

// The modules /init needs; their dependencies come from modules.dep.
const char* const kWantedModules[] = {"virtio_pci", "9pnet_virtio", "9p"};
// And those it loads only when the host streams a job's output (the
// virtio-serial ports), so that batches boot as fast as before.
const char* const kStreamModules[] = {"virtio_console"};

// "kernel/fs/9p/9p.ko.xz" → "9p"; names use '_' where files may use '-'.
std::string moduleName(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  name = name.substr(0, name.find(".ko"));
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

struct ModuleIndex {
  std::map<std::string, std::string> path;               // name → path relative to the modules dir
  std::map<std::string, std::vector<std::string>> deps;  // name → names it needs
  std::set<std::string> builtin;
};

std::optional<ModuleIndex> readModuleIndex(const std::string& dir, std::string* error) {
  std::ifstream dep(dir + "/modules.dep");
  if (!dep) {
    *error = fmt::format("cannot read {}/modules.dep", dir);
    return std::nullopt;
  }
  ModuleIndex index;
  std::string line;
  while (std::getline(dep, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = moduleName(line.substr(0, colon));
    index.path[name] = line.substr(0, colon);
    std::istringstream rest(line.substr(colon + 1));
    for (std::string d; rest >> d;) index.deps[name].push_back(moduleName(d));
  }
  std::ifstream builtin(dir + "/modules.builtin");
  while (std::getline(builtin, line)) index.builtin.insert(moduleName(line));
  return index;
}

// Depth first, dependencies before dependents: insmod, unlike modprobe, does
// not load what a module needs, so /init loads them in this order.
bool orderModule(const ModuleIndex& index, const std::string& name, std::set<std::string>& seen,
                 std::vector<std::string>& order, std::string* error) {
  if (index.builtin.count(name) || !seen.insert(name).second) return true;
  if (!index.path.count(name)) {
    *error = fmt::format("module {} is neither in modules.dep nor built in", name);
    return false;
  }
  auto deps = index.deps.find(name);
  if (deps != index.deps.end()) {
    for (const std::string& d : deps->second) {
      if (!orderModule(index, d, seen, order, error)) return false;
    }
  }
  order.push_back(name);
  return true;
}

// A dynamically linked busybox (Debian's plain "busybox" package) cannot run
// in an initramfs without its libraries.
std::string checkStatic(const std::string& path) {
  std::optional<std::string> image = readFile(path);
  if (!image || image->size() < sizeof(Elf64_Ehdr) || image->compare(0, 4, ELFMAG) != 0) {
    return fmt::format("{} is not an ELF executable", path);
  }
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, image->data(), sizeof ehdr);
  for (int i = 0; i < ehdr.e_phnum; ++i) {
    size_t off = ehdr.e_phoff + static_cast<size_t>(i) * ehdr.e_phentsize;
    if (off + sizeof(Elf64_Phdr) > image->size()) break;
    Elf64_Phdr phdr;
    std::memcpy(&phdr, image->data() + off, sizeof phdr);
    if (phdr.p_type == PT_INTERP) return fmt::format("{} is dynamically linked: install busybox-static", path);
  }
  return "";
}

std::string findBusybox(std::string* error) {
  for (const char* path : {"/bin/busybox", "/usr/bin/busybox", "/usr/lib/initramfs-tools/bin/busybox"}) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    std::string why = checkStatic(path);
    if (why.empty()) return path;
    *error = why;
  }
  if (error->empty()) *error = "busybox not found: install busybox-static";
  return "";
}

// The module's contents, decompressed: busybox insmod takes plain ELF only.
std::optional<std::string> readModule(const std::string& path, const std::string& scratch, std::string* error) {
  const char* tool = nullptr;
  if (path.ends_with(".ko.xz")) tool = "xz";
  if (path.ends_with(".ko.zst")) tool = "zstd";
  if (path.ends_with(".ko.gz")) tool = "gzip";
  if (!tool) {
    std::optional<std::string> data = readFile(path);
    if (!data) *error = fmt::format("cannot read {}", path);
    return data;
  }
  std::string out = scratch + "/" + fs::path(path).filename().string() + ".ko";
  std::string failed = runProcess({{tool, "-dc"}, path, out, "/dev/null"}, 60s);
  if (!failed.empty()) {
    *error = fmt::format("cannot decompress {}: {}", path, failed);
    return std::nullopt;
  }
  return readFile(out);
}

}  // namespace

std::string kernelCacheDir(const GuestKernel& kernel) {
  std::string dir = cacheRoot() + "/" + kernel.release;
  std::error_code ignored;
  fs::create_directories(dir, ignored);
  return dir;
}

std::optional<std::string> prepareInitramfs(const GuestKernel& kernel, std::string* error) {
  std::string busybox = findBusybox(error);
  if (busybox.empty()) return std::nullopt;
  std::optional<ModuleIndex> index = readModuleIndex(kernel.modulesDir, error);
  if (!index) return std::nullopt;
  std::set<std::string> seen;
  std::vector<std::string> order;
  for (const char* name : kWantedModules) {
    if (!orderModule(*index, name, seen, order, error)) return std::nullopt;
  }
  std::vector<std::string> streamOrder;
  for (const char* name : kStreamModules) {
    if (!orderModule(*index, name, seen, streamOrder, error)) return std::nullopt;
  }

  std::string key =
      fmt::format("utap initramfs v{} init {:016x}\n{}\n{}\n{}\n", kFormatVersion, stableHash(kInitScript),
                  fileStamp(busybox), fileStamp(kernel.vmlinuz), fileStamp(kernel.modulesDir + "/modules.dep"));
  for (const std::string& name : order) key += fileStamp(kernel.modulesDir + "/" + index->path[name]) + "\n";
  for (const std::string& name : streamOrder) key += fileStamp(kernel.modulesDir + "/" + index->path[name]) + "\n";
  std::string dir = kernelCacheDir(kernel);
  std::string image = dir + "/initramfs.cpio";
  std::string keyFile = dir + "/initramfs.key";
  std::error_code ec;
  if (readFile(keyFile) == key && fs::exists(image, ec)) return image;

  std::string scratch = makeTempDir("utap-initramfs-");
  if (scratch.empty()) {
    *error = "cannot make a temporary directory";
    return std::nullopt;
  }
  CpioWriter cpio;
  for (const char* d : {"bin", "dev", "proc", "sys", "host", "io", "tmp", "modules"}) cpio.directory(d);
  // The kernel opens /dev/console for init's stdio before /init can mount
  // devtmpfs; without the node init would run with no output at all.
  cpio.charDevice("dev/console", 5, 1);
  cpio.charDevice("dev/null", 1, 3, 0666);
  std::optional<std::string> busyboxImage = readFile(busybox);
  bool ok = busyboxImage.has_value();
  if (!ok) *error = fmt::format("cannot read {}", busybox);
  if (ok) cpio.file("bin/busybox", *busyboxImage, 0755);
  // Each list of modules is loaded by /init in the order of its file.
  auto addModules = [&](const std::vector<std::string>& names, const char* orderFile) {
    std::string orderText;
    for (const std::string& name : names) {
      if (!ok) return;
      std::optional<std::string> module = readModule(kernel.modulesDir + "/" + index->path[name], scratch, error);
      ok = module.has_value();
      if (ok) cpio.file("modules/" + name + ".ko", *module);
      orderText += name + ".ko\n";
    }
    cpio.file(orderFile, orderText);
  };
  addModules(order, "modules/order");
  addModules(streamOrder, "modules/stream.order");
  fs::remove_all(scratch, ec);
  if (!ok) return std::nullopt;
  cpio.file("init", kInitScript, 0755);
  if (std::string failed = writeFileAtomically(image, cpio.finish()); !failed.empty()) {
    *error = failed;
    return std::nullopt;
  }
  if (std::string failed = writeFileAtomically(keyFile, key); !failed.empty()) {
    *error = failed;
    return std::nullopt;
  }
  return image;
}

}  // namespace utap::vm
