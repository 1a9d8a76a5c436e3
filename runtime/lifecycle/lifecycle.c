// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle probes over layer 3 (see lifecycle.h).
 *
 * The probes' distinct process filters (process("PATH"), process(PID), or
 * none) are numbered; a followed process or thread has an entry in one
 * table, keyed by (pid, kind), with two masks of filters: @wanted, those
 * it is in, and @begun, those whose begin has run for it. An end runs for
 * @begun only, and the entry is removed by the one exit that ends it, so
 * threads leaving together cannot end a process twice.
 *
 * How each filter follows processes:
 *  - PID: that process, found at load;
 *  - PATH: processes whose executable is the file: found at load, made by
 *    fork from one (same executable), or exec'ing it (and a process that
 *    execs something else leaves it: its end runs then);
 *  - none: every process; with -c or -x, the target and what it forks,
 *    recursively. -c's process is utaprun's child until it execs the
 *    command: its begin waits for that exec.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "utap/tapset_support.h"
#include "utap/transport.h"
#include "utap/uprobes.h"
#include "../ubp/ubp.h"
#include "../utrace/utrace.h"
#include "lifecycle.h"

#ifndef UTAP_MAXPROCESSES
#define UTAP_MAXPROCESSES 8192 /* processes and threads followed at once */
#endif

#define LC_MAX_FILTERS 64 /* bits of a mask */

enum lc_kind {
	LC_PROCESS = 1,
	LC_THREAD = 2,
};

/* pid 0 marks a free slot. */
struct lc_entry {
	pid_t pid;
	u8 kind;
	u64 wanted;
	u64 begun;
};

/* A begin to run in a new process or thread, in its own context. */
struct lc_work {
	struct utap_quiesce q;
	u64 mask;
	u8 kind;
};

static struct {
	const struct utap_script *script;
	unsigned int nfilters;
	const struct utap_process_filter *filters[LC_MAX_FILTERS];
	struct utap_ubp_file files[LC_MAX_FILTERS]; /* PATH filters' executables */
	u8 *filter_of;				     /* per probe of the script */
	struct lc_counts {
		atomic64_t hits, skipped;
	} *counts;				     /* per probe of the script, for -v */
	atomic64_t followed[2];			     /* [kind - 1]: entries made */
	u64 pid_bits, path_bits, any_bits;
	u64 tree_bit;				     /* the unnamed filter, when process probes need the target's tree */
	u64 begin_bits[2], end_bits[2];		     /* [kind - 1]: filters with such probes */
	u64 syscall_bits[2];			     /* [is_return]: filters with syscall probes */
	pid_t target;
	bool awaits_exec;
	bool started;
	/* Guards @slots and @used; taken in tracepoints and task work, never around a handler. */
	spinlock_t lock;
	struct lc_entry *slots;
	unsigned int nslots; /* a power of 2, twice UTAP_MAXPROCESSES */
	unsigned int used;
	atomic64_t missed;
} lc = {
	.lock = __SPIN_LOCK_UNLOCKED(lc.lock),
	.missed = ATOMIC64_INIT(0),
};

static unsigned int lc_slot(pid_t pid, u8 kind)
{
	return (hash_32((u32)pid, 31) ^ kind) & (lc.nslots - 1);
}

/* The entry of (@pid, @kind), or NULL. Called with lc.lock held. */
static struct lc_entry *lc_find(pid_t pid, u8 kind)
{
	unsigned int i;

	for (i = lc_slot(pid, kind); lc.slots[i].pid; i = (i + 1) & (lc.nslots - 1))
		if (lc.slots[i].pid == pid && lc.slots[i].kind == kind)
			return &lc.slots[i];
	return NULL;
}

/*
 * A new entry for (@pid, @kind) with @wanted and nothing begun; NULL when it
 * exists already (*@existed set) or the table is full (counted). Called with
 * lc.lock held.
 */
static struct lc_entry *lc_insert(pid_t pid, u8 kind, u64 wanted, bool *existed)
{
	unsigned int i;

	*existed = false;
	for (i = lc_slot(pid, kind); lc.slots[i].pid; i = (i + 1) & (lc.nslots - 1)) {
		if (lc.slots[i].pid == pid && lc.slots[i].kind == kind) {
			*existed = true;
			return NULL;
		}
	}
	if (lc.used >= UTAP_MAXPROCESSES) {
		atomic64_inc(&lc.missed);
		return NULL;
	}
	lc.used++;
	atomic64_inc(&lc.followed[kind - 1]);
	lc.slots[i] = (struct lc_entry){ .pid = pid, .kind = kind, .wanted = wanted };
	return &lc.slots[i];
}

/* Removes @e, moving back the entries after it that would be lost. Called with lc.lock held. */
static void lc_remove(struct lc_entry *e)
{
	unsigned int hole = e - lc.slots, i = hole;

	for (;;) {
		unsigned int home;

		i = (i + 1) & (lc.nslots - 1);
		if (!lc.slots[i].pid)
			break;
		home = lc_slot(lc.slots[i].pid, lc.slots[i].kind);
		/* Keep it where it is when its home lies cyclically in (hole, i]. */
		if (hole <= i ? (home > hole && home <= i) : (home > hole || home <= i))
			continue;
		lc.slots[hole] = lc.slots[i];
		hole = i;
	}
	lc.slots[hole].pid = 0;
	lc.used--;
}

/* Takes (@pid, @kind) out of the table: what had begun for it. */
static u64 lc_take(pid_t pid, u8 kind)
{
	struct lc_entry *e;
	unsigned long flags;
	u64 begun = 0;

	spin_lock_irqsave(&lc.lock, flags);
	e = lc_find(pid, kind);
	if (e) {
		begun = e->begun;
		lc_remove(e);
	}
	spin_unlock_irqrestore(&lc.lock, flags);
	return begun;
}

/*
 * The PID and PATH filters process @p is in, plus the unnamed ones when
 * @in_scope. @p is current, a child that has not run yet, or any task
 * (its mm is read under task_lock()).
 */
static u64 filters_of(struct task_struct *p, bool in_scope)
{
	u64 mask = in_scope ? lc.any_bits : 0;
	unsigned int f;

	for (f = 0; f < lc.nfilters; f++) {
		if ((lc.pid_bits & BIT_ULL(f)) && p->tgid == lc.filters[f]->pid)
			mask |= BIT_ULL(f);
	}
	if (lc.path_bits) {
		task_lock(p);
		for (f = 0; f < lc.nfilters; f++)
			if ((lc.path_bits & BIT_ULL(f)) && utap_ubp_file_runs_in(&lc.files[f], p->mm))
				mask |= BIT_ULL(f);
		task_unlock(p);
	}
	return mask;
}

/* Runs the probes of @kind whose filter is in @mask, in script order. */
static void fire(enum utap_probe_kind kind, u64 mask, struct pt_regs *regs)
{
	const struct utap_script *s = lc.script;
	unsigned int i;

	if (!utap_session_running())
		return;
	for (i = 0; i < s->nprobes; i++) {
		const struct utap_probe *p = &s->probes[i];
		struct utap_hit hit = {
			.point = p->point,
			.name = p->name,
			.probe_type = "utrace",
			.max_actions = utap_limits.max_action,
			.handler = p->handler,
			.uregs = regs,
		};

		if (p->kind == kind && (mask & BIT_ULL(lc.filter_of[i])))
			atomic64_inc(utap_run_hit(&hit) ? &lc.counts[i].hits : &lc.counts[i].skipped);
	}
}

/* In the new process or thread (or a process found at load), as it returns to user space. */
static void begin_work(struct utap_quiesce *q)
{
	struct lc_work *w = container_of(q, struct lc_work, q);
	unsigned long flags;
	struct lc_entry *e;
	bool existed;
	u64 mask = 0;

	/* Killed before it ever ran: its exit has passed, and no begin comes after an end. */
	if (!(current->flags & PF_EXITING)) {
		spin_lock_irqsave(&lc.lock, flags);
		if (w->kind == LC_PROCESS) {
			e = lc_find(current->tgid, LC_PROCESS);
			if (e) {
				mask = w->mask & e->wanted & ~e->begun;
				e->begun |= mask;
			}
		} else {
			e = lc_insert(current->pid, LC_THREAD, w->mask, &existed);
			if (e) {
				e->begun = w->mask;
				mask = w->mask;
			}
		}
		spin_unlock_irqrestore(&lc.lock, flags);
	}
	if (mask)
		fire(w->kind == LC_PROCESS ? UTAP_PROBE_PROCESS_BEGIN : UTAP_PROBE_THREAD_BEGIN, mask,
		     task_pt_regs(current));
	kfree(w);
}

/* Has @task run the begins of @mask (for @kind) in its own context. */
static void queue_begin(struct task_struct *task, u8 kind, u64 mask, bool interrupt)
{
	struct lc_work *w = kmalloc(sizeof(*w), GFP_NOWAIT | __GFP_NOWARN);

	if (!w) {
		atomic64_inc(&lc.missed);
		return;
	}
	w->q.fn = begin_work;
	w->mask = mask;
	w->kind = kind;
	/* An exiting task gets no begin (nor an end: nothing began). */
	if (utap_utrace_quiesce(task, &w->q, interrupt))
		kfree(w);
}

/*
 * Follows a new process or thread with @mask: an entry, and a begin to run
 * in it when there are begin probes for @mask (else it has begun at once).
 */
static void follow(struct task_struct *task, u8 kind, u64 mask, bool interrupt, bool defer_begin)
{
	u64 begins = mask & lc.begin_bits[kind - 1];
	struct lc_entry *e = NULL;
	unsigned long flags;
	bool existed = false;

	if (kind == LC_PROCESS || !begins) {
		spin_lock_irqsave(&lc.lock, flags);
		e = lc_insert(kind == LC_PROCESS ? task->tgid : task->pid, kind, mask, &existed);
		/* -c's process has begun nothing until it execs the command. */
		if (e)
			e->begun = defer_begin ? 0 : mask & ~begins;
		spin_unlock_irqrestore(&lc.lock, flags);
		if (!e)
			return;
	}
	if (begins && !defer_begin)
		queue_begin(task, kind, begins, interrupt);
}

static void on_clone(struct task_struct *parent, struct task_struct *child, bool thread)
{
	struct lc_entry *e;
	unsigned long flags;
	u64 mask;

	if (!utap_session_running() || (child->flags & PF_KTHREAD))
		return;
	spin_lock_irqsave(&lc.lock, flags);
	e = lc_find(parent->tgid, LC_PROCESS);
	mask = e ? e->wanted : 0;
	spin_unlock_irqrestore(&lc.lock, flags);
	if (thread) {
		mask &= lc.begin_bits[LC_THREAD - 1] | lc.end_bits[LC_THREAD - 1];
		if (mask)
			follow(child, LC_THREAD, mask, false, false);
		return;
	}
	/* The child runs what the parent ran; the target's descendants are in scope. */
	mask = filters_of(child, !lc.target || (mask & lc.any_bits));
	if (mask)
		follow(child, LC_PROCESS, mask, false, false);
}

static void on_exec(struct task_struct *task, pid_t old_pid)
{
	u64 ended_thread = 0, ended = 0, starting = 0, now;
	struct lc_entry *e;
	unsigned long flags;
	bool existed;

	if (!utap_session_running())
		return;
	/* A thread that execs takes the leader's pid: as a thread it is over. */
	if (old_pid != task->pid)
		ended_thread = lc_take(old_pid, LC_THREAD);
	now = filters_of(task, false);
	spin_lock_irqsave(&lc.lock, flags);
	e = lc_find(task->tgid, LC_PROCESS);
	if (e) {
		/* PATH filters follow the new executable; the others stay. */
		now |= e->wanted & (lc.pid_bits | lc.any_bits);
		ended = e->begun & ~now;
		e->begun &= now;
		e->wanted = now;
	} else if (now) {
		e = lc_insert(task->tgid, LC_PROCESS, now, &existed);
	}
	if (e) {
		starting = now & ~e->begun;
		/* Without begin probes a filter begins at once. */
		e->begun |= starting & ~lc.begin_bits[LC_PROCESS - 1];
		starting &= lc.begin_bits[LC_PROCESS - 1];
	}
	spin_unlock_irqrestore(&lc.lock, flags);
	if (ended_thread)
		fire(UTAP_PROBE_THREAD_END, ended_thread, NULL);
	if (ended)
		fire(UTAP_PROBE_PROCESS_END, ended, NULL);
	if (starting)
		queue_begin(task, LC_PROCESS, starting, false);
}

static void on_exit(struct task_struct *task)
{
	u64 begun;

	if (!utap_session_running())
		return;
	begun = lc_take(task->pid, LC_THREAD);
	if (begun)
		fire(UTAP_PROBE_THREAD_END, begun, NULL);
	/* The process ends with its last thread; lc_take() lets one exit claim it. */
	if (atomic_read(&task->signal->live))
		return;
	begun = lc_take(task->tgid, LC_PROCESS);
	if (begun)
		fire(UTAP_PROBE_PROCESS_END, begun, NULL);
}

/* Runs the syscall probes of @kind for the current thread, if its process has begun for them. */
static void on_syscall(enum utap_probe_kind kind, u64 wanted, struct pt_regs *regs)
{
	struct lc_entry *e;
	unsigned long flags;
	u64 mask;

	if (current->flags & PF_KTHREAD)
		return;
	spin_lock_irqsave(&lc.lock, flags);
	e = lc_find(current->tgid, LC_PROCESS);
	mask = e ? e->begun & wanted : 0;
	spin_unlock_irqrestore(&lc.lock, flags);
	if (mask)
		fire(kind, mask, regs);
}

static void on_syscall_entry(struct pt_regs *regs, long id)
{
	on_syscall(UTAP_PROBE_SYSCALL, lc.syscall_bits[0], regs);
}

static void on_syscall_exit(struct pt_regs *regs, long ret)
{
	on_syscall(UTAP_PROBE_SYSCALL_RETURN, lc.syscall_bits[1], regs);
}

static struct utap_utrace_ops lifecycle_ops = {
	.clone = on_clone,
	.exec = on_exec,
	.exit = on_exit,
};

/* Whether @p is the target or descends from it (with -c or -x). */
static bool in_target_tree(struct task_struct *p)
{
	while (p->pid > 1) {
		if (p->tgid == lc.target)
			return true;
		p = rcu_dereference(p->real_parent);
	}
	return false;
}

/* A thread of @p that can still run work, or NULL. Called under rcu_read_lock(). */
static struct task_struct *live_thread(struct task_struct *p)
{
	struct task_struct *t;

	for_each_thread(p, t)
		if (!(t->flags & PF_EXITING))
			return t;
	return NULL;
}

/*
 * The processes that run already: followed, and their begins run in each;
 * then their threads other than the main one, as stap's task finder does at
 * registration: thread.begin runs in each (and thread.end when it exits).
 */
static void follow_running(void)
{
	u64 thread_bits = lc.begin_bits[LC_THREAD - 1] | lc.end_bits[LC_THREAD - 1];
	struct task_struct *p;

	rcu_read_lock();
	for_each_process(p) {
		struct task_struct *t;
		bool target;
		u64 mask;

		if (p->flags & PF_KTHREAD)
			continue;
		t = live_thread(p);
		if (!t)
			continue;
		target = lc.target && p->tgid == lc.target;
		mask = filters_of(p, !lc.target || in_target_tree(p));
		if (!mask)
			continue;
		follow(t, LC_PROCESS, mask, true, target && lc.awaits_exec);
		if (!(mask & thread_bits))
			continue;
		for_each_thread(p, t)
			if (t->pid != t->tgid && !(t->flags & PF_EXITING))
				follow(t, LC_THREAD, mask & thread_bits, true, false);
	}
	rcu_read_unlock();
}

/* An error of the run, for the user's terminal. */
static __printf(1, 2) void lc_error(const char *fmt, ...)
{
	char line[MAXSTRINGLEN + 64];
	va_list args;
	int len;

	len = snprintf(line, sizeof(line), "ERROR: ");
	va_start(args, fmt);
	len += vsnprintf(line + len, sizeof(line) - len, fmt, args);
	va_end(args);
	len = min_t(int, len, sizeof(line) - 2);
	line[len++] = '\n';
	utap_transport_commit(UTAP_RECORD_ERROR, line, len);
}

/* The filter number of @f, numbering a new one; -1 when there are too many. */
static int filter_number(const struct utap_process_filter *f)
{
	unsigned int i;

	for (i = 0; i < lc.nfilters; i++) {
		const struct utap_process_filter *g = lc.filters[i];

		if (g->pid == f->pid && (g->path && f->path ? !strcmp(g->path, f->path) : g->path == f->path))
			return i;
	}
	if (lc.nfilters == LC_MAX_FILTERS)
		return -1;
	lc.filters[lc.nfilters] = f;
	return lc.nfilters++;
}

static bool is_lifecycle(enum utap_probe_kind kind)
{
	return kind == UTAP_PROBE_PROCESS_BEGIN || kind == UTAP_PROBE_PROCESS_END ||
	       kind == UTAP_PROBE_THREAD_BEGIN || kind == UTAP_PROBE_THREAD_END ||
	       kind == UTAP_PROBE_SYSCALL || kind == UTAP_PROBE_SYSCALL_RETURN;
}

/* Whether process probes of @script are limited to the target's tree (`process` alone, with -c or -x). */
static bool wants_target_tree(const struct utap_script *script)
{
	const struct utap_uprobe_table *t = script->uprobes;
	unsigned int i;

	if (!t || !utap_target_pid())
		return false;
	for (i = 0; i < t->ngroups; i++)
		if (t->groups[i].in_target_tree)
			return true;
	return false;
}

/**
 * utap_lifecycle_in_target_tree() - whether @task is the target or descends from it
 * @task: a user task, current in a probe handler
 *
 * For process probe points written with `process` alone. True when there
 * is no target. Context: any.
 */
bool utap_lifecycle_in_target_tree(struct task_struct *task)
{
	struct lc_entry *e;
	unsigned long flags;
	bool in;

	if (!lc.target)
		return true;
	if (!lc.tree_bit || !lc.slots)
		return false;
	spin_lock_irqsave(&lc.lock, flags);
	e = lc_find(task->tgid, LC_PROCESS);
	in = e && (e->wanted & lc.tree_bit);
	spin_unlock_irqrestore(&lc.lock, flags);
	return in;
}

/**
 * utap_lifecycle_start() - follow processes for the script's lifecycle probes
 * @script: the script, whose probes of the lifecycle kinds are served
 *
 * Context: module load, after the begin probes; may sleep. Return: 0 (also
 * when the script has no such probe), or a negative errno, said in the
 * kernel log, with nothing left attached.
 */
int utap_lifecycle_start(const struct utap_script *script)
{
	unsigned int i;
	int ret;

	lc.script = script;
	lc.filter_of = kcalloc(script->nprobes ? script->nprobes : 1, 1, GFP_KERNEL);
	lc.counts = kcalloc(script->nprobes ? script->nprobes : 1, sizeof(*lc.counts), GFP_KERNEL);
	if (!lc.filter_of || !lc.counts)
		return -ENOMEM;
	for (i = 0; i < script->nprobes; i++) {
		const struct utap_probe *p = &script->probes[i];
		bool is_thread = p->kind == UTAP_PROBE_THREAD_BEGIN || p->kind == UTAP_PROBE_THREAD_END;
		bool is_begin = p->kind == UTAP_PROBE_PROCESS_BEGIN || p->kind == UTAP_PROBE_THREAD_BEGIN;
		int f;

		if (!is_lifecycle(p->kind))
			continue;
		f = filter_number(&p->process);
		if (f < 0) {
			lc_error("more than %d distinct process(...) components in lifecycle probes", LC_MAX_FILTERS);
			return -E2BIG;
		}
		lc.filter_of[i] = f;
		if (p->kind == UTAP_PROBE_SYSCALL || p->kind == UTAP_PROBE_SYSCALL_RETURN)
			lc.syscall_bits[p->kind == UTAP_PROBE_SYSCALL_RETURN] |= BIT_ULL(f);
		else if (is_begin)
			lc.begin_bits[is_thread] |= BIT_ULL(f);
		else
			lc.end_bits[is_thread] |= BIT_ULL(f);
	}
	if (wants_target_tree(script)) {
		static const struct utap_process_filter unnamed = { .path = NULL, .pid = 0 };
		int f = filter_number(&unnamed);

		if (f < 0) {
			lc_error("more than %d distinct process(...) components in lifecycle probes", LC_MAX_FILTERS);
			return -E2BIG;
		}
		lc.tree_bit = BIT_ULL(f);
	}
	if (!lc.nfilters)
		return 0;
	for (i = 0; i < lc.nfilters; i++) {
		const struct utap_process_filter *f = lc.filters[i];

		if (f->path) {
			ret = utap_ubp_file_open(&lc.files[i], f->path);
			if (ret) {
				lc_error("cannot open %s for its lifecycle probes (%d)", f->path, ret);
				return ret;
			}
			lc.path_bits |= BIT_ULL(i);
		} else if (f->pid) {
			lc.pid_bits |= BIT_ULL(i);
		} else {
			lc.any_bits |= BIT_ULL(i);
		}
	}
	lc.target = utap_target_pid();
	lc.awaits_exec = utap_target_awaits_exec();
	lc.nslots = roundup_pow_of_two(2 * UTAP_MAXPROCESSES);
	lc.slots = kvcalloc(lc.nslots, sizeof(*lc.slots), GFP_KERNEL);
	if (!lc.slots)
		return -ENOMEM;
	/* The system-call tracepoints slow every system call down: only when asked. */
	lifecycle_ops.syscall_entry = lc.syscall_bits[0] ? on_syscall_entry : NULL;
	lifecycle_ops.syscall_exit = lc.syscall_bits[1] ? on_syscall_exit : NULL;
	ret = utap_utrace_attach(&lifecycle_ops);
	if (ret) {
		lc_error("cannot attach to the scheduler's process tracepoints (%d); the kernel log says why", ret);
		return ret;
	}
	lc.started = true;
	follow_running();
	return 0;
}

/**
 * utap_lifecycle_stop() - stop following; no lifecycle probe runs after it
 *
 * Context: process, may sleep (it waits for queued begins to run).
 */
void utap_lifecycle_stop(void)
{
	if (!lc.started)
		return;
	utap_utrace_detach();
	lc.started = false;
}

/* Context: module unload, after utap_lifecycle_stop(). */
void utap_lifecycle_free(void)
{
	unsigned int i;

	utap_lifecycle_stop();
	for (i = 0; i < lc.nfilters; i++)
		if (lc.path_bits & BIT_ULL(i))
			utap_ubp_file_close(&lc.files[i]);
	kvfree(lc.slots);
	kfree(lc.filter_of);
	kfree(lc.counts);
	lc.slots = NULL;
	lc.filter_of = NULL;
	lc.counts = NULL;
	lc.nfilters = 0;
}

uint64_t utap_lifecycle_missed(void)
{
	return atomic64_read(&lc.missed);
}

/* -v: what each lifecycle probe ran, and how many processes and threads were followed. */
void utap_lifecycle_report(void)
{
	const struct utap_script *s = lc.script;
	char line[512];
	unsigned int i;
	int len;

	if (!lc.nfilters || !lc.counts)
		return;
	len = snprintf(line, sizeof(line), "lifecycle probes followed %lld processes and %lld threads\n",
		       (long long)atomic64_read(&lc.followed[LC_PROCESS - 1]),
		       (long long)atomic64_read(&lc.followed[LC_THREAD - 1]));
	utap_transport_commit(UTAP_RECORD_INFO, line, min_t(int, len, sizeof(line) - 1));
	for (i = 0; i < s->nprobes; i++) {
		if (!is_lifecycle(s->probes[i].kind))
			continue;
		len = snprintf(line, sizeof(line), "%s at %s: %lld hits, %lld skipped\n", s->probes[i].point,
			       s->probes[i].location, (long long)atomic64_read(&lc.counts[i].hits),
			       (long long)atomic64_read(&lc.counts[i].skipped));
		utap_transport_commit(UTAP_RECORD_INFO, line, min_t(int, len, sizeof(line) - 1));
	}
}
