// The symbol and unwind tables of one ELF file, as pass 3 puts them in the
// module for usymname(), ubacktrace() and the other stack functions
// (runtime/unwind). Every address here is a file offset: the runtime finds
// the file mapped at an address and its offset in the file from the
// mapping alone (vm_pgoff), so neither the load bias nor the ELF headers
// travel into the module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace utap::dwarf {

class Module;

// One function or data object: [offset, offset + size) of the file.
struct TableSymbol {
  uint64_t offset = 0;
  uint64_t size = 0;  // 0: unknown (an assembler's symbol); it then ends at the next one
  std::string name;   // C++ demangled without parameters ("ns::S::f"), as gdb and ppfunc() show it
};

// How the caller's CFA, return address and frame pointer (rbp) are found,
// from the address `offset` up to the next row (x86-64 DWARF registers).
struct UnwindRow {
  enum class Cfa : uint8_t {
    None,      // no CFI covers this address (or it is a row only ending the previous one)
    Sp,        // CFA = rsp + cfaOffset
    Fp,        // CFA = rbp + cfaOffset
    SpDeref,   // CFA = *(rsp + cfaOffset)
    FpDeref,   // CFA = *(rbp + cfaOffset)
    Unsupported,  // an expression the runtime does not evaluate: unwinding ends here, saying so
  };
  enum class Reg : uint8_t {
    Same,         // the caller's value is the callee's
    Undefined,    // not recoverable (the return address of the outermost frame)
    AtCfa,        // saved at CFA + offset
    ValCfa,       // is CFA + offset
    Unsupported,  // in another register or an expression
  };
  uint64_t offset = 0;
  Cfa cfa = Cfa::None;
  int64_t cfaOffset = 0;
  Reg ra = Reg::Undefined;
  int64_t raOffset = 0;
  Reg fp = Reg::Same;
  int64_t fpOffset = 0;
  bool sameRules(const UnwindRow& o) const {
    return cfa == o.cfa && cfaOffset == o.cfaOffset && ra == o.ra && raOffset == o.raOffset && fp == o.fp &&
           fpOffset == o.fpOffset;
  }
};

// From `offset` up to the next row, the code is of `line` of `files[file]`
// (line 0: of no line, as after the end of a sequence).
struct LineRow {
  uint64_t offset = 0;
  uint32_t file = 0;
  uint32_t line = 0;
};

// A file's line table for usymfile(), usymline() and usymfileline().
struct LineTable {
  std::vector<std::string> files;  // source paths as the DWARF names them (the unit's directory joined)
  std::vector<LineRow> rows;       // by offset, neighbours of one line merged
};

struct StackTables {
  std::string path;
  std::vector<TableSymbol> symbols;  // by offset
  std::vector<UnwindRow> unwind;     // by offset; each row holds until the next
  LineTable lines;                   // only when asked for (stackTables' `withLines`)
};

// The symbols of the fullest symbol table of `module` (its .symtab, else
// its debug file's, else .dynsym): functions and objects with file bytes,
// one per address (a global name before a weak one before a local one,
// as the linker resolves them), sorted.
std::vector<TableSymbol> symbolTable(const Module& module);

// The module's CFI (.eh_frame, then .debug_frame for what it does not
// cover) compiled to rows, merged where neighbours have the same rules.
// On a file libdw cannot read CFI from, no rows and *error says why.
std::vector<UnwindRow> unwindTable(const Module& module, std::string* error);

// The line tables of every unit of the module's DWARF, as one table by
// file offset; empty without debug information.
LineTable lineTable(const Module& module);

// The tables of one file; its line table too with `withLines`.
StackTables stackTables(const Module& module, std::string* error, bool withLines = false);

}  // namespace utap::dwarf
