// What the kernel would provide to the runtime in a module, for user space.
#include "utap/base.h"

unsigned int utap_test_nr_cpus = 1;
