/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IEEE 754 binary64 ("double") on bit patterns held in a script long, for
 * the floating-point tapset (tapsets/floatingpoint.stp, stap's function
 * names). A kernel module may not use the FPU, so everything here is
 * integer arithmetic: core/fp.c does the arithmetic, conversions and
 * comparisons, core/fp_text.c the decimal text.
 *
 * What SystemTap (4.8, SoftFloat 3e underneath) does, and so what this does:
 *
 * - Arithmetic rounds to nearest, ties to even, always; results are the
 *   correctly rounded IEEE results (bit for bit what x86-64's SSE gives,
 *   subnormals included, no flush to zero), except for NaN bits below.
 * - NaNs: an invalid operation (inf - inf, 0 * inf, 0 / 0, inf / inf,
 *   sqrt of a negative, rem(inf, y), rem(x, 0)) gives stap's default NaN,
 *   UTAP_FP_DEFAULT_NAN (x86 hardware gives the same with the sign bit set).
 *   A NaN operand is passed on quieted: a signalling one first (the first
 *   operand's if both are), else the first operand's NaN.
 * - fp_rem is IEEE remainder (C's remainder(), not fmod()): x - n * y with
 *   n the integer nearest x / y, ties to even; exact.
 * - Exception flags do not exist (stap raises them into a variable nobody
 *   reads), so fp_to_long's "exact" argument has no effect.
 */
#ifndef UTAP_FP_H
#define UTAP_FP_H

#include "utap/base.h"

/* stap's (SoftFloat's) default NaN, the result of invalid operations. */
#define UTAP_FP_DEFAULT_NAN 0x7FF8000000000000ULL

/* fp_to_long's rounding modes: SoftFloat's numbers, which stap documents. */
enum utap_fp_round {
	UTAP_FP_ROUND_NEAR_EVEN = 0,	/* to nearest, ties to even */
	UTAP_FP_ROUND_MIN_MAG = 1,	/* towards zero */
	UTAP_FP_ROUND_MIN = 2,		/* towards minus infinity */
	UTAP_FP_ROUND_MAX = 3,		/* towards plus infinity */
	UTAP_FP_ROUND_NEAR_MAX_MAG = 4,	/* to nearest, ties away from zero */
	UTAP_FP_ROUND_ODD = 6,		/* towards zero, then odd if inexact */
};

uint64_t utap_fp_add(uint64_t a, uint64_t b);
uint64_t utap_fp_sub(uint64_t a, uint64_t b);
uint64_t utap_fp_mul(uint64_t a, uint64_t b);
uint64_t utap_fp_div(uint64_t a, uint64_t b);
uint64_t utap_fp_rem(uint64_t a, uint64_t b);
uint64_t utap_fp_sqrt(uint64_t a);
int utap_fp_eq(uint64_t a, uint64_t b);
int utap_fp_le(uint64_t a, uint64_t b);
int utap_fp_lt(uint64_t a, uint64_t b);
uint64_t utap_fp_from_long(int64_t v);
int64_t utap_fp_to_long(uint64_t a, int64_t mode);
uint64_t utap_fp_from_fp32(uint32_t a);

/* The low-level step both text conversions share (core/fp.c). */
uint64_t utap_fp_round_pack(int sign, int exp, uint64_t man);

void utap_fp_to_string(char *buf, size_t len, uint64_t a, int64_t precision);
int utap_fp_from_string(const char *s, uint64_t *result);

#endif /* UTAP_FP_H */
