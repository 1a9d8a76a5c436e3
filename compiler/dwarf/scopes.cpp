// Scopes of a function instance: the variables in scope at a pc, the
// frame an inlined copy runs in, and globals by name as stap finds them.
#include <dwarf.h>

#include <algorithm>
#include <cstdlib>

#include "dwarf/module_impl.h"

namespace utap::dwarf {
namespace {

// `depth` -1: the function's own scope only.
void collectScope(Dwarf_Die* scope, uint64_t pc, int depth, std::vector<ScopedVariable>* out) {
  Dwarf_Die child;
  if (dwarf_child(scope, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if ((tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) && dwarf_diename(&child) != nullptr &&
        !dwarf_hasattr_integrate(&child, DW_AT_declaration)) {
      out->push_back({child, std::max(depth, 0), tag == DW_TAG_formal_parameter});
    } else if (tag == DW_TAG_lexical_block && depth >= 0 && dwarf_haspc(&child, pc) == 1) {
      // Inlined calls inside are other functions' variables; blocks are ours.
      collectScope(&child, pc, depth + 1, out);
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

std::vector<ScopedVariable> scopedVariables(Dwarf_Die* function, uint64_t pc, bool nestedBlocks) {
  std::vector<ScopedVariable> variables;
  collectScope(function, pc, nestedBlocks ? 0 : -1, &variables);
  return variables;
}

bool inNestedBlocks(const Function& function, uint64_t pc) {
  return pc != function.entry && pc != function.afterPrologue;
}

bool frameFunctionOf(Dwarf_Die* function, uint64_t pc, Dwarf_Die* frame) {
  if (dwarf_tag(function) == DW_TAG_subprogram) {
    *frame = *function;
    return true;
  }
  // An inlined copy uses the frame of the function it was inlined into.
  Dwarf_Die cu;
  Dwarf_Die* scopes = nullptr;
  if (dwarf_diecu(function, &cu, nullptr, nullptr) == nullptr) return false;
  int count = dwarf_getscopes(&cu, pc, &scopes);
  bool found = false;
  for (int i = 0; i < count && !found; ++i) {
    if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
      *frame = scopes[i];
      found = true;
    }
  }
  free(scopes);
  return found;
}

// The global or static variable `name` seen from the CU of `scope`: that
// CU's own first, then a definition with external linkage in any CU.
// With `file`, only CUs whose name ends with it, the shortest first (stap's @var rule).
bool findGlobal(const Module::Impl& impl, Dwarf_Die* scope, const std::string& name, const std::string& file,
                Dwarf_Die* out) {
  auto search = [&](Dwarf_Die* cu, bool externalOnly) {
    Dwarf_Die child;
    if (dwarf_child(cu, &child) != 0) return false;
    do {
      if (dwarf_tag(&child) != DW_TAG_variable || dwarf_hasattr(&child, DW_AT_declaration)) continue;
      const char* childName = dwarf_diename(&child);
      if (childName == nullptr || name != childName) continue;
      if (externalOnly && !dwarf_hasattr_integrate(&child, DW_AT_external)) continue;
      *out = child;
      return true;
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
  };
  Dwarf_Die cu;
  if (file.empty() && scope != nullptr && dwarf_diecu(scope, &cu, nullptr, nullptr) && search(&cu, false))
    return true;
  std::vector<std::pair<size_t, Dwarf_Off>> candidates;  // (name length, CU DIE offset)
  Dwarf_Off offset = 0, next = 0;
  size_t headerSize = 0;
  while (dwarf_nextcu(impl.dwarf, offset, &next, &headerSize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die unit;
    if (dwarf_offdie(impl.dwarf, offset + headerSize, &unit) != nullptr) {
      std::string cuName = dwarf_diename(&unit) ? dwarf_diename(&unit) : "";
      bool fileMatches = cuName.size() >= file.size() && cuName.compare(cuName.size() - file.size(), file.size(), file) == 0 &&
                         (cuName.size() == file.size() || file.empty() || file[0] == '/' ||
                          cuName[cuName.size() - file.size() - 1] == '/');
      if (fileMatches) candidates.emplace_back(cuName.size(), offset + headerSize);
    }
    offset = next;
  }
  std::stable_sort(candidates.begin(), candidates.end());
  for (auto& [length, cuOffset] : candidates) {
    if (dwarf_offdie(impl.dwarf, cuOffset, &cu) != nullptr && search(&cu, file.empty())) return true;
  }
  return false;
}

}  // namespace utap::dwarf
