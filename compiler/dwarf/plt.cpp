// (being written)
#include "dwarf/module_impl.h"
