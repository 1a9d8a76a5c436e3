// -l and -L: the probe points a pattern resolves to, one per line, sorted as
// stap prints them; -L adds each point's target variables with their types
// ("$a:int $p:struct pt*"). With -v, where .function probes were placed.
#pragma once

#include <string>

#include "sema/program.h"

namespace utap::driver {

// The script -l/-L elaborate for `pattern`: one empty probe on it.
std::string listingScript(const std::string& pattern);

std::string listProbes(const sema::Program& program, bool withVariables);

// -v: where each .function probe went and why, on stderr.
void reportPlacements(const sema::Program& program);

}  // namespace utap::driver
