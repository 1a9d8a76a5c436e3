// The user-space module reader: one ELF file (an executable or a shared
// library) with its debug information, as the process probe family and
// `-l`/`-L` need it. This header is the interface of compiler/dwarf; libdw
// and libelf are included only by the .cpp files behind it.
//
// Addresses are link-time virtual addresses of the file probed (what nm and
// readelf print). For ET_DYN files (PIE, shared libraries) the runtime adds
// the load bias; ELF file offsets for inode uprobes come from fileOffset().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dwarf/recipe.h"

namespace utap::dwarf {

// A written function or statement spec, "PATTERN[@FILE[:LINES|+N]]"
// (stapprobes(3stap)); "PATTERN@FILE:*" matches every line of the file,
// ":x,y-z" a list of lines and ranges, "+N" the line N after the
// function's declaration line.
struct FunctionSpec {
  std::string function;  // wildcard pattern (fnmatch *?[]); "" only with a file:line
  std::string file;      // wildcard pattern on the source file; "" any
  // One: ":N" or "+N"; Range: ":N-M"; List: several items of ":x,y-z".
  enum class Lines : uint8_t { None, One, Range, Every, List };
  Lines lines = Lines::None;
  int firstLine = 0, lastLine = 0;  // the lowest and highest line asked for
  // Every line and range asked for ([first, last], each a single line
  // when first == last), in the order written; empty for None and Every.
  std::vector<std::pair<int, int>> lineRanges;
  // "+N": firstLine/lastLine/lineRanges count from each matching
  // function's declaration line (N may be 0).
  bool relativeLines = false;
  // Parses `text`; on error returns nothing and sets *error to a sentence
  // and *errorColumn to the offending byte of `text`.
  static std::optional<FunctionSpec> parse(std::string_view text, std::string* error, size_t* errorColumn);
};

// One function instance: an out-of-line function or one inlined copy.
struct Function {
  std::string name;         // C: "add"; C++: qualified, demangled, no parameters: "ns::Shape::area"
  std::string linkageName;  // mangled, when it has one: "_ZN2ns5Shape4areaEv"
  std::string declFile;     // as DWARF names it, absolute when the CU gives a directory
  int declLine = 0;
  uint64_t entry = 0;          // the first instruction (inlined copies: their entry pc)
  uint64_t afterPrologue = 0;  // where stap places its probe: line-table based; == entry when none
  bool isInlineInstance = false;
  bool isExternal = false;        // DW_AT_external
  bool fromSymbolTable = false;   // no DWARF describes it (stripped): no $variables
  uint64_t dieOffset = 0;         // the DIE of this instance in the debug file (0 for symbol-table ones)
  // Other names of this entry (out-of-line functions only): ELF symbols at
  // it ("malloc" for __libc_malloc) and further DWARF functions starting
  // there (an assembler's aliases). A one-part pattern matching any of
  // them names this function, spelled by its own name, as stap does; they
  // are not listed apart.
  std::vector<std::string> aliases;
  // stap's spelling in probe text: "add@/tmp/t.c:3", or "add" with no DWARF.
  std::string probeSpelling() const;
  // As stap spells a match of `spec`: a C++ pattern with N "::"-separated
  // parts names the last N parts of the qualified name ("Sq::area@..."
  // for "*::area"; "::main" when the global scope is one of them).
  std::string probeSpelling(const FunctionSpec& spec) const;
};

// A line-table statement for .statement("f@file:N") and .function("f@file:N").
struct Statement {
  uint64_t address = 0;
  std::string file;
  int line = 0;
  const Function* function = nullptr;  // the innermost function containing it (points into the module)
};

struct Label {
  std::string name;
  uint64_t address = 0;
  std::string file;
  int line = 0;
  const Function* function = nullptr;
};

// One SDT marker (.note.stapsdt), with its operands decoded.
struct SdtProbe {
  std::string provider, name;
  uint64_t pc = 0;         // link-time, after the .stapsdt.base adjustment (prelink)
  uint64_t semaphore = 0;  // link-time address of the semaphore, 0 if none
  struct Argument {
    int size = 8;  // bytes, from "-4@..." (negative: signed)
    bool isSigned = true;
    std::string operand;  // as the note spells it: "%edi", "-4(%rbp)", "$5"
    ValueRecipe value;
    // Why `operand` could not be decoded, a sentence naming it ("" when
    // `value` is valid): the marker still lists; only a use of this $argN
    // is an error, which names the marker around this reason.
    std::string error;
  };
  std::vector<Argument> arguments;
};

// A symbol's link-time address; on failure nothing and a sentence in *error.
using SymbolLookup = std::function<std::optional<uint64_t>(std::string_view name, std::string* error)>;
// Decodes one SDT operand, x86-64 AT&T syntax as sys/sdt.h writes it
// ("%edi", "-16(%rbp)", "$5", "foo+8(%rip)", "(%rax,%rbx,8)"), of `size`
// bytes (1, 2, 4 or 8), into a recipe whose value is extended to 64 bits
// per `isSigned`. `symbolAddress` gives a symbol's link-time address;
// `moduleRelative` (ET_DYN) makes such addresses ModuleAddress. On failure
// returns nothing and sets *error to a sentence naming the operand.
std::optional<ValueRecipe> decodeSdtOperand(std::string_view operand, int size, bool isSigned, bool moduleRelative,
                                            const SymbolLookup& symbolAddress, std::string* error);

struct PltEntry {
  std::string name;  // the symbol it calls, without @GLIBC...: "puts"
  uint64_t address = 0;
  // A .plt.got stub: the function's address is also taken, so the linker
  // calls it through its GLOB_DAT slot. stap 4.8 does not list these.
  bool nonLazy = false;
};

// A variable visible at a point, for -L and $$vars.
struct VariableInfo {
  std::string name;
  std::string typeName;  // "int", "struct pt*", "char**"
  bool isParameter = false;
};

// What a target expression asks for; built by pass 2 from the AST.
struct TargetRequest {
  // Name and Provider ($$name, $$provider) exist only at marks and PLT
  // entries; the process family answers them without DWARF.
  enum class Base : uint8_t { Variable, Parms, Locals, Vars, Return, ReturnPretty, Cast, AtVar, Name, Provider };
  Base base = Base::Variable;
  std::string name;  // Variable: without '$'; Cast: the type ("struct pt"); AtVar: "name@file"
  struct Step {
    std::string member;                 // "->member" or ".member"; empty for an index
    std::optional<int64_t> index;       // a constant index
    int indexInput = -1;                // or a script expression: RecipeOp Input number
  };
  std::vector<Step> path;
  bool addressOf = false;
  int pretty = 0;  // 0 none, 1 for "$", 2 for "$$"
};

class Module {
 public:
  // Opens `path` (an ELF executable or shared object) and finds its debug
  // info: in the file, /usr/lib/debug/.build-id/xx/yyyy.debug, or through
  // .gnu_debuglink; compressed debug sections are read as is. On failure
  // returns null and sets *error to a sentence naming the file.
  static std::unique_ptr<Module> open(const std::string& path, std::string* error);
  // open() once per absolute path for the whole process (thread-safe): the
  // probes of one script that name the same file share its indexes.
  static std::shared_ptr<const Module> cached(const std::string& path, std::string* error);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& path() const;
  bool isSharedObject() const;   // ET_DYN: PIE or library
  // The ELF header's e_entry: where the kernel starts a program (_start);
  // 0 when the file has none.
  uint64_t entryPoint() const;
  bool hasDebugInfo() const;
  const std::string& debugFile() const;  // where DWARF came from; "" when none
  // DT_NEEDED names (findLibrary searches for them as ld.so would).
  std::vector<std::string> neededLibraries() const;
  // The file offset an inode uprobe takes for a link-time address (PT_LOAD mapping).
  std::optional<uint64_t> fileOffset(uint64_t address) const;

  // Every function instance (out-of-line and inlined) whose name matches
  // the spec, in address order; from the symbol table when there is no DWARF.
  std::vector<const Function*> functions(const FunctionSpec& spec) const;
  // The same without inlined copies, for .call, .return and .exported: a
  // symbol at the entry of a matched inlined copy (a .cold part starting
  // with an inlined cleanup) is then listed, as stap lists it there.
  std::vector<const Function*> outOfLineFunctions(const FunctionSpec& spec) const;
  std::vector<Statement> statements(const FunctionSpec& spec) const;
  std::vector<Label> labels(const FunctionSpec& functionSpec, std::string_view labelPattern) const;
  const std::vector<SdtProbe>& sdtProbes() const;
  const std::vector<PltEntry>& pltEntries() const;
  // Whether `name` is in the dynamic symbol table as a defined function (.exported).
  bool isExported(const Function& function) const;

  // The parameters and locals in scope at `pc` in `function`.
  std::vector<VariableInfo> variables(const Function& function, uint64_t pc) const;
  // Resolves a target expression at `pc` inside `function` (for .return
  // probes pass the entry pc: parameters are captured there).
  // `atEntry` (pc == the function's entry instruction) asks for a recipe
  // that is correct before the prologue ran: parameters from a location
  // list entry valid there or, failing that, from the calling convention
  // given their DWARF types; globals anywhere; locals never. When that is
  // not possible it fails, and the caller places the probe after the
  // prologue instead (*error then says why, for -v).
  // On failure returns nothing and sets *error to a sentence naming the
  // variable and the DWARF operation or type that stopped it.
  std::optional<TargetValue> resolve(const Function& function, uint64_t pc, const TargetRequest& request,
                                     bool atEntry, std::string* error) const;
  // @cast(p, "type", "this module"): the type looked up by name in every
  // unit, at any probe point (its address is the script's input 0).
  std::optional<TargetValue> resolveCast(const TargetRequest& request, std::string* error) const;
  // stap's autocast: `request`'s steps applied to a script value (input 0)
  // of the type a TargetValue of this module gave (typeDie, typeAddressed).
  std::optional<TargetValue> resolveTyped(uint64_t typeDie, bool typeAddressed, const TargetRequest& request,
                                          std::string* error) const;
  // $return in a .return probe of `function`.
  std::optional<TargetValue> resolveReturn(const Function& function, const TargetRequest& request,
                                           std::string* error) const;

  struct Impl;
  // The open files, for the readers of compiler/dwarf (stack_tables.cpp).
  const Impl& impl() const { return *impl_; }

 private:
  explicit Module(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Finds a shared library `name` ("libc.so.6") as the dynamic loader would
// for `executable`: DT_RUNPATH/DT_RPATH, /etc/ld.so.cache, default dirs.
// Absolute names are returned as they are. Nothing when not found.
std::optional<std::string> findLibrary(const Module& executable, std::string_view name);

// process("NAME"): an absolute or relative path as is, a bare name searched
// in $PATH (then the working directory, as stap does); resolved to an
// absolute path with symlinks followed, and for a "#!" script to its
// interpreter (stapprobes(3stap)).
std::optional<std::string> findExecutable(std::string_view name, std::string* error);

// A @cast module written as C headers ("<sys/un.h>", "<a.h><b.h>").
bool isHeaderModule(const std::string& module);
// Compiles the headers with gcc -g into a shared object (cached under
// $UTAP_CACHE_DIR/headers) and returns its path, or nothing with *error
// set (gcc's first error line: a header that does not exist, ...).
std::optional<std::string> compileHeaders(const std::string& module, std::string* error);

}  // namespace utap::dwarf
