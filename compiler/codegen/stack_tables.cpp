// The symbol and unwind tables of the files a script's stacks can pass
// through, as C arrays (utap/unwind.h). Only scripts that call a symbol or
// stack function carry them: libc's tables alone are tens of thousands of rows.
#include "codegen/stack_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <string_view>
#include <memory>
#include <set>

#include "codegen/c_writer.h"
#include "codegen/process_probes.h"
#include "dwarf/module.h"
#include "dwarf/stack_tables.h"

namespace utap::codegen {

namespace {

const char* cfaName(dwarf::UnwindRow::Cfa c) {
  using C = dwarf::UnwindRow::Cfa;
  switch (c) {
    case C::None: return "UTAP_CFA_NONE";
    case C::Sp: return "UTAP_CFA_SP";
    case C::Fp: return "UTAP_CFA_FP";
    case C::SpDeref: return "UTAP_CFA_SP_DEREF";
    case C::FpDeref: return "UTAP_CFA_FP_DEREF";
    case C::Unsupported: break;
  }
  return "UTAP_CFA_UNSUPPORTED";
}

const char* regName(dwarf::UnwindRow::Reg r) {
  using R = dwarf::UnwindRow::Reg;
  switch (r) {
    case R::Same: return "UTAP_REG_SAME";
    case R::Undefined: return "UTAP_REG_UNDEFINED";
    case R::AtCfa: return "UTAP_REG_AT_CFA";
    case R::ValCfa: return "UTAP_REG_VAL_CFA";
    case R::Unsupported: break;
  }
  return "UTAP_REG_UNSUPPORTED";
}

bool fits16(int64_t v) { return v >= INT16_MIN && v <= INT16_MAX; }
bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

// A row whose offsets the runtime's row cannot hold ends the stack there.
dwarf::UnwindRow narrowed(dwarf::UnwindRow r) {
  if (!fits32(r.cfaOffset)) r.cfa = dwarf::UnwindRow::Cfa::Unsupported, r.cfaOffset = 0;
  if (!fits16(r.raOffset)) r.ra = dwarf::UnwindRow::Reg::Unsupported, r.raOffset = 0;
  if (!fits16(r.fpOffset)) r.fp = dwarf::UnwindRow::Reg::Unsupported, r.fpOffset = 0;
  return r;
}

std::string fileTables(size_t index, const dwarf::StackTables& t, bool withLines) {
  CWriter w;
  w.line(fmt::format("/* {}: {} symbols, {} unwind rows */", t.path, t.symbols.size(), t.unwind.size()));
  w.open(fmt::format("static const struct utap_symbol file{}_symbols[] =", index));
  uint64_t name = 0;
  std::string names;
  for (const auto& s : t.symbols) {
    if (s.offset > UINT32_MAX) continue;
    w.line(fmt::format("{{ {:#x}, {:#x}, {} }},", s.offset, std::min<uint64_t>(s.size, UINT32_MAX), name));
    name += s.name.size() + 1;
  }
  w.close(";");
  w.open(fmt::format("static const char file{}_names[] =", index));
  for (const auto& s : t.symbols)
    if (s.offset <= UINT32_MAX) w.line(cString(s.name) + " \"\\0\"");
  w.line("\"\"");
  w.close(";");
  w.open(fmt::format("static const struct utap_unwind_row file{}_rows[] =", index));
  for (const auto& row : t.unwind) {
    if (row.offset > UINT32_MAX) continue;
    dwarf::UnwindRow r = narrowed(row);
    w.line(fmt::format("{{ {:#x}, {}, {}, {}, {}, {}, {} }},", r.offset, r.cfaOffset, r.raOffset, r.fpOffset,
                       cfaName(r.cfa), regName(r.ra), regName(r.fp)));
  }
  if (t.unwind.empty()) w.line("{ 0, 0, 0, 0, UTAP_CFA_NONE, UTAP_REG_UNDEFINED, UTAP_REG_SAME },");
  w.close(";");
  if (withLines) {
    // Each source path once; a row names it by its offset in line_files.
    std::vector<uint64_t> fileAt;
    uint64_t at = 0;
    w.open(fmt::format("static const char file{}_line_files[] =", index));
    for (const std::string& file : t.lines.files) {
      fileAt.push_back(at);
      at += file.size() + 1;
      w.line(cString(file) + " \"\\0\"");
    }
    w.line("\"\"");
    w.close(";");
    w.open(fmt::format("static const struct utap_line_row file{}_lines[] =", index));
    for (const auto& row : t.lines.rows)
      if (row.offset <= UINT32_MAX) w.line(fmt::format("{{ {:#x}, {}, {} }},", row.offset, row.line ? fileAt[row.file] : 0, row.line));
    if (t.lines.rows.empty()) w.line("{ 0, 0, 0 },");
    w.close(";");
  }
  w.blank();
  return w.take();
}

}  // namespace

namespace {

// Whether a used function's embedded C carries one of `pragmas`.
bool usesPragma(const sema::Program& program, std::initializer_list<std::string_view> pragmas) {
  for (const auto& f : program.functions) {
    if (!f->used || !f->decl) continue;
    for (const auto& p : f->decl->pragmas)
      if (std::find(pragmas.begin(), pragmas.end(), p) != pragmas.end()) return true;
  }
  return false;
}

}  // namespace

bool needsStackTables(const sema::Program& program) {
  return usesPragma(program, {"pragma:symbols", "pragma:unwind", "pragma:lines"});
}

std::string stackTableDefinitions(const sema::Program& program, const StackTableOptions& options,
                                  Diagnostics& diags) {
  // The probed files, then each -d file, in order; --ldd adds what each needs.
  std::vector<std::shared_ptr<const dwarf::Module>> modules;
  std::set<std::string> seen;
  auto add = [&](std::shared_ptr<const dwarf::Module> m) {
    if (m && seen.insert(m->path()).second) modules.push_back(std::move(m));
  };
  for (const auto& p : program.probes)
    if (const probes::ProcessPoint* point = addressedProcessPoint(*p)) add(point->module);
  for (const std::string& name : options.modules) {
    std::string error;
    std::optional<std::string> path = dwarf::findExecutable(name, &error);
    std::shared_ptr<const dwarf::Module> m = path ? dwarf::Module::cached(*path, &error) : nullptr;
    if (!m) {
      diags.report(DiagKind::SymbolModule, SourceRange{}, name, error);
      continue;
    }
    add(m);
  }
  if (options.ldd) {
    // Breadth first through DT_NEEDED, each library once.
    std::deque<std::shared_ptr<const dwarf::Module>> unvisited(modules.begin(), modules.end());
    while (!unvisited.empty()) {
      std::shared_ptr<const dwarf::Module> m = unvisited.front();
      unvisited.pop_front();
      for (const std::string& needed : m->neededLibraries()) {
        std::optional<std::string> path = dwarf::findLibrary(*m, needed);
        std::string error;
        std::shared_ptr<const dwarf::Module> lib = path ? dwarf::Module::cached(*path, &error) : nullptr;
        if (!lib || seen.count(lib->path())) continue;  // ld.so would not find it either: no table
        add(lib);
        unvisited.push_back(lib);
      }
    }
  }
  // Line tables only for usymfile() & co.: they are the biggest.
  bool withLines = usesPragma(program, {"pragma:lines"});
  CWriter w;
  std::string out;
  for (size_t i = 0; i < modules.size(); ++i) {
    std::string error;  // a file without CFI still has its symbols; its frames unwind by frame pointers
    out += fileTables(i, dwarf::stackTables(*modules[i], &error, withLines), withLines);
  }
  w.open("static const struct utap_file_tables stack_files[] =");
  for (size_t i = 0; i < modules.size(); ++i) {
    std::string lines = withLines ? fmt::format(", .lines = file{}_lines, .nlines = ARRAY_SIZE(file{}_lines), "
                                                ".line_files = file{}_line_files",
                                                i, i, i)
                                  : "";
    w.line(fmt::format("{{ .path = {}, .symbols = file{}_symbols, .nsymbols = ARRAY_SIZE(file{}_symbols), "
                       ".names = file{}_names, .rows = file{}_rows, .nrows = ARRAY_SIZE(file{}_rows){} }},",
                       cString(modules[i]->path()), i, i, i, i, i, lines));
  }
  if (modules.empty()) w.line("{ .path = NULL },");
  w.close(";");
  w.line(fmt::format("static const struct utap_stack_tables stack_tables = {{ stack_files, {} }};", modules.size()));
  w.blank();
  return out + w.take();
}

}  // namespace utap::codegen
