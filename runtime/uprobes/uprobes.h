/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layer 2, arbitration and dispatch of process probes: the session's view.
 *
 * The script's rows (utap/uprobes.h) are grouped by (file, offset): one
 * breakpoint (runtime/ubp) serves every row at an address, and each hit runs
 * the handlers of those rows in script order, after checking that the
 * process is one the row's probe point names. Return probes use the
 * kernel's uretprobes (the consumer's ret_handler); what a .return handler
 * reads of the entry is saved per thread and frame (entry_saves.h).
 *
 * Order at load: utap_uprobes_init() (memory), begin probes, then
 * utap_uprobes_arm(); at the end utap_uprobes_disarm() before the end
 * probes, and utap_uprobes_free() at unload.
 */
#ifndef UTAP_UPROBES_LAYER_H
#define UTAP_UPROBES_LAYER_H

#include "utap/uprobes.h"

int utap_uprobes_init(const struct utap_uprobe_table *table);
unsigned int utap_uprobes_arm(void);
void utap_uprobes_disarm(void);
void utap_uprobes_free(void);
uint64_t utap_uprobes_missed(void);
void utap_uprobes_report(void);

#endif /* UTAP_UPROBES_LAYER_H */
