/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The locks of script globals (runtime/README.md, "a probe handler is atomic
 * with respect to the globals it uses").
 *
 * One reader-writer lock per global. Pass 3 knows which globals a handler
 * uses (through the functions it calls) and how, and emits a static list of
 * (lock, mode) for the handler; the handler takes the whole list at entry
 * with utap_locks_take() and gives it back at its single exit with
 * utap_locks_release(). Nothing in the runtime takes a global's lock by
 * itself.
 *
 * Modes, as stap uses them:
 *
 *   read   reading a scalar, a[k], `k in a`, an unsorted foreach over a
 *          non-statistic array; `<<<` into a statistic (scalar, or array
 *          without '%'), because each CPU adds into its own slot
 *   write  any assignment, `+=`, `++`, delete; a sorted foreach (it fills
 *          the array's sort index); reading any aggregate (@count, @hist_*,
 *          print of a histogram, foreach over a statistic array) because
 *          the per-CPU slots are merged into one shared buffer; `<<<` into
 *          a statistic array declared with '%' (wrapping replaces an entry
 *          other CPUs may be adding into)
 *
 * Lock order: a handler's list is sorted by address, ascending. Pass 3 keeps
 * the locks of all globals in one array, in declaration order, so address
 * order is declaration order. utap_locks_take() refuses a list that is not
 * strictly ascending (a pass 3 bug; WARN_ON_ONCE in the kernel). Every
 * attempt is a trylock, so a wrong order could not deadlock; it could make
 * two handlers each hold what the other waits for until both give up, and
 * the order rules that out.
 *
 * Contexts: handlers run in task context (uprobes, begin/end, process
 * probes: preemptible, interrupts on), softirq (timer_list timers) and
 * hardirq (hrtimers). Never in NMI: a handler that could run in NMI must not
 * use globals. utap_locks_take() turns interrupts off on this CPU (one
 * local_irq_save for the whole list, restored by utap_locks_release() or on
 * failure): while a handler holds global locks no other handler can
 * interrupt it on the same CPU, so a hardirq handler never spins for a lock
 * whose holder it has interrupted, and a holder is never preempted. The
 * time with interrupts off is bounded by MAXACTION (as in stap, whose
 * handlers run with interrupts off altogether). Between attempts a taker
 * waits TRYLOCKDELAY microseconds, interrupts still off, at most
 * MAXTRYLOCK times in all for one list; then the handler is skipped and
 * the lock that could not be had counts it.
 *
 * A handler that may sleep (a uprobe's: task context, preemptible, no lock
 * held) does not give up then: it turns interrupts back on, sleeps for
 * about 100 microseconds and starts over, up to UTAP_LOCK_SLEEP_ROUNDS
 * times. A holder keeps its locks only for one bounded hit, so this only
 * waits out a holder whose CPU was stalled (a virtual CPU the host did not
 * run for a while), where stap would skip the probe. A handler in a task
 * that may not sleep (a tracepoint's: process and thread ends, system
 * calls) waits the same way with interrupts on but spinning, up to
 * UTAP_LOCK_SPIN_ROUNDS rounds (about 100 ms at most, far below the
 * kernel's soft-lockup limit); interrupt handlers (timers) still give up
 * after MAXTRYLOCK attempts, as in stap.
 *
 * Not for PREEMPT_RT kernels, where rwlock_t sleeps.
 */
#ifndef UTAP_LOCK_H
#define UTAP_LOCK_H

#include "utap/base.h"

#ifndef TRYLOCKDELAY
#define TRYLOCKDELAY 10 /* microseconds between two attempts, as stap */
#endif
#ifndef UTAP_LOCK_SLEEP_ROUNDS
#define UTAP_LOCK_SLEEP_ROUNDS 100 /* rounds of MAXTRYLOCK attempts a sleeping handler may wait */
#endif
#ifndef UTAP_LOCK_SPIN_ROUNDS
#define UTAP_LOCK_SPIN_ROUNDS 10 /* rounds a handler in an unpreemptible task may wait */
#endif

/**
 * struct utap_lock - the lock of one script global
 * @rw: readers share it, a writer excludes all; only ever trylocked, in the
 *	contexts and order described at the top of this file
 * @contended: failed attempts on @rw, since load
 * @skipped: handlers skipped because @rw could not be had, since load
 */
struct utap_lock {
	rwlock_t rw;
	atomic_t contended;
	atomic_t skipped;
};

/**
 * enum utap_lock_mode - how a handler uses a global
 * @UTAP_LOCK_READ: shared
 * @UTAP_LOCK_WRITE: exclusive
 */
enum utap_lock_mode {
	UTAP_LOCK_READ,
	UTAP_LOCK_WRITE,
};

/**
 * struct utap_lock_use - one entry of a handler's lock list
 * @lock: the global's lock
 * @mode: how the handler uses it
 */
struct utap_lock_use {
	struct utap_lock *lock;
	enum utap_lock_mode mode;
};

void utap_lock_init(struct utap_lock *l);
bool utap_lock_read_try(struct utap_lock *l, unsigned int retries);
bool utap_lock_write_try(struct utap_lock *l, unsigned int retries);
void utap_lock_read_release(struct utap_lock *l);
void utap_lock_write_release(struct utap_lock *l);
bool utap_locks_take(const struct utap_lock_use *set, unsigned int n,
		     unsigned int retries, unsigned long *flags);
void utap_locks_release(const struct utap_lock_use *set, unsigned int n,
			unsigned long flags);

#endif /* UTAP_LOCK_H */
