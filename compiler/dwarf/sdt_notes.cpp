// Module::sdtProbes(): the SDT markers of sys/sdt.h, one ELF note each in
// .note.stapsdt (owner "stapsdt", type 3). A note holds three 64-bit
// link-time addresses (the marker's pc, the .stapsdt.base it was linked
// against, its semaphore or 0) and three strings: provider, name and the
// operands, "SIZE@OPERAND" separated by spaces (sdt_operand.cpp decodes
// each operand).
#include <fmt/format.h>

#include <cstring>
#include <unordered_map>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

namespace {

constexpr char kNoteOwner[] = "stapsdt";
constexpr uint32_t kNoteType = 3;  // NT_STAPSDT: the v3 layout every sys/sdt.h since 2010 writes

// Link-time addresses of the defined symbols of the symbol tables, built
// only when an operand names a symbol (few markers do).
class SymbolTable {
 public:
  explicit SymbolTable(const Module::Impl& impl) : impl_(impl) {}

  std::optional<uint64_t> address(std::string_view name, std::string* error) {
    if (!built_) build();
    auto it = symbols_.find(std::string(name));
    if (it == symbols_.end()) {
      *error = fmt::format("the symbol \"{}\" is not in {}'s symbol tables", name, impl_.path);
      return std::nullopt;
    }
    const Entry& e = it->second;
    if (e.threadLocal) {
      *error = fmt::format("\"{}\" is thread-local; its address depends on the thread", name);
      return std::nullopt;
    }
    if (e.ambiguous) {
      *error = fmt::format("several symbols named \"{}\" have different addresses", name);
      return std::nullopt;
    }
    return e.value;
  }

 private:
  struct Entry {
    uint64_t value = 0;
    bool threadLocal = false;
    bool ambiguous = false;
  };

  void addTable(Elf* elf, Elf32_Word type) {
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr header;
      if (!gelf_getshdr(scn, &header) || header.sh_type != type || header.sh_entsize == 0) continue;
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (!data) continue;
      size_t count = header.sh_size / header.sh_entsize;
      for (size_t i = 1; i < count; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym) || sym.st_shndx == SHN_UNDEF) continue;
        int symType = GELF_ST_TYPE(sym.st_info);
        if (symType == STT_SECTION || symType == STT_FILE) continue;
        const char* name = elf_strptr(elf, header.sh_link, sym.st_name);
        if (!name || !*name) continue;
        auto [it, inserted] = symbols_.try_emplace(name, Entry{sym.st_value, symType == STT_TLS});
        if (!inserted && it->second.value != sym.st_value) it->second.ambiguous = true;
      }
    }
  }

  void build() {
    built_ = true;
    addTable(impl_.elf, SHT_SYMTAB);
    if (impl_.debugElf && impl_.debugElf != impl_.elf) addTable(impl_.debugElf, SHT_SYMTAB);
    addTable(impl_.elf, SHT_DYNSYM);
  }

  const Module::Impl& impl_;
  bool built_ = false;
  std::unordered_map<std::string, Entry> symbols_;
};

// "-4@%edi": the size prefix of an operand, if the token starts with one.
bool splitSize(std::string_view token, int* size, bool* isSigned, std::string_view* operand) {
  size_t at = token.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view digits = token.substr(0, at);
  bool negative = digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 3) return false;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *size = value;
  *isSigned = negative;
  *operand = token.substr(at + 1);
  return true;
}

// The operands of one note. A token without a size prefix continues the
// operand before it (stap counts arguments the same way), so a stray space
// inside an operand makes that operand undecodable rather than shifting
// the numbers of the ones after it.
std::vector<SdtProbe::Argument> splitArguments(std::string_view text) {
  std::vector<SdtProbe::Argument> arguments;
  std::string pending;  // tokens before the first sized one
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view token = text.substr(start, end - start);
    pos = end;
    int size = 0;
    bool isSigned = false;
    std::string_view operand;
    if (splitSize(token, &size, &isSigned, &operand)) {
      SdtProbe::Argument a;
      a.size = size;
      a.isSigned = isSigned;
      a.operand = pending.empty() ? std::string(operand) : pending + " " + std::string(operand);
      if (!pending.empty()) a.error = fmt::format("\"{}\" has no size prefix (SIZE@OPERAND)", pending);
      pending.clear();
      arguments.push_back(std::move(a));
    } else if (!arguments.empty()) {
      arguments.back().operand += " " + std::string(token);
    } else {
      pending += pending.empty() ? std::string(token) : " " + std::string(token);
    }
  }
  if (!pending.empty()) {
    SdtProbe::Argument a;
    a.operand = pending;
    a.error = fmt::format("\"{}\" has no size prefix (SIZE@OPERAND)", pending);
    arguments.push_back(std::move(a));
  }
  return arguments;
}

// Decodes each argument in place; one that cannot be keeps the reason in
// `error` (the caller names the marker and $argN around it).
void decodeArguments(const Module::Impl& impl, SdtProbe* probe, SymbolTable* symbols) {
  bool moduleRelative = impl.ehdr.e_type == ET_DYN;
  SymbolLookup lookup = [symbols](std::string_view name, std::string* error) { return symbols->address(name, error); };
  for (SdtProbe::Argument& a : probe->arguments) {
    if (!a.error.empty()) continue;
    auto value = decodeSdtOperand(a.operand, a.size, a.isSigned, moduleRelative, lookup, &a.error);
    if (value) a.value = std::move(*value);
  }
}

// The three strings after the 24 address bytes; false if the note is cut short.
bool readStrings(const char* desc, size_t size, SdtProbe* probe, std::string_view* arguments) {
  constexpr size_t kAddresses = 3 * sizeof(uint64_t);
  if (size <= kAddresses) return false;
  std::string_view rest(desc + kAddresses, size - kAddresses);
  std::string_view fields[3];
  for (std::string_view& field : fields) {
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return false;
    field = rest.substr(0, nul);
    rest.remove_prefix(nul + 1);
  }
  probe->provider = fields[0];
  probe->name = fields[1];
  *arguments = fields[2];
  return true;
}

// Every stapsdt note of `elf`, in file order.
std::vector<SdtProbe> readNotes(const Module::Impl& impl, Elf* elf) {
  std::vector<SdtProbe> probes;
  // Prelink moves .stapsdt.base and the notes' pc and semaphore with it,
  // but not the base recorded in each note: the difference is the shift.
  GElf_Shdr baseHeader;
  bool hasBase = findSection(elf, ".stapsdt.base", &baseHeader) != nullptr;
  SymbolTable symbols(impl);
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr header;
    if (!gelf_getshdr(scn, &header) || header.sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) continue;
    size_t offset = 0;
    GElf_Nhdr note;
    size_t nameOffset = 0, descOffset = 0;
    while ((offset = gelf_getnote(data, offset, &note, &nameOffset, &descOffset)) > 0) {
      const char* base = static_cast<const char*>(data->d_buf);
      if (note.n_type != kNoteType || note.n_namesz != sizeof kNoteOwner ||
          std::memcmp(base + nameOffset, kNoteOwner, sizeof kNoteOwner) != 0)
        continue;
      uint64_t addresses[3];
      if (note.n_descsz < sizeof addresses) continue;
      std::memcpy(addresses, base + descOffset, sizeof addresses);
      // The note is in the file's byte order, which for x86-64 is the host's.
      SdtProbe probe;
      std::string_view argumentText;
      if (!readStrings(base + descOffset, note.n_descsz, &probe, &argumentText)) continue;
      uint64_t shift = hasBase ? baseHeader.sh_addr - addresses[1] : 0;
      probe.pc = addresses[0] + shift;
      probe.semaphore = addresses[2] ? addresses[2] + shift : 0;
      probe.arguments = splitArguments(argumentText);
      decodeArguments(impl, &probe, &symbols);
      probes.push_back(std::move(probe));
    }
  }
  return probes;
}

}  // namespace

const std::vector<SdtProbe>& Module::sdtProbes() const {
  if (!impl_->sdtIndex) {
    // strip keeps notes; a file whose notes went into its separate debug
    // file (objcopy --only-keep-debug of an unusual build) still lists.
    std::vector<SdtProbe> probes = readNotes(*impl_, impl_->elf);
    if (probes.empty() && impl_->debugElf && impl_->debugElf != impl_->elf) probes = readNotes(*impl_, impl_->debugElf);
    impl_->sdtIndex = std::move(probes);
  }
  return *impl_->sdtIndex;
}

}  // namespace utap::dwarf
