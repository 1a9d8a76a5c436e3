// The DWARF half of the function index: every out-of-line function and
// inlined copy DWARF describes, with C++ qualified names and the address
// stap probes after the prologue. Built by one walk over each unit's DIE
// tree and one pass over its line table; function_symbols.cpp adds what
// only the symbol table names.
#include <cxxabi.h>
#include <dwarf.h>
#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "dwarf/module_impl.h"

namespace utap::dwarf {

std::optional<std::string> demangledName(const std::string& linkageName) {
  if (!linkageName.starts_with("_Z")) return std::nullopt;
  int status = 0;
  char* text = abi::__cxa_demangle(linkageName.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !text) return std::nullopt;
  std::string full(text);
  free(text);
  // The parameters start at the first '(' outside <> that is not part of
  // an operator's name ("operator()").
  int depth = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    std::string_view before = std::string_view(full).substr(0, i);
    bool inOperatorName = before.ends_with("operator") || before.ends_with("operator<") ||
                          before.ends_with("operator>") || before.ends_with("operator-");
    if ((full[i] == '<' || full[i] == '>') && inOperatorName) continue;
    if (full[i] == '<')
      ++depth;
    else if (full[i] == '>' && depth > 0)
      --depth;
    else if (full[i] == '(' && depth == 0 && !std::string_view(full).substr(0, i).ends_with("operator")) {
      full.resize(i);
      break;
    }
  }
  return full;
}

std::vector<Range> rangesOf(Dwarf_Die* die) {
  std::vector<Range> ranges;
  Dwarf_Addr base, start, end;
  ptrdiff_t offset = 0;
  while ((offset = dwarf_ranges(die, offset, &base, &start, &end)) > 0)
    if (start < end) ranges.emplace_back(start, end);
  return ranges;
}

namespace {

// The scope of a mangled name: "_ZNK2ns5Shape4areaEv" -> "ns::Shape". Used
// when DWARF does not place the declaration (dwz files, symbol tables).
std::string demangledScope(const std::string& linkageName) {
  std::optional<std::string> name = demangledName(linkageName);
  if (!name) return "";
  std::vector<std::string> parts = scopeParts(*name);
  std::string scope;
  for (size_t i = 0; i + 1 < parts.size(); ++i) scope += (i ? "::" : "") + parts[i];
  return scope;
}

const char* linkageNameOf(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name})
    if (dwarf_attr_integrate(die, name, &attr)) return dwarf_formstring(&attr);
  return nullptr;
}

// The DIE a concrete instance takes its declaration from: the end of its
// DW_AT_abstract_origin / DW_AT_specification chain (itself when none).
uint64_t declarationOffset(Dwarf_Die die) {
  for (int hops = 0; hops < 16; ++hops) {
    Dwarf_Attribute attr;
    Dwarf_Die next;
    if (!(dwarf_attr(&die, DW_AT_abstract_origin, &attr) || dwarf_attr(&die, DW_AT_specification, &attr)) ||
        !dwarf_formref_die(&attr, &next))
      break;
    die = next;
  }
  return dwarf_dieoffset(&die);
}

// Whether the abstract origin of an inlined copy says it is inlined
// (DW_AT_inline inlined or declared_inlined or declared_not_inlined).
bool originIsInline(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  Dwarf_Die origin;
  return dwarf_attr(die, DW_AT_abstract_origin, &attr) && dwarf_formref_die(&attr, &origin) &&
         dwarf_func_inline(&origin) != 0;
}

// The first instruction of a DIE without DW_AT_low_pc: DW_AT_entry_pc (an
// address, or in DWARF 5 an offset from the low pc), else the start of its
// first range as listed: gcc lists a split function's hot part first and
// its .cold part after, wherever the linker put them.
std::optional<uint64_t> instanceEntry(Dwarf_Die* die, const std::vector<Range>& ranges) {
  uint64_t lowest = ranges.empty() ? 0 : ranges.front().first;
  Dwarf_Addr low;
  if (dwarf_lowpc(die, &low) == 0) lowest = low;
  Dwarf_Attribute attr;
  if (dwarf_attr(die, DW_AT_entry_pc, &attr)) {
    Dwarf_Addr address;
    Dwarf_Word offset;
    if (dwarf_whatform(&attr) != DW_FORM_addr && dwarf_whatform(&attr) != DW_FORM_addrx &&
        dwarf_formudata(&attr, &offset) == 0)
      return lowest + offset;
    if (dwarf_formaddr(&attr, &address) == 0) return address;
  }
  if (ranges.empty()) return std::nullopt;
  return lowest;
}

class FunctionWalker {
 public:
  FunctionWalker(const Module::Impl& impl, std::vector<std::unique_ptr<Function>>* out) : impl_(impl), out_(out) {
    for (Elf_Scn* scn = elf_nextscn(impl.elf, nullptr); scn; scn = elf_nextscn(impl.elf, scn)) {
      GElf_Shdr shdr;
      if (gelf_getshdr(scn, &shdr) && (shdr.sh_flags & SHF_EXECINSTR) && (shdr.sh_flags & SHF_ALLOC))
        code_.emplace_back(shdr.sh_addr, shdr.sh_addr + shdr.sh_size);
    }
    scopes_.emplace_back("");
  }

  // The out-of-line function starting at each address.
  const std::unordered_map<uint64_t, Function*>& outOfLineAt() const { return outOfLineAt_; }
  // The names (linkage names when given) of definitions without code.
  const std::unordered_set<std::string>& codeless() const { return codeless_; }

  void walkUnits() {
    Dwarf_CU* cu = nullptr;
    Dwarf_Die cudie;
    uint8_t unitType;
    while (dwarf_get_units(impl_.dwarf, cu, &cu, nullptr, &unitType, &cudie, nullptr) == 0) {
      if (unitType != DW_UT_compile && unitType != DW_UT_partial) continue;
      size_t first = out_->size();
      walkChildren(&cudie, 0, 0, Nesting{});
      placeAfterPrologue(&cudie, first);
    }
    qualifyNames();
  }

 private:
  bool isCode(uint64_t address) const {
    for (const Range& range : code_)
      if (address >= range.first && address < range.second) return true;
    return false;
  }

  // Where a DIE sits: inside a function, inside a class local to one.
  struct Nesting {
    bool inFunction = false;
    bool inLocalType = false;
  };

  void walkChildren(Dwarf_Die* parent, uint32_t scope, int depth, Nesting nesting) {
    Dwarf_Die child;
    if (depth > 200 || dwarf_child(parent, &child) != 0) return;
    do {
      int tag = dwarf_tag(&child);
      switch (tag) {
        case DW_TAG_namespace:
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type: {
          const char* name = dwarf_diename(&child);
          std::string part = name ? name : tag == DW_TAG_namespace ? "(anonymous namespace)" : "";
          uint32_t inner = scope;
          if (!part.empty()) {
            inner = static_cast<uint32_t>(scopes_.size());
            scopes_.push_back(scope ? scopes_[scope] + "::" + part : part);
          }
          Nesting within = nesting;
          within.inLocalType = nesting.inLocalType || (tag != DW_TAG_namespace && nesting.inFunction);
          walkChildren(&child, inner, depth + 1, within);
          break;
        }
        case DW_TAG_subprogram: {
          scopeOf_.emplace(dwarf_dieoffset(&child), scope);
          addInstance(&child, false);
          Nesting within = nesting;
          within.inFunction = true;
          walkChildren(&child, scope, depth + 1, within);
          break;
        }
        case DW_TAG_inlined_subroutine:
          // stap 4.8 does not list the copies inlined into the methods of
          // a function's local classes (lambda bodies among them).
          if (!nesting.inLocalType) addInstance(&child, true);
          walkChildren(&child, scope, depth + 1, nesting);
          break;
        case DW_TAG_lexical_block: walkChildren(&child, scope, depth + 1, nesting); break;
        default: break;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  void addInstance(Dwarf_Die* die, bool inlined) {
    const char* name = dwarf_diename(die);
    if (!dwarf_hasattr(die, DW_AT_low_pc) && !dwarf_hasattr(die, DW_AT_ranges)) {
      // A definition DWARF gives no code (glibc's mtrace, a compat stub):
      // stap ties the symbols of that name to it, so they do not list.
      if (name && !inlined && !dwarf_hasattr(die, DW_AT_declaration) && dwarf_func_inline(die) == 0)
        addCodeless(die, name);
      return;
    }
    if (!name) return;
    std::vector<Range> ranges = rangesOf(die);
    std::optional<uint64_t> entry;
    Dwarf_Addr low;
    if (inlined)
      entry = instanceEntry(die, ranges);
    else if (dwarf_lowpc(die, &low) == 0)
      entry = low;
    else if (!ranges.empty())
      entry = instanceEntry(die, ranges);
    // Copies the linker discarded (COMDAT duplicates) keep DWARF with
    // address 0 or a tombstone: no code of the file is there. Their
    // symbols, when another unit without DWARF kept its copy, are tied to
    // them by name as stap ties them, so they do not list either.
    if (!entry || !isCode(*entry)) {
      if (!inlined) addCodeless(die, name);
      return;
    }
    // Out-of-line functions starting at one address are one function
    // (gas describes each of an assembly function's symbols, glibc's
    // "__bind", "bind", "__GI___bind"): the first keeps the probe point
    // and the others name it too.
    Function** atEntry = nullptr;
    if (!inlined) {
      auto [it, fresh] = outOfLineAt_.emplace(*entry, nullptr);
      if (!fresh) {
        addAlias(it->second, name);
        if (const char* linkage = linkageNameOf(die)) addAlias(it->second, linkage);
        return;
      }
      atEntry = &it->second;
    }
    // stap takes inlined copies from the functions DWARF calls inline
    // (dwarf_func_inline); gcc sometimes inlines one it marks
    // DW_INL_not_inlined (libstdc++'s ~_Hashtable), and those copies are
    // not listed.
    if (inlined && !originIsInline(die)) return;
    // Two copies of one function inlined at the same address (a call
    // split across blocks) are one probe point.
    uint64_t declaration = declarationOffset(*die);
    if (inlined && !inlinedAt_.emplace(*entry, declaration).second) return;
    auto function = std::make_unique<Function>();
    function->name = name;
    if (const char* linkage = linkageNameOf(die)) function->linkageName = linkage;
    if (const char* file = dwarf_decl_file(die)) function->declFile = file;
    dwarf_decl_line(die, &function->declLine);
    function->entry = function->afterPrologue = *entry;
    function->isInlineInstance = inlined;
    Dwarf_Attribute attr;
    bool external = false;
    if (dwarf_attr_integrate(die, DW_AT_external, &attr)) dwarf_formflag(&attr, &external);
    function->isExternal = external;
    function->dieOffset = dwarf_dieoffset(die);
    if (atEntry) *atEntry = function.get();
    pending_.push_back({function.get(), declaration, rangeEnd(ranges, *entry), dwarf_hasattr(die, DW_AT_low_pc) != 0});
    out_->push_back(std::move(function));
  }

  void addCodeless(Dwarf_Die* die, const char* name) {
    const char* linkage = linkageNameOf(die);
    codeless_.insert(linkage ? linkage : name);
  }

  static uint64_t rangeEnd(const std::vector<Range>& ranges, uint64_t address) {
    for (const Range& range : ranges)
      if (address >= range.first && address < range.second) return range.second;
    return address;
  }

  // stap's placement after the prologue: in the unit's line table (libdw
  // sorts it by address, a sequence's end before a sequence starting at the
  // same address), the row after the first row at the entry, when that is
  // still inside the entry's address range; else the entry. So a one-row
  // function, or one whose first row is the end of the sequence before it,
  // keeps its entry, and -O2 code whose first rows share the entry address
  // keeps it too. A row marked prologue_end (clang) wins. Inlined copies
  // keep their entry, as stap's do.
  void placeAfterPrologue(Dwarf_Die* cudie, size_t first) {
    Dwarf_Lines* lines;
    size_t count;
    if (first == out_->size() || dwarf_getsrclines(cudie, &lines, &count) != 0 || count == 0) return;
    auto addressOf = [&](size_t row) {
      Dwarf_Addr address = 0;
      dwarf_lineaddr(dwarf_onesrcline(lines, row), &address);
      return address;
    };
    for (size_t i = first; i < out_->size(); ++i) {
      Function& function = *(*out_)[i];
      if (function.isInlineInstance) continue;
      if (function.declFile.empty() && pending_[i].placedByLines) placeByLineTable(cudie, &function);
      uint64_t end = pending_[i].end;
      size_t lo = 0, hi = count;  // the first row at or after the entry
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (addressOf(mid) < function.entry)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo == count || addressOf(lo) != function.entry) continue;
      std::optional<uint64_t> marked = prologueEnd(lines, lo, count, end);
      if (marked)
        function.afterPrologue = *marked;
      else if (lo + 1 < count && addressOf(lo + 1) < end)
        function.afterPrologue = addressOf(lo + 1);
    }
  }

  // An out-of-line function DWARF declares nowhere (assembly, whose DIEs
  // gas writes; C++'s artificial _GLOBAL__sub_I_* and lambda operators) is
  // spelled, as stap spells it, by the line-table row libdw finds for its
  // DW_AT_low_pc (the last row at that address); one DW_AT_ranges places
  // (a split hot/cold function) stays "<unknown source>".
  static void placeByLineTable(Dwarf_Die* cudie, Function* function) {
    Dwarf_Line* line = dwarf_getsrc_die(cudie, function->entry);
    const char* file = line ? dwarf_linesrc(line, nullptr, nullptr) : nullptr;
    if (!file) return;
    function->declFile = file;
    dwarf_lineno(line, &function->declLine);
  }

  static std::optional<uint64_t> prologueEnd(Dwarf_Lines* lines, size_t row, size_t count, uint64_t end) {
    for (; row < count; ++row) {
      Dwarf_Line* line = dwarf_onesrcline(lines, row);
      Dwarf_Addr address;
      bool marked = false;
      dwarf_lineaddr(line, &address);
      if (address >= end) break;
      dwarf_lineprologueend(line, &marked);
      if (marked) return address;
    }
    return std::nullopt;
  }

  // Prefixes each name with the scope its declaration sits in.
  void qualifyNames() {
    for (const Pending& pending : pending_) {
      auto it = scopeOf_.find(pending.declaration);
      std::string scope = it != scopeOf_.end() ? scopes_[it->second] : demangledScope(pending.function->linkageName);
      if (!scope.empty()) pending.function->name = scope + "::" + pending.function->name;
    }
  }

  struct Pending {
    Function* function;
    uint64_t declaration;  // the DIE offset whose scope names it
    uint64_t end;          // the end of the address range holding the entry
    bool placedByLines;    // its own DIE has DW_AT_low_pc (not DW_AT_ranges)
  };

  const Module::Impl& impl_;
  std::vector<std::unique_ptr<Function>>* out_;
  std::unordered_map<uint64_t, Function*> outOfLineAt_;
  std::unordered_set<std::string> codeless_;
  std::vector<Range> code_;                            // executable sections
  std::vector<std::string> scopes_;                    // [0] is the global scope ""
  std::unordered_map<uint64_t, uint32_t> scopeOf_;     // subprogram DIE -> scopes_ index
  std::vector<Pending> pending_;                       // parallel to *out_
  std::set<std::pair<uint64_t, uint64_t>> inlinedAt_;  // (entry, declaration) of inlined copies
};

}  // namespace

DwarfFunctions indexDwarfFunctions(const Module::Impl& impl, std::vector<std::unique_ptr<Function>>* index) {
  FunctionWalker walker(impl, index);
  walker.walkUnits();
  return {walker.outOfLineAt(), walker.codeless()};
}

}  // namespace utap::dwarf
