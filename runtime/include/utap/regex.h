/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regular expression matching for the =~ and !~ operators, and the last
 * match that matched(), matched_str() and ngroups() read.
 *
 * Pass 3 compiles each regex literal into a program (compiler/regex): the
 * instructions of a Pike VM, emitted as static const data. The matcher runs
 * every live thread one byte at a time, so a match takes time proportional
 * to the subject's length times the program's size, never more; it keeps
 * its threads in scratch memory above the context's frames (pass 3 sizes
 * the frames area for the largest program of the module), so it neither
 * recurses nor allocates.
 *
 * It finds the leftmost match and, of those, the longest, as stap does; the
 * groups come from the highest-priority path to that match: at the first
 * place two paths differ, the one that iterates ('*', '+', '?', '{m,n}'
 * greedy) or takes the earlier alternative of '|'.
 */
#ifndef UTAP_REGEX_H
#define UTAP_REGEX_H

#include "utap/base.h"

enum utap_regex_op {
	UTAP_RE_BYTE,		/* consume @byte */
	UTAP_RE_CLASS,		/* consume a byte of class @x */
	UTAP_RE_ANY,		/* consume any byte */
	UTAP_RE_SPLIT,		/* go on at @x and, with lower priority, at @y */
	UTAP_RE_JUMP,		/* go on at @x */
	UTAP_RE_SAVE,		/* record the position in slot @x */
	UTAP_RE_LINE_START,	/* only at the subject's start ('^') */
	UTAP_RE_LINE_END,	/* only at its end ('$') */
	UTAP_RE_MATCH,
};

/**
 * struct utap_regex_insn - one instruction of a compiled regex
 * @op: an enum utap_regex_op
 * @byte: the byte %UTAP_RE_BYTE consumes
 * @x: the target of %UTAP_RE_JUMP, the preferred one of %UTAP_RE_SPLIT,
 *	the class of %UTAP_RE_CLASS, the slot of %UTAP_RE_SAVE
 * @y: the other target of %UTAP_RE_SPLIT
 */
struct utap_regex_insn {
	uint8_t op;
	uint8_t byte;
	uint16_t x;
	uint16_t y;
};

/**
 * struct utap_regex - a compiled regex (static const data of pass 3)
 * @pattern: the regex as written, for messages
 * @insns: the program; it starts with saving slot 0 and ends with
 *	saving slot 1 and %UTAP_RE_MATCH
 * @classes: byte sets, 32 bytes each: byte b is bit b % 8 of byte b / 8
 * @ninsns: instructions in @insns
 * @nthreads: instructions that consume a byte or match: the most threads
 *	alive at once
 * @ngroups: groups, the whole match (group 0) included; group n is saved
 *	in slots 2n (start) and 2n + 1 (end)
 * @anchored: every match starts at the subject's start
 */
struct utap_regex {
	const char *pattern;
	const struct utap_regex_insn *insns;
	const uint8_t (*classes)[32];
	uint16_t ninsns;
	uint16_t nthreads;
	uint16_t ngroups;
	bool anchored;
};

/*
 * Bytes of scratch one match needs: per thread list (two of them) and one
 * working set, 4 bytes per slot; the closure's stack; a mark per instruction
 * and a program counter per thread. compiler/regex computes the same.
 */
#define UTAP_REGEX_WORK_SIZE(ninsns, nthreads, ngroups)			\
	((2 * (size_t)(nthreads) + 1) * 2 * (size_t)(ngroups) * 4 +	\
	 ((size_t)(ninsns) + 1) * 8 + (size_t)(ninsns) * 4 +		\
	 2 * (size_t)(nthreads) * 2)

/**
 * utap_regex_exec() - match @subject against @re
 * @re: the compiled regex
 * @subject: the string, @len bytes long (its NUL is not part of it)
 * @len: its length
 * @work: UTAP_REGEX_WORK_SIZE() bytes of scratch, 4-byte aligned
 * @spans: 2 * @re->ngroups offsets: where each group starts and ends, -1
 *	for a group that took no part; left alone without a match
 *
 * Context: any; bounded time (@len + 1 steps over at most @re->ninsns
 * instructions each), no allocation, no recursion.
 * Return: whether a substring of @subject matches.
 */
bool utap_regex_exec(const struct utap_regex *re, const char *subject,
		     size_t len, void *work, int32_t *spans);

/**
 * utap_regex_match() - the =~ operator
 * @c: the handler's context; its last match is replaced
 * @re: the compiled regex
 * @subject: the string
 *
 * Return: 1 when @subject matches, else 0 (also after raising an error
 * in @c, which only a too small frames area can cause).
 */
int64_t utap_regex_match(struct utap_context *c, const struct utap_regex *re,
			 const char *subject);

/**
 * utap_regex_group() - what matched(n) returns (tapsets/regex.stp)
 * @c: the handler's context
 * @ret: MAXSTRINGLEN bytes for the text of group @n of the last match; ""
 *	for a group that took no part in it
 * @n: the group, 0 for the whole match
 *
 * Return: 0; -ENOENT when the last match failed (or there was none), or
 * -ERANGE when its regex has no group @n (@ret is "" then). The tapset
 * raises the error, so that it is located at its name as in stap.
 */
int utap_regex_group(const struct utap_context *c, char *ret, int64_t n);

/**
 * utap_regex_ngroups() - what ngroups() returns
 * @c: the handler's context
 *
 * Return: the groups of the last match's regex, the whole match included,
 * or -ENOENT when the last match failed.
 */
int utap_regex_ngroups(const struct utap_context *c);

#endif /* UTAP_REGEX_H */
