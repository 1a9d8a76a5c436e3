// SPDX-License-Identifier: GPL-2.0
/*
 * IEEE 754 binary64 arithmetic, conversions and comparisons on bit
 * patterns, in integers only (a module may not touch the FPU). The rules
 * are in utap/fp.h.
 *
 * A finite non-zero value is handled as (sign, man, exp): man * 2^exp with
 * man a 64-bit integer. Each operation computes its exact result, or one
 * with at least 55 significant bits whose lowest bit is set when anything
 * non-zero was cut off below it ("sticky"), and utap_fp_round_pack() rounds
 * that once: nothing is rounded twice.
 */
#include "utap/fp.h"

#define FP_SIGN (1ULL << 63)
#define FP_INF 0x7FF0000000000000ULL
#define FP_QUIET (1ULL << 51)
#define FP_FRAC_MASK ((1ULL << 52) - 1)
#define FP_HIDDEN (1ULL << 52)
/* The exponent of a subnormal's lowest bit, and of a normal's with field 1. */
#define FP_EXP_MIN (-1074)

static bool fp_is_nan(uint64_t a)
{
	return (a & ~FP_SIGN) > FP_INF;
}

static bool fp_is_inf(uint64_t a)
{
	return (a & ~FP_SIGN) == FP_INF;
}

static bool fp_is_zero(uint64_t a)
{
	return (a & ~FP_SIGN) == 0;
}

static bool fp_is_snan(uint64_t a)
{
	return fp_is_nan(a) && !(a & FP_QUIET);
}

static int fp_sign(uint64_t a)
{
	return (int)(a >> 63);
}

/*
 * The NaN an operation on @a and @b gives when either is a NaN, as
 * SoftFloat's x86 specialisation in stap: a signalling NaN wins (the
 * first's if both are), quieted; otherwise the first NaN.
 */
static uint64_t fp_nan2(uint64_t a, uint64_t b)
{
	uint64_t r;

	if (fp_is_snan(a) || fp_is_snan(b))
		r = (fp_is_snan(a) ? a : b) | FP_QUIET;
	else
		r = fp_is_nan(a) ? a : b;
	return r;
}

/*
 * A finite non-zero @a as man * 2^exp, with man's highest bit at bit 52
 * (subnormals are shifted up, their exp lowered to match).
 */
static uint64_t fp_unpack(uint64_t a, int *exp)
{
	unsigned int field = (unsigned int)(a >> 52) & 0x7FF;
	uint64_t man = a & FP_FRAC_MASK;
	int shift;

	if (field) {
		man |= FP_HIDDEN;
		*exp = (int)field - 1075;
	} else {
		shift = __builtin_clzll(man) - 11;
		man <<= shift;
		*exp = FP_EXP_MIN - shift;
	}
	return man;
}

/* @x >> @n, with bit 0 set when any bit shifted out was. */
static uint64_t fp_shift_right_jam(uint64_t x, unsigned int n)
{
	uint64_t r;

	if (n == 0)
		r = x;
	else if (n >= 64)
		r = x != 0;
	else
		r = (x >> n) | ((x << (64 - n)) != 0);
	return r;
}

/**
 * utap_fp_round_pack() - round man * 2^exp to a double, ties to even
 * @sign: 1 for a negative result
 * @exp: the power of two of @man's lowest bit
 * @man: the magnitude; exact, or with at least 55 significant bits and bit
 *       0 set when the true magnitude is above man * 2^exp
 *
 * Handles overflow (to infinity), subnormal results and underflow to
 * zero. A @man of 0 gives a zero of the given sign.
 *
 * Return: the bit pattern of the rounded value.
 */
uint64_t utap_fp_round_pack(int sign, int exp, uint64_t man)
{
	uint64_t r = (uint64_t)sign << 63;
	unsigned int round;
	int shift, biased;

	if (man) {
		/* man in [2^63, 2^64): its top 53 bits are the significand. */
		shift = __builtin_clzll(man);
		man <<= shift;
		exp -= shift;
		biased = exp + 1086;
		if (biased <= 0) {
			man = fp_shift_right_jam(man, (unsigned int)(1 - biased));
			biased = 0;
		}
		round = (unsigned int)(man & 0x7FF);
		man >>= 11;
		if (round > 0x400 || (round == 0x400 && (man & 1)))
			man++;
		if (biased >= 0x7FF)
			r |= FP_INF;
		else if (biased == 0)
			r |= man; /* a carry into bit 52 makes it the smallest normal */
		else
			/* man in [2^52, 2^53]: a carry bumps the exponent (to inf) */
			r |= ((uint64_t)(biased - 1) << 52) + man;
	}
	return r;
}

/* @a + @b with @b's sign flipped when @negate_b; NaNs as in utap/fp.h. */
static uint64_t fp_add_signed(uint64_t a, uint64_t b, int negate_b)
{
	int sa = fp_sign(a), sb = fp_sign(b) ^ negate_b;
	int ea, eb, e;
	uint64_t ma, mb, m, r;
	int sign;

	if (fp_is_nan(a) || fp_is_nan(b)) {
		r = fp_nan2(a, b);
	} else if (fp_is_inf(a)) {
		r = fp_is_inf(b) && sa != sb ? UTAP_FP_DEFAULT_NAN : a;
	} else if (fp_is_inf(b)) {
		r = (b & ~FP_SIGN) | ((uint64_t)sb << 63);
	} else if (fp_is_zero(a) && fp_is_zero(b)) {
		/* -0 only when both are -0 (round to nearest) */
		r = (uint64_t)(sa & sb) << 63;
	} else if (fp_is_zero(b)) {
		r = a;
	} else if (fp_is_zero(a)) {
		r = (b & ~FP_SIGN) | ((uint64_t)sb << 63);
	} else {
		/* 10 spare bits below each, so aligning loses nothing that matters */
		ma = fp_unpack(a, &ea) << 10;
		mb = fp_unpack(b, &eb) << 10;
		if (ea < eb || (ea == eb && ma < mb)) {
			/* the larger magnitude first */
			m = ma;
			ma = mb;
			mb = m;
			e = ea;
			ea = eb;
			eb = e;
			sign = sa;
			sa = sb;
			sb = sign;
		}
		mb = fp_shift_right_jam(mb, (unsigned int)(ea - eb));
		/* |a| >= |b| now; exact cancellation gives +0 */
		m = sa == sb ? ma + mb : ma - mb;
		r = utap_fp_round_pack(m ? sa : 0, ea - 10, m);
	}
	return r;
}

/**
 * utap_fp_add() - @a + @b
 * @a: a double's bits
 * @b: a double's bits
 *
 * Return: the sum's bits, rounded to nearest even.
 */
uint64_t utap_fp_add(uint64_t a, uint64_t b)
{
	return fp_add_signed(a, b, 0);
}

/**
 * utap_fp_sub() - @a - @b
 * @a: a double's bits
 * @b: a double's bits
 *
 * A NaN @b is passed on with its own sign, as the hardware does.
 *
 * Return: the difference's bits, rounded to nearest even.
 */
uint64_t utap_fp_sub(uint64_t a, uint64_t b)
{
	return fp_add_signed(a, b, 1);
}

/* The 128-bit product of @a and @b: the high half, the low in *@lo. */
static uint64_t fp_mul_64x64(uint64_t a, uint64_t b, uint64_t *lo)
{
	uint64_t a_lo = (uint32_t)a, a_hi = a >> 32;
	uint64_t b_lo = (uint32_t)b, b_hi = b >> 32;
	uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi;
	uint64_t hl = a_hi * b_lo, hh = a_hi * b_hi;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;

	*lo = (mid << 32) | (uint32_t)ll;
	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/**
 * utap_fp_mul() - @a * @b
 * @a: a double's bits
 * @b: a double's bits
 *
 * Return: the product's bits, rounded to nearest even.
 */
uint64_t utap_fp_mul(uint64_t a, uint64_t b)
{
	int sign = fp_sign(a) ^ fp_sign(b);
	uint64_t hi, lo, m, r;
	int ea, eb;

	if (fp_is_nan(a) || fp_is_nan(b))
		r = fp_nan2(a, b);
	else if (fp_is_inf(a) || fp_is_inf(b))
		r = fp_is_zero(a) || fp_is_zero(b) ? UTAP_FP_DEFAULT_NAN : FP_INF | ((uint64_t)sign << 63);
	else if (fp_is_zero(a) || fp_is_zero(b))
		r = (uint64_t)sign << 63;
	else {
		/* [2^52, 2^53) each: the product is in [2^104, 2^106) */
		hi = fp_mul_64x64(fp_unpack(a, &ea), fp_unpack(b, &eb), &lo);
		m = (hi << 22) | (lo >> 42) | ((lo & ((1ULL << 42) - 1)) != 0);
		r = utap_fp_round_pack(sign, ea + eb + 42, m);
	}
	return r;
}

/**
 * utap_fp_div() - @a / @b
 * @a: a double's bits, the dividend
 * @b: a double's bits, the divisor
 *
 * A non-zero finite @a divided by zero is infinity with the sign of the
 * quotient; 0 / 0 and inf / inf are the default NaN.
 *
 * Return: the quotient's bits, rounded to nearest even.
 */
uint64_t utap_fp_div(uint64_t a, uint64_t b)
{
	int sign = fp_sign(a) ^ fp_sign(b);
	uint64_t ma, mb, q, r;
	int ea, eb, i;

	if (fp_is_nan(a) || fp_is_nan(b)) {
		r = fp_nan2(a, b);
	} else if (fp_is_inf(a)) {
		r = fp_is_inf(b) ? UTAP_FP_DEFAULT_NAN : FP_INF | ((uint64_t)sign << 63);
	} else if (fp_is_inf(b)) {
		r = (uint64_t)sign << 63;
	} else if (fp_is_zero(b)) {
		r = fp_is_zero(a) ? UTAP_FP_DEFAULT_NAN : FP_INF | ((uint64_t)sign << 63);
	} else if (fp_is_zero(a)) {
		r = (uint64_t)sign << 63;
	} else {
		ma = fp_unpack(a, &ea);
		mb = fp_unpack(b, &eb);
		if (ma < mb) {
			ma <<= 1;
			ea--;
		}
		/* ma / mb in [1, 2): 56 quotient bits, one at a time */
		q = 0;
		for (i = 0; i < 56; i++) {
			q <<= 1;
			if (ma >= mb) {
				ma -= mb;
				q |= 1;
			}
			ma <<= 1;
		}
		r = utap_fp_round_pack(sign, ea - eb - 55, q | (ma != 0));
	}
	return r;
}

/* IEEE remainder of finite non-zero @a by finite non-zero @b. */
static uint64_t fp_rem_finite(uint64_t a, uint64_t b)
{
	int sign = fp_sign(a), ea, eb, d, k;
	uint64_t ma = fp_unpack(a, &ea), mb = fp_unpack(b, &eb);
	uint64_t q = 0, rest = ma, r = a;

	d = ea - eb;
	/* d < -1: |a| < |b| / 2, so n is 0 and the remainder is a */
	if (d >= -1) {
		if (d == -1) {
			/* |a| in [|b| / 4, |b|): n is 0 or 1; units of 2^ea */
			mb <<= 1;
			eb = ea;
		} else {
			/* (ma * 2^d) mod mb, 11 bits at a time: rest < mb < 2^53 */
			k = 0;
			do {
				rest <<= k;
				q = div64_u64(rest, mb);
				rest -= q * mb;
				k = d < 11 ? d : 11;
				d -= k;
			} while (k);
		}
		/* The last q holds n's lowest bit: it breaks a tie to even. */
		if (2 * rest > mb || (2 * rest == mb && (q & 1))) {
			rest = mb - rest;
			sign ^= 1;
		}
		/* Exact: a multiple of b's lowest bit. 0 keeps a's sign. */
		r = utap_fp_round_pack(sign, eb, rest);
	}
	return r;
}

/**
 * utap_fp_rem() - IEEE remainder of @a by @b
 * @a: a double's bits, the dividend
 * @b: a double's bits, the divisor
 *
 * @a - n * @b where n is @a / @b rounded to the nearest integer, ties to
 * even (C's remainder(), not fmod()). The result is exact; a zero result
 * has @a's sign. rem(x, inf) is x; rem(inf, y) and rem(x, 0) are the
 * default NaN.
 *
 * Return: the remainder's bits.
 */
uint64_t utap_fp_rem(uint64_t a, uint64_t b)
{
	uint64_t r;

	if (fp_is_nan(a) || fp_is_nan(b))
		r = fp_nan2(a, b);
	else if (fp_is_inf(a) || fp_is_zero(b))
		r = UTAP_FP_DEFAULT_NAN;
	else if (fp_is_inf(b) || fp_is_zero(a))
		r = a;
	else
		r = fp_rem_finite(a, b);
	return r;
}

/**
 * utap_fp_sqrt() - square root of @a
 * @a: a double's bits
 *
 * sqrt(-0) is -0; any other negative, -inf included, gives the default
 * NaN.
 *
 * Return: the root's bits, rounded to nearest even.
 */
uint64_t utap_fp_sqrt(uint64_t a)
{
	uint64_t m, q = 0, rest = 0, t, r;
	int e, i;

	if (fp_is_nan(a)) {
		r = a | FP_QUIET;
	} else if (fp_is_zero(a)) {
		r = a;
	} else if (fp_sign(a)) {
		r = UTAP_FP_DEFAULT_NAN;
	} else if (fp_is_inf(a)) {
		r = a;
	} else {
		m = fp_unpack(a, &e);
		if (e & 1) {
			m <<= 1;
			e--;
		}
		/*
		 * Digit by digit, two bits of m * 2^60 at a time: 57 bits of
		 * root, and rest <= 2 * q stays below 2^58.
		 */
		for (i = 56; i >= 0; i--) {
			rest = (rest << 2) | (2 * i >= 60 ? (m >> (2 * i - 60)) & 3 : 0);
			t = (q << 2) | 1;
			q <<= 1;
			if (rest >= t) {
				rest -= t;
				q |= 1;
			}
		}
		r = utap_fp_round_pack(0, e / 2 - 30, q | (rest != 0));
	}
	return r;
}

/**
 * utap_fp_eq() - whether @a == @b
 * @a: a double's bits
 * @b: a double's bits
 *
 * Return: 1 when equal (+0 equals -0), 0 otherwise or when either is a NaN.
 */
int utap_fp_eq(uint64_t a, uint64_t b)
{
	return !fp_is_nan(a) && !fp_is_nan(b) && (a == b || fp_is_zero(a | b));
}

/**
 * utap_fp_lt() - whether @a < @b
 * @a: a double's bits
 * @b: a double's bits
 *
 * Return: 1 when @a is less than @b, 0 otherwise or when either is a NaN.
 */
int utap_fp_lt(uint64_t a, uint64_t b)
{
	int r;

	if (fp_is_nan(a) || fp_is_nan(b))
		r = 0;
	else if (fp_sign(a) != fp_sign(b))
		r = fp_sign(a) && !fp_is_zero(a | b);
	else
		r = a != b && (fp_sign(a) ? a > b : a < b);
	return r;
}

/**
 * utap_fp_le() - whether @a <= @b
 * @a: a double's bits
 * @b: a double's bits
 *
 * Return: 1 when @a is less than or equal to @b, 0 otherwise or when
 * either is a NaN.
 */
int utap_fp_le(uint64_t a, uint64_t b)
{
	return utap_fp_lt(a, b) || utap_fp_eq(a, b);
}

/**
 * utap_fp_from_long() - the double nearest @v
 * @v: a script long
 *
 * Return: @v's bits as a double, rounded to nearest even above 2^53.
 */
uint64_t utap_fp_from_long(int64_t v)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	return utap_fp_round_pack(v < 0, 0, mag);
}

/**
 * utap_fp_to_long() - @a rounded to a long
 * @a: a double's bits
 * @mode: enum utap_fp_round; only the low 8 bits count, as in stap (which
 *        casts to uint_fast8_t), and 5 or above 6 rounds towards zero
 *
 * Values outside the range of a long, infinities included, give
 * S64_MAX or S64_MIN by their sign; a NaN gives 0 (stap's values).
 *
 * Return: the rounded value.
 */
int64_t utap_fp_to_long(uint64_t a, int64_t mode)
{
	int sign = fp_sign(a), e;
	uint64_t m, mag = 0, rest = 0, half = 0;
	int64_t r;

	if (fp_is_nan(a)) {
		mag = 0;
	} else if (fp_is_inf(a)) {
		mag = FP_SIGN;
	} else if (!fp_is_zero(a)) {
		m = fp_unpack(a, &e);
		if (e > 11) {
			mag = FP_SIGN; /* 2^64 and above */
		} else if (e >= 0) {
			mag = m << e;
		} else if (e > -64) {
			mag = m >> -e;
			rest = m & ((1ULL << -e) - 1);
			half = 1ULL << (-e - 1);
		} else {
			rest = 1; /* below 2^-11: non-zero, less than a half */
			half = 2;
		}
		switch ((uint8_t)mode) {
		case UTAP_FP_ROUND_NEAR_EVEN:
			mag += rest > half || (rest == half && rest && (mag & 1));
			break;
		case UTAP_FP_ROUND_NEAR_MAX_MAG:
			mag += rest && rest >= half;
			break;
		case UTAP_FP_ROUND_MIN:
			mag += sign && rest;
			break;
		case UTAP_FP_ROUND_MAX:
			mag += !sign && rest;
			break;
		case UTAP_FP_ROUND_ODD:
			mag |= rest != 0;
			break;
		default:
			break;
		}
	}
	/* Out of range saturates by sign; -2^63 itself is in range. */
	if (!sign && mag > (uint64_t)S64_MAX)
		r = S64_MAX;
	else if (sign && mag >= FP_SIGN)
		r = S64_MIN;
	else
		r = sign ? -(int64_t)mag : (int64_t)mag;
	return r;
}

/**
 * utap_fp_from_fp32() - a float's bits widened to a double's
 * @a: an IEEE binary32 bit pattern
 *
 * Exact; a NaN keeps its sign and payload and is quieted.
 *
 * Return: the double's bits.
 */
uint64_t utap_fp_from_fp32(uint32_t a)
{
	uint64_t sign = (uint64_t)(a >> 31) << 63;
	unsigned int field = (a >> 23) & 0xFF;
	uint32_t frac = a & 0x7FFFFF;
	uint64_t r;

	if (field == 0xFF)
		r = sign | (frac ? UTAP_FP_DEFAULT_NAN | ((uint64_t)frac << 29) : FP_INF);
	else if (field == 0)
		r = utap_fp_round_pack(a >> 31, -149, frac);
	else
		r = utap_fp_round_pack(a >> 31, (int)field - 150, frac | (1U << 23));
	return r;
}
