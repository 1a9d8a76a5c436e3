// Oracles for the DWARF/ELF reader's tests: what binutils and gdb say about
// a test program, parsed into plain structs. Each helper runs the tool on
// the spot, so a test compares the reader with the tools on exactly the
// file it opened (only gdbLoadBias, fixed per file, is remembered).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace utap::test {

// <build>/testsuite/programs/NAME (see testsuite/programs/README.md).
std::string testProgram(std::string_view name);

struct CommandResult {
  int exitStatus = -1;  // the exit code; -1 when it did not exit normally
  std::string out;      // stdout, and stderr too when mergeStderr
  std::string err;
};
// Runs argv[0] (searched in $PATH) with the given arguments; stdin is
// /dev/null. Extra environment entries ("NAME=value") are added to ours.
CommandResult runCommand(const std::vector<std::string>& argv, bool mergeStderr = false,
                         const std::vector<std::string>& extraEnvironment = {});

// ---- nm -------------------------------------------------------------------
struct NmSymbol {
  std::string name;
  uint64_t address = 0;
  char type = '?';  // nm's letter: 'T' global text, 't' local text, 'D', 'B', 'W', ...
};
// Defined symbols of `path` (`nm --defined-only`, or `nm -D` for .dynsym).
std::vector<NmSymbol> nmSymbols(const std::string& path, bool dynamicTable = false);
// The address of the first symbol called `name` of a text type (T, t, W, w).
std::optional<uint64_t> nmFunctionAddress(const std::string& path, std::string_view name);

// ---- readelf ----------------------------------------------------------------
// One NT_STAPSDT note as `readelf -n` prints it. `location` is the raw
// note address (readelf does not apply the .stapsdt.base adjustment, which
// is zero unless the file was prelinked).
struct ReadelfSdtNote {
  std::string provider, name;
  uint64_t location = 0, base = 0, semaphore = 0;
  std::vector<std::string> arguments;  // as written: "-4@%edi", "8@72(%rcx)", "-4@$42"
};
std::vector<ReadelfSdtNote> readelfSdtNotes(const std::string& path);

// One row of `readelf --debug-dump=decodedline -W`.
struct LineRow {
  std::string compileUnit;  // the "CU:" heading's name
  std::string file;         // as readelf prints it (usually a base name)
  int line = 0;             // 0 on an end-of-sequence row
  uint64_t address = 0;
  int view = 0;
  bool isStmt = false;
  bool endSequence = false;
};
std::vector<LineRow> readelfLineRows(const std::string& path);

// The ELF type: true for ET_DYN (PIE and shared libraries).
bool isSharedObjectFile(const std::string& path);

// ---- gdb -batch ---------------------------------------------------------------
// Where to stop: a link-time address (what nm prints) or gdb's own
// breakpoint spec ("take_int" breaks after gdb's prologue analysis).
struct GdbStop {
  std::optional<uint64_t> address;
  std::string breakSpec;
};
struct GdbResult {
  bool stopped = false;            // the program stopped at the breakpoint
  uint64_t breakAddress = 0;       // link-time address of the breakpoint gdb set
  uint64_t loadBias = 0;           // of the program (0 for ET_EXEC)
  std::vector<std::string> values; // per expression: gdb's `output` text, or its error message
  std::string transcript;          // gdb's whole output, for failure messages
};
// Runs `program args...` under gdb with address randomization off, stops
// at the first hit of `stop` and prints each expression there with gdb's
// `output` command (so "42", "{x = 3, y = 4}", "<optimized out>").
GdbResult gdbPrintAt(const std::string& program, const GdbStop& stop, const std::vector<std::string>& expressions,
                     const std::vector<std::string>& args = {});
// The load bias of `program` when gdb runs it with randomization off:
// where the first PT_LOAD lands minus its link-time address (0 for ET_EXEC).
// The kernel picks the same address for ptrace'd runs with ADDR_NO_RANDOMIZE.
uint64_t gdbLoadBias(const std::string& program);

// ---- parsing helpers, shared with the tests ----------------------------------
std::vector<std::string> splitLines(std::string_view text);
std::vector<std::string> splitWords(std::string_view line);
std::optional<uint64_t> parseNumber(std::string_view text);  // "0x1a", "26", "-5" (two's complement)

}  // namespace utap::test
