// --dump-functions, --dump-probe-aliases, --dump-probe-types: what the
// tapset library and the built-in probe families offer, one line each, in
// stap's formats and order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ast/ast.h"
#include "probes/provider.h"

namespace utap::driver {

// "ctime:string (epochsecs:long) /* unprivileged */": every public function
// of the library (names starting with '_' are internal), sorted by name,
// overloads in the order they are defined; "unknown" for an undeclared type.
std::string dumpFunctions(const std::vector<std::unique_ptr<ast::File>>& library);

// "oneshot += begin", "malloc = process(...).function(\"malloc\")": every
// alias name the library defines, sorted.
std::string dumpProbeAliases(const std::vector<std::unique_ptr<ast::File>>& library);

// "process(string).function(string).return": every pattern of every family,
// sorted component by component (a name before the same name with a number
// argument, before the same with a string; a point before its extensions).
std::string dumpProbeTypes(const probes::Registry& registry);

}  // namespace utap::driver
