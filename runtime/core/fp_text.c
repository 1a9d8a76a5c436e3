// SPDX-License-Identifier: GPL-2.0
/*
 * Decimal text of IEEE binary64 bit patterns, for the tapset's
 * fp_to_string() and string_to_fp(), in integers only. Both are exact:
 * the digits printed are those of the double's exact value, rounded once,
 * and a string is converted to the double nearest its exact decimal value
 * (what glibc's strtod() gives). That needs numbers wider than 64 bits,
 * kept here as arrays of 32-bit limbs, least significant first.
 */
#include "utap/fp.h"

/*
 * string_to_fp keeps this many significant digits, and folds the rest into
 * one more digit, 1 when any of them is not 0. No double or midpoint
 * between two doubles has more than 767 significant digits, so folding
 * after 780 never moves a value across one.
 */
#define FP_MAX_DIGITS 780

/*
 * Limbs for string_to_fp's numbers: 10^781 (the digits) and 5^1105 (the
 * divisor of the smallest values kept, 10^-(324 + 781)) are below 2^2600;
 * the division needs two bits above the larger.
 */
#define FP_BIG_LIMBS 84

/* fp_to_string's: a double's integer part is below 2^1024, its fraction
 * has at most 1074 bits.
 */
#define FP_INT_LIMBS 33
#define FP_FRAC_LIMBS 34
#define FP_CHUNKS 36 /* 9 decimal digits each: 309 digits */

#define FP_SIGN (1ULL << 63)
#define FP_INF 0x7FF0000000000000ULL
#define FP_BILLION 1000000000U

struct fp_big {
	unsigned int n; /* limbs in use; limb[n - 1] != 0 unless n == 0 */
	uint32_t limb[FP_BIG_LIMBS];
};

/* @b = @b * @mul + @add. */
static void fp_big_mul_add(struct fp_big *b, uint32_t mul, uint32_t add)
{
	uint64_t carry = add;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		carry += (uint64_t)b->limb[i] * mul;
		b->limb[i] = (uint32_t)carry;
		carry >>= 32;
	}
	if (carry && b->n < FP_BIG_LIMBS)
		b->limb[b->n++] = (uint32_t)carry;
}

/* @b = @b * 5^@k. */
static void fp_big_mul_pow5(struct fp_big *b, unsigned int k)
{
	static const uint32_t pow5[14] = {
		1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125,
		9765625, 48828125, 244140625, 1220703125,
	};

	while (k >= 13) {
		fp_big_mul_add(b, pow5[13], 0);
		k -= 13;
	}
	fp_big_mul_add(b, pow5[k], 0);
}

static unsigned int fp_big_bits(const struct fp_big *b)
{
	return b->n ? 32 * b->n - __builtin_clz(b->limb[b->n - 1]) : 0;
}

/* @b = @b << @bits. */
static void fp_big_shl(struct fp_big *b, unsigned int bits)
{
	unsigned int words = bits / 32, s = bits % 32, i;
	unsigned int n = b->n ? b->n + words + 1 : 0;

	if (n > FP_BIG_LIMBS)
		n = FP_BIG_LIMBS; /* cannot happen within the limits above */
	for (i = n; i-- > 0;) {
		uint64_t hi = i >= words && i - words < b->n ? b->limb[i - words] : 0;
		uint64_t lo = i >= words + 1 && i - words - 1 < b->n ? b->limb[i - words - 1] : 0;

		b->limb[i] = (uint32_t)(((hi << 32 | lo) << s) >> 32);
	}
	while (n && !b->limb[n - 1])
		n--;
	b->n = n;
}

static int fp_big_cmp(const struct fp_big *a, const struct fp_big *b)
{
	unsigned int i = a->n;
	int r = 0;

	if (a->n != b->n)
		r = a->n < b->n ? -1 : 1;
	else
		while (i-- > 0 && !r)
			if (a->limb[i] != b->limb[i])
				r = a->limb[i] < b->limb[i] ? -1 : 1;
	return r;
}

/* @a = @a - @b, where @a >= @b. */
static void fp_big_sub(struct fp_big *a, const struct fp_big *b)
{
	int64_t borrow = 0;
	unsigned int i;

	for (i = 0; i < a->n; i++) {
		borrow += (int64_t)a->limb[i] - (i < b->n ? b->limb[i] : 0);
		a->limb[i] = (uint32_t)borrow;
		borrow = borrow < 0 ? -1 : 0;
	}
	while (a->n && !a->limb[a->n - 1])
		a->n--;
}

/* What string_to_fp() read: the value is (-1)^neg * digits * 10^exp10. */
struct fp_decimal {
	int neg;
	struct fp_big digits;
	int ndigits;	/* significant digits in digits, the folded one included */
	int64_t exp10;
};

/*
 * The digits of @s[@from, @to) (a '.' skipped) into @d, from the first
 * one that is not 0, at most FP_MAX_DIGITS of them and the fold.
 */
static void fp_read_digits(struct fp_decimal *d, const char *s, size_t from, size_t to)
{
	uint32_t chunk = 0, scale = 1;
	int in_fraction = 0, dropped = 0;
	size_t i;

	for (i = from; i < to; i++) {
		if (s[i] == '.') {
			in_fraction = 1;
		} else if (d->ndigits == 0 && s[i] == '0') {
			d->exp10 -= in_fraction;
		} else if (d->ndigits < FP_MAX_DIGITS) {
			chunk = chunk * 10 + (uint32_t)(s[i] - '0');
			scale *= 10;
			if (scale == FP_BILLION) {
				fp_big_mul_add(&d->digits, scale, chunk);
				chunk = 0;
				scale = 1;
			}
			d->ndigits++;
			d->exp10 -= in_fraction;
		} else {
			dropped |= s[i] != '0';
			d->exp10 += !in_fraction;
		}
	}
	fp_big_mul_add(&d->digits, scale, chunk);
	if (dropped) {
		fp_big_mul_add(&d->digits, 10, 1);
		d->ndigits++;
		d->exp10--;
	}
}

/* Whether @s is stap's syntax, [+-]?[0-9]*[.]?[0-9]*([eE][+-]?[0-9]*)?; its parts into @d. */
static int fp_parse(struct fp_decimal *d, const char *s)
{
	size_t i = 0, from;
	int64_t e = 0;
	int eneg;

	d->neg = s[0] == '-';
	if (s[0] == '-' || s[0] == '+')
		i++;
	from = i;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i] == '.')
		i++;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	fp_read_digits(d, s, from, i);
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		eneg = s[i] == '-';
		if (s[i] == '-' || s[i] == '+')
			i++;
		/* Far beyond what any double needs: saturate, only the side matters. */
		for (; s[i] >= '0' && s[i] <= '9'; i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		d->exp10 += eneg ? -e : e;
	}
	return s[i] == '\0' ? 0 : -EINVAL;
}

/* The double nearest @d's value, which is neither 0 nor out of range. */
static uint64_t fp_decimal_to_bits(struct fp_decimal *d)
{
	struct fp_big *a = &d->digits, b = { .n = 1, .limb = { 1 } };
	int t, i;
	uint64_t q = 0;

	/* digits * 10^e = (a / b) * 2^e, a and b integers */
	if (d->exp10 >= 0)
		fp_big_mul_pow5(a, (unsigned int)d->exp10);
	else
		fp_big_mul_pow5(&b, (unsigned int)-d->exp10);
	/* Scale to a / b in [1, 2), keeping count in t: value = (a / b) * 2^(e + t). */
	t = (int)fp_big_bits(a) - (int)fp_big_bits(&b);
	if (t > 0)
		fp_big_shl(&b, (unsigned int)t);
	else
		fp_big_shl(a, (unsigned int)-t);
	if (fp_big_cmp(a, &b) < 0) {
		fp_big_shl(a, 1);
		t--;
	}
	/* 56 bits of the quotient, the remainder as the sticky bit. */
	for (i = 0; i < 56; i++) {
		q <<= 1;
		if (fp_big_cmp(a, &b) >= 0) {
			fp_big_sub(a, &b);
			q |= 1;
		}
		fp_big_shl(a, 1);
	}
	return utap_fp_round_pack(d->neg, (int)d->exp10 + t - 55, q | (a->n != 0));
}

/**
 * utap_fp_from_string() - the double a decimal string stands for
 * @s: the text, in stap's syntax: an optional sign, digits with an
 *     optional '.', an optional exponent ('e' or 'E', an optional sign,
 *     digits); any part may be empty ("", "-", "." and "e" are 0, "-" is -0)
 * @result: where the bits go
 *
 * The double nearest the exact value, ties to even (as strtod()): values
 * too large become infinities, too small zeros, both with the sign.
 *
 * Return: 0, or -EINVAL when @s is not in that syntax (spaces included).
 */
int utap_fp_from_string(const char *s, uint64_t *result)
{
	struct fp_decimal d = { 0 };
	int r = fp_parse(&d, s);

	if (r == 0) {
		if (d.digits.n == 0)
			*result = (uint64_t)d.neg << 63;
		else if (d.ndigits + d.exp10 > 310) /* >= 10^310 */
			*result = ((uint64_t)d.neg << 63) | FP_INF;
		else if (d.ndigits + d.exp10 < -324) /* < 10^-325, below half of 2^-1074 */
			*result = (uint64_t)d.neg << 63;
		else
			*result = fp_decimal_to_bits(&d);
	}
	return r;
}

/*
 * fp_to_string's output: the first cap bytes of the text go to buf; of the
 * rest only whether all its digits are 9 is kept, since a rounding carry
 * can only come through such digits.
 */
struct fp_out {
	char *buf;
	size_t cap;
	size_t n;
	int hidden;		/* something did not fit */
	int hidden_nines;	/* and all its digits were 9 */
};

static void fp_put(struct fp_out *o, char c)
{
	if (o->n < o->cap) {
		o->buf[o->n++] = c;
	} else {
		o->hidden = 1;
		o->hidden_nines &= c == '9' || c == '.';
	}
}

static const uint32_t fp_pow10[9] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/* The integer @limb[0, @n) in decimal; @limb is used up. */
static void fp_put_integer(struct fp_out *o, uint32_t *limb, unsigned int n)
{
	uint32_t chunk[FP_CHUNKS];
	unsigned int nchunks = 0, i;
	uint64_t rest;
	int digit;

	while (n && !limb[n - 1])
		n--;
	while (n && nchunks < FP_CHUNKS) {
		rest = 0;
		for (i = n; i-- > 0;) {
			rest = rest << 32 | limb[i];
			limb[i] = (uint32_t)(rest / FP_BILLION);
			rest %= FP_BILLION;
		}
		chunk[nchunks++] = (uint32_t)rest;
		while (n && !limb[n - 1])
			n--;
	}
	if (!nchunks)
		fp_put(o, '0');
	for (i = nchunks; i-- > 0;) {
		/* 9 digits a chunk, the first one without its leading zeros */
		digit = 8;
		while (i == nchunks - 1 && digit > 0 && chunk[i] < fp_pow10[digit])
			digit--;
		for (; digit >= 0; digit--)
			fp_put(o, (char)('0' + chunk[i] / fp_pow10[digit] % 10));
	}
}

/* Adds one to the last digit written, the carry going left through 9s. */
static void fp_round_up(struct fp_out *o, size_t start)
{
	size_t i = o->n;
	int done = 0;

	while (i > start && !done) {
		i--;
		if (o->buf[i] == '9') {
			o->buf[i] = '0';
		} else if (o->buf[i] != '.') {
			o->buf[i]++;
			done = 1;
		}
	}
	/* 9.99 became 0.00: the text gains a leading 1, the last byte may go */
	if (!done && start < o->cap) {
		if (o->n < o->cap)
			o->n++;
		memmove(o->buf + start + 1, o->buf + start, o->n - start - 1);
		o->buf[start] = '1';
	}
}

/* ORs @v << @at into @limb[0, @n). */
static void fp_place(uint32_t *limb, unsigned int n, uint64_t v, unsigned int at)
{
	unsigned int w = at / 32, s = at % 32;
	uint64_t lo = v << s, hi = s ? v >> (64 - s) : 0;

	if (w < n)
		limb[w] |= (uint32_t)lo;
	if (w + 1 < n)
		limb[w + 1] |= (uint32_t)(lo >> 32);
	if (w + 2 < n)
		limb[w + 2] |= (uint32_t)hi;
}

/* @m * 2^@e, @m < 2^53, in fixed point with @precision digits. */
static void fp_put_fixed(struct fp_out *o, uint64_t m, int e, int64_t precision)
{
	uint32_t ipart[FP_INT_LIMBS] = { 0 }, frac[FP_FRAC_LIMBS] = { 0 };
	unsigned int k = e < 0 ? (unsigned int)-e : 0, nfrac = (k + 31) / 32, i;
	size_t start = o->n;
	uint64_t carry, nonzero;
	int64_t digits = 0;

	if (e >= 0) {
		fp_place(ipart, FP_INT_LIMBS, m, (unsigned int)e);
	} else {
		fp_place(ipart, FP_INT_LIMBS, k >= 64 ? 0 : m >> k, 0);
		/* the fraction with its binary point at the top of frac[nfrac - 1] */
		fp_place(frac, nfrac, k >= 64 ? m : m & ((1ULL << k) - 1), 32 * nfrac - k);
	}
	fp_put_integer(o, ipart, FP_INT_LIMBS);
	fp_put(o, '.');
	/* Each digit is what multiplying the fraction by 10 carries out. */
	nonzero = nfrac > 0;
	while (digits < precision && nonzero) {
		carry = 0;
		nonzero = 0;
		for (i = 0; i < nfrac; i++) {
			carry += (uint64_t)frac[i] * 10;
			frac[i] = (uint32_t)carry;
			nonzero |= frac[i];
			carry >>= 32;
		}
		fp_put(o, (char)('0' + carry));
		digits++;
	}
	/* The fraction is exhausted: the rest are 0s (hidden ones are not 9s). */
	while (digits < precision && o->n < o->cap) {
		fp_put(o, '0');
		digits++;
	}
	if (digits < precision) {
		o->hidden = 1;
		o->hidden_nines = 0;
	}
	/* Half way or more rounds away from zero, as stap. */
	if (nonzero && (frac[nfrac - 1] & 0x80000000U) && (!o->hidden || o->hidden_nines))
		fp_round_up(o, start);
}

/**
 * utap_fp_to_string() - a double in fixed-point decimal, as stap prints it
 * @buf: where the text goes
 * @len: @buf's size; the text is cut to @len - 1 bytes and terminated
 * @a: the double's bits
 * @precision: digits after the point; below 1 means 1, as in stap
 *
 * "[-]digits.digits", every digit of the integer part, the fraction
 * rounded half away from zero (stap's rounding) on the exact value. A set
 * sign bit prints '-', so -0 is "-0.0..." (as printf's %f). Infinities
 * and NaNs are "inf", "-inf", "nan", "-nan" (stap prints numbers that
 * its code happens to compute for them).
 */
void utap_fp_to_string(char *buf, size_t len, uint64_t a, int64_t precision)
{
	struct fp_out o = { .buf = buf, .cap = len ? len - 1 : 0, .hidden_nines = 1 };
	unsigned int field = (unsigned int)(a >> 52) & 0x7FF;
	uint64_t m = a & ((1ULL << 52) - 1);
	const char *word = NULL;

	if (len) {
		if (a & FP_SIGN)
			fp_put(&o, '-');
		if (field == 0x7FF)
			word = m ? "nan" : "inf";
		while (word && *word)
			fp_put(&o, *word++);
		if (field != 0x7FF)
			fp_put_fixed(&o, field ? m | (1ULL << 52) : m, field ? (int)field - 1075 : -1074,
				     precision < 1 ? 1 : precision);
		buf[o.n] = '\0';
	}
}
