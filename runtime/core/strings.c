// SPDX-License-Identifier: GPL-2.0
/*
 * Script strings: copy, concatenation and comparison bounded by
 * MAXSTRINGLEN, a long's decimal text, and escaping for display.
 */
#include "utap/strings.h"
#include "utap/format.h"

/**
 * utap_string_copy() - assign a string (stap's "=")
 * @dst: a MAXSTRINGLEN buffer
 * @src: a NUL-terminated string; may be @dst or overlap it
 *
 * Copies at most MAXSTRINGLEN - 1 bytes of @src and terminates @dst.
 *
 * Return: the length of @dst.
 */
size_t utap_string_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, MAXSTRINGLEN - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
	return n;
}

/**
 * utap_string_concat() - append a string (stap's "." and ".=")
 * @dst: a MAXSTRINGLEN buffer holding a string
 * @src: a NUL-terminated string; may be @dst or overlap it
 *
 * Appends as many bytes of @src as fit in MAXSTRINGLEN - 1 bytes, as
 * strlcat() does, and terminates @dst. A @dst with no terminator in its
 * first MAXSTRINGLEN - 1 bytes is taken as full.
 *
 * Return: the length of @dst.
 */
size_t utap_string_concat(char *dst, const char *src)
{
	size_t have = strnlen(dst, MAXSTRINGLEN - 1);
	size_t n = strnlen(src, MAXSTRINGLEN - 1 - have);

	memmove(dst + have, src, n);
	dst[have + n] = '\0';
	return have + n;
}

/**
 * utap_string_compare() - compare two strings (stap's < <= > >= == !=)
 * @a: a NUL-terminated string
 * @b: another
 *
 * Compares bytes as unsigned values over at most MAXSTRINGLEN bytes, as
 * stap's strncmp(a, b, MAXSTRINGLEN).
 *
 * Return: -1, 0 or 1 as @a sorts before, equal to or after @b.
 */
int utap_string_compare(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < MAXSTRINGLEN; i++) {
		unsigned char x = (unsigned char)a[i];
		unsigned char y = (unsigned char)b[i];

		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			break;
	}
	return 0;
}

/**
 * utap_string_from_long() - a long's text, as sprint() makes it
 * @dst: a MAXSTRINGLEN buffer
 * @value: the value
 *
 * Writes @value in decimal ("-5", "9223372036854775807").
 *
 * Return: the length of @dst.
 */
size_t utap_string_from_long(char *dst, int64_t value)
{
	struct utap_sink sink;

	utap_sink_init(&sink, dst, MAXSTRINGLEN);
	utap_print_long(&sink, value);
	return sink.len;
}

/* ---- escaping ---------------------------------------------------------- */

/*
 * The UTF-8 character at @src (2 to 4 bytes, continuation bytes checked, as
 * stap decodes it) as \uXXXX or, above U+FFFF, \UXXXXXXXX into @out (10
 * bytes); returns the escape's length and in *@n the bytes it took, or 0
 * when @src does not start such a character.
 */
static size_t escape_utf8(const unsigned char *src, size_t srclen, char *out, size_t *n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len, i, digits;
	uint32_t c;

	if ((src[0] & 0xe0) == 0xc0) {
		len = 2;
		c = src[0] & 0x1f;
	} else if ((src[0] & 0xf0) == 0xe0) {
		len = 3;
		c = src[0] & 0x0f;
	} else if ((src[0] & 0xf8) == 0xf0) {
		len = 4;
		c = src[0] & 0x07;
	} else {
		return 0;
	}
	if (len > srclen)
		return 0;
	for (i = 1; i < len; i++) {
		if ((src[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (src[i] & 0x3f);
	}
	*n = len;
	digits = c <= 0xffff ? 4 : 8;
	out[0] = '\\';
	out[1] = digits == 4 ? 'u' : 'U';
	for (i = 0; i < digits; i++)
		out[2 + i] = hex[(c >> (4 * (digits - 1 - i))) & 0xf];
	return 2 + digits;
}

/* The escape of the character at @src into @out (10 bytes); its length,
 * and in *@n how many bytes of @src it took. */
static size_t escape_char(const char *src, size_t srclen, char *out, size_t *n)
{
	size_t k = escape_utf8((const unsigned char *)src, srclen, out, n);

	if (k)
		return k;
	*n = 1;
	return utap_escape_byte((unsigned char)src[0], '"', out);
}

/*
 * Escape whole characters of @src into @dst + @out while they fit within
 * @cap bytes of output; returns the new output length, and in *@used how
 * many bytes of @src went in.
 */
static size_t escape_run(char *dst, size_t out, size_t cap, const char *src,
			 size_t srclen, size_t *used)
{
	char esc[10];
	size_t i = 0, n, took;

	while (i < srclen) {
		n = escape_char(src + i, srclen - i, esc, &took);
		if (out + n > cap)
			break;
		memcpy(dst + out, esc, n);
		out += n;
		i += took;
	}
	*used = i;
	return out;
}

/* The length of @src escaped, counted no further than @stop. */
static size_t escaped_len(const char *src, size_t srclen, size_t stop)
{
	char esc[10];
	size_t i = 0, len = 0, took;

	while (i < srclen && len <= stop) {
		len += escape_char(src + i, srclen - i, esc, &took);
		i += took;
	}
	return len;
}

/**
 * utap_text_escape() - escape bytes for display
 * @dst: the output buffer
 * @dstlen: its size; at most @dstlen - 1 bytes and a NUL are written
 *          (nothing when it is 0)
 * @src: the bytes to escape, NUL bytes included; must not overlap @dst
 * @srclen: how many
 * @quoted: put the result in double quotes, with "..." after the closing
 *          quote when it is not all of the input
 * @truncated: the caller had more input than @src, so a quoted result
 *             gets "..." even when all of @src fits
 *
 * Each byte becomes: 0x07-0x0d \a \b \t \n \v \f \r; '"' \"; '\' \\; a
 * UTF-8 character (a lead byte and its continuation bytes) \uXXXX, or
 * \UXXXXXXXX above U+FFFF, in upper-case hex; the other bytes below 0x20
 * and from 0x7f up a backslash and three octal digits (\000, \033, \177,
 * \377); the bytes 0x20-0x7e themselves. These are stap's escapes
 * (_stp_text_str). An escape is never split: the output stops before one
 * that does not fit.
 *
 * Unquoted, the output is as many whole escapes as fit, with nothing to
 * mark a cut. Quoted, it is '"', the escapes, '"', and "..." when not all
 * of @src fits or @truncated is set; with the dots the whole still fits in
 * @dstlen - 1 bytes. When that is less than 5 and the quoted string does
 * not fit whole, the output is the first @dstlen - 1 bytes of '""...'
 * (stap never writes less than those 5 bytes; utap never overflows).
 *
 * Return: the length written, without the NUL.
 */
size_t utap_text_escape(char *dst, size_t dstlen, const char *src,
			size_t srclen, int quoted, int truncated)
{
	static const char dots[] = "\"\"...";
	size_t cap, out, used;

	if (!dstlen)
		return 0;
	cap = dstlen - 1;
	if (!quoted) {
		out = escape_run(dst, 0, cap, src, srclen, &used);
		goto done;
	}
	if (!truncated && cap >= 2 && escaped_len(src, srclen, cap) <= cap - 2) {
		dst[0] = '"';
		out = escape_run(dst, 1, cap - 1, src, srclen, &used);
		dst[out++] = '"';
		goto done;
	}
	if (cap < 5) {
		out = cap;
		memcpy(dst, dots, out);
		goto done;
	}
	dst[0] = '"';
	out = escape_run(dst, 1, cap - 4, src, srclen, &used);
	memcpy(dst + out, dots + 1, 4);
	out += 4;
done:
	dst[out] = '\0';
	return out;
}
