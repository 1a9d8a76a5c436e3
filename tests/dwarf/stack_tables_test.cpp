// The symbol and unwind tables pass 3 puts in the module (dwarf/
// stack_tables.h), against binutils on the same files: every row of
// `readelf --debug-dump=frames-interp` must be the rule our table gives at
// that address, and the symbol table must name nm's functions at their
// file offsets.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "dwarf/stack_tables.h"
#include "oracle.h"
#include "test_programs.h"

namespace utap::test {
namespace {

using dwarf::UnwindRow;

const UnwindRow* rowAt(const std::vector<UnwindRow>& rows, uint64_t offset) {
  auto it = std::upper_bound(rows.begin(), rows.end(), offset,
                             [](uint64_t o, const UnwindRow& r) { return o < r.offset; });
  return it == rows.begin() ? nullptr : &*(it - 1);
}

// readelf's spelling of our CFA rule ("rsp+8", "rbp+16"; "exp" for the rest).
std::string cfaText(const UnwindRow& r) {
  switch (r.cfa) {
    case UnwindRow::Cfa::Sp: return "rsp+" + std::to_string(r.cfaOffset);
    case UnwindRow::Cfa::Fp: return "rbp+" + std::to_string(r.cfaOffset);
    case UnwindRow::Cfa::None: return "none";
    default: return "exp";
  }
}

// readelf's spelling of a register rule ("c-8", "u", "s"; "exp" for the rest).
std::string regText(UnwindRow::Reg rule, int64_t offset) {
  switch (rule) {
    case UnwindRow::Reg::Same: return "s";
    case UnwindRow::Reg::Undefined: return "u";
    case UnwindRow::Reg::AtCfa: return "c" + std::string(offset < 0 ? "" : "+") + std::to_string(offset);
    case UnwindRow::Reg::ValCfa: return "v" + std::string(offset < 0 ? "" : "+") + std::to_string(offset);
    default: return "exp";
  }
}

struct ReadelfRow {
  uint64_t address = 0;
  std::map<std::string, std::string> rules;  // column → rule ("CFA" → "rsp+8", "ra" → "c-8")
};

// The rows of `readelf -wF` for the FDEs (LOC lines under a header).
std::vector<ReadelfRow> readelfRows(const std::string& path) {
  CommandResult r = runCommand({"readelf", "--debug-dump=frames-interp", "-W", path});
  std::vector<ReadelfRow> rows;
  std::vector<std::string> columns;
  bool inFde = false;
  uint64_t fdeEnd = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    if (w.size() > 3 && (w[3] == "FDE" || w[3] == "CIE")) {
      inFde = w[3] == "FDE";
      columns.clear();
      // "pc=START..END"; a row at END (readelf prints one after a last
      // advance_loc to the end) covers nothing.
      size_t dots = line.find("..");
      fdeEnd = inFde && dots != std::string::npos ? std::stoull(line.substr(dots + 2), nullptr, 16) : 0;
    } else if (w[0] == "LOC") {
      columns = w;
    } else if (inFde && !columns.empty() && w.size() == columns.size() && w[0].size() == 16) {
      ReadelfRow row;
      row.address = std::stoull(w[0], nullptr, 16);
      if (row.address >= fdeEnd) continue;
      for (size_t i = 1; i < w.size(); ++i) row.rules[columns[i]] = w[i];
      rows.push_back(row);
    }
  }
  return rows;
}

class UnwindTableTest : public ProgramTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(UnwindTableTest, EveryReadelfRowIsOurRule) {
  dwarf::Module& m = open(GetParam());
  std::string error;
  std::vector<UnwindRow> rows = dwarf::unwindTable(m, &error);
  ASSERT_FALSE(rows.empty()) << error;
  for (size_t i = 1; i < rows.size(); ++i) ASSERT_LT(rows[i - 1].offset, rows[i].offset) << "rows out of order";
  std::vector<ReadelfRow> theirs = readelfRows(testProgram(GetParam()));
  ASSERT_GT(theirs.size(), 2u) << "readelf printed no CFI rows";
  size_t compared = 0;
  for (const ReadelfRow& t : theirs) {
    std::optional<uint64_t> offset = m.fileOffset(t.address);
    ASSERT_TRUE(offset) << std::hex << t.address;
    const UnwindRow* ours = rowAt(rows, *offset);
    ASSERT_NE(ours, nullptr) << "no row at 0x" << std::hex << t.address;
    std::string cfa = t.rules.at("CFA");
    if (cfa == "exp") {
      EXPECT_NE(ours->cfa, UnwindRow::Cfa::Sp) << std::hex << t.address;
    } else {
      EXPECT_EQ(cfaText(*ours), cfa) << "CFA at 0x" << std::hex << t.address;
    }
    if (t.rules.count("ra")) {
      EXPECT_EQ(regText(ours->ra, ours->raOffset), t.rules.at("ra")) << std::hex << t.address;
    }
    // readelf writes a register no instruction mentioned yet as "u"; for
    // rbp, callee-saved in the x86-64 ABI, that is "same value" (libdw's
    // reading, and ours).
    if (t.rules.count("rbp")) {
      std::string rbp = t.rules.at("rbp") == "u" ? "s" : t.rules.at("rbp");
      EXPECT_EQ(regText(ours->fp, ours->fpOffset), rbp) << std::hex << t.address;
    }
    ++compared;
  }
  EXPECT_EQ(compared, theirs.size());
}

INSTANTIATE_TEST_SUITE_P(Programs, UnwindTableTest,
                         ::testing::Values("stacks-O0", "stacks-O2", "stacks-O2-nopie", "stacks-cxx-O2", "stacks-debug-frame",
                                           "libstacklib.so", "cprog-O2"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

// An address no FDE covers (between the last FDE and the end of .text is
// not guaranteed; the end of the table is): past the last row, no rule.
class UnwindEndTest : public ProgramTest {};

TEST_F(UnwindEndTest, TableEndsWithNoRule) {
  dwarf::Module& m = open("stacks-O2");
  std::vector<UnwindRow> rows = dwarf::unwindTable(m, nullptr);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().cfa, UnwindRow::Cfa::None);
}

class SymbolTableTest : public ProgramTest {};

// PIE and ET_EXEC (-no-pie: nm's addresses are link-time addresses, not offsets from a load base).
class SymbolOffsetTest : public ProgramTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(SymbolOffsetTest, NmFunctionsAtTheirFileOffsets) {
  dwarf::Module& m = open(GetParam());
  std::vector<dwarf::TableSymbol> symbols = dwarf::symbolTable(m);
  ASSERT_FALSE(symbols.empty());
  for (size_t i = 1; i < symbols.size(); ++i) ASSERT_LT(symbols[i - 1].offset, symbols[i].offset);
  for (const char* name : {"main", "deep", "level1", "level2", "compare"}) {
    std::optional<uint64_t> address = nmFunctionAddress(testProgram(GetParam()), name);
    ASSERT_TRUE(address) << name;
    auto it = std::find_if(symbols.begin(), symbols.end(), [&](const auto& s) { return s.name == name; });
    ASSERT_NE(it, symbols.end()) << name;
    EXPECT_EQ(it->offset, *m.fileOffset(*address)) << name;
    EXPECT_GT(it->size, 0u) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, SymbolOffsetTest, ::testing::Values("stacks-O2", "stacks-O2-nopie"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

TEST_F(SymbolTableTest, CxxNamesDemangledWithoutParameters) {
  dwarf::Module& m = open("stacks-cxx-O0");
  std::vector<dwarf::TableSymbol> symbols = dwarf::symbolTable(m);
  auto has = [&](const std::string& name) {
    return std::any_of(symbols.begin(), symbols.end(), [&](const auto& s) { return s.name == name; });
  };
  EXPECT_TRUE(has("walk::deep"));
  EXPECT_TRUE(has("walk::Chain::start"));
  EXPECT_TRUE(has("trampoline"));
  EXPECT_FALSE(std::any_of(symbols.begin(), symbols.end(), [](const auto& s) { return s.name.rfind("_ZN", 0) == 0; }));
}

// A distribution's libc keeps only .dynsym; its .symtab (msort_with_tmp,
// static functions) comes from the debug file, and of the names at one
// address the global one wins (qsort, not __GI_qsort).
TEST_F(SymbolTableTest, LibcFromItsDebugFileWithGlobalNames) {
  dwarf::Module& program = open("stacks-O2");
  std::optional<std::string> libc = dwarf::findLibrary(program, "libc.so.6");
  ASSERT_TRUE(libc);
  std::unique_ptr<dwarf::Module> lib = openModule(*libc);
  ASSERT_TRUE(lib);
  dwarf::Module& m = *lib;
  ASSERT_TRUE(m.hasDebugInfo()) << "libc6-dbg is not installed (scripts/setup installs it)";
  std::vector<dwarf::TableSymbol> symbols = dwarf::symbolTable(m);
  auto named = [&](const std::string& name) {
    return std::count_if(symbols.begin(), symbols.end(), [&](const auto& s) { return s.name == name; });
  };
  EXPECT_EQ(named("qsort"), 1);
  EXPECT_EQ(named("__GI_qsort"), 0);
  EXPECT_EQ(named("msort_with_tmp.part.0"), 1);
}

}  // namespace
}  // namespace utap::test
