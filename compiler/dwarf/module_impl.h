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

  ~Impl();
  // The DIE at `offset` in the debug file (false if there is none).
  bool dieAt(uint64_t offset, Dwarf_Die* die) const;
  // Builds functionIndex (functions.cpp).
  void indexFunctions() const;
};

}  // namespace utap::dwarf
