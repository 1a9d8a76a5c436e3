// Module::Impl: the open files and the lazily built indexes of one module.
// Internal to compiler/dwarf: the only header outside the .cpp files that
// includes libdw and libelf. Every index is built on first use and kept,
// so listing "*" over a big binary walks its DWARF once.
#pragma once

#include <elfutils/libdw.h>
#include <gelf.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dwarf/module.h"

namespace utap::dwarf {

struct Module::Impl {
  std::string path;       // absolute, as probe text spells it
  std::string debugPath;  // the file DWARF came from ("" when none)
  int fd = -1, debugFd = -1;
  Elf* elf = nullptr;       // the file probed
  Elf* debugElf = nullptr;  // the file with DWARF (== elf when it is in the file)
  Dwarf* dwarf = nullptr;   // null without debug info
  GElf_Ehdr ehdr{};

  // Built on first use by functions.cpp, sdt_notes.cpp, plt.cpp.
  mutable std::optional<std::vector<std::unique_ptr<Function>>> functionIndex;
  mutable std::optional<std::vector<SdtProbe>> sdtIndex;
  mutable std::optional<std::vector<PltEntry>> pltIndex;
  // Names of the functions .dynsym defines (functions.cpp, for .exported).
  mutable std::optional<std::vector<std::string>> exportedNames;

  ~Impl();
  // The DIE at `offset` in the debug file (false if there is none).
  bool dieAt(uint64_t offset, Dwarf_Die* die) const;
  // Builds functionIndex (functions.cpp).
  void indexFunctions() const;
};

// ---- functions: function_spec.cpp, functions.cpp, lines.cpp ----

// "ns::Shape<a::b>::operator<" -> {"ns", "Shape<a::b>", "operator<"}: the
// "::" outside <> and () that separate scopes (function_spec.cpp).
std::vector<std::string> scopeParts(std::string_view name);
// Whether `function` is one `spec` names: its function pattern against the
// qualified name (part by part) or the linkage name, its file pattern
// against the declaring file; lines are not looked at (function_spec.cpp).
bool matchesSpec(const FunctionSpec& spec, const Function& function);
// stap's "@FILE" test: the pattern against the whole path or any tail of
// it after a '/' ("t.c" and "*.c" name "/src/t.c"; function_spec.cpp).
bool sourceFileMatches(const std::string& pattern, const std::string& file);

}  // namespace utap::dwarf
