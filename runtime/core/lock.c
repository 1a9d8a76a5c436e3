// SPDX-License-Identifier: GPL-2.0
/*
 * The locks of script globals: trylock with a bounded number of retries,
 * taken as a sorted list at a handler's entry and released in reverse at its
 * exit. The rules (modes, order, contexts, interrupts) are in utap/lock.h.
 */
#include "utap/lock.h"

/**
 * utap_lock_init() - make @l a free lock with zeroed counts
 * @l: the global's lock
 *
 * Called at module load, before any handler can run.
 */
void utap_lock_init(struct utap_lock *l)
{
	rwlock_init(&l->rw);
	atomic_set(&l->contended, 0);
	atomic_set(&l->skipped, 0);
}

/**
 * utap_lock_try() - trylock with a retry budget
 * @l: the lock
 * @mode: shared or exclusive
 * @budget: retries left; the ones used are taken off, so that one list
 *	shares one budget (stap's)
 *
 * One attempt, then up to *@budget more, TRYLOCKDELAY microseconds apart.
 * Every failed attempt counts in @l->contended.
 *
 * Return: true when @l is held in @mode.
 */
static bool utap_lock_try(struct utap_lock *l, enum utap_lock_mode mode,
			  unsigned int *budget)
{
	for (;;) {
		int got = mode == UTAP_LOCK_WRITE ? write_trylock(&l->rw) :
						    read_trylock(&l->rw);

		if (got)
			return true;
		atomic_inc(&l->contended);
		if (*budget == 0)
			return false;
		(*budget)--;
		udelay(TRYLOCKDELAY);
	}
}

/**
 * utap_lock_read_try() - take @l shared
 * @l: the global's lock
 * @retries: attempts after a first failed one (MAXTRYLOCK for handlers)
 *
 * Tries at most @retries + 1 times, TRYLOCKDELAY microseconds apart, and
 * never blocks otherwise. Leaves interrupts as they are: a caller that holds
 * the lock where an interrupt handler might want it turns interrupts off
 * first (utap_locks_take() does).
 *
 * Return: true when @l is held for reading; release it with
 * utap_lock_read_release().
 */
bool utap_lock_read_try(struct utap_lock *l, unsigned int retries)
{
	return utap_lock_try(l, UTAP_LOCK_READ, &retries);
}

/**
 * utap_lock_write_try() - take @l exclusive
 * @l: the global's lock
 * @retries: attempts after a first failed one (MAXTRYLOCK for handlers)
 *
 * As utap_lock_read_try(), for writing.
 *
 * Return: true when @l is held for writing; release it with
 * utap_lock_write_release().
 */
bool utap_lock_write_try(struct utap_lock *l, unsigned int retries)
{
	return utap_lock_try(l, UTAP_LOCK_WRITE, &retries);
}

/**
 * utap_lock_read_release() - give back a shared hold of @l
 * @l: a lock taken by utap_lock_read_try()
 */
void utap_lock_read_release(struct utap_lock *l)
{
	read_unlock(&l->rw);
}

/**
 * utap_lock_write_release() - give back the exclusive hold of @l
 * @l: a lock taken by utap_lock_write_try()
 */
void utap_lock_write_release(struct utap_lock *l)
{
	write_unlock(&l->rw);
}

/**
 * utap_locks_drop() - release part of a lock list
 * @set: the list
 * @n: how many of its first entries are held; released last taken first
 */
static void utap_locks_drop(const struct utap_lock_use *set, unsigned int n)
{
	while (n-- > 0) {
		if (set[n].mode == UTAP_LOCK_WRITE)
			write_unlock(&set[n].lock->rw);
		else
			read_unlock(&set[n].lock->rw);
	}
}

/**
 * utap_locks_take() - take a handler's locks at its entry
 * @set: the handler's (lock, mode) list, sorted by lock address, ascending,
 *	each lock once
 * @n: entries in @set (0 is allowed)
 * @retries: retries allowed for the whole list (MAXTRYLOCK)
 * @flags: where the interrupt state to restore is saved
 *
 * Turns interrupts off on this CPU, then takes the locks in list order. If
 * one cannot be had within the budget, the ones already taken are released
 * in reverse and interrupts are restored; a caller that may sleep then
 * sleeps briefly and tries again, up to UTAP_LOCK_SLEEP_ROUNDS times, and
 * one in a task that may not (a tracepoint's) waits 100 us with interrupts
 * on, up to UTAP_LOCK_SPIN_ROUNDS times; at the end the failing lock's
 * @skipped count grows and nothing stays held.
 * Usable in task, softirq and hardirq context.
 *
 * Return: true when every lock is held and interrupts are off, until
 * utap_locks_release(@set, @n, *@flags); false (a skipped probe) otherwise,
 * also for a list out of order.
 */
bool utap_locks_take(const struct utap_lock_use *set, unsigned int n,
		     unsigned int retries, unsigned long *flags)
{
	/* Handlers in tasks wait out a stalled holder longer (lock.h). */
	bool may_sleep = utap_may_sleep();
	unsigned int rounds = may_sleep ? UTAP_LOCK_SLEEP_ROUNDS :
			      utap_in_task() ? UTAP_LOCK_SPIN_ROUNDS : 0;
	unsigned int i, budget;

	for (i = 1; i < n; i++)
		if (WARN_ON_ONCE(set[i - 1].lock >= set[i].lock))
			return false;

	for (;;) {
		local_irq_save(*flags);
		budget = retries;
		for (i = 0; i < n; i++)
			if (!utap_lock_try(set[i].lock, set[i].mode, &budget))
				break;
		if (i == n)
			return true;
		utap_locks_drop(set, i);
		local_irq_restore(*flags);
		if (!rounds--)
			break;
		if (may_sleep)
			utap_sleep_briefly();
		else
			utap_spin_briefly();
	}
	atomic_inc(&set[i].lock->skipped);
	return false;
}

/**
 * utap_locks_release() - give back what utap_locks_take() took
 * @set: the same list
 * @n: the same count
 * @flags: the interrupt state utap_locks_take() saved
 *
 * Releases in reverse order, then restores interrupts. Called once, at the
 * handler's single exit path.
 */
void utap_locks_release(const struct utap_lock_use *set, unsigned int n,
			unsigned long flags)
{
	lockdep_assert_irqs_disabled();
	utap_locks_drop(set, n);
	local_irq_restore(flags);
}
