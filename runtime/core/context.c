// SPDX-License-Identifier: GPL-2.0
/*
 * Probe contexts: a pool taken by handlers with one atomic bit operation, so
 * that task, softirq and hardirq handlers all get one without waiting, and a
 * uprobe handler keeps running preemptible (it may fault pages in).
 */
#include "utap/base.h"

#ifdef UTAP_USERSPACE_TEST
#define utap_test_and_set_bit(nr, addr) \
	(__atomic_fetch_or(&(addr)[(nr) / 64], 1UL << ((nr) % 64), __ATOMIC_ACQUIRE) & (1UL << ((nr) % 64)))
#define utap_clear_bit(nr, addr) __atomic_fetch_and(&(addr)[(nr) / 64], ~(1UL << ((nr) % 64)), __ATOMIC_RELEASE)
#define utap_atomic_inc(p) __atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#define utap_atomic_read(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#else
#define utap_test_and_set_bit(nr, addr) test_and_set_bit_lock((nr), (addr))
#define utap_clear_bit(nr, addr) clear_bit_unlock((nr), (addr))
#define utap_atomic_inc(p) atomic64_inc(p)
#define utap_atomic_read(p) atomic64_read(p)
#endif

/*
 * The pool. Set up at module load before any probe is armed and freed after
 * every probe is gone, so handlers need no reference on it.
 */
static struct {
	struct utap_context *contexts;
	char *frames;
	size_t frames_size;
	unsigned long *busy; /* one bit per context: taken */
	unsigned int count;
#ifdef UTAP_USERSPACE_TEST
	uint64_t skipped;
#else
	atomic64_t skipped;
#endif
} pool;

/**
 * utap_contexts_init() - allocate the pool
 * @frames_size: bytes each context needs for locals (from pass 3)
 *
 * Context: module load, may sleep.
 * Return: 0 or -ENOMEM.
 */
int utap_contexts_init(size_t frames_size)
{
	/*
	 * Two per CPU (a task handler and an interrupt on top of it), and room
	 * for uprobe handlers preempted or faulting while they hold one: those
	 * run in the probed tasks, and a CPU may switch between many of them.
	 */
	unsigned int i, count = 2 * num_possible_cpus() + 4 + UTAP_TASK_CONTEXTS;
	size_t words = (count + 63) / 64;

	pool.count = count;
	pool.frames_size = frames_size;
	pool.contexts = utap_alloc(count * sizeof(*pool.contexts));
	pool.busy = utap_alloc(words * sizeof(unsigned long));
	pool.frames = utap_alloc(count * (frames_size ? frames_size : 1));
	if (!pool.contexts || !pool.busy || !pool.frames)
		goto fail;
	for (i = 0; i < count; i++) {
		pool.contexts[i].frames = pool.frames + i * frames_size;
		pool.contexts[i].frames_size = frames_size;
	}
	return 0;
fail:
	utap_contexts_free();
	return -ENOMEM;
}

/**
 * utap_contexts_free() - free the pool (no handler may be running)
 */
void utap_contexts_free(void)
{
	utap_free(pool.frames);
	utap_free(pool.busy);
	utap_free(pool.contexts);
	pool.frames = NULL;
	pool.busy = NULL;
	pool.contexts = NULL;
	pool.count = 0;
}

/**
 * utap_context_get() - take a free context for one probe hit
 * @probe_point: the point's text (static)
 * @max_actions: MAXACTION, or MAXACTION_INTERRUPTIBLE for begin/end
 *
 * Context: any; never sleeps or spins.
 * Return: a reset context, or NULL when all are taken (the hit is skipped
 * and counted by utap_contexts_skipped()).
 */
struct utap_context *utap_context_get(const char *probe_point, int64_t max_actions)
{
	/* Preemptible callers (uprobe handlers) only use the CPU as a hint. */
	unsigned int i, start = raw_smp_processor_id() % (pool.count ? pool.count : 1);

	for (i = 0; i < pool.count; i++) {
		unsigned int n = (start + i) % pool.count;
		struct utap_context *c;

		if (utap_test_and_set_bit(n, pool.busy))
			continue;
		c = &pool.contexts[n];
		c->probe_point = probe_point;
		c->actions_left = max_actions;
		c->nesting = 0;
		c->probe_name = NULL;
		c->probe_type = "";
		c->uregs = NULL;
		c->uprobe = NULL;
		c->load_bias = 0;
		c->entry_saves = NULL;
		c->procfs = NULL;
		c->skipped = false;
		c->aborted = false;
		c->error = NULL;
		c->error_located = false;
		c->next = false;
		c->frames_used = 0;
		return c;
	}
	utap_atomic_inc(&pool.skipped);
	return NULL;
}

/**
 * utap_context_put() - give a context back
 * @c: from utap_context_get()
 */
void utap_context_put(struct utap_context *c)
{
	utap_clear_bit((unsigned int)(c - pool.contexts), pool.busy);
}

uint64_t utap_contexts_skipped(void)
{
	return (uint64_t)utap_atomic_read(&pool.skipped);
}

void *utap_frame_push(struct utap_context *c, size_t size)
{
	void *frame;

	size = (size + 15) & ~(size_t)15;
	if (c->nesting >= utap_limits.max_nesting + 1) {
		utap_error(c, "MAXNESTING exceeded");
		return NULL;
	}
	if (size > c->frames_size - c->frames_used) {
		utap_error(c, "out of room for local variables (%zu bytes)", c->frames_size);
		return NULL;
	}
	frame = c->frames + c->frames_used;
	memset(frame, 0, size);
	c->frames_used += size;
	c->nesting++;
	return frame;
}

void utap_frame_pop(struct utap_context *c, size_t size)
{
	c->frames_used -= (size + 15) & ~(size_t)15;
	c->nesting--;
}

unsigned int utap_contexts_count(void)
{
	return pool.count;
}

unsigned int utap_context_index(const struct utap_context *c)
{
	return (unsigned int)(c - pool.contexts);
}
