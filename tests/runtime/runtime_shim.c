// What the kernel would provide to the runtime in a module, for user space.
#include "utap/base.h"
#include "utap/limit_defaults.h"

/* stap's defaults, as a module without -D defines them. */
const struct utap_limits utap_limits = UTAP_LIMITS_FROM_DEFINES;

unsigned int utap_test_nr_cpus = 1;
