/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the runtime needs from its environment, in one place: the kernel's
 * headers in a module build, or libc when a runtime file is compiled into a
 * user-space unit test (UTAP_USERSPACE_TEST). Runtime .c files include this
 * (through utap/base.h) and nothing environment-specific of their own, so
 * the same source is what the tests check and what the kernel runs.
 *
 * Differences between kernel versions also go here, decided by
 * LINUX_VERSION_CODE or by a kbuild feature probe (UTAP_HAVE_* from the
 * generated utap_compat_autoconf.h).
 */
#ifndef UTAP_COMPAT_H
#define UTAP_COMPAT_H

#ifdef UTAP_USERSPACE_TEST

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX

/*
 * One "CPU" in user space; tests that need more set utap_test_nr_cpus (CPUs
 * 0 .. n-1 are all "possible") and, per thread, utap_test_cpu: the CPU the
 * calling thread runs on. A test gives each thread its own CPU, as the
 * kernel gives each CPU one running task. Weak, so this header can define it.
 */
extern unsigned int utap_test_nr_cpus;
__attribute__((weak)) __thread unsigned int utap_test_cpu;
#define num_possible_cpus() (utap_test_nr_cpus)
#define nr_cpu_ids (utap_test_nr_cpus)
#define smp_processor_id() (utap_test_cpu)
#define raw_smp_processor_id() (utap_test_cpu)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < utap_test_nr_cpus; (cpu)++)

static inline void *utap_alloc(size_t size) { return calloc(1, size); }
static inline void utap_free(void *p) { free(p); }
/* Memory of one CPU's share (NUMA-local in the kernel). */
static inline void *utap_alloc_cpu(size_t size, unsigned int cpu) { return calloc(1, size); }
static inline uint32_t utap_random_u32(void) { return 0x9e3779b9u; }

/* Interrupts: a per-thread flag, so tests can see what a function left behind. */
__attribute__((weak)) __thread unsigned long utap_test_irqs_off;
#define local_irq_save(flags) do { (flags) = utap_test_irqs_off; utap_test_irqs_off = 1; } while (0)
#define local_irq_restore(flags) do { utap_test_irqs_off = (flags); } while (0)
#define lockdep_assert_irqs_disabled() do { } while (0)

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow((a), (b), (d))
#define L1_CACHE_BYTES 64
static inline int64_t div64_s64(int64_t a, int64_t b) { return a / b; }
static inline uint64_t div64_u64(uint64_t a, uint64_t b) { return a / b; }
#define WARN_ON_ONCE(cond) \
	({ int __w = !!(cond); if (__w) fprintf(stderr, "WARNING: %s:%d: %s\n", __FILE__, __LINE__, #cond); __w; })

typedef struct { int counter; } atomic_t;
static inline int atomic_read(const atomic_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }
static inline void atomic_set(atomic_t *v, int i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }
static inline void atomic_add(int i, atomic_t *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }
static inline void atomic_inc(atomic_t *v) { atomic_add(1, v); }

/*
 * A reader-writer spinlock, trylock only: >0 readers, -1 a writer. A test
 * may define utap_test_lock_trace() to see each lock taken ('r', 'w') and
 * released ('R', 'W').
 */
typedef struct { int cnt; } rwlock_t;
extern void utap_test_lock_trace(const void *lock, char op) __attribute__((weak));
#define UTAP_TEST_LOCK_TRACE(l, op) do { if (utap_test_lock_trace) utap_test_lock_trace((l), (op)); } while (0)
static inline void rwlock_init(rwlock_t *l) { __atomic_store_n(&l->cnt, 0, __ATOMIC_RELAXED); }
static inline int read_trylock(rwlock_t *l)
{
	int v = __atomic_load_n(&l->cnt, __ATOMIC_RELAXED);

	while (v >= 0)
		if (__atomic_compare_exchange_n(&l->cnt, &v, v + 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			UTAP_TEST_LOCK_TRACE(l, 'r');
			return 1;
		}
	return 0;
}
static inline int write_trylock(rwlock_t *l)
{
	int v = 0;

	if (!__atomic_compare_exchange_n(&l->cnt, &v, -1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	UTAP_TEST_LOCK_TRACE(l, 'w');
	return 1;
}
static inline void read_unlock(rwlock_t *l)
{
	UTAP_TEST_LOCK_TRACE(l, 'R');
	__atomic_fetch_sub(&l->cnt, 1, __ATOMIC_RELEASE);
}
static inline void write_unlock(rwlock_t *l)
{
	UTAP_TEST_LOCK_TRACE(l, 'W');
	__atomic_store_n(&l->cnt, 0, __ATOMIC_RELEASE);
}

typedef struct { char locked; } raw_spinlock_t;
static inline void raw_spin_lock_init(raw_spinlock_t *l) { __atomic_clear(&l->locked, __ATOMIC_RELAXED); }
#define raw_spin_lock_irqsave(l, flags) \
	do { local_irq_save(flags); while (__atomic_test_and_set(&(l)->locked, __ATOMIC_ACQUIRE)) ; } while (0)
#define raw_spin_unlock_irqrestore(l, flags) \
	do { __atomic_clear(&(l)->locked, __ATOMIC_RELEASE); local_irq_restore(flags); } while (0)

/* User-space tests take the locks as an interrupt handler would: no waiting rounds. */
static inline bool utap_may_sleep(void) { return false; }
static inline bool utap_in_task(void) { return false; }
static inline void utap_sleep_briefly(void) { sched_yield(); }
static inline void utap_spin_briefly(void) { sched_yield(); }

/*
 * Waiting between trylock attempts: let the holder (another thread) run,
 * or, when a test sets the hook, let the test act at that exact attempt.
 */
__attribute__((weak)) __thread void (*utap_test_udelay_hook)(void);
static inline void udelay(unsigned long usecs)
{
	(void)usecs;
	if (utap_test_udelay_hook)
		utap_test_udelay_hook();
	else
		sched_yield();
}

#else /* the kernel */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/types.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

/*
 * Runtime memory is allocated once, at module load, and may be large (maps
 * preallocated to MAXMAPENTRIES): kvzalloc falls back to vmalloc.
 */
static inline void *utap_alloc(size_t size) { return kvzalloc(size, GFP_KERNEL); }
static inline void utap_free(void *p) { kvfree(p); }
/* Memory of one CPU's share, on that CPU's NUMA node. */
static inline void *utap_alloc_cpu(size_t size, unsigned int cpu)
{
	return kvzalloc_node(size, GFP_KERNEL, cpu_to_node(cpu));
}
static inline u32 utap_random_u32(void) { return get_random_u32(); }

/* Whether the caller may sleep: task context, preemptible, interrupts on. */
static inline bool utap_may_sleep(void)
{
	return preemptible();
}

static inline void utap_sleep_briefly(void)
{
	usleep_range(100, 200);
}

/* Whether the caller runs for a task (not an interrupt), maybe unpreemptible. */
static inline bool utap_in_task(void)
{
	return in_task();
}

static inline void utap_spin_briefly(void)
{
	udelay(100);
}


#endif /* UTAP_USERSPACE_TEST */

#endif /* UTAP_COMPAT_H */

/*
 * Inode uprobes (runtime/ubp is their only user). Linux 6.12 changed the
 * API: uprobe_register() takes the reference-counter offset (6.1 has
 * uprobe_register_refctr() for that) and returns the struct uprobe * that
 * uprobe_unregister_nosync() takes; the wait for running handlers became
 * one uprobe_unregister_sync() for any number of them (6.1's
 * uprobe_unregister() waits each time); the filter lost its ctx argument.
 * Decided by kbuild feature probes (compiler/kbuild/features.cpp). Only
 * runtime/ubp defines UTAP_COMPAT_UPROBES, so that other objects do not
 * compile <linux/fs.h>. Outside the include guard above, so that it works
 * wherever compat.h was included first.
 */
#if defined(UTAP_COMPAT_UPROBES) && !defined(UTAP_USERSPACE_TEST) && !defined(UTAP_COMPAT_UPROBES_H)
#define UTAP_COMPAT_UPROBES_H
#include <linux/fs.h>
#include <linux/uprobes.h>
#include "utap_compat_autoconf.h"

#if defined(UTAP_HAVE_UPROBE_REGISTER_RETURNS_UPROBE) && defined(UTAP_HAVE_UPROBE_UNREGISTER_NOSYNC)
struct utap_uprobe_handle {
	struct uprobe *uprobe;
};

static inline int utap_uprobe_register(struct utap_uprobe_handle *h, struct inode *inode, loff_t offset,
				       loff_t ref_ctr_offset, struct uprobe_consumer *uc)
{
	h->uprobe = uprobe_register(inode, offset, ref_ctr_offset, uc);
	return IS_ERR(h->uprobe) ? PTR_ERR(h->uprobe) : 0;
}

static inline void utap_uprobe_unregister_nosync(struct utap_uprobe_handle *h, struct inode *inode,
						 loff_t offset, struct uprobe_consumer *uc)
{
	uprobe_unregister_nosync(h->uprobe, uc);
}

static inline void utap_uprobe_unregister_sync(void)
{
	uprobe_unregister_sync();
}

#define UTAP_UPROBE_FILTER(name, self, mm) bool name(struct uprobe_consumer *self, struct mm_struct *mm)
#elif defined(UTAP_HAVE_UPROBE_REGISTER_REFCTR)
struct utap_uprobe_handle {
	char unused;
};

static inline int utap_uprobe_register(struct utap_uprobe_handle *h, struct inode *inode, loff_t offset,
				       loff_t ref_ctr_offset, struct uprobe_consumer *uc)
{
	return uprobe_register_refctr(inode, offset, ref_ctr_offset, uc);
}

/* Waits for this consumer's running handlers itself. */
static inline void utap_uprobe_unregister_nosync(struct utap_uprobe_handle *h, struct inode *inode,
						 loff_t offset, struct uprobe_consumer *uc)
{
	uprobe_unregister(inode, offset, uc);
}

static inline void utap_uprobe_unregister_sync(void)
{
}

#define UTAP_UPROBE_FILTER(name, self, mm) \
	bool name(struct uprobe_consumer *self, enum uprobe_filter_ctx ctx, struct mm_struct *mm)
#else
#error "this kernel has neither uprobes API utap knows (see compiler/kbuild/features.cpp and runtime/README.md)"
#endif

/*
 * The current thread's pending uretprobe returns, newest first: the list
 * of struct return_instance <linux/uprobes.h> declares (6.1, 6.12), which
 * only the thread itself changes. NULL where the kernel has none to show.
 */
#include <linux/sched.h>
#ifdef UTAP_HAVE_UPROBE_RETURN_INSTANCES
static inline struct return_instance *utap_return_instances(void)
{
	return current->utask ? current->utask->return_instances : NULL;
}
#else
struct return_instance {
	unsigned long stack;
	unsigned long orig_ret_vaddr;
	bool chained;
	struct return_instance *next;
};

static inline struct return_instance *utap_return_instances(void)
{
	return NULL;
}
#endif
#endif /* UTAP_COMPAT_UPROBES */
