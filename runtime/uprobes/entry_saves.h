/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a .return handler reads of its function's entry ($param, @entry(e)),
 * saved at the entry hit and found again at the return, per thread and
 * stack frame: a record is keyed by (task, its start time, site, the stack
 * pointer at the entry), so recursion and threads each find their own.
 *
 * Storage is bounded: MAXENTRYSAVES records, preallocated. A frame that is
 * left without returning (longjmp, a C++ exception) leaves a record deeper
 * in the stack than the next return of its thread, which frees it then, as
 * the kernel drops its own return instances; records of threads that have
 * exited are taken back when the store is full. A return whose record could
 * not be saved is a missed hit, counted.
 *
 * Locking: one spinlock (interrupts off) guards the buckets and the free
 * list; record data is written and read only by its own thread, unlocked.
 */
#ifndef UTAP_ENTRY_SAVES_H
#define UTAP_ENTRY_SAVES_H

#include "utap/base.h"

int utap_entry_saves_init(size_t data_size, unsigned int count);
void utap_entry_saves_free(void);
/*
 * A new record of the current thread for @site at the entry stack pointer
 * @sp, where the return address @ret is: its data (zeroed), or NULL.
 */
void *utap_entry_save_new(const void *site, unsigned long sp, unsigned long ret);
/* At a return of @site whose entry had stack pointer @sp: the record's data (to give back), or NULL. */
void *utap_entry_save_take(const void *site, unsigned long sp);
void utap_entry_save_put(void *data);

#endif /* UTAP_ENTRY_SAVES_H */
