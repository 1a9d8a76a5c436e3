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
#include <unordered_map>
#include <unordered_set>
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

  // Built on first use by function_symbols.cpp, sdt_notes.cpp, plt.cpp.
  mutable std::optional<std::vector<std::unique_ptr<Function>>> functionIndex;
  mutable std::optional<std::vector<SdtProbe>> sdtIndex;
  mutable std::optional<std::vector<PltEntry>> pltIndex;
  // Names of the functions .dynsym defines (function_symbols.cpp, for .exported).
  mutable std::optional<std::vector<std::string>> exportedNames;

  ~Impl();
  // The DIE at `offset` in the debug file (false if there is none); an
  // offset from dieOffset() of a DIE in .debug_types is marked as such.
  bool dieAt(uint64_t offset, Dwarf_Die* die) const;
  // Builds functionIndex (function_symbols.cpp, with functions.cpp's DWARF walk).
  void indexFunctions() const;
};

// A DIE's offset for Impl::dieAt: dwarf_dieoffset, with kTypeUnitDie set
// for a DIE of a DWARF 4 type unit (.debug_types, a section of its own).
constexpr uint64_t kTypeUnitDie = uint64_t(1) << 63;
uint64_t dieOffset(Dwarf_Die* die);

// The section of `elf` named `name` (its header in *header when given),
// or null (module.cpp).
Elf_Scn* findSection(Elf* elf, std::string_view name, GElf_Shdr* header = nullptr);

// ---- functions: function_spec.cpp, functions.cpp, function_symbols.cpp, lines.cpp ----

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
// What the symbol table needs from DWARF's functions (functions.cpp).
struct DwarfFunctions {
  std::unordered_map<uint64_t, Function*> outOfLineAt;  // the out-of-line function starting at each address
  std::unordered_set<std::string> codeless;  // definitions without code, by linkage name when they have one
};
// Appends every out-of-line function and inlined copy DWARF describes to
// *index, one function per entry address (functions.cpp).
DwarfFunctions indexDwarfFunctions(const Module::Impl& impl, std::vector<std::unique_ptr<Function>>* index);
// A mangled C++ name demangled, without its parameter list:
// "_ZNK2ns5Shape4areaEv" -> "ns::Shape::area"; nothing for other names (functions.cpp).
std::optional<std::string> demangledName(const std::string& linkageName);
// Records `name` as another name of `function`, once and only when it is
// not one of its own names (function_symbols.cpp).
void addAlias(Function* function, const std::string& name);
// An address range of code, [first, end).
using Range = std::pair<uint64_t, uint64_t>;
// The non-empty address ranges of a DIE with code (DW_AT_low_pc/high_pc or
// DW_AT_ranges), in DWARF's order (functions.cpp).
std::vector<Range> rangesOf(Dwarf_Die* die);

// ---- target variables: location.cpp, types.cpp, access.cpp, variables.cpp, pretty.cpp ----

// Where an object (a variable, or a piece of one) lives at one pc.
struct ObjectLocation {
  enum class Kind : uint8_t {
    Memory,       // `recipe` computes its address
    Register,     // in DWARF register `reg`
    Value,        // no storage: `recipe` computes its value (stack_value, implicit_value)
    Pieces,       // a composite: `pieces` in order from byte 0
    Unavailable,  // an optimized-out piece of a composite
  };
  Kind kind = Kind::Memory;
  ValueRecipe recipe;
  int reg = -1;
  uint64_t pieceSize = 0;  // as one of `pieces`: its size in bytes
  std::vector<ObjectLocation> pieces;
};

// What a location expression is evaluated at.
struct LocationContext {
  const Module::Impl* impl = nullptr;
  Dwarf_Die frameFunction{};  // the out-of-line subprogram whose DW_AT_frame_base fbreg uses
  bool hasFrameFunction = false;
  uint64_t pc = 0;
  bool atFunctionEntry = false;  // pc is the entry instruction, so entry_value(reg) is reg
  std::string subject;           // "$x", for messages
  std::string function;          // "f", for messages
};

// location.cpp: the location `attribute` (DW_AT_location, a location list or
// one expression) describes at ctx.pc. Fails with a sentence naming
// ctx.subject: optimized out at the pc, or the DWARF operation not supported.
std::optional<ObjectLocation> evaluateLocation(const LocationContext& ctx, Dwarf_Attribute* attribute,
                                               std::string* error);
// Whether `attribute` is a location list rather than one expression for the
// whole scope (a list's entries say where the value is at each pc).
bool isLocationList(Dwarf_Attribute* attribute);
// "DW_OP_fbreg"; "DW_OP_0x%x" for an operation without a name here.
std::string dwarfOpName(unsigned op);
// A recipe operation with its `value` operand (Constant, PlusConstant, Input)
// or none (Add, Shl, ...): what the location and access steps push (location.cpp).
RecipeOp op(RecipeOp::Kind kind, int64_t value = 0);

// types.cpp: types as stap spells and lays them out.
// The DIE's DW_AT_type; false for void (no type).
bool typeOf(Dwarf_Die* die, Dwarf_Die* type);
// Follows typedefs and const/volatile/restrict/atomic; false when that ends at void.
bool stripType(Dwarf_Die* type);
// stap -L's spelling: "char const*", "int (*) (int, char*)", "struct pt[]"; "void" for null.
std::string typeName(Dwarf_Die* type);
// Bytes of a type (after stripType); nothing for incomplete types.
std::optional<uint64_t> typeSize(Dwarf_Die* type);
bool isSignedType(Dwarf_Die* type);  // base types by encoding, enums by their underlying type
bool isCharType(Dwarf_Die* type);    // char, signed char, unsigned char (1-byte signed/unsigned_char)
bool isFloatType(Dwarf_Die* type);
// A data member found by name, with its place relative to the aggregate.
struct MemberInfo {
  Dwarf_Die type{};
  bool hasType = false;
  uint64_t byteOffset = 0;
  int bitSize = 0;    // 0: not a bitfield
  int bitShift = 0;   // bitfields: bits from the least significant bit of the storage unit at byteOffset
  uint64_t storageSize = 0;  // bitfields: bytes read at byteOffset
};
// `name` in struct/union/class `aggregate` (stripped), searching anonymous
// members and C++ base classes; false when there is none.
bool findMember(Dwarf_Die* aggregate, const std::string& name, MemberInfo* member);
// Every named data member, anonymous ones with an empty name, in order.
std::vector<std::pair<std::string, MemberInfo>> dataMembers(Dwarf_Die* aggregate);
// The first struct/union/class/enum/typedef/base type named `name`
// ("struct pt", "pt_t", "int") in the module's CUs.
bool findTypeByName(const Module::Impl& impl, const std::string& name, Dwarf_Die* type);

// access.cpp: an object of a known type at a known location, and the steps
// of a target expression ($p->x, $a[i], &$x) from one to the next.
struct TypedObject {
  ObjectLocation location;
  Dwarf_Die type{};  // as declared (typedefs kept, for names)
  bool hasType = false;
  int bitSize = 0, bitShift = 0;  // a bitfield: see MemberInfo
  uint64_t storageSize = 0;
  int arrayDepth = 0;  // of a multi-dimensional array type: dimensions indexed so far
  std::string text;    // the expression so far, for messages: "$p->next"
};
// "->member" (through a pointer or reference, or into a struct).
bool accessMember(TypedObject* object, const std::string& member, std::string* error);
// The member `info` describes (found in the object's aggregate type), named `text`.
bool placeMember(TypedObject* object, const MemberInfo& info, std::string text, std::string* error);
// "[i]": a constant or script value `input` (RecipeOp Input) into an array or through a pointer.
bool accessIndex(TypedObject* object, std::optional<int64_t> index, int input, std::string* error);
// "[i]" on an object that is neither an array nor a pointer, as @cast(p,
// "T")[i] means it: element i of an array of T whose element 0 is the
// object (in memory). False, with nothing changed and no error, when the
// object is an array or a pointer (accessIndex handles those).
bool indexAsArray(TypedObject* object, std::optional<int64_t> index, int input, bool* done, std::string* error);
// "*": the object a pointer or reference points to.
bool dereference(TypedObject* object, std::string* error);
// The 64-bit value a script sees: integers extended by signedness, enums,
// pointers, double as its bit pattern, arrays as their address.
std::optional<ValueRecipe> fetchValue(const TypedObject& object, std::string* error);
// &object: only objects in memory have an address.
std::optional<ValueRecipe> addressOf(const TypedObject& object, std::string* error);
// Adds `offset` to the address on top of `recipe`, folded into a trailing PlusConstant.
void addOffset(ValueRecipe* recipe, int64_t offset);
// Bytes [0, size) of `location` as an integer, extended per `isSigned`.
std::optional<ValueRecipe> loadScalar(const ObjectLocation& location, uint64_t size, bool isSigned,
                                      std::string* error);

// scopes.cpp: the parameters and locals of a function instance in
// scope at a pc, in DIE order (outer scopes first; `depth` 0 is the
// function), with the lexical blocks around the pc when `nestedBlocks`.
struct ScopedVariable {
  Dwarf_Die die;
  int depth = 0;
  bool isParameter = false;
};
std::vector<ScopedVariable> scopedVariables(Dwarf_Die* function, uint64_t pc, bool nestedBlocks);
// stap resolves .function probes in the function's own scope (a variable of
// a block that starts at the probed pc is not found) and statement probes
// in the blocks around their pc: blocks count except at the entry and
// after-prologue pcs.
bool inNestedBlocks(const Function& function, uint64_t pc);
// The global or static variable `name` seen from the CU of `scope`: that
// CU's own first, then a definition with external linkage in any CU. With
// `file`, only CUs whose name ends with it, the shortest first (stap's @var rule).
bool findGlobal(const Module::Impl& impl, Dwarf_Die* scope, const std::string& name, const std::string& file,
                Dwarf_Die* out);
// The out-of-line subprogram whose frame `function` (maybe an inlined copy) runs in at `pc`.
bool frameFunctionOf(Dwarf_Die* function, uint64_t pc, Dwarf_Die* frame);
// A return value or $return step: `object` finished into a TargetValue.
std::optional<TargetValue> finishTarget(const TypedObject& object, const TargetRequest& request,
                                        std::string* error);

// entry_convention.cpp: where the System V x86-64 calling convention puts
// `parameter` of `function` at its entry instruction: an integer register
// (rdi rsi rdx rcx r8 r9) or xmm0-7. Fails with a reason for anything else.
std::optional<ObjectLocation> entryConventionLocation(Dwarf_Die* function, Dwarf_Die* parameter,
                                                      const std::string& subject, const std::string& functionName,
                                                      std::string* error);

// pretty.cpp: $x$, $x$$ and the members of $$parms$ and friends, as stap
// formats them: levels 0 prints aggregates as {...} and [...], each level
// more expands one more.
bool appendPretty(const TypedObject& object, int levels, bool topLevel, std::vector<PrettyPart>* parts,
                  std::string* error);

}  // namespace utap::dwarf
