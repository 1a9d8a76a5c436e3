/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The limits a script's -D options set (stap's names) that the runtime
 * objects read. They read them from utap_limits, which the generated module
 * defines from its own #defines (limit_defaults.h), never as macros: the
 * objects are compiled once per kernel and serve every script, so
 * -DMAXACTION=N rebuilds the module, not the runtime. MAXSTRINGLEN sizes
 * buffers and stays a compile-time define (base.h).
 */
#ifndef UTAP_LIMITS_H
#define UTAP_LIMITS_H

#include "utap/compat.h"

/**
 * struct utap_limits - the script's limits, for the runtime objects
 * @max_action: MAXACTION, statements per hit of a process or timer probe
 * @max_action_interruptible: MAXACTION_INTERRUPTIBLE, for begin, end and procfs
 * @max_nesting: MAXNESTING, script function calls deep
 * @max_map_entries: MAXMAPENTRIES, the size of an array declared without one
 * @max_errors: MAXERRORS, errors tolerated before the script stops
 * @max_entry_saves: MAXENTRYSAVES, .return entry records preallocated
 * @hist_elision: HIST_ELISION, empty histogram rows printed around data
 */
struct utap_limits {
	int64_t max_action;
	int64_t max_action_interruptible;
	int max_nesting;
	unsigned int max_map_entries;
	int64_t max_errors;
	unsigned int max_entry_saves;
	int hist_elision;
};

/* Defined once, by the generated module. */
extern const struct utap_limits utap_limits;

#endif /* UTAP_LIMITS_H */
