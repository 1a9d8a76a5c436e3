// Passes 4 and 5 for the driver: build the translated module with kbuild
// (cached), then run it here or in a qemu guest (--vm).
#pragma once

#include "codegen/translate.h"
#include "driver/options.h"
#include "driver/pass_timer.h"

namespace utap::driver {

// Returns the process exit status.
int buildAndRun(const Options& options, const codegen::Translation& translation, PassTimer& timer);

// --build-deferred=DIR: builds what -p4 --defer-build=DIR left there.
int buildDeferred(const Options& options);

}  // namespace utap::driver
