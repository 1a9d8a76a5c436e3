/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process probes as generated C describes them, and what their handlers
 * call to read target variables.
 *
 * Probe points are data, not code (../../../shared/DESIGN.md): pass 3 emits
 * one handler per distinct probe body and one row per probe point, naming
 * the file, the offset, the handler and the recipes of the point's target
 * expressions. runtime/uprobes walks the rows at load, places one
 * breakpoint per (file, offset) through runtime/ubp, and on each hit runs
 * the handlers of every row at that address, in script order.
 *
 * Target expressions ($x, $p->name, @cast(...)->f) are recipes: small stack
 * programs of register and memory reads (compiler/dwarf/recipe.h), the same
 * for every point a handler serves only in shape, so each row carries its
 * own. A handler refers to "its k-th target expression"; the row that fired
 * says which recipe that is (utap_point_target()). Other probes (@cast in a
 * begin probe) have a table of their own.
 */
#ifndef UTAP_UPROBES_H
#define UTAP_UPROBES_H

#include "utap/base.h"

/* One step of a recipe; see compiler/dwarf/recipe.h for the semantics. */
enum utap_recipe_opcode {
	UTAP_OP_REGISTER,	/* push register @reg (DWARF x86-64 numbering) as the thread had it at the hit */
	UTAP_OP_CONSTANT,	/* push @value */
	UTAP_OP_MODULE_ADDRESS,	/* push the probed file's load bias + @value */
	UTAP_OP_INPUT,		/* push script input number @value */
	UTAP_OP_READ,		/* pop an address, push @size bytes of user memory there, extended per @is_signed */
	UTAP_OP_EXTEND,		/* truncate the top to @size bytes, extend per @is_signed */
	UTAP_OP_ADD, UTAP_OP_SUB, UTAP_OP_MUL, UTAP_OP_DIV, UTAP_OP_MOD,
	UTAP_OP_AND, UTAP_OP_OR, UTAP_OP_XOR, UTAP_OP_SHL, UTAP_OP_SHR, UTAP_OP_SHRA,
	UTAP_OP_NEG, UTAP_OP_NOT,
	UTAP_OP_PLUS_CONSTANT,	/* top += @value */
	UTAP_OP_FP32_TO_FP64,	/* the top's low 32 bits, an IEEE single, become the bits of the same double */
	UTAP_OP_SYSCALL_NUMBER,	/* push the number of the system call the thread is in (process.syscall) */
};

struct utap_recipe_op {
	uint8_t op;		/* enum utap_recipe_opcode */
	uint8_t reg;
	uint8_t size;
	uint8_t is_signed;
	int64_t value;
};

/* How a part of a pretty-printed target value ($x$, $$parms) is shown. */
enum utap_pretty_format {
	UTAP_PRETTY_TEXT,	 /* @text as is */
	UTAP_PRETTY_SIGNED,	 /* %d */
	UTAP_PRETTY_UNSIGNED,	 /* %u */
	UTAP_PRETTY_HEX,	 /* %#x, 0x0 for 0 as stap prints pointers */
	UTAP_PRETTY_CHAR,	 /* 'a', escaped */
	UTAP_PRETTY_USER_STRING, /* "...": quoted, escaped, at most @max_length bytes */
};

struct utap_pretty_part {
	uint8_t format;		/* enum utap_pretty_format */
	bool may_fault;		/* a fault prints "?" (else it is the script's error) */
	uint32_t max_length;
	const char *text;
	const struct utap_recipe_op *ops;
	unsigned int nops;
};

/**
 * struct utap_target - one target expression at one probe point
 * @ops: a long's recipe (@nops steps), or NULL for a string
 * @parts: a string's parts, in order (@nparts)
 */
struct utap_target {
	const struct utap_recipe_op *ops;
	unsigned int nops;
	const struct utap_pretty_part *parts;
	unsigned int nparts;
};

/**
 * struct utap_uprobe_handler - one distinct probe body
 * @run: the body; a .return body finds what its entry saved in
 *	c->entry_saves
 * @save_entry: .return bodies that read target variables or @entry(...):
 *	runs at the function's entry and fills c->entry_saves (@saves_size
 *	bytes); NULL when there is nothing to save
 * @saves_size: bytes @save_entry fills
 */
struct utap_uprobe_handler {
	void (*run)(struct utap_context *c);
	void (*save_entry)(struct utap_context *c);
	size_t saves_size;
};

/**
 * struct utap_uprobe_group - what the points of one script probe in one
 *	probed file and one source file share
 * @prefix: the text of each point up to its function's name
 *	("process(\"/bin/ls\").function(\"")
 * @decl_file: the source file the points' functions are declared in, as
 *	their text spells it after '@', or NULL when their text has no
 *	"@file:line" part
 * @suffix: the text after the name or the line ("\").call")
 * @location: where the script wrote the probe ("x.stp:3:1")
 * @name: pn() where the script named a probe alias ("myalias"), or NULL:
 *	then pn() is the point's text
 * @bias: link-time address minus file offset of the points (a .return's
 *	address is the function's entry); the hit's address minus a point's
 *	address is the load bias
 * @file: index in the table's @files
 * @handler: index in the table's @handlers
 * @exe: the process must run this file (index in @files; a .library point
 *	under process("PATH")), or -1 for any process
 * @pid: the process must be this thread group (process(PID)), or 0
 * @is_return: .return probes (uretprobes)
 * @in_target_tree: `process` alone: with -c or -x, only in the target and
 *	its descendants (runtime/lifecycle follows them)
 *
 * A point's text (pp()) is @prefix, its @name, "@" @decl_file ":" its
 * @line when @decl_file is set, then @suffix: a program of 20,000
 * functions is 20,000 short rows, not 20,000 copies of the paths.
 */
struct utap_uprobe_group {
	const char *prefix;
	const char *decl_file;
	const char *suffix;
	const char *location;
	const char *name;
	uint64_t bias;
	uint32_t file;
	uint32_t handler;
	int32_t exe;
	int32_t pid;
	bool is_return;
	bool in_target_tree;
};

/**
 * struct utap_uprobe_point - one probe point (a row of the table)
 * @offset: the probed instruction's offset in the file (what uprobes take)
 * @group: index in the table's @groups
 * @line: the declaration's line, for the text
 * @name: the part of the text that is the point's own (a function's name,
 *	or the whole text after the group's prefix)
 * @semaphore: a USDT marker's semaphore, as a file offset; 0 for none
 * @targets: the recipes of the handler's target expressions, in its order
 *
 * Generated C writes rows positionally and leaves out the trailing members
 * that are zero, so keep the order: the common ones first.
 */
struct utap_uprobe_point {
	uint64_t offset;
	uint32_t group;
	uint32_t line;
	const char *name;
	uint64_t semaphore;
	const struct utap_target *targets;
};

/*
 * Where the runtime itself listens, for .return probes: the unwinder's
 * entry points (an exception is about to walk the stack: the return
 * addresses uretprobes replaced go back), and the start of a C++ catch
 * (the frames that survive get them again). See runtime/ubp/ubp.h.
 */
enum utap_uprobe_hook_kind {
	UTAP_HOOK_UNWIND,
	UTAP_HOOK_CATCH,
};

/**
 * struct utap_uprobe_hook - one such place
 * @function: its name, for messages
 * @file: index in the table's @files
 * @offset: in the file
 * @exe: only in processes running this file (index in @files), or -1
 * @kind: an enum utap_uprobe_hook_kind
 */
struct utap_uprobe_hook {
	const char *function;
	uint32_t file;
	uint64_t offset;
	int32_t exe;
	uint8_t kind;
};

/**
 * struct utap_uprobe_table - every process probe of a script
 * @files: absolute paths, each opened once at load and held until unload
 * @handlers: the distinct probe bodies
 * @groups: what rows share (@ngroups)
 * @points: the rows, in script order
 * @hooks: the runtime's own probes for .return probes (@nhooks)
 */
struct utap_uprobe_table {
	const char *const *files;
	unsigned int nfiles;
	const struct utap_uprobe_handler *handlers;
	unsigned int nhandlers;
	const struct utap_uprobe_group *groups;
	unsigned int ngroups;
	const struct utap_uprobe_point *points;
	unsigned int npoints;
	const struct utap_uprobe_hook *hooks;
	unsigned int nhooks;
};

/*
 * Target values in handlers.
 *
 * A handler reads the target expressions that need no script value before
 * it takes any lock: then its reads of the probed process's memory may fault
 * pages in (runtime/README.md, "which reads may fault"). It keeps each value
 * with what went wrong, and raises the error only where the script uses the
 * value, so a fault in a branch the script does not take costs nothing.
 */

/**
 * struct utap_fetched - a target value read ahead of its use
 * @value: the long, or for a string 0
 * @fault: the address that could not be read
 * @status: 0, or what utap_fetched_check() raises: -EFAULT for @fault,
 *	-ENOENT for a register the hit did not save
 */
struct utap_fetched {
	int64_t value;
	uint64_t fault;
	int status;
};

/*
 * The text of point @p (pp()), in @buf of @size bytes, cut there and
 * NUL-terminated. Return: its whole length, as snprintf's.
 */
int utap_uprobe_point_text(const struct utap_uprobe_point *p, char *buf, size_t size);

/* The recipes of the point that fired: its k-th target expression. */
static inline const struct utap_target *utap_point_target(struct utap_context *c, unsigned int k)
{
	return c->uprobe ? &c->uprobe->targets[k] : NULL;
}

void utap_target_fetch(struct utap_context *c, const struct utap_target *t, struct utap_fetched *f);
void utap_target_fetch_string(struct utap_context *c, const struct utap_target *t, struct utap_fetched *f,
			      char *buf);
/* Raises the error of @f, if any, in @c (then returns false). */
bool utap_fetched_check(struct utap_context *c, const struct utap_fetched *f);

/* Target expressions with script inputs: read where they are used. */
int64_t utap_target_long(struct utap_context *c, const struct utap_target *t, const int64_t *inputs);
void utap_target_string(struct utap_context *c, const struct utap_target *t, const int64_t *inputs, char *out);
/* $x = v in guru mode: writes the variable's register or memory. */
void utap_target_assign(struct utap_context *c, const struct utap_target *t, const int64_t *inputs, int64_t value);

/*
 * Faults in the pages a user-memory reader of the tapsets will read at
 * @f's value (user_string($p->name)): up to a NUL and MAXSTRINGLEN bytes
 * when @string, else @len bytes. Before the locks, where faulting is
 * allowed; a failure is left for the reader to report.
 */
void utap_user_prefault(struct utap_context *c, const struct utap_fetched *f, bool string, size_t len);

#endif /* UTAP_UPROBES_H */
