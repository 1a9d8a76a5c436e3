// Where utap finds its tapset library and its runtime sources: an
// environment variable when set (for tests and development), else the
// installed tree next to the running program (PREFIX/bin/utap ->
// PREFIX/share/utap/...), else the source tree the program was built from.
// The installed tree is found from /proc/self/exe, so a package unpacked
// under any root works from any directory with no environment.
#pragma once

#include <string>

namespace utap::driver {

std::string tapsetDir();   // $UTAP_TAPSET_DIR, PREFIX/share/utap/tapsets, or SOURCE/tapsets
std::string runtimeDir();  // $UTAP_RUNTIME_DIR, PREFIX/share/utap/runtime, or SOURCE/runtime

}  // namespace utap::driver
