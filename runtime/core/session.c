// SPDX-License-Identifier: GPL-2.0
/*
 * The session: module load runs the script's begin probes and arms its
 * timers; an exit request (exit(), too many errors, or "stop" from the
 * loader) disarms them, runs error and end probes in process context, and
 * tells the transport the session is done; module unload frees everything.
 *
 * States only move forward: RUNNING -> STOPPING -> DONE. `stopping` is set
 * once (atomic); the stop work runs once.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "utap/format.h"
#include "utap/session.h"
#include "utap/transport.h"
#include "utap/unwind.h"
#include "../lifecycle/lifecycle.h"
#include "../procfs/procfs.h"
#include "../uprobes/uprobes.h"

#ifndef UTAP_OUTPUT_SIZE
#define UTAP_OUTPUT_SIZE 8192 /* bytes of output a probe hit buffers before flushing */
#endif

struct utap_timer {
	const struct utap_probe *probe;
	struct hrtimer hrtimer;      /* UTAP_TIMER_NS and UTAP_TIMER_PROFILE */
	struct timer_list timer;     /* UTAP_TIMER_JIFFIES */
	unsigned int cpu;            /* UTAP_TIMER_PROFILE: one timer per CPU */
};

static struct {
	atomic_t stopping;
	atomic_t stopped;  /* the stop work has run (it may be queued twice) */
	bool started;      /* begin probes have run: stopping may start */
	bool live;         /* process probes may run (set before they are armed) */
	bool armed;        /* the timers were started (only then cancel them) */
	bool failed;       /* more than MAXERRORS errors: no end probes */
	atomic64_t errors;
	atomic64_t truncated;
	struct utap_timer *timers;
	unsigned int ntimers;
	char *outputs; /* UTAP_OUTPUT_SIZE per context, indexed like the pool */
	struct work_struct stop_work;
} session;

/* -v: the loader asks for the probes' counts at the end. */
static int session_verbose;
module_param_named(verbose, session_verbose, int, 0444);
MODULE_PARM_DESC(verbose, "utap's -v level");

static const char *probe_type(const struct utap_probe *p)
{
	switch (p->kind) {
	case UTAP_PROBE_BEGIN:
		return "begin";
	case UTAP_PROBE_END:
		return "end";
	case UTAP_PROBE_ERROR:
		return "error";
	case UTAP_PROBE_NEVER:
		return "never";
	case UTAP_PROBE_TIMER:
		return p->timer.unit == UTAP_TIMER_JIFFIES ? "timer" : "hrtimer";
	case UTAP_PROBE_PROCESS_BEGIN:
	case UTAP_PROBE_PROCESS_END:
	case UTAP_PROBE_THREAD_BEGIN:
	case UTAP_PROBE_THREAD_END:
		return "utrace";
	case UTAP_PROBE_SYSCALL:
	case UTAP_PROBE_SYSCALL_RETURN:
		return "utrace_syscall";
	case UTAP_PROBE_PROCFS_READ:
	case UTAP_PROBE_PROCFS_WRITE:
		return "procfs";
	}
	return "";
}

static int64_t max_actions(const struct utap_probe *p)
{
	/* stap 4.8 gives every probe point here the interruptible budget. */
	return utap_limits.max_action_interruptible;
}

/**
 * output_flush() - commit a probe hit's full output buffer and empty it
 * @sink: the hit's output sink
 *
 * A hit may print more than its buffer holds; as stap flushes its print
 * buffer when it fills, the output goes out in several records, in order.
 */
static void output_flush(struct utap_sink *sink)
{
	if (sink->len)
		utap_transport_commit(UTAP_RECORD_OUTPUT, sink->buf, sink->len);
	sink->len = 0;
	sink->wanted = 0;
	sink->buf[0] = '\0';
}

/**
 * utap_run_hit() - one hit of one handler
 * @hit: what it runs, and with what
 *
 * Takes a context (or counts a skip), runs the handler, reports its error,
 * and commits its output as one record.
 * Context: any.
 * Return: false when the hit was skipped.
 */
bool utap_run_hit(const struct utap_hit *hit)
{
	struct utap_context *c = utap_context_get(hit->point, hit->max_actions);
	struct utap_sink sink;
	char *buffer;
	bool ran;

	if (!c)
		return false;
	c->probe_name = hit->name;
	c->probe_type = hit->probe_type;
	c->uregs = hit->uregs;
	c->uprobe = hit->uprobe;
	c->load_bias = hit->load_bias;
	c->entry_saves = hit->entry_saves;
	c->procfs = hit->procfs;
	buffer = session.outputs + utap_context_index(c) * (size_t)UTAP_OUTPUT_SIZE;
	utap_sink_init(&sink, buffer, UTAP_OUTPUT_SIZE);
	sink.flush = output_flush;
	c->output = &sink;
	hit->handler(c);
	if (sink.len)
		utap_transport_commit(UTAP_RECORD_OUTPUT, sink.buf, sink.len);
	if (sink.wanted > sink.len)
		atomic64_add(sink.wanted - sink.len, &session.truncated);
	if (c->error && !c->aborted) {
		char line[MAXSTRINGLEN + 16];
		int n = snprintf(line, sizeof(line), "ERROR: %s\n", c->error);

		utap_transport_commit(UTAP_RECORD_ERROR, line, min_t(int, n, sizeof(line) - 1));
		if (atomic64_inc_return(&session.errors) > utap_limits.max_errors) {
			/* As stap: only error probes run after this, not end probes. */
			WRITE_ONCE(session.failed, true);
			utap_request_exit();
		}
	}
	ran = !c->skipped;
	c->output = NULL;
	utap_context_put(c);
	return ran;
}

static void run_probe(const struct utap_probe *p)
{
	struct utap_hit hit = {
		.point = p->point,
		.name = p->name,
		.probe_type = probe_type(p),
		.max_actions = max_actions(p),
		.handler = p->handler,
	};

	utap_run_hit(&hit);
}

bool utap_session_running(void)
{
	return READ_ONCE(session.live) && !atomic_read(&session.stopping);
}

/* Runs every probe of @kind in sequence order; ties in script order. */
static void run_all(enum utap_probe_kind kind)
{
	const struct utap_script *s = &utap_script;
	bool first = true;
	int64_t done = 0;
	unsigned int j;

	for (;;) {
		bool found = false;
		int64_t lowest = 0;

		for (j = 0; j < s->nprobes; j++) {
			int64_t seq = s->probes[j].sequence;

			if (s->probes[j].kind == kind && (first || seq > done) && (!found || seq < lowest)) {
				lowest = seq;
				found = true;
			}
		}
		if (!found)
			return;
		for (j = 0; j < s->nprobes; j++) {
			/* exit(), abort() or an error in a begin probe stops the later ones. */
			if (kind == UTAP_PROBE_BEGIN && atomic_read(&session.stopping))
				return;
			if (kind != UTAP_PROBE_ERROR && READ_ONCE(session.failed))
				return;
			if (s->probes[j].kind == kind && s->probes[j].sequence == lowest)
				run_probe(&s->probes[j]);
		}
		if (lowest == S64_MAX)
			return;
		done = lowest;
		first = false;
	}
}

static u64 random_below(u64 bound)
{
	return bound ? get_random_u32() % (u32)min_t(u64, bound, U32_MAX) : 0;
}

/* The period of the next expiry: timer.profile fires at each tick. */
static u64 timer_period(const struct utap_timer_spec *spec)
{
	if (spec->unit == UTAP_TIMER_PROFILE)
		return TICK_NSEC;
	return spec->interval + random_below(spec->randomize);
}

static enum hrtimer_restart hrtimer_fired(struct hrtimer *hr)
{
	struct utap_timer *t = container_of(hr, struct utap_timer, hrtimer);

	if (atomic_read(&session.stopping))
		return HRTIMER_NORESTART;
	run_probe(t->probe);
	hrtimer_forward_now(hr, ns_to_ktime(timer_period(&t->probe->timer)));
	return HRTIMER_RESTART;
}

/* Runs on t->cpu (IPI): a pinned timer stays on the CPU that started it. */
static void start_pinned(void *arg)
{
	struct utap_timer *t = arg;

	hrtimer_start(&t->hrtimer, ns_to_ktime(TICK_NSEC), HRTIMER_MODE_REL_PINNED_SOFT);
}

static void jiffies_fired(struct timer_list *timer)
{
	struct utap_timer *t = from_timer(t, timer, timer);
	const struct utap_timer_spec *spec = &t->probe->timer;

	if (atomic_read(&session.stopping))
		return;
	run_probe(t->probe);
	mod_timer(timer, jiffies + spec->interval + random_below(spec->randomize));
}

static void arm_timers(void)
{
	unsigned int i;

	session.armed = true;
	cpus_read_lock();
	for (i = 0; i < session.ntimers; i++) {
		struct utap_timer *t = &session.timers[i];
		const struct utap_timer_spec *spec = &t->probe->timer;

		if (spec->unit == UTAP_TIMER_JIFFIES) {
			timer_setup(&t->timer, jiffies_fired, 0);
			mod_timer(&t->timer, jiffies + spec->interval + random_below(spec->randomize));
		} else if (spec->unit == UTAP_TIMER_PROFILE) {
			/* CPUs that come online later get no timer (as if offline). */
			hrtimer_init(&t->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_SOFT);
			t->hrtimer.function = hrtimer_fired;
			if (cpu_online(t->cpu))
				smp_call_function_single(t->cpu, start_pinned, t, 1);
		} else {
			hrtimer_init(&t->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
			t->hrtimer.function = hrtimer_fired;
			hrtimer_start(&t->hrtimer, ns_to_ktime(spec->interval + random_below(spec->randomize)),
				      HRTIMER_MODE_REL_SOFT);
		}
	}
	cpus_read_unlock();
}

static void disarm_timers(void)
{
	unsigned int i;

	if (!session.armed)
		return;
	for (i = 0; i < session.ntimers; i++) {
		struct utap_timer *t = &session.timers[i];

		if (t->probe->timer.unit == UTAP_TIMER_JIFFIES)
			del_timer_sync(&t->timer);
		else
			hrtimer_cancel(&t->hrtimer);
	}
}

/* A warning line for stderr, as the run ends. */
static void report_skips(const char *why, uint64_t n)
{
	char line[MAXSTRINGLEN + 64];
	int len;

	if (!n)
		return;
	len = snprintf(line, sizeof(line), "WARNING: Skipped due to %s: %llu\n", why, (unsigned long long)n);
	utap_transport_commit(UTAP_RECORD_WARNING, line, min_t(int, len, sizeof(line) - 1));
}

/* Process context: end probes may run long (MAXACTION_INTERRUPTIBLE). */
static void stop_session(struct work_struct *work)
{
	struct utap_summary summary = {};
	unsigned int i;

	if (atomic_cmpxchg(&session.stopped, 0, 1) != 0)
		return;
	disarm_timers();
	utap_procfs_stop();
	utap_uprobes_disarm();
	utap_lifecycle_stop();
	if (atomic64_read(&session.errors))
		run_all(UTAP_PROBE_ERROR);
	if (!READ_ONCE(session.failed))
		run_all(UTAP_PROBE_END);
	summary.errors = atomic64_read(&session.errors);
	/* As stap says why probes were skipped, each reason with its count. */
	summary.skipped = utap_contexts_skipped();
	report_skips("no free probe context (too many handlers at once)", summary.skipped);
	for (i = 0; i < utap_script.nlocks; i++) {
		char why[MAXSTRINGLEN + 32];
		uint64_t n = atomic_read(&utap_script.locks[i].skipped);

		snprintf(why, sizeof(why), "global '%s' lock timeout",
			 utap_script.lock_names ? utap_script.lock_names[i] : "?");
		report_skips(why, n);
		summary.skipped += n;
	}
	report_skips("a .return probe whose entry could not be saved (MAXENTRYSAVES)", utap_uprobes_missed());
	summary.skipped += utap_uprobes_missed();
	report_skips("a process or thread that could not be followed (no memory, or UTAP_MAXPROCESSES)",
		     utap_lifecycle_missed());
	summary.skipped += utap_lifecycle_missed();
	if (utap_procfs_cut()) {
		char line[128];
		int len = snprintf(line, sizeof(line),
				   "WARNING: procfs read probes cut %llu bytes of text beyond their MAXSIZE\n",
				   (unsigned long long)utap_procfs_cut());

		utap_transport_commit(UTAP_RECORD_WARNING, line, min_t(int, len, sizeof(line) - 1));
	}
	if (session_verbose) {
		utap_uprobes_report();
		utap_lifecycle_report();
	}
	summary.truncated_bytes = atomic64_read(&session.truncated);
	utap_transport_done(&summary);
}

/**
 * utap_request_exit() - end the session (exit(), errors, or the loader)
 *
 * Context: any; the work happens later, in process context, once.
 */
void utap_request_exit(void)
{
	/* Before begin probes are over, module init starts the stop itself. */
	if (atomic_cmpxchg(&session.stopping, 0, 1) == 0 && READ_ONCE(session.started))
		schedule_work(&session.stop_work);
}

/*
 * Places the process probes, starts following processes for the
 * lifecycle probes and makes the procfs probes' files. A point that cannot be placed is the script's error
 * (reported by runtime/uprobes or runtime/lifecycle): the session then
 * ends without end probes, as after MAXERRORS.
 */
static void arm_probes(void)
{
	unsigned int failed;

	WRITE_ONCE(session.live, true);
	/* First: process probes limited to the target's tree need it followed from their first hit. */
	failed = utap_lifecycle_start(&utap_script) ? 1 : 0;
	if (!failed)
		failed = utap_uprobes_arm();
	if (!failed)
		failed = utap_procfs_start(&utap_script) ? 1 : 0;
	if (failed) {
		atomic64_add(failed, &session.errors);
		WRITE_ONCE(session.failed, true);
		utap_request_exit();
	}
}

static int __init utap_session_init(void)
{
	const struct utap_script *s = &utap_script;
	unsigned int i, n = 0;
	int ret;

	INIT_WORK(&session.stop_work, stop_session);
	ret = utap_contexts_init(s->frames_size);
	if (ret)
		return ret;
	ret = -ENOMEM;
	session.outputs = kvcalloc(utap_contexts_count(), UTAP_OUTPUT_SIZE, GFP_KERNEL);
	for (i = 0; i < s->nprobes; i++) {
		if (s->probes[i].kind != UTAP_PROBE_TIMER)
			continue;
		n += s->probes[i].timer.unit == UTAP_TIMER_PROFILE ? nr_cpu_ids : 1;
	}
	session.timers = kcalloc(n ? n : 1, sizeof(*session.timers), GFP_KERNEL);
	if (!session.outputs || !session.timers)
		goto fail_contexts;
	for (i = 0; i < s->nprobes; i++) {
		const struct utap_probe *p = &s->probes[i];
		unsigned int cpu, ncpus;

		if (p->kind != UTAP_PROBE_TIMER)
			continue;
		ncpus = p->timer.unit == UTAP_TIMER_PROFILE ? nr_cpu_ids : 1;
		for (cpu = 0; cpu < ncpus; cpu++) {
			session.timers[session.ntimers].probe = p;
			session.timers[session.ntimers++].cpu = cpu;
		}
	}
	ret = utap_stack_tables_init(s->stacks);
	if (ret)
		goto fail_contexts;
	ret = utap_uprobes_init(s->uprobes);
	if (ret)
		goto fail_tables;
	ret = utap_transport_init();
	if (ret)
		goto fail_uprobes;
	ret = s->init_globals();
	if (ret)
		goto fail_transport;
	run_all(UTAP_PROBE_BEGIN);
	if (!atomic_read(&session.stopping))
		arm_probes();
	WRITE_ONCE(session.started, true);
	smp_mb(); /* pairs with the cmpxchg in utap_request_exit() */
	if (atomic_read(&session.stopping))
		schedule_work(&session.stop_work);
	else
		arm_timers();
	return 0;

fail_transport:
	utap_transport_free();
fail_uprobes:
	utap_uprobes_free();
fail_tables:
	utap_stack_tables_free();
fail_contexts:
	kfree(session.timers);
	kvfree(session.outputs);
	utap_contexts_free();
	return ret;
}

static void __exit utap_session_exit(void)
{
	/* The loader unloads after reading the summary; a forced unload stops here. */
	utap_request_exit();
	flush_work(&session.stop_work);
	utap_procfs_free();
	utap_lifecycle_free();
	utap_uprobes_free();
	utap_stack_tables_free();
	utap_transport_free();
	utap_script.free_globals();
	kfree(session.timers);
	kvfree(session.outputs);
	utap_contexts_free();
}

module_init(utap_session_init);
module_exit(utap_session_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("a SystemTap-language script compiled by utap");
