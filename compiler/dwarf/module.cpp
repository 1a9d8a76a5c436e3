// Module::open: the ELF file probed, the file its DWARF lives in (the
// file itself, a build-id file under a debug root, or a .gnu_debuglink
// target), and what the dynamic section and program headers say.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include <dwarf.h>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

Elf_Scn* findSection(Elf* elf, std::string_view name, GElf_Shdr* header) {
  size_t shstrndx;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return nullptr;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    const char* sname = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (!sname || name != sname) continue;
    if (header) *header = shdr;
    return scn;
  }
  return nullptr;
}

namespace {

std::string dirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string absolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return path;
  return std::string(cwd) + "/" + path;
}

// Whether the file carries DWARF itself: a .debug_info (or a GNU-compressed
// .zdebug_info) with contents; a stripped-to-debuglink file keeps neither.
bool hasOwnDwarf(Elf* elf) {
  for (const char* name : {".debug_info", ".zdebug_info"}) {
    Elf_Scn* scn = findSection(elf, name);
    GElf_Shdr shdr;
    if (scn && gelf_getshdr(scn, &shdr) && shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0) return true;
  }
  return false;
}

// The NT_GNU_BUILD_ID note as lower-case hex, "" when there is none.
std::string buildId(Elf* elf) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    GElf_Nhdr nhdr;
    size_t offset = 0, nameOffset, descOffset;
    while (data && (offset = gelf_getnote(data, offset, &nhdr, &nameOffset, &descOffset)) > 0) {
      if (nhdr.n_type != NT_GNU_BUILD_ID || nhdr.n_namesz != 4 ||
          memcmp(static_cast<char*>(data->d_buf) + nameOffset, "GNU", 4) != 0)
        continue;
      std::string hex;
      auto* bytes = static_cast<const unsigned char*>(data->d_buf) + descOffset;
      for (size_t i = 0; i < nhdr.n_descsz; ++i) hex += fmt::format("{:02x}", bytes[i]);
      return hex;
    }
  }
  return "";
}

// The CRC-32 (IEEE, as zlib's crc32) that .gnu_debuglink records.
uint32_t crc32(const unsigned char* bytes, size_t size, uint32_t crc) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

bool fileCrcIs(int fd, uint32_t expected) {
  unsigned char buffer[65536];
  uint32_t crc = 0;
  ssize_t n;
  off_t offset = 0;
  while ((n = pread(fd, buffer, sizeof buffer, offset)) > 0) {
    crc = crc32(buffer, static_cast<size_t>(n), crc);
    offset += n;
  }
  return n == 0 && crc == expected;
}

// The debuginfo path as stap reads it: SYSTEMTAP_DEBUGINFO_PATH, in the
// form elfutils documents ("+:.debug:/usr/lib/debug": a leading '+' or '-'
// turns debuglink CRC checks on or off; an empty entry is the file's own
// directory, a relative one a subdirectory of it, an absolute one a debug
// root holding .build-id/ and a copy of the file system tree).
struct DebugPath {
  bool checkCrc = true;
  std::vector<std::string> entries;
};

DebugPath debugPath() {
  const char* env = getenv("SYSTEMTAP_DEBUGINFO_PATH");
  std::string text = env && *env ? env : "+:.debug:/usr/lib/debug";
  DebugPath result;
  if (text[0] == '+' || text[0] == '-') {
    result.checkCrc = text[0] == '+';
    text.erase(0, 1);
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t colon = text.find(':', start);
    if (colon == std::string::npos) colon = text.size();
    result.entries.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  return result;
}

struct DebugLink {
  std::string name;
  uint32_t crc = 0;
};

std::optional<DebugLink> debugLink(Elf* elf) {
  Elf_Scn* scn = findSection(elf, ".gnu_debuglink");
  Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
  if (!data || data->d_size < 8) return std::nullopt;
  const char* bytes = static_cast<const char*>(data->d_buf);
  size_t nameLength = strnlen(bytes, data->d_size);
  size_t crcOffset = (nameLength + 4) & ~size_t{3};  // the name, its NUL, padding to 4
  if (nameLength == 0 || crcOffset + 4 > data->d_size) return std::nullopt;
  Elf_Data src{}, dst{};
  DebugLink link{std::string(bytes, nameLength), 0};
  src.d_buf = const_cast<char*>(bytes + crcOffset);
  src.d_size = 4;
  src.d_type = ELF_T_WORD;
  src.d_version = EV_CURRENT;
  dst.d_buf = &link.crc;
  dst.d_size = 4;
  dst.d_version = EV_CURRENT;
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf, &ehdr) || !gelf_xlatetom(elf, &dst, &src, ehdr.e_ident[EI_DATA])) return std::nullopt;
  return link;
}

// Opens `candidate` as a debug file for the module: an ELF file with
// DWARF, and with the debuglink's CRC when one is asked for.
bool openDebugFile(Module::Impl& impl, const std::string& candidate, std::optional<uint32_t> crc) {
  if (candidate == impl.path) return false;
  int fd = ::open(candidate.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  if (crc && !fileCrcIs(fd, *crc)) {
    close(fd);
    return false;
  }
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  Dwarf* dwarf = elf && elf_kind(elf) == ELF_K_ELF && hasOwnDwarf(elf) ? dwarf_begin_elf(elf, DWARF_C_READ, nullptr)
                                                                       : nullptr;
  if (!dwarf) {
    if (elf) elf_end(elf);
    close(fd);
    return false;
  }
  impl.debugFd = fd;
  impl.debugElf = elf;
  impl.dwarf = dwarf;
  impl.debugPath = candidate;
  return true;
}

// Finds DWARF for the module as elfutils' standard search (which stap
// uses) does: the file itself, then by build-id in each debug root, then
// through .gnu_debuglink beside the file, in each relative entry and
// under each debug root.
void findDebugInfo(Module::Impl& impl) {
  if (hasOwnDwarf(impl.elf)) {
    impl.dwarf = dwarf_begin_elf(impl.elf, DWARF_C_READ, nullptr);
    if (impl.dwarf) {
      impl.debugElf = impl.elf;
      impl.debugPath = impl.path;
      return;
    }
  }
  DebugPath search = debugPath();
  std::string id = buildId(impl.elf);
  if (id.size() > 2) {
    for (const std::string& entry : search.entries) {
      if (entry.empty() || entry[0] != '/') continue;
      if (openDebugFile(impl, fmt::format("{}/.build-id/{}/{}.debug", entry, id.substr(0, 2), id.substr(2)),
                        std::nullopt))
        return;
    }
  }
  std::optional<DebugLink> link = debugLink(impl.elf);
  if (!link) return;
  std::optional<uint32_t> crc;
  if (search.checkCrc) crc = link->crc;
  std::string dir = dirName(impl.path);
  for (const std::string& entry : search.entries) {
    std::string candidate;
    if (entry.empty() || entry == ".")
      candidate = dir + "/" + link->name;
    else if (entry[0] != '/')
      candidate = dir + "/" + entry + "/" + link->name;
    else
      candidate = entry + dir + "/" + link->name;
    if (openDebugFile(impl, candidate, crc)) return;
  }
}

const char* elfTypeName(unsigned type) {
  switch (type) {
    case ET_REL: return "a relocatable object (.o)";
    case ET_CORE: return "a core dump";
    default: return "of an unknown ELF type";
  }
}

// The strings of the dynamic section with tag `tag`, in order.
std::vector<std::string> dynamicStrings(Elf* elf, int64_t tag) {
  std::vector<std::string> result;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNAMIC) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    size_t count = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
    for (size_t i = 0; data && i < count; ++i) {
      GElf_Dyn dyn;
      if (!gelf_getdyn(data, static_cast<int>(i), &dyn) || dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag != tag) continue;
      if (const char* s = elf_strptr(elf, shdr.sh_link, dyn.d_un.d_val)) result.emplace_back(s);
    }
  }
  return result;
}

}  // namespace

Module::Impl::~Impl() {
  if (dwarf) dwarf_end(dwarf);
  if (debugElf && debugElf != elf) elf_end(debugElf);
  if (elf) elf_end(elf);
  if (debugFd >= 0) close(debugFd);
  if (fd >= 0) close(fd);
}

uint64_t dieOffset(Dwarf_Die* die) {
  Dwarf_Half version = 0;
  uint8_t unitType = 0;
  bool typeUnit = die->cu != nullptr &&
                  dwarf_cu_info(die->cu, &version, &unitType, nullptr, nullptr, nullptr, nullptr, nullptr) == 0 &&
                  version == 4 && unitType == DW_UT_type;
  return dwarf_dieoffset(die) | (typeUnit ? kTypeUnitDie : 0);
}

bool Module::Impl::dieAt(uint64_t offset, Dwarf_Die* die) const {
  if (!dwarf) return false;
  if (offset & kTypeUnitDie) return dwarf_offdie_types(dwarf, offset & ~kTypeUnitDie, die) != nullptr;
  return dwarf_offdie(dwarf, offset, die) != nullptr;
}

Module::Module(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Module::~Module() = default;

std::unique_ptr<Module> Module::open(const std::string& path, std::string* error) {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
  auto impl = std::make_unique<Impl>();
  impl->path = absolutePath(path);
  impl->fd = ::open(impl->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl->fd < 0) {
    *error = fmt::format("cannot open {}: {}", impl->path, strerror(errno));
    return nullptr;
  }
  impl->elf = elf_begin(impl->fd, ELF_C_READ_MMAP, nullptr);
  if (!impl->elf || elf_kind(impl->elf) != ELF_K_ELF || !gelf_getehdr(impl->elf, &impl->ehdr)) {
    *error = fmt::format("{} is not an ELF file; process probes need an executable or a shared library",
                         impl->path);
    return nullptr;
  }
  if (impl->ehdr.e_machine != EM_X86_64 || impl->ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
    *error = fmt::format("{} is not an x86-64 ELF file (e_machine {}); utap probes x86-64 programs only",
                         impl->path, impl->ehdr.e_machine);
    return nullptr;
  }
  if (impl->ehdr.e_type != ET_EXEC && impl->ehdr.e_type != ET_DYN) {
    *error = fmt::format("{} is {}, not an executable or a shared library; probe the program it is linked into",
                         impl->path, elfTypeName(impl->ehdr.e_type));
    return nullptr;
  }
  findDebugInfo(*impl);
  return std::unique_ptr<Module>(new Module(std::move(impl)));
}

std::shared_ptr<const Module> Module::cached(const std::string& path, std::string* error) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Module>> modules;
  std::string key = absolutePath(path);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = modules.find(key);
  if (it != modules.end()) return it->second;
  std::shared_ptr<const Module> module = open(key, error);
  if (module) modules.emplace(key, module);
  return module;
}

const std::string& Module::path() const { return impl_->path; }
bool Module::isSharedObject() const { return impl_->ehdr.e_type == ET_DYN; }
uint64_t Module::entryPoint() const { return impl_->ehdr.e_entry; }
bool Module::hasDebugInfo() const { return impl_->dwarf != nullptr; }
const std::string& Module::debugFile() const { return impl_->debugPath; }

std::vector<std::string> Module::neededLibraries() const { return dynamicStrings(impl_->elf, DT_NEEDED); }

std::optional<uint64_t> Module::fileOffset(uint64_t address) const {
  size_t count;
  if (elf_getphdrnum(impl_->elf, &count) != 0) return std::nullopt;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr phdr;
    if (!gelf_getphdr(impl_->elf, static_cast<int>(i), &phdr) || phdr.p_type != PT_LOAD) continue;
    if (address >= phdr.p_vaddr && address < phdr.p_vaddr + phdr.p_filesz)
      return phdr.p_offset + (address - phdr.p_vaddr);
  }
  return std::nullopt;
}

}  // namespace utap::dwarf
