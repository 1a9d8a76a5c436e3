/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arithmetic on script longs: 64-bit two's complement that wraps around,
 * with no undefined behaviour in C (sums, products and shifts are done in
 * uint64_t and converted back), and the two operations that can fail,
 * division and modulo, raising a script error instead.
 *
 * The results are SystemTap's (4.8), as its translator and runtime compute
 * them:
 *
 * - + - * and unary minus wrap: INT64_MAX + 1 == INT64_MIN, -INT64_MIN ==
 *   INT64_MIN.
 * - / and % truncate towards zero, as C does: -7 / 2 == -3, -7 % 2 == -1.
 * - Division or modulo by 0 is the script error "division by 0" (stap's
 *   text; the handler adds "near operator '/' at FILE:LINE:COL").
 * - INT64_MIN / -1 is INT64_MIN and INT64_MIN % -1 is 0, not errors: stap's
 *   _stp_div64() returns -x for a divisor of -1 and _stp_mod64() returns 0
 *   for a divisor of 1 or -1, whatever stap(1) says about overflow.
 * - << and >> take the shift count modulo 64 (stap emits "x << (n & 63)"):
 *   1 << 64 == 1, 1 << -1 == INT64_MIN. >> is arithmetic (the sign bit is
 *   copied), >>> (utap_ushr) is logical.
 *
 * Comparisons of longs are plain C; strings compare with
 * utap_string_compare() (utap/strings.h).
 */
#ifndef UTAP_ARITH_H
#define UTAP_ARITH_H

#include "utap/base.h"

/**
 * utap_add() - @a + @b, wrapping around
 * @a: left operand
 * @b: right operand
 *
 * Return: the sum modulo 2^64, as a signed value.
 */
static inline int64_t utap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/**
 * utap_sub() - @a - @b, wrapping around
 * @a: left operand
 * @b: right operand
 *
 * Return: the difference modulo 2^64, as a signed value.
 */
static inline int64_t utap_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

/**
 * utap_mul() - @a * @b, wrapping around
 * @a: left operand
 * @b: right operand
 *
 * Return: the low 64 bits of the product, as a signed value.
 */
static inline int64_t utap_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

/**
 * utap_neg() - unary minus, wrapping around
 * @a: the operand
 *
 * Return: -@a; utap_neg(INT64_MIN) is INT64_MIN.
 */
static inline int64_t utap_neg(int64_t a)
{
	return (int64_t)(0 - (uint64_t)a);
}

/**
 * utap_shl() - @a << @n, the count taken modulo 64
 * @a: the value shifted
 * @n: the shift count; only its low 6 bits are used, as in stap
 *
 * Return: @a shifted left, bits shifted out of bit 63 lost.
 */
static inline int64_t utap_shl(int64_t a, int64_t n)
{
	return (int64_t)((uint64_t)a << ((uint64_t)n & 63));
}

/**
 * utap_shr() - @a >> @n, arithmetic, the count taken modulo 64
 * @a: the value shifted
 * @n: the shift count; only its low 6 bits are used, as in stap
 *
 * Return: @a shifted right with its sign bit copied in (-8 >> 1 == -4,
 * -1 >> 63 == -1).
 */
static inline int64_t utap_shr(int64_t a, int64_t n)
{
	unsigned int k = (unsigned int)((uint64_t)n & 63);

	/* ~a >= 0 when a < 0, so both shifts are of non-negative values. */
	return a < 0 ? ~(~a >> k) : a >> k;
}

/**
 * utap_ushr() - @a >>> @n, logical, the count taken modulo 64
 * @a: the value shifted, as 64 bits
 * @n: the shift count; only its low 6 bits are used, as in stap
 *
 * Return: @a shifted right with zeros shifted in (stap's ">>>").
 */
static inline int64_t utap_ushr(int64_t a, int64_t n)
{
	return (int64_t)((uint64_t)a >> ((uint64_t)n & 63));
}

int64_t utap_div(struct utap_context *c, int64_t a, int64_t b);
int64_t utap_mod(struct utap_context *c, int64_t a, int64_t b);

#endif /* UTAP_ARITH_H */
