/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs probes (stapprobes(3stap)): the files /proc/systemtap/MODULE/PATH
 * whose reads run the script's read probe for the reader's text and whose
 * writes run its write probes on the text written. "__stdin" is the file
 * utaprun writes its standard input into for input.char and input.line:
 * its write probes run once per character.
 *
 * Order: utap_procfs_start() once the begin probes have run (handlers run
 * in the reader's or writer's task from then on); utap_procfs_stop() before
 * the end probes: it removes the files and returns when no handler of
 * theirs runs any more; utap_procfs_free() at unload, in the loader's task.
 * All are called in process context.
 */
#ifndef UTAP_PROCFS_LAYER_H
#define UTAP_PROCFS_LAYER_H

#include "utap/session.h"

/* 0, or a negative errno with the script's error already reported. */
int utap_procfs_start(const struct utap_script *script);
void utap_procfs_stop(void);
void utap_procfs_free(void);
/* Bytes read probes could not keep (beyond MAXSIZE), since load. */
uint64_t utap_procfs_cut(void);

#endif /* UTAP_PROCFS_LAYER_H */
