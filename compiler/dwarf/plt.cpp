// Module::pltEntries(): the PLT stubs a program calls imported functions
// through, named by the GOT slot each stub jumps through. Every stub's
// first instruction (after an IBT endbr64 and an MPX bnd prefix) is
// `jmp *SLOT(%rip)`; the slot's R_X86_64_JUMP_SLOT (lazy .plt, .plt.sec)
// or R_X86_64_GLOB_DAT (.plt.got) relocation names the function. Reading
// the jump rather than counting entries keeps the names right whatever
// order or padding the linker chose.
#include <algorithm>
#include <cstring>
#include <map>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

namespace {

constexpr unsigned char kEndbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
constexpr unsigned char kBndPrefix = 0xf2;
constexpr unsigned char kJmpIndirect[] = {0xff, 0x25};  // jmp *disp32(%rip)

struct Slot {
  std::string name;
  uint32_t type = 0;  // R_X86_64_JUMP_SLOT or R_X86_64_GLOB_DAT
};

// GOT slot address -> the dynamic symbol relocated into it.
std::map<uint64_t, Slot> gotSlots(Elf* elf) {
  std::map<uint64_t, Slot> slots;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr header;
    if (!gelf_getshdr(scn, &header) || header.sh_type != SHT_RELA || header.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    Elf_Scn* symbolScn = elf_getscn(elf, header.sh_link);
    GElf_Shdr symbolHeader;
    if (!data || !symbolScn || !gelf_getshdr(symbolScn, &symbolHeader)) continue;
    Elf_Data* symbols = elf_getdata(symbolScn, nullptr);
    if (!symbols) continue;
    size_t count = header.sh_size / header.sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Rela rela;
      if (!gelf_getrela(data, static_cast<int>(i), &rela)) continue;
      uint32_t type = GELF_R_TYPE(rela.r_info);
      if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) continue;
      GElf_Sym sym;
      if (!gelf_getsym(symbols, static_cast<int>(GELF_R_SYM(rela.r_info)), &sym)) continue;
      const char* name = elf_strptr(elf, symbolHeader.sh_link, sym.st_name);
      if (name && *name) slots[rela.r_offset] = Slot{name, type};
    }
  }
  return slots;
}

// The GOT slot the stub at `code` (address `address`, `size` bytes) jumps
// through, if its first instruction is the PLT's indirect jump.
std::optional<uint64_t> stubSlot(const unsigned char* code, size_t size, uint64_t address) {
  size_t at = 0;
  if (size >= sizeof kEndbr64 && std::memcmp(code, kEndbr64, sizeof kEndbr64) == 0) at += sizeof kEndbr64;
  if (at < size && code[at] == kBndPrefix) ++at;
  if (at + sizeof kJmpIndirect + 4 > size || std::memcmp(code + at, kJmpIndirect, sizeof kJmpIndirect) != 0)
    return std::nullopt;
  int32_t displacement = 0;
  std::memcpy(&displacement, code + at + sizeof kJmpIndirect, sizeof displacement);  // little-endian, as x86-64
  uint64_t next = address + at + sizeof kJmpIndirect + sizeof displacement;
  return next + static_cast<int64_t>(displacement);
}

void scanSection(Elf_Scn* scn, const GElf_Shdr& header, const std::map<uint64_t, Slot>& slots, uint32_t slotType,
                 bool nonLazy, std::vector<PltEntry>* entries) {
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data || !data->d_buf || header.sh_type != SHT_PROGBITS) return;
  const auto* code = static_cast<const unsigned char*>(data->d_buf);
  // Linkers write 16-byte entries, 8 for .plt.got without IBT; sh_entsize says which.
  uint64_t step = header.sh_entsize ? header.sh_entsize : 16;
  for (uint64_t offset = 0; offset + step <= data->d_size; offset += step) {
    auto slot = stubSlot(code + offset, step, header.sh_addr + offset);
    if (!slot) continue;  // PLT0, the resolver's trampoline
    auto it = slots.find(*slot);
    if (it == slots.end() || it->second.type != slotType) continue;
    entries->push_back({it->second.name, header.sh_addr + offset, nonLazy});
  }
}

}  // namespace

const std::vector<PltEntry>& Module::pltEntries() const {
  if (!impl_->pltIndex) {
    Elf* elf = impl_->elf;
    std::vector<PltEntry> entries;
    std::map<uint64_t, Slot> slots = gotSlots(elf);
    GElf_Shdr pltHeader{}, pltSecHeader{}, pltGotHeader{};
    Elf_Scn* plt = findSection(elf, ".plt", &pltHeader);
    Elf_Scn* pltSec = findSection(elf, ".plt.sec", &pltSecHeader);
    Elf_Scn* pltGot = findSection(elf, ".plt.got", &pltGotHeader);
    // With IBT, calls go to .plt.sec; the .plt entry runs only while the
    // slot is unresolved (once, or never under BIND_NOW), so the stub
    // every call passes is the .plt.sec one. stap 4.8 probes the .plt entry.
    if (pltSec) {
      scanSection(pltSec, pltSecHeader, slots, R_X86_64_JUMP_SLOT, false, &entries);
    } else if (plt) {
      scanSection(plt, pltHeader, slots, R_X86_64_JUMP_SLOT, false, &entries);
    }
    if (pltGot) scanSection(pltGot, pltGotHeader, slots, R_X86_64_GLOB_DAT, true, &entries);
    std::sort(entries.begin(), entries.end(),
              [](const PltEntry& a, const PltEntry& b) { return a.address < b.address; });
    impl_->pltIndex = std::move(entries);
  }
  return *impl_->pltIndex;
}

}  // namespace utap::dwarf
