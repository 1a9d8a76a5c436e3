/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stap's defaults for the limits -D overrides, as macros for the generated
 * module, which #defines the script's values before including the runtime;
 * runtime.h includes this, runtime objects never do (they read utap_limits).
 */
#ifndef UTAP_LIMIT_DEFAULTS_H
#define UTAP_LIMIT_DEFAULTS_H

#include "utap/limits.h"

#ifndef MAXACTION
#define MAXACTION 1000
#endif
#ifndef MAXACTION_INTERRUPTIBLE
#define MAXACTION_INTERRUPTIBLE (MAXACTION * 10)
#endif
#ifndef MAXNESTING
#define MAXNESTING 10
#endif
#ifndef MAXTRYLOCK
#define MAXTRYLOCK 1000
#endif
#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif
#ifndef MAXERRORS
#define MAXERRORS 0
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100
#endif
#ifndef MAXENTRYSAVES
#define MAXENTRYSAVES 4096
#endif
#ifndef HIST_ELISION
#define HIST_ELISION 2
#endif

/* The initializer of the module's utap_limits. */
#define UTAP_LIMITS_FROM_DEFINES                                     \
	{                                                            \
		.max_action = MAXACTION,                             \
		.max_action_interruptible = MAXACTION_INTERRUPTIBLE, \
		.max_nesting = MAXNESTING,                           \
		.max_map_entries = MAXMAPENTRIES,                    \
		.max_errors = MAXERRORS,                             \
		.max_entry_saves = MAXENTRYSAVES,                    \
		.hist_elision = HIST_ELISION,                        \
	}

#endif /* UTAP_LIMIT_DEFAULTS_H */
