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
 * The escape of one byte into @out (at most 4 bytes): 0x07-0x0d as
 * \a \b \t \n \v \f \r, '"' and '\' after a backslash, the other bytes
 * below 0x20 and 0x7f as a backslash and three octal digits, every other
 * byte as itself (so UTF-8 stays readable).
 */
static size_t escape_byte(unsigned char ch, char *out)
{
	static const char controls[] = "abtnvfr";	/* 0x07 ... 0x0d */

	out[0] = '\\';
	if (ch >= 0x07 && ch <= 0x0d) {
		out[1] = controls[ch - 0x07];
		return 2;
	}
	if (ch == '"' || ch == '\\') {
		out[1] = (char)ch;
		return 2;
	}
	if (ch < 0x20 || ch == 0x7f) {
		out[1] = (char)('0' + (ch >> 6));
		out[2] = (char)('0' + ((ch >> 3) & 7));
		out[3] = (char)('0' + (ch & 7));
		return 4;
	}
	out[0] = (char)ch;
	return 1;
}

/*
 * Escape whole bytes of @src into @dst + @out while they fit within @cap
 * bytes of output; returns the new output length, and in *@used how many
 * bytes of @src went in.
 */
static size_t escape_run(char *dst, size_t out, size_t cap, const char *src,
			 size_t srclen, size_t *used)
{
	char esc[4];
	size_t i, n;

	for (i = 0; i < srclen; i++) {
		n = escape_byte((unsigned char)src[i], esc);
		if (out + n > cap)
			break;
		memcpy(dst + out, esc, n);
		out += n;
	}
	*used = i;
	return out;
}

/* The length of @src escaped, counted no further than @stop. */
static size_t escaped_len(const char *src, size_t srclen, size_t stop)
{
	char esc[4];
	size_t i, len = 0;

	for (i = 0; i < srclen && len <= stop; i++)
		len += escape_byte((unsigned char)src[i], esc);
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
 * Each byte becomes: 0x07-0x0d \a \b \t \n \v \f \r; '"' \"; '\' \\; the
 * other bytes below 0x20, and 0x7f, a backslash and three octal digits
 * (\000, \033, \177); every other byte (0x20-0x7e, 0x80-0xff) itself. An
 * escape is never split: the output stops before one that does not fit.
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
