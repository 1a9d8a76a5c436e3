/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols and user stacks (runtime/unwind): the tables pass 3 compiles
 * from the probed files and the -d / --ldd ones, and what the stack and
 * symbol functions of the tapsets call. Every address in a table is an
 * offset in its file: an address of a process is looked up by finding the
 * file mapped there and its offset in the file (vm_pgoff), so the tables
 * hold no load bias and serve every process that maps the file.
 */
#ifndef UTAP_UNWIND_H
#define UTAP_UNWIND_H

#include "utap/base.h"

#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20 /* frames per stack, as stap */
#endif

/* One function or object: [start, start + size) of the file; size 0: up to the next. */
struct utap_symbol {
	uint32_t start;
	uint32_t size;
	uint32_t name; /* offset in the file's names */
};

enum utap_cfa_rule {
	UTAP_CFA_NONE,        /* no CFI here: frame pointers, if any */
	UTAP_CFA_SP,          /* CFA = rsp + cfa_offset */
	UTAP_CFA_FP,          /* CFA = rbp + cfa_offset */
	UTAP_CFA_SP_DEREF,    /* CFA = *(rsp + cfa_offset) */
	UTAP_CFA_FP_DEREF,    /* CFA = *(rbp + cfa_offset) */
	UTAP_CFA_UNSUPPORTED, /* an expression pass 3 did not compile: the stack ends */
};

enum utap_reg_rule {
	UTAP_REG_SAME,        /* the caller's value is the callee's */
	UTAP_REG_UNDEFINED,   /* not recoverable (return address: the outermost frame) */
	UTAP_REG_AT_CFA,      /* saved at CFA + offset */
	UTAP_REG_VAL_CFA,     /* is CFA + offset */
	UTAP_REG_UNSUPPORTED, /* elsewhere: the stack ends */
};

/* The rules from @start up to the next row's start. */
struct utap_unwind_row {
	uint32_t start;
	int32_t cfa_offset;
	int16_t ra_offset;
	int16_t fp_offset;
	uint8_t cfa; /* enum utap_cfa_rule */
	uint8_t ra;  /* enum utap_reg_rule */
	uint8_t fp;  /* enum utap_reg_rule, for rbp */
};

/* From @start up to the next row: source line @line of the file at @file in the line_files; 0: none. */
struct utap_line_row {
	uint32_t start;
	uint32_t file;
	uint32_t line;
};

/**
 * struct utap_file_tables - the tables of one file
 * @path: where it is, in the loader's view of the file system
 * @symbols: @nsymbols, sorted by start
 * @names: the symbols' names, each NUL-terminated
 * @rows: @nrows, sorted by start
 * @lines: @nlines, sorted by start (only in a script that calls usymfile(),
 *	usymline() or usymfileline(): none otherwise)
 * @line_files: the source files' paths, each NUL-terminated
 */
struct utap_file_tables {
	const char *path;
	const struct utap_symbol *symbols;
	uint32_t nsymbols;
	const char *names;
	const struct utap_unwind_row *rows;
	uint32_t nrows;
	const struct utap_line_row *lines;
	uint32_t nlines;
	const char *line_files;
};

struct utap_stack_tables {
	const struct utap_file_tables *files;
	unsigned int nfiles;
};

/* How an address is written, as stap's _STP_SYM_* forms. */
enum utap_sym_form {
	UTAP_SYM_NAME,   /* usymname: "name", or "0x%016lx" */
	UTAP_SYM_DATA,   /* usymdata: "name+0xoff/0xsize [file]" */
	UTAP_SYM_FULL,   /* print_ubacktrace: " 0x%016lx : name+0xoff/0xsize [file]\n" */
	UTAP_SYM_FULLER, /* print_ubacktrace_fileline: FULL with " at src.c:42" before " [file]" */
	UTAP_SYM_SIMPLE, /* sprint_ubacktrace: "name+0xoff [basename]\n" */
	UTAP_SYM_BRIEF,  /* print_ubacktrace_brief: "name+0xoff\n" */
	UTAP_SYM_HEX,    /* ubacktrace: "0x%016lx " */
};

/*
 * Writes @addr of the current task in @form into @dst (@size bytes,
 * always terminated); returns the length written. An address in a file
 * without a table, or in a gap of its table, is written with the file
 * and the offset in its mapping, never with a name that is not its own.
 * Context: the probed task (takes its mmap lock with a trylock).
 */
size_t utap_usym_format(char *dst, size_t size, uint64_t addr, enum utap_sym_form form);

/* What of an address's source line is written, as stap's usymfile & co. */
enum utap_line_form {
	UTAP_LINE_FILE,     /* usymfile: "/src/main.c" */
	UTAP_LINE_LINE,     /* usymline: "42" */
	UTAP_LINE_FILELINE, /* usymfileline: "/src/main.c:42" */
};

/*
 * Writes the source file and/or line of @addr of the current task into
 * @dst (@size bytes, always terminated) from the line tables; "0x%016llx"
 * of @addr, as stap, when no table covers it. Returns the length written.
 * Context: as utap_usym_format().
 */
size_t utap_usym_line(char *dst, size_t size, uint64_t addr, enum utap_line_form form);

/**
 * struct utap_ustack - a user stack, innermost frame first
 * @pc: the frames' addresses (@pc[0] is where the task is)
 * @n: how many
 * @stop: why unwinding ended before the outermost frame ("" when it
 *	reached it, or stopped at MAXBACKTRACE)
 */
struct utap_ustack {
	uint64_t pc[MAXBACKTRACE];
	unsigned int n;
	char stop[96];
};

/*
 * Unwinds the current task's user stack from the probe's registers, up
 * to MAXBACKTRACE frames, with the unwind tables where they cover a frame
 * and frame pointers elsewhere. False (and an empty stack) when the probe
 * has no user registers.
 * Context: the probed task; reads fault pages in only when the handler may
 * sleep (utap_user_read()).
 */
bool utap_ustack_unwind(struct utap_context *c, struct utap_ustack *stack);

/**
 * struct utap_uframe - the registers a stack is unwound from
 * @pc: where the innermost frame is
 * @sp: its stack pointer (rsp)
 * @fp: its frame pointer (rbp)
 */
struct utap_uframe {
	uint64_t pc, sp, fp;
};

/*
 * The current task's stack in @form, one frame after another: into the
 * handler's output (print_ubacktrace...), or into @dst (@size bytes,
 * whole frames only; sprint_ubacktrace, ubacktrace). A stack that ends
 * before its outermost frame ends with " <backtrace ends: REASON>" in the
 * printed forms (not in UTAP_SYM_HEX, whose words are addresses).
 */
void utap_ustack_print(struct utap_context *c, enum utap_sym_form form);

/*
 * utap_ustack_print() from @start instead of the probe's registers (the
 * (pc, sp, fp) overloads of print_ubacktrace and print_ubacktrace_fileline);
 * still "<no user backtrace at PP>" in a probe without user registers,
 * as stap's.
 */
void utap_ustack_print_from(struct utap_context *c, const struct utap_uframe *start, enum utap_sym_form form);
size_t utap_ustack_sprint(struct utap_context *c, char *dst, size_t size, enum utap_sym_form form);

/*
 * Sets the session's tables (module load, may sleep): finds each file's
 * inode, so a mapping is matched to its table by inode. A file that is
 * not there keeps no table (its frames print as unknown).
 */
int utap_stack_tables_init(const struct utap_stack_tables *tables);
void utap_stack_tables_free(void);

#endif /* UTAP_UNWIND_H */
