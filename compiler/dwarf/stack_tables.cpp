// Symbol and unwind tables for the module (stack_tables.h): the ELF symbol
// table, and the CFI evaluated by libdw row by row (dwarf_cfi_addrframe
// over each FDE) into the few rule forms x86-64 code uses.
#include "dwarf/stack_tables.h"

#include <dwarf.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

namespace {

constexpr int kRegFp = 6;   // rbp
constexpr int kRegSp = 7;   // rsp
constexpr int kRegRa = 16;  // the return address column

struct VaddrSymbol {
  uint64_t address = 0, size = 0;
  int rank = 0;  // lower wins at one address
  std::string name;
  bool function = false;
};

bool hasSymtab(Elf* elf) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB) return true;
  }
  return false;
}

// Global before weak before local: the name the linker resolves calls to,
// and so the name a reader knows the function by ("qsort" for __GI_qsort).
int bindingRank(unsigned char info) {
  switch (GELF_ST_BIND(info)) {
    case STB_GLOBAL: return 0;
    case STB_WEAK: return 1;
    default: return 2;
  }
}

std::vector<VaddrSymbol> readSymbols(const Module::Impl& impl) {
  Elf* elf = impl.elf;
  Elf64_Word type = SHT_DYNSYM;
  if (hasSymtab(impl.elf))
    type = SHT_SYMTAB;
  else if (impl.debugElf && impl.debugElf != impl.elf && hasSymtab(impl.debugElf))
    elf = impl.debugElf, type = SHT_SYMTAB;
  std::map<uint64_t, VaddrSymbol> byAddress;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != type || !shdr.sh_entsize) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    size_t count = shdr.sh_size / shdr.sh_entsize;
    for (size_t i = 1; data && i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      unsigned kind = GELF_ST_TYPE(sym.st_info);
      if (kind != STT_FUNC && kind != STT_GNU_IFUNC && kind != STT_OBJECT) continue;
      if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
      const char* raw = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (!raw || !*raw) continue;
      VaddrSymbol s;
      s.address = sym.st_value;
      s.size = sym.st_size;
      s.rank = bindingRank(sym.st_info);
      s.name = raw;
      if (size_t at = s.name.find('@'); at != std::string::npos) s.name.resize(at);
      if (std::optional<std::string> d = demangledName(s.name)) s.name = *d;
      s.function = kind != STT_OBJECT;
      auto [it, fresh] = byAddress.emplace(s.address, s);
      // A function beats an object at one address; then the binding; then the
      // first in the table, so the choice does not depend on hash order.
      auto key = [](const VaddrSymbol& v) { return std::make_pair(!v.function, v.rank); };
      if (!fresh && key(s) < key(it->second)) it->second = s;
    }
  }
  std::vector<VaddrSymbol> out;
  out.reserve(byAddress.size());
  for (auto& [address, s] : byAddress) out.push_back(std::move(s));
  return out;
}

// The initial locations .eh_frame_hdr's search table lists, in the
// encoding every x86-64 linker writes (datarel sdata4); none otherwise.
std::vector<uint64_t> ehFrameHdrStarts(Elf* elf) {
  std::vector<uint64_t> starts;
  GElf_Shdr shdr;
  Elf_Scn* scn = findSection(elf, ".eh_frame_hdr", &shdr);
  if (!scn || shdr.sh_type == SHT_NOBITS) return starts;
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data || data->d_size < 12) return starts;
  const auto* b = static_cast<const unsigned char*>(data->d_buf);
  bool fourBytePtr = (b[1] & 0x0f) == DW_EH_PE_udata4 || (b[1] & 0x0f) == DW_EH_PE_sdata4;
  if (b[0] != 1 || !fourBytePtr || b[2] != DW_EH_PE_udata4 || b[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
    return starts;
  uint32_t count;
  std::memcpy(&count, b + 8, 4);
  for (uint64_t i = 0; i < count && 12 + i * 8 + 8 <= data->d_size; ++i) {
    int32_t rel;
    std::memcpy(&rel, b + 12 + i * 8, 4);
    starts.push_back(shdr.sh_addr + static_cast<int64_t>(rel));
  }
  return starts;
}

// "reg + offset" of a CFA or register expression: DW_OP_bregN or DW_OP_bregx.
bool baseRegister(const Dwarf_Op& op, int* reg, int64_t* offset) {
  if (op.atom >= DW_OP_breg0 && op.atom <= DW_OP_breg31) {
    *reg = op.atom - DW_OP_breg0;
    *offset = static_cast<int64_t>(op.number);
    return true;
  }
  if (op.atom == DW_OP_bregx) {
    *reg = static_cast<int>(op.number);
    *offset = static_cast<int64_t>(op.number2);
    return true;
  }
  return false;
}

void cfaRule(Dwarf_Frame* frame, UnwindRow* row) {
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  row->cfa = UnwindRow::Cfa::Unsupported;
  if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops == 0 || nops > 2) return;
  int reg;
  int64_t offset;
  if (!baseRegister(ops[0], &reg, &offset) || (reg != kRegSp && reg != kRegFp)) return;
  if (nops == 2 && ops[1].atom != DW_OP_deref) return;
  bool deref = nops == 2;
  row->cfaOffset = offset;
  if (reg == kRegSp)
    row->cfa = deref ? UnwindRow::Cfa::SpDeref : UnwindRow::Cfa::Sp;
  else
    row->cfa = deref ? UnwindRow::Cfa::FpDeref : UnwindRow::Cfa::Fp;
}

// libdw gives offset(N) as {call_frame_cfa[, plus_uconst N]} and
// val_offset(N) the same with stack_value after it.
UnwindRow::Reg registerRule(Dwarf_Frame* frame, int regno, int64_t* offset) {
  Dwarf_Op mem[3];
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  *offset = 0;
  if (dwarf_frame_register(frame, regno, mem, &ops, &nops) != 0) return UnwindRow::Reg::Unsupported;
  // libdw: no operations and ops_mem is "undefined", no operations and NULL "same value".
  if (nops == 0) return ops ? UnwindRow::Reg::Undefined : UnwindRow::Reg::Same;
  bool value = ops[nops - 1].atom == DW_OP_stack_value;
  if (value) --nops;
  if (nops == 0 || ops[0].atom != DW_OP_call_frame_cfa) return UnwindRow::Reg::Unsupported;
  if (nops == 2 && ops[1].atom == DW_OP_plus_uconst)
    *offset = static_cast<int64_t>(ops[1].number);
  else if (nops == 3 && ops[1].atom == DW_OP_consts && ops[2].atom == DW_OP_plus)
    *offset = static_cast<int64_t>(ops[1].number);
  else if (nops != 1)
    return UnwindRow::Reg::Unsupported;
  return value ? UnwindRow::Reg::ValCfa : UnwindRow::Reg::AtCfa;
}

UnwindRow rowOf(Dwarf_Frame* frame, int returnRegister) {
  UnwindRow row;
  cfaRule(frame, &row);
  row.ra = registerRule(frame, returnRegister, &row.raOffset);
  row.fp = registerRule(frame, kRegFp, &row.fpOffset);
  return row;
}

}  // namespace

std::vector<TableSymbol> symbolTable(const Module& module) {
  std::vector<VaddrSymbol> symbols = readSymbols(module.impl());
  std::vector<TableSymbol> out;
  for (const VaddrSymbol& s : symbols) {
    std::optional<uint64_t> offset = module.fileOffset(s.address);
    if (!offset) continue;  // .bss, or not loaded: never at an address the runtime maps to this file
    out.push_back({*offset, s.size, s.name});
  }
  std::sort(out.begin(), out.end(), [](const TableSymbol& a, const TableSymbol& b) { return a.offset < b.offset; });
  return out;
}

std::vector<UnwindRow> unwindTable(const Module& module, std::string* error) {
  const Module::Impl& impl = module.impl();
  Dwarf_CFI* ehFrame = dwarf_getcfi_elf(impl.elf);
  Dwarf_CFI* debugFrame = impl.dwarf ? dwarf_getcfi(impl.dwarf) : nullptr;
  std::vector<UnwindRow> rows;
  if (!ehFrame && !debugFrame) {
    if (error) *error = "it has no call frame information (.eh_frame or .debug_frame)";
    return rows;
  }
  // Where FDEs start: .eh_frame_hdr's table, and the functions' entries for
  // .debug_frame (its FDEs start at functions) and for files without a hdr.
  std::set<uint64_t> seeds;
  for (uint64_t a : ehFrameHdrStarts(impl.elf)) seeds.insert(a);
  for (const VaddrSymbol& s : readSymbols(impl))
    if (s.function) seeds.insert(s.address);

  auto frameAt = [&](uint64_t address) -> Dwarf_Frame* {
    Dwarf_Frame* frame = nullptr;
    if (ehFrame && dwarf_cfi_addrframe(ehFrame, address, &frame) == 0) return frame;
    if (debugFrame && dwarf_cfi_addrframe(debugFrame, address, &frame) == 0) return frame;
    return nullptr;
  };
  uint64_t covered = 0;  // every address below is in a row already
  std::vector<std::pair<uint64_t, UnwindRow>> byAddress;
  for (uint64_t seed : seeds) {
    if (seed < covered) continue;
    uint64_t address = seed;
    bool any = false;
    while (Dwarf_Frame* frame = frameAt(address)) {
      Dwarf_Addr start = 0, end = 0;
      bool signal = false;
      int ra = dwarf_frame_info(frame, &start, &end, &signal);
      if (end <= address) {
        free(frame);
        break;
      }
      UnwindRow row = rowOf(frame, ra >= 0 ? ra : kRegRa);
      free(frame);
      byAddress.emplace_back(std::max<uint64_t>(start, address), row);
      address = end;
      any = true;
    }
    if (any) {
      byAddress.emplace_back(address, UnwindRow{});  // Cfa::None: the end of the FDEs
      covered = address;
    }
  }
  for (const auto& [address, row] : byAddress) {
    std::optional<uint64_t> offset = module.fileOffset(address);
    if (!offset) {
      // The end of the last FDE of a segment: one past its last byte.
      if (row.cfa != UnwindRow::Cfa::None || address == 0) continue;
      offset = module.fileOffset(address - 1);
      if (!offset) continue;
      ++*offset;
    }
    UnwindRow r = row;
    r.offset = *offset;
    if (!rows.empty() && rows.back().offset == r.offset) {
      rows.back() = r;  // an end marker replaced by the FDE starting there
      continue;
    }
    if (!rows.empty() && rows.back().sameRules(r)) continue;
    rows.push_back(r);
  }
  return rows;
}

LineTable lineTable(const Module& module) {
  const Module::Impl& impl = module.impl();
  LineTable table;
  if (!impl.dwarf) return table;
  std::map<std::string, uint32_t> fileIndex;
  std::vector<LineRow> rows;
  Dwarf_Off offset = 0, next = 0;
  size_t headerSize = 0;
  while (dwarf_nextcu(impl.dwarf, offset, &next, &headerSize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu;
    Dwarf_Lines* lines = nullptr;
    size_t count = 0;
    if (dwarf_offdie(impl.dwarf, offset + headerSize, &cu) != nullptr && dwarf_getsrclines(&cu, &lines, &count) == 0) {
      for (size_t i = 0; i < count; ++i) {
        Dwarf_Line* line = dwarf_onesrcline(lines, i);
        Dwarf_Addr address = 0;
        int number = 0;
        bool end = false;
        if (!line || dwarf_lineaddr(line, &address) != 0) continue;
        dwarf_lineno(line, &number);
        dwarf_lineendsequence(line, &end);
        const char* src = dwarf_linesrc(line, nullptr, nullptr);
        std::optional<uint64_t> at = module.fileOffset(address);
        if (!at && end && address) {
          // A sequence's end is one past its last byte, perhaps the segment's end.
          at = module.fileOffset(address - 1);
          if (at) ++*at;
        }
        if (!at) continue;
        LineRow row{*at, 0, 0};
        if (!end && src && number > 0) {
          auto [it, added] = fileIndex.emplace(src, static_cast<uint32_t>(table.files.size()));
          if (added) table.files.push_back(src);
          row.file = it->second;
          row.line = static_cast<uint32_t>(number);
        }
        rows.push_back(row);
      }
    }
    offset = next;
  }
  // By offset; at one offset the last row of a sequence wins over its end
  // (a sequence that ends where the next begins), then the lowest line.
  std::stable_sort(rows.begin(), rows.end(), [](const LineRow& a, const LineRow& b) { return a.offset < b.offset; });
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + 1 < rows.size() && rows[i + 1].offset == rows[i].offset && rows[i + 1].line) continue;
    if (!table.rows.empty() && table.rows.back().file == rows[i].file && table.rows.back().line == rows[i].line)
      continue;
    if (!table.rows.empty() && table.rows.back().offset == rows[i].offset) {
      if (!rows[i].line) continue;
      table.rows.back() = rows[i];
      continue;
    }
    table.rows.push_back(rows[i]);
  }
  return table;
}

StackTables stackTables(const Module& module, std::string* error, bool withLines) {
  StackTables t;
  t.path = module.path();
  t.symbols = symbolTable(module);
  t.unwind = unwindTable(module, error);
  if (withLines) t.lines = lineTable(module);
  return t;
}

}  // namespace utap::dwarf
