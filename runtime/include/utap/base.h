/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The base of the runtime interface: limits (overridable with -D, as in
 * stap), the probe context every handler works in, and script errors.
 */
#ifndef UTAP_BASE_H
#define UTAP_BASE_H

#include "utap/compat.h"
#include "utap/limits.h"

/*
 * stap's runtime default on 64-bit machines (its manual still says 128).
 * The other limits are in utap_limits (limits.h): read at run time.
 */
#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif

#ifndef UTAP_TASK_CONTEXTS
#define UTAP_TASK_CONTEXTS 32 /* contexts beyond 2 per CPU, for preempted uprobe handlers */
#endif

/* Frames of locals are pushed in multiples of 16 bytes (utap_frame_push). */
#define UTAP_FRAME_SIZE(size) (((size) + 15) & ~(size_t)15)
#define UTAP_MAX_SIZE(a, b) ((a) > (b) ? (a) : (b))

/* Strings are buffers of MAXSTRINGLEN bytes, always NUL-terminated. */
typedef char utap_string_t[MAXSTRINGLEN];

struct utap_sink;
struct utap_uprobe_point;
struct utap_procfs_value;

/*
 * The last regex match of a context (=~ and !~; read through utap/regex.h):
 * groups it remembers, the whole match included. Pass 3 refuses a regex
 * with more.
 */
#define UTAP_REGEX_MAX_GROUPS 64

/**
 * struct utap_regex_match - the last =~ or !~ of a context
 * @matched: it matched (matched() and ngroups() are errors otherwise)
 * @ngroups: its regex's groups, the whole match included
 * @spans: start and end offset in @subject of each group; -1 where a group
 *	took no part in the match
 * @subject: a copy of the string it matched
 */
struct utap_regex_match {
	bool matched;
	unsigned int ngroups;
	int32_t spans[2 * UTAP_REGEX_MAX_GROUPS];
	char subject[MAXSTRINGLEN];
};

/* Room for a process probe point's text: two paths, a name and the rest. */
#define UTAP_POINT_TEXT_SIZE 1024

/**
 * struct utap_context - the state of one probe handler while it runs
 * @probe_point: the probe point's text, for pp() and error messages; NULL
 *	for a process probe point until pp() asks (utap_context_pp() writes
 *	it into @point_text from @uprobe's row)
 * @probe_name: pn(), where the script named a probe alias; NULL where it
 *	is the probe point (utap_context_pn())
 * @probe_type: stap's low-level kind ("begin", "hrtimer", "uprobe", ...)
 * @uregs: the probed task's user registers, or NULL where there are none
 * @uprobe: the process probe point that fired (utap/uprobes.h), or NULL
 * @load_bias: where @uprobe's file is mapped in the probed process: the
 *	run-time address of anything in it minus its link-time address
 * @entry_saves: in a .return handler, what its entry hit saved
 * @skipped: the handler gave up before its body (its locks were busy)
 * @aborted: abort() ran: the handler unwinds past try/catch, no error counted
 * @actions_left: statements this hit may still execute (MAXACTION)
 * @nesting: depth of script function calls (MAXNESTING)
 * @error: the script error that is unwinding this handler, or NULL
 * @error_message_len: the length of @error's message before " near ..."
 * @error_located: @error already says where ("... near operator '/' at x.stp:3:9")
 * @next: a script function executed `next`: the caller tries the next overload
 * @frames: @frames_size bytes for the locals of the probe and of the
 *	functions it calls, used as a stack (utap_frame_push/pop)
 * @frames_used: bytes of @frames in use
 * @output: where print and printf write this hit's output (committed whole
 *	when the handler ends, see utap/format.h for the sink)
 * @error_buffer: where @error's text lives when it is formatted
 * @scratch: a MAXSTRINGLEN buffer for tapset functions
 * @pretty_raw: a user string read for $$parms-style pretty printing
 * @pretty_quoted: @pretty_raw quoted and escaped (both here, not on the
 *	kernel stack: 2 * MAXSTRINGLEN is too much for a frame)
 * @point_text: where a process probe point's text is written
 * @last_match: the last regex match, kept across function calls and, as in
 *	stap, across the hits that take this context (never reset)
 *
 * A handler owns its context from utap_context_get() to utap_context_put();
 * nothing else touches it meanwhile, so it needs no lock.
 */
struct utap_context {
	const char *probe_point;
	const char *probe_name;
	const char *probe_type;
	struct pt_regs *uregs;
	const struct utap_uprobe_point *uprobe;
	uint64_t load_bias;
	void *entry_saves;
	struct utap_procfs_value *procfs;
	bool skipped;
	bool aborted;
	int64_t actions_left;
	int nesting;
	const char *error;
	size_t error_message_len;
	bool error_located;
	bool next;
	char *frames;
	size_t frames_size;
	size_t frames_used;
	struct utap_sink *output;
	char error_buffer[MAXSTRINGLEN];
	char scratch[MAXSTRINGLEN];
	char pretty_raw[MAXSTRINGLEN];
	char pretty_quoted[MAXSTRINGLEN];
	char point_text[UTAP_POINT_TEXT_SIZE];
	struct utap_regex_match last_match;
};

/*
 * The pool of contexts (core/context.c). Handlers may run in task context
 * (uprobes: preemptible, may fault), softirq (timers) or hardirq; a context
 * is taken with one atomic bit operation in any of them, never waited for.
 */
int utap_contexts_init(size_t frames_size);
void utap_contexts_free(void);
struct utap_context *utap_context_get(const char *probe_point, int64_t max_actions);
void utap_context_put(struct utap_context *c);
/* Hits that found no free context, since load. */
uint64_t utap_contexts_skipped(void);
/* How many contexts the pool has, and which one @c is (for per-context buffers). */
unsigned int utap_contexts_count(void);
unsigned int utap_context_index(const struct utap_context *c);

/**
 * utap_frame_push() - room for one function's or probe's locals
 * @c: the handler's context
 * @size: bytes (zeroed)
 *
 * Return: the frame, or NULL after raising "MAXNESTING exceeded" or an
 * out-of-frame-space error in @c.
 */
void *utap_frame_push(struct utap_context *c, size_t size);
void utap_frame_pop(struct utap_context *c, size_t size);

/**
 * utap_error() - raise a script error in @c
 * @c: the handler's context
 * @fmt: printf-style message; @...: its arguments
 *
 * Records the first error of this hit; the generated code then unwinds to
 * the nearest try/catch or to the handler's exit, which reports it as stap
 * does: "ERROR: <message> near <construct> at <file:line:col>".
 */
void utap_error(struct utap_context *c, const char *fmt, ...) __printf(2, 3);

/**
 * utap_error_near() - say where the pending error happened
 * @c: the handler's context, with @c->error set
 * @construct: "operator '/' at x.stp:3:9"
 *
 * The innermost construct that failed calls this first; outer ones find the
 * error located already and leave it.
 */
void utap_error_near(struct utap_context *c, const char *construct);

/**
 * utap_catch() - a try's catch takes the pending error
 * @c: the handler's context, with @c->error set
 * @message: MAXSTRINGLEN bytes for the message (without " near ..."), or NULL
 *
 * The error is cleared: the handler goes on after the catch.
 */
void utap_catch(struct utap_context *c, char *message);

/*
 * One statement executed: MAXACTION bounds each hit. On the limit the
 * error is raised and control goes to @label (the handler's exit, or the
 * enclosing catch).
 */
#define utap_action_at(c, label, where)                         \
	do {                                                    \
		if (unlikely(--(c)->actions_left < 0)) {        \
			utap_error((c), "MAXACTION exceeded");  \
			utap_error_near((c), (where));          \
			goto label;                             \
		}                                               \
	} while (0)
#define utap_action(c, label)                                   \
	do {                                                    \
		if (unlikely(--(c)->actions_left < 0)) {        \
			utap_error((c), "MAXACTION exceeded");  \
			goto label;                             \
		}                                               \
	} while (0)

#endif /* UTAP_BASE_H */
