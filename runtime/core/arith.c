// SPDX-License-Identifier: GPL-2.0
/*
 * Division and modulo of script longs: the arithmetic that can raise a
 * script error. The rest of the arithmetic is inline in utap/arith.h.
 */
#include "utap/arith.h"

/* stap's text for both operators (its translator's STAP_T_03). */
#define UTAP_MSG_DIVISION_BY_ZERO "division by 0"

/**
 * utap_div() - @a / @b, truncated towards zero
 * @c: the handler's context, for the error
 * @a: dividend
 * @b: divisor
 *
 * A divisor of 0 raises the script error "division by 0" in @c. As stap's
 * _stp_div64(), a divisor of -1 negates with wrap-around, so
 * INT64_MIN / -1 is INT64_MIN and no error.
 *
 * Return: the quotient, or 0 after raising the error.
 */
int64_t utap_div(struct utap_context *c, int64_t a, int64_t b)
{
	if (unlikely(b == 0)) {
		utap_error(c, UTAP_MSG_DIVISION_BY_ZERO);
		return 0;
	}
	if (unlikely(b == -1))
		return utap_neg(a);
	return a / b;
}

/**
 * utap_mod() - @a % @b, with the sign of @a
 * @c: the handler's context, for the error
 * @a: dividend
 * @b: divisor
 *
 * A divisor of 0 raises the script error "division by 0" in @c. As stap's
 * _stp_mod64(), a divisor of 1 or -1 gives 0 (so INT64_MIN % -1 is 0 and
 * no error).
 *
 * Return: the remainder, or 0 after raising the error.
 */
int64_t utap_mod(struct utap_context *c, int64_t a, int64_t b)
{
	if (unlikely(b == 0)) {
		utap_error(c, UTAP_MSG_DIVISION_BY_ZERO);
		return 0;
	}
	if (unlikely(b == 1 || b == -1))
		return 0;
	return a % b;
}
