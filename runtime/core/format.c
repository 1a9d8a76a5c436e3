// SPDX-License-Identifier: GPL-2.0
/*
 * printf formatting into a sink, one conversion at a time. The semantics,
 * and where they differ from C, are in utap/format.h; this file is the
 * mechanics: a sink that never overflows, then one writer per kind of
 * conversion (numbers, characters, binary, strings and memory).
 */
#include "utap/format.h"

/* ---- the sink ---------------------------------------------------------- */

/**
 * utap_sink_init() - make an empty sink over a buffer
 * @sink: the sink
 * @buf: its buffer (may be NULL when @size is 0)
 * @size: the buffer's size; 0 makes a sink that only counts
 *
 * Leaves @buf an empty string when @size is not 0.
 */
void utap_sink_init(struct utap_sink *sink, char *buf, size_t size)
{
	sink->buf = buf;
	sink->size = size;
	sink->len = 0;
	sink->wanted = 0;
	sink->flush = NULL;
	if (size)
		buf[0] = '\0';
}

/* Bytes the sink can still show, not counting the terminator's. */
static size_t sink_room(const struct utap_sink *sink)
{
	return sink->size ? sink->size - 1 - sink->len : 0;
}

/* Terminate; every public writer ends with this, so a sink set up by hand
 * is terminated after its first call. */
static void sink_end(struct utap_sink *sink)
{
	if (sink->size)
		sink->buf[sink->len] = '\0';
}

/*
 * Append @n bytes, from @p or (@p NULL) copies of @ch, as many as fit; a
 * sink with a flush hook is flushed whenever it is full, and nothing is cut.
 */
static void sink_write(struct utap_sink *sink, const char *p, char ch, size_t n)
{
	size_t k;

	for (;;) {
		k = min_t(size_t, n, sink_room(sink));
		sink->wanted += k;
		if (k) {
			if (p)
				memcpy(sink->buf + sink->len, p, k);
			else
				memset(sink->buf + sink->len, ch, k);
			sink->len += k;
		}
		n -= k;
		/* A flushed sink has room again (size > 1), so this ends. */
		if (!n || !sink->flush || sink->size <= 1)
			break;
		if (p)
			p += k;
		sink_end(sink);
		sink->flush(sink);
	}
	sink->wanted += n;
}

/* Append @n bytes, as many as fit. */
static void sink_put(struct utap_sink *sink, const char *p, size_t n)
{
	sink_write(sink, p, 0, n);
}

/* Append @n copies of @ch (nothing when @n <= 0), as many as fit. */
static void sink_fill(struct utap_sink *sink, char ch, long n)
{
	if (n > 0)
		sink_write(sink, NULL, ch, (size_t)n);
}

/*
 * Append @n bytes that must not be cut (a %b value, a %M hex pair): stap
 * writes them when they end at or before the last byte of its buffer,
 * which sprintf then overwrites with the terminator, and skips them
 * otherwise, leaving the room to what follows.
 */
static void sink_put_whole(struct utap_sink *sink, const char *p, size_t n)
{
	if (sink->flush && sink->size > n && sink->len + n > sink->size - 1) {
		sink_end(sink);
		sink->flush(sink);
	}
	if (sink->size && sink->len + n <= sink->size)
		sink_put(sink, p, n);
	else
		sink->wanted += n;
}

/* ---- widths and precisions -------------------------------------------- */

/* The most a width or precision may be now: the room left in the buffer
 * (all of it when it flushes), the terminator's byte included, and at most
 * UTAP_FMT_FIELD_MAX. */
static int field_limit(const struct utap_sink *sink)
{
	size_t room = !sink->size ? UTAP_FMT_FIELD_MAX : sink->flush ? sink->size : sink->size - sink->len;

	return (int)min_t(size_t, room, UTAP_FMT_FIELD_MAX);
}

/*
 * The width or precision a conversion uses: -1 when the format has none,
 * else the static value or, for '*', @arg's low 32 bits as an int (stap
 * passes clamp_t(int, arg, ...)), clamped to [0, @limit].
 */
static int field_value(int spec, int64_t arg, int limit)
{
	int v;

	if (spec == UTAP_FMT_STAR)
		v = (int)(int32_t)(uint32_t)(uint64_t)arg;
	else if (spec >= 0)
		v = spec;
	else
		return -1;
	if (v < 0)
		return 0;
	return v < limit ? v : limit;
}

/* ---- numbers: d i u o x X p ------------------------------------------- */

/**
 * fmt_number() - write one integer conversion
 * @sink: where to
 * @num: the value, as 64 bits
 * @base: 8, 10 or 16
 * @is_signed: a d/i conversion: @num is signed and may take a sign
 * @upper: X: upper-case digits and "0X"
 * @flags: UTAP_FLAG_* (HASH already set for %p)
 * @width: the field width, or -1
 * @precision: the least number of digits, or -1
 *
 * The layout is stap's number(): [spaces][sign][prefix][zeros][digits]
 * [spaces], where '0' turns the leading spaces into zeros after the prefix
 * (unless '-'), the precision adds zeros before the digits, and there is
 * always at least one digit.
 */
static void fmt_number(struct utap_sink *sink, uint64_t num, unsigned int base,
		       bool is_signed, bool upper, unsigned int flags,
		       int width, int precision)
{
	const char *digit = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool left = flags & UTAP_FLAG_MINUS;
	bool zero = (flags & UTAP_FLAG_ZERO) && !left;
	char tmp[24];	/* 22 octal digits for 64 bits */
	size_t start = sizeof(tmp), ndigits, prefix_len = 0;
	const char *prefix = "";
	char sign = 0;
	long body, pad;

	if (is_signed) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = 0 - num;
		} else if (flags & UTAP_FLAG_PLUS) {
			sign = '+';
		} else if (flags & UTAP_FLAG_SPACE) {
			sign = ' ';
		}
	}
	if (flags & UTAP_FLAG_HASH) {
		if (base == 16)
			prefix = upper ? "0X" : "0x";
		else if (base == 8)
			prefix = "0";
		prefix_len = strlen(prefix);
	}
	do {
		tmp[--start] = digit[num % base];
		num /= base;
	} while (num);
	ndigits = sizeof(tmp) - start;

	body = (long)ndigits > precision ? (long)ndigits : precision;
	pad = (long)width - (sign ? 1 : 0) - (long)prefix_len - body;

	if (!left && !zero)
		sink_fill(sink, ' ', pad);
	if (sign)
		sink_put(sink, &sign, 1);
	sink_put(sink, prefix, prefix_len);
	if (zero)
		sink_fill(sink, '0', pad);
	sink_fill(sink, '0', body - (long)ndigits);
	sink_put(sink, tmp + start, ndigits);
	if (left)
		sink_fill(sink, ' ', pad);
}

/* ---- characters: c ----------------------------------------------------- */

/**
 * utap_escape_byte() - one byte as stap escapes it in text
 * @ch: the byte
 * @quote: the quote character that needs a backslash: '\'' for %#c (stap's
 *	_stp_vsprint_char()), '"' for text_str() and string_quoted()
 * @out: room for at most 4 bytes
 *
 * C escapes for 0x07-0x0d (\a \b \t \n \v \f \r), @quote and '\\' after a
 * backslash, three octal digits for the other bytes below 0x20 and from
 * 0x7f up, the printable ASCII bytes as themselves.
 *
 * Return: the bytes written to @out.
 */
size_t utap_escape_byte(unsigned char ch, char quote, char *out)
{
	static const char controls[] = "abtnvfr";	/* 0x07 ... 0x0d */

	out[0] = '\\';
	if (ch >= 0x07 && ch <= 0x0d) {
		out[1] = controls[ch - 0x07];
		return 2;
	}
	if (ch == (unsigned char)quote || ch == '\\') {
		out[1] = (char)ch;
		return 2;
	}
	if (ch < 0x20 || ch >= 0x7f) {
		out[1] = (char)('0' + (ch >> 6));
		out[2] = (char)('0' + ((ch >> 3) & 7));
		out[3] = (char)('0' + (ch & 7));
		return 4;
	}
	out[0] = (char)ch;
	return 1;
}

static void fmt_char(struct utap_sink *sink, unsigned int flags, int64_t value,
		     int width)
{
	unsigned char ch = (unsigned char)value;
	char out[4];
	size_t n;
	long pad;

	if (flags & UTAP_FLAG_HASH) {
		n = utap_escape_byte(ch, '\'', out);
	} else {
		out[0] = (char)ch;
		n = 1;
	}
	pad = (long)width - (long)n;
	if (!(flags & UTAP_FLAG_MINUS))
		sink_fill(sink, ' ', pad);
	sink_put(sink, out, n);
	if (flags & UTAP_FLAG_MINUS)
		sink_fill(sink, ' ', pad);
}

/* ---- binary: b --------------------------------------------------------- */

/* The byte counts %b knows; anything else is "unspecified" (-1). */
static int binary_bytes(int n)
{
	return (n == 1 || n == 2 || n == 4 || n == 8) ? n : -1;
}

static void fmt_binary(struct utap_sink *sink, unsigned int flags,
		       int64_t value, int width, int precision)
{
	uint64_t u64 = (uint64_t)value;
	uint32_t u32 = (uint32_t)u64;
	uint16_t u16 = (uint16_t)u64;
	uint8_t u8 = (uint8_t)u64;
	const void *bytes;
	long pad;

	/* Either of width and precision gives the other; neither means 8. */
	precision = binary_bytes(precision);
	if (width < 0) {
		if (precision < 0)
			precision = 8;
		width = precision;
	} else if (precision < 0) {
		precision = binary_bytes(width);
		if (precision < 0)
			precision = 8;
	}
	switch (precision) {
	case 1:
		bytes = &u8;
		break;
	case 2:
		bytes = &u16;
		break;
	case 4:
		bytes = &u32;
		break;
	default:
		bytes = &u64;
		break;
	}
	pad = (long)width - precision;
	if (!(flags & UTAP_FLAG_MINUS))
		sink_fill(sink, '\0', pad);
	sink_put_whole(sink, bytes, (size_t)precision);
	if (flags & UTAP_FLAG_MINUS)
		sink_fill(sink, '\0', pad);
}

/* ---- strings and memory: s m M ----------------------------------------- */

/*
 * Write @n bytes of @p as %s/%m (raw) or %M (hex pairs), padded with
 * spaces to @width, then a 0 byte for the '0' flag (stap's
 * _stp_vsprint_memory()).
 */
static void fmt_bytes(struct utap_sink *sink, char conversion,
		      unsigned int flags, const unsigned char *p, size_t n,
		      int width)
{
	static const char hex[] = "0123456789abcdef";
	size_t shown = conversion == 'M' ? 2 * n : n;
	long pad = (long)width - (long)shown;
	char pair[2];
	size_t i;

	if (!(flags & UTAP_FLAG_MINUS))
		sink_fill(sink, ' ', pad);
	if (conversion == 'M') {
		for (i = 0; i < n; i++) {
			pair[0] = hex[p[i] >> 4];
			pair[1] = hex[p[i] & 0xf];
			sink_put_whole(sink, pair, 2);
		}
	} else {
		sink_put(sink, (const char *)p, n);
	}
	if (flags & UTAP_FLAG_MINUS)
		sink_fill(sink, ' ', pad);
	if (flags & UTAP_FLAG_ZERO)
		sink_put(sink, "", 1);
}

/* ---- the interface ------------------------------------------------------ */

/**
 * utap_fmt_literal() - write a format's literal text
 * @sink: where to
 * @text: the text ("%%" already made '%')
 * @len: its length in bytes; all @len bytes are written
 */
void utap_fmt_literal(struct utap_sink *sink, const char *text, size_t len)
{
	sink_put(sink, text, len);
	sink_end(sink);
}

/**
 * utap_fmt_long() - write one conversion of a long
 * @sink: where to
 * @conv: the conversion: d i u o x X p c or b (any other writes nothing)
 * @value: the value
 * @width: the width when @conv->width is UTAP_FMT_STAR, else ignored
 * @precision: the precision when @conv->precision is UTAP_FMT_STAR
 *
 * The results are stap's; utap/format.h lists them and where they differ
 * from C.
 */
void utap_fmt_long(struct utap_sink *sink, const struct utap_conv *conv,
		   int64_t value, int64_t width, int64_t precision)
{
	int limit = field_limit(sink);
	int w = field_value(conv->width, width, limit);
	int p = field_value(conv->precision, precision, limit);
	unsigned int flags = conv->flags;
	uint64_t num = (uint64_t)value;

	switch (conv->conversion) {
	case 'd':
	case 'i':
		fmt_number(sink, num, 10, true, false, flags, w, p);
		break;
	case 'u':
		fmt_number(sink, num, 10, false, false, flags, w, p);
		break;
	case 'o':
		fmt_number(sink, num, 8, false, false, flags, w, p);
		break;
	case 'x':
		fmt_number(sink, num, 16, false, false, flags, w, p);
		break;
	case 'X':
		fmt_number(sink, num, 16, false, true, flags, w, p);
		break;
	case 'p':
		if (flags & UTAP_FLAG_LEGACY_POINTER) {
			/* stap 1.2: the precision is the width but "0x" */
			if (w < 0)
				w = 2 + 2 * (int)sizeof(void *);
			p = w - 2;
			if (!(flags & UTAP_FLAG_MINUS))
				p = min_t(int, p, 2 * (int)sizeof(void *));
			num = (unsigned long)num;
		}
		fmt_number(sink, num, 16, false, false, flags | UTAP_FLAG_HASH,
			   w, p);
		break;
	case 'c':
		fmt_char(sink, flags, value, w);
		break;
	case 'b':
		fmt_binary(sink, flags, value, w, p);
		break;
	default:
		break;
	}
	sink_end(sink);
}

/**
 * utap_fmt_string() - write one %s conversion
 * @sink: where to
 * @conv: the conversion (its letter is not looked at)
 * @s: the string; NULL is shown as "<NULL>", as stap does
 * @width: the width when @conv->width is UTAP_FMT_STAR, else ignored
 * @precision: the precision when @conv->precision is UTAP_FMT_STAR
 *
 * The precision is the most bytes of @s shown. Flags other than '-' and
 * '0' (which appends a 0 byte) change nothing: "%#s" is "%s" in stap.
 */
void utap_fmt_string(struct utap_sink *sink, const struct utap_conv *conv,
		     const char *s, int64_t width, int64_t precision)
{
	int limit = field_limit(sink);
	int w = field_value(conv->width, width, limit);
	int p = field_value(conv->precision, precision, limit);

	if (!s)
		s = "<NULL>";
	fmt_bytes(sink, 's', conv->flags, (const unsigned char *)s,
		  strnlen(s, p < 0 ? UTAP_FMT_FIELD_MAX : (size_t)p), w);
	sink_end(sink);
}

/**
 * utap_fmt_memory_size() - how many bytes a %m or %M conversion shows
 * @c: the handler's context, for the error
 * @conv: the conversion
 * @precision: the precision when @conv->precision is UTAP_FMT_STAR
 *
 * %m and %M show the bytes at an address the script gives; the caller
 * reads them (user memory for '#', as stap's %#m, else whatever its
 * memory access allows) and passes them to utap_fmt_memory(). This says
 * how many: the precision when it is more than 0, else 1. As stap, more
 * than UTAP_FMT_MEMORY_MAX raises the script error "N is too many bytes
 * for a memory dump"; the generated code checks every %m/%M of a printf
 * before writing any of it, as stap does. utap_fmt_memory() shows fewer
 * bytes when the sink has less room (stap reads only those).
 *
 * Return: the byte count, 1 to UTAP_FMT_MEMORY_MAX, or -1 after raising
 * the error.
 */
int64_t utap_fmt_memory_size(struct utap_context *c,
			     const struct utap_conv *conv, int64_t precision)
{
	int64_t n;

	if (conv->precision == UTAP_FMT_STAR)
		n = precision;
	else
		n = conv->precision;
	if (n > UTAP_FMT_MEMORY_MAX) {
		utap_error(c, "%lld is too many bytes for a memory dump",
			   (long long)n);
		return -1;
	}
	if (conv->precision == UTAP_FMT_STAR)
		n = (int32_t)(uint32_t)(uint64_t)n;	/* stap: clamp_t(int, ...) */
	return n > 0 ? n : 1;
}

/**
 * utap_fmt_memory() - write one %m or %M conversion of bytes already read
 * @sink: where to
 * @conv: the conversion, 'm' (raw bytes) or 'M' (hex pairs)
 * @bytes: the bytes, as utap_fmt_memory_size() counted them
 * @n: how many
 * @width: the width when @conv->width is UTAP_FMT_STAR, else ignored
 *
 * Shows at most as many bytes as the sink has room for, the terminator's
 * byte included (stap clamps the precision so). The width counts output
 * characters: two per byte for %M.
 */
void utap_fmt_memory(struct utap_sink *sink, const struct utap_conv *conv,
		     const void *bytes, size_t n, int64_t width)
{
	int limit = field_limit(sink);
	int w = field_value(conv->width, width, limit);

	fmt_bytes(sink, conv->conversion == 'M' ? 'M' : 'm', conv->flags,
		  bytes, min_t(size_t, n, (size_t)limit), w);
	sink_end(sink);
}

/**
 * utap_print_long() - write a long as print() and sprint() do
 * @sink: where to
 * @value: the value
 *
 * In decimal, as "%d": print(5) writes "5", print(-1) "-1".
 */
void utap_print_long(struct utap_sink *sink, int64_t value)
{
	fmt_number(sink, (uint64_t)value, 10, true, false, 0, -1, -1);
	sink_end(sink);
}

/**
 * utap_print_string() - write a string as print() and sprint() do
 * @sink: where to
 * @s: the string, written up to its terminator (at most
 *     UTAP_FMT_FIELD_MAX bytes)
 */
void utap_print_string(struct utap_sink *sink, const char *s)
{
	sink_put(sink, s, strnlen(s, UTAP_FMT_FIELD_MAX));
	sink_end(sink);
}

/**
 * utap_println_long() - write a long and a newline, as println() does
 * @sink: where to
 * @value: the value
 */
void utap_println_long(struct utap_sink *sink, int64_t value)
{
	utap_print_long(sink, value);
	utap_fmt_literal(sink, "\n", 1);
}

/**
 * utap_println_string() - write a string and a newline, as println() does
 * @sink: where to
 * @s: the string
 */
void utap_println_string(struct utap_sink *sink, const char *s)
{
	utap_print_string(sink, s);
	utap_fmt_literal(sink, "\n", 1);
}
