// The symbol-table half of the function index: the functions ELF symbols
// name beyond DWARF's (crt code, split-off .cold parts, code built without
// -g, everything of a file without DWARF), the aliases symbols give
// DWARF's functions, and .exported.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

// The defined functions of `elf`'s symbol table of type `wanted`, in table order.
template <typename Visit>
void forEachFunctionSymbol(Elf* elf, Elf64_Word wanted, Visit visit) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != wanted || shdr.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    size_t count = shdr.sh_size / shdr.sh_entsize;
    for (size_t i = 1; data && i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      int type = GELF_ST_TYPE(sym.st_info);
      if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
      const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (name && *name) visit(name, sym);
    }
  }
}

bool hasSection(Elf* elf, Elf64_Word type) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) && shdr.sh_type == type) return true;
  }
  return false;
}

// The fullest symbol table of the module, as elfutils (and so stap) picks
// it: the probed file's .symtab, else the debug file's (a distribution's
// library keeps only .dynsym; its .symtab went to the -dbgsym package with
// the DWARF, at the same link-time addresses), else .dynsym.
std::pair<Elf*, Elf64_Word> functionSymbolTable(const Module::Impl& impl) {
  if (hasSection(impl.elf, SHT_SYMTAB)) return {impl.elf, SHT_SYMTAB};
  if (impl.debugElf && impl.debugElf != impl.elf && hasSection(impl.debugElf, SHT_SYMTAB))
    return {impl.debugElf, SHT_SYMTAB};
  return {impl.elf, SHT_DYNSYM};
}

// "name@VERSION" symbols of a shared library keep the name before '@'.
std::string symbolName(const char* raw) {
  std::string name(raw);
  if (size_t at = name.find('@'); at != std::string::npos) name.resize(at);
  return name;
}

}  // namespace

void addAlias(Function* function, const std::string& name) {
  if (name != function->name && name != function->linkageName &&
      std::find(function->aliases.begin(), function->aliases.end(), name) == function->aliases.end())
    function->aliases.push_back(name);
}

void Module::Impl::indexFunctions() const {
  std::vector<std::unique_ptr<Function>> index;
  // The function starting at each address: DWARF's out-of-line functions,
  // then one per address of the symbols DWARF does not cover (crt code,
  // split-off .cold parts, code built without -g). A further symbol at
  // one of these addresses is an alias of its function, and stap lists
  // such a function once: by its DWARF name, else by the first symbol of
  // the table at that address.
  DwarfFunctions described;
  if (dwarf) described = indexDwarfFunctions(*this, &index);
  std::unordered_map<uint64_t, Function*>& byEntry = described.outOfLineAt;
  const std::unordered_set<std::string>& codeless = described.codeless;
  // Addresses whose symbols name a DWARF definition without code.
  std::unordered_set<uint64_t> tiedToDwarf;
  auto [table, tableType] = functionSymbolTable(*this);
  forEachFunctionSymbol(table, tableType, [&](const char* raw, const GElf_Sym& sym) {
    std::string symbol = symbolName(raw);
    if (codeless.count(symbol)) tiedToDwarf.insert(sym.st_value);
    auto [at, fresh] = byEntry.emplace(sym.st_value, nullptr);
    if (!fresh) {
      addAlias(at->second, symbol);
      return;
    }
    auto function = std::make_unique<Function>();
    // Parts of a function the compiler split off ("main.cold", "f.part.0")
    // keep their symbol's name, as stap lists them: they are not "f".
    std::optional<std::string> demangled = symbol.find('.') == std::string::npos ? demangledName(symbol) : std::nullopt;
    function->name = demangled ? *demangled : symbol;
    if (demangled) function->linkageName = symbol;
    function->entry = function->afterPrologue = sym.st_value;
    function->isExternal = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
    function->fromSymbolTable = true;
    at->second = function.get();
    index.push_back(std::move(function));
  });
  std::erase_if(index, [&](const std::unique_ptr<Function>& function) {
    return function->fromSymbolTable && tiedToDwarf.count(function->entry);
  });
  functionIndex = std::move(index);
}

bool Module::isExported(const Function& function) const {
  if (!impl_->exportedNames) {
    std::vector<std::string> names;
    forEachFunctionSymbol(impl_->elf, SHT_DYNSYM,
                          [&](const char* raw, const GElf_Sym&) { names.push_back(symbolName(raw)); });
    std::sort(names.begin(), names.end());
    impl_->exportedNames = std::move(names);
  }
  auto exported = [&](const std::string& symbol) {
    return std::binary_search(impl_->exportedNames->begin(), impl_->exportedNames->end(), symbol);
  };
  // An exported alias exports the function ("malloc" for __libc_malloc).
  return exported(function.linkageName.empty() ? function.name : function.linkageName) ||
         std::any_of(function.aliases.begin(), function.aliases.end(), exported);
}

}  // namespace utap::dwarf
