/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of layer 2, shared by sites.c (load, arming, counts) and
 * dispatch.c (hits). Written at load, before any breakpoint is armed, and
 * only read by handlers; the counters are atomic.
 */
#ifndef UTAP_UPROBES_SITES_H
#define UTAP_UPROBES_SITES_H

#include <linux/atomic.h>

#include "../ubp/ubp.h"
#include "uprobes.h"

/**
 * struct utap_uprobe_site - one address: one breakpoint, many rows
 * @bp: the breakpoint; its consumer's callbacks are in dispatch.c
 * @rows: indices of the table's points at this address, in script order
 * @nrows: how many
 * @saves_size: bytes of an entry record for the .return rows here (0: none)
 */
struct utap_uprobe_site {
	struct utap_ubp bp;
	const unsigned int *rows;
	unsigned int nrows;
	size_t saves_size;
};

/* One of the runtime's own probes (utap/uprobes.h, struct utap_uprobe_hook). */
struct utap_uprobe_hook_site {
	struct utap_ubp bp;
	const struct utap_uprobe_hook *hook;
};

/* Per point: hits run, hits skipped (no context, locks, entry record), hits filtered out. */
struct utap_uprobe_counts {
	atomic64_t hits;
	atomic64_t skipped;
	atomic64_t filtered;
};

/**
 * struct utap_uprobes_state - layer 2's state
 * @table: the script's
 * @files: one per file of the table, held from arming to freeing
 * @sites: one per distinct (file, offset)
 * @order: point indices sorted by file and offset, script order kept
 * @save_offsets: per point, where its .return saves start in a record
 * @counts: per point
 * @hooks: one per hook of the table
 * @missed: .return hits whose entry had no record
 * @arm_ns: how long arming took (opening the files and placing every
 *	breakpoint), for -v
 * @disarm_ns: how long disarming took, the wait included
 * @disarm_wait_ns: of it, the one wait for running handlers (6.12); 6.1
 *	waits inside each unregistration instead, so 0 there
 */
struct utap_uprobes_state {
	const struct utap_uprobe_table *table;
	struct utap_ubp_file *files;
	struct utap_uprobe_site *sites;
	unsigned int nsites;
	unsigned int *order;
	size_t *save_offsets;
	struct utap_uprobe_counts *counts;
	struct utap_uprobe_hook_site *hooks;
	atomic64_t missed;
	u64 arm_ns;
	u64 disarm_ns;
	u64 disarm_wait_ns;
};

extern struct utap_uprobes_state utap_uprobes;

/* A slice of an entry record: whether its handler saved, then the saves. */
struct utap_entry_slice {
	bool saved;
	u64 saves[];
};

/* dispatch.c: the consumer's callbacks for @site, and for @hook. */
void utap_uprobe_site_setup(struct utap_uprobe_site *site);
void utap_uprobe_hook_setup(struct utap_uprobe_hook_site *hook);

#endif /* UTAP_UPROBES_SITES_H */
