/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between a generated script and the runtime's session
 * (core/session.c): the script describes its probes and globals in one
 * `const struct utap_script utap_script`; the runtime loads it, runs begin
 * probes, arms the others, and on an exit request disarms them, runs end
 * probes, and tells the loader it is done.
 */
#ifndef UTAP_SESSION_H
#define UTAP_SESSION_H

#include "utap/base.h"
#include "utap/lock.h"

enum utap_probe_kind {
	UTAP_PROBE_BEGIN,
	UTAP_PROBE_END,
	UTAP_PROBE_ERROR, /* runs after a script error, before end probes */
	UTAP_PROBE_NEVER,
	UTAP_PROBE_TIMER,
	/* process lifecycle (runtime/lifecycle), each with a struct utap_process_filter */
	UTAP_PROBE_PROCESS_BEGIN,
	UTAP_PROBE_PROCESS_END,
	UTAP_PROBE_THREAD_BEGIN,
	UTAP_PROBE_THREAD_END,
	UTAP_PROBE_SYSCALL,
	UTAP_PROBE_SYSCALL_RETURN,
	/* procfs files (runtime/procfs), each with a struct utap_procfs_spec */
	UTAP_PROBE_PROCFS_READ,
	UTAP_PROBE_PROCFS_WRITE,
};

enum utap_timer_unit {
	UTAP_TIMER_NS,      /* @interval and @randomize in nanoseconds (hrtimer) */
	UTAP_TIMER_JIFFIES, /* in jiffies (timer_list), as timer.jiffies and timer.hz of old */
	UTAP_TIMER_PROFILE, /* every CPU, each tick */
};

struct utap_timer_spec {
	enum utap_timer_unit unit;
	int64_t interval;
	int64_t randomize; /* 0: none */
};

/**
 * struct utap_process_filter - which processes a lifecycle probe is about
 * @path: those running this executable (process("PATH")), or NULL
 * @pid: this process (process(PID)), or 0
 *
 * Neither: every process, or, with -c or -x, the target and its
 * descendants (stapprobes(3stap)).
 */
struct utap_process_filter {
	const char *path;
	int32_t pid;
};

/**
 * struct utap_procfs_spec - the file of a procfs probe
 * @path: relative to /proc/systemtap/MODULE ("command", "a/b")
 * @mode: the permissions this probe asks for; a file has those of all its
 *	probes together
 * @bufsize: a read probe's text, at most this many bytes (MAXSIZE)
 */
struct utap_procfs_spec {
	const char *path;
	umode_t mode;
	size_t bufsize;
};

/**
 * struct utap_probe - one probe of the script
 * @point: the resolved probe point ("timer.ms(100)"), for pp() and messages
 * @name: pn(): the point the script wrote where it named a probe alias
 *	("myalias"), or NULL where that is @point
 * @location: where the probe was written ("x.stp:3:1")
 * @handler: the generated body; runs with @c taken and released by the runtime
 * @kind: what fires it
 * @sequence: begin/end/error order (stap's begin(N)); ties in script order
 * @timer: for UTAP_PROBE_TIMER
 * @process: for the lifecycle kinds
 * @procfs: for the procfs kinds
 */
struct utap_probe {
	const char *point;
	const char *name;
	const char *location;
	void (*handler)(struct utap_context *c);
	enum utap_probe_kind kind;
	int64_t sequence;
	struct utap_timer_spec timer;
	struct utap_process_filter process;
	struct utap_procfs_spec procfs;
};

struct utap_uprobe_table;
struct utap_stack_tables;

/**
 * struct utap_script - what a generated module defines, once
 * @name: the script's file name, for messages
 * @frames_size: bytes of locals a context needs (the deepest probe + calls)
 * @probes: @nprobes probes
 * @init_globals: allocates maps and statistics and sets initial values
 *	(module load, may sleep); 0 or a negative errno
 * @free_globals: frees what @init_globals allocated (module unload)
 * @locks: one lock per global (utap/lock.h), for the skipped-probe count
 * @lock_names: the globals' names, in the same order, for the report
 * @nlocks: how many
 * @uprobes: the process probes (utap/uprobes.h), or NULL
 * @stacks: the symbol and unwind tables (utap/unwind.h), or NULL
 */
struct utap_script {
	const char *name;
	size_t frames_size;
	const struct utap_probe *probes;
	unsigned int nprobes;
	int (*init_globals)(void);
	void (*free_globals)(void);
	struct utap_lock *locks;
	const char *const *lock_names;
	unsigned int nlocks;
	const struct utap_uprobe_table *uprobes;
	const struct utap_stack_tables *stacks;
};

extern const struct utap_script utap_script;

/* exit(): ask the session to end (end probes run, then the loader stops). */
void utap_request_exit(void);

/* Whether probes other than begin/end/error should run now. */
bool utap_session_running(void);

/**
 * struct utap_hit - one hit of one handler, for utap_run_hit()
 * @point: pp()
 * @name: pn(), or NULL where it is pp()
 * @probe_type: probe_type(): "uprobe", "uretprobe"...
 * @max_actions: MAXACTION, or MAXACTION_INTERRUPTIBLE
 * @handler: the generated body
 * @uregs: the probed task's registers, or NULL
 * @uprobe: the process probe point that fired, or NULL
 * @load_bias: where @uprobe's file is mapped
 * @entry_saves: a .return's saved entry values, or NULL
 * @procfs: a procfs probe's $value, or NULL
 */
struct utap_hit {
	const char *point;
	const char *name;
	const char *probe_type;
	int64_t max_actions;
	void (*handler)(struct utap_context *c);
	struct pt_regs *uregs;
	const struct utap_uprobe_point *uprobe;
	uint64_t load_bias;
	void *entry_saves;
	struct utap_procfs_value *procfs;
};

/*
 * Runs one hit: takes a context, runs the handler, reports its error and
 * commits its output as one record. False when the hit was skipped (no free
 * context, or its locks could not be had), which is counted.
 * Context: any.
 */
bool utap_run_hit(const struct utap_hit *hit);

#endif /* UTAP_SESSION_H */
