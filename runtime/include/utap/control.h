/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stream a module sends to utap (compiler/run): records read from the
 * module's control file. Shared by the runtime (C, kernel) and the loader
 * (C++, user space), so it uses fixed-size types only.
 *
 * Every handler's output is one record, committed whole at the end of the
 * handler, so the output of one probe hit is never interleaved with
 * another's. Records carry a global sequence number: the loader merges the
 * per-CPU streams back into the order the records were committed.
 */
#ifndef UTAP_CONTROL_H
#define UTAP_CONTROL_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef __u64 utap_u64;
typedef __u32 utap_u32;
#else
#include <stdint.h>
typedef uint64_t utap_u64;
typedef uint32_t utap_u32;
#endif

enum utap_record_kind {
	UTAP_RECORD_OUTPUT = 1,  /* script output: to stdout or -o */
	UTAP_RECORD_ERROR = 2,   /* "ERROR: ..." line: to stderr */
	UTAP_RECORD_WARNING = 3, /* "WARNING: ..." line: to stderr */
	UTAP_RECORD_EXIT = 4,    /* the script called exit(): stop after end probes */
	UTAP_RECORD_SUMMARY = 5, /* last record: a struct utap_summary */
	UTAP_RECORD_INFO = 6,    /* a line for stderr with -v: the probes' counts */
	UTAP_RECORD_SWITCH_FILE = 7, /* switch_file(): later output to -o's next file */
	UTAP_RECORD_SYSTEM = 8,  /* system(): a command for utaprun to run with /bin/sh */
};

/**
 * struct utap_summary - how the session went, sent once at its end
 * @errors: script errors raised
 * @skipped: probe hits not run (no free context, locks not taken in time,
 *	or a .return whose entry could not be saved)
 * @dropped_bytes: output bytes lost because a ring was full
 * @dropped_records: records lost so
 * @truncated_bytes: output bytes past a handler's output buffer
 */
struct utap_summary {
	utap_u64 errors;
	utap_u64 skipped;
	utap_u64 dropped_bytes;
	utap_u64 dropped_records;
	utap_u64 truncated_bytes;
};

/**
 * struct utap_record_header - what precedes each record's bytes
 * @seq: global commit order (starts at 1)
 * @len: bytes of payload that follow (not padded)
 * @kind: an enum utap_record_kind
 *
 * In a ring a record takes sizeof(header) + len rounded up to 8 bytes.
 */
struct utap_record_header {
	utap_u64 seq;
	utap_u32 len;
	utap_u32 kind;
};

#define UTAP_RECORD_ALIGN 8u
#define UTAP_RECORD_SPACE(len) \
	((utap_u64)sizeof(struct utap_record_header) + \
	 (((utap_u64)(len) + UTAP_RECORD_ALIGN - 1) & ~(utap_u64)(UTAP_RECORD_ALIGN - 1)))

#endif /* UTAP_CONTROL_H */
