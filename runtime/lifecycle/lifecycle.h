/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process lifecycle probes: process.begin, process.end,
 * process.thread.begin, process.thread.end, process.syscall and
 * process.syscall.return, with or without process("PATH") or process(PID),
 * as stapprobes(3stap) describes them. System-call probes run in the thread
 * making the call, once its process has begun.
 * Built on layer 3 (runtime/utrace): begin probes run in the new process
 * or thread, at its first return to user space (and, at load, once in each
 * process that already runs); end probes run in the exiting thread, its
 * memory already gone. Every end has had its begin: a process or thread
 * that ends before its begin could run gets neither.
 *
 * It also follows the target's tree for process probe points written with
 * `process` alone (utap_lifecycle_in_target_tree()).
 *
 * Order: utap_lifecycle_start() once the begin probes have run, before the
 * process probes are placed;
 * utap_lifecycle_stop() before the end probes (no lifecycle probe runs
 * after it returns); utap_lifecycle_free() at unload.
 */
#ifndef UTAP_LIFECYCLE_H
#define UTAP_LIFECYCLE_H

#include "utap/session.h"

struct task_struct;

int utap_lifecycle_start(const struct utap_script *script);
void utap_lifecycle_stop(void);
void utap_lifecycle_free(void);
/* Begins and ends that could not be followed (no memory, too many processes). */
uint64_t utap_lifecycle_missed(void);
/* The target (-c, -x) or a descendant, for `process` alone's process probes. */
bool utap_lifecycle_in_target_tree(struct task_struct *task);
/* -v: each lifecycle probe's hits and skips (after utap_lifecycle_stop()). */
void utap_lifecycle_report(void);

#endif /* UTAP_LIFECYCLE_H */
