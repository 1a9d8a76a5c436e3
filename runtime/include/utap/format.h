/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printf formatting, one conversion at a time, with SystemTap's results.
 *
 * Pass 3 parses each format at compile time (compiler/sema/print_format.h)
 * and emits one call per piece: utap_fmt_literal() for text, and for each
 * conversion a struct utap_conv plus utap_fmt_long(), utap_fmt_string() or
 * utap_fmt_memory(). The calls write into a struct utap_sink, which never
 * overflows and counts what it could not hold. Nothing here calls the
 * environment's printf, so a module and the user-space tests produce the
 * same bytes.
 *
 * Conversions (stap 4.8: its compiled printf and vsprintf.c):
 *
 * d i       signed decimal
 * u o x X   unsigned decimal, octal, hex (the value as 64 bits: %u of -1 is
 *           18446744073709551615)
 * p         %#x: "0x1234abcd"; 0 is "0x0". With UTAP_FLAG_LEGACY_POINTER
 *           (stap --compatible below 1.3), the default width is 18 and the
 *           digits fill it: "0x0000000000000001"; a larger width pads with
 *           spaces ("%20p": two, then 16 digits) and, with '-', with digits.
 * c         the value's low byte, raw (a 0 byte too); with '#', escaped:
 *           \a \b \f \n \r \t \v \' \\ for those bytes, \ooo for the other
 *           bytes below 0x20 and from 0x7f up, the rest as is ('"' too)
 * b         the value's raw bytes in native byte order: %b %8b 8 bytes,
 *           %1b %2b %4b 1, 2, 4 bytes (the width, or else the precision,
 *           says how many; any other width means 8); a width larger than
 *           that pads with 0 bytes ("%4.2b": two 0 bytes then the low 2
 *           bytes of the value; "%12b": four 0 bytes then 8 bytes)
 * s         the string; the precision is the most bytes shown
 * m M       bytes from memory, raw (m) or as lower-case hex pairs (M); the
 *           precision is the byte count, default 1
 *
 * Flags, width and precision follow stap, which differs from C here:
 *
 * - '0' pads numbers with zeros to the width even with a precision:
 *   "%08.3d" of 5 is "00000005" (C: "     005").
 * - A number always has a digit: "%.0d" of 0 is "0" (C: "").
 * - '#' always prefixes: "%#o" of 0 is "00", of 8 "010", "%#.3o" of 8
 *   "0010"; "%#x" of 0 is "0x0" (C: "0", "010", "010", "0").
 * - '#' changes nothing for d, i, u, s ("%#s" is "%s") and b; '+' and ' '
 *   only sign d and i.
 * - '0' pads only numbers: c, s, m and M pad with spaces, and on s, m and M
 *   it writes one 0 byte after the field ("%0s" NUL-terminates).
 * - A '*' width or precision is the value's low 32 bits as an int, then
 *   clamped to 0 or more: a negative '*' width is 0, not left-justifying,
 *   and a negative '*' precision is 0 ("%.*s" of -1 is "").
 * - A field is never wider, and a precision never larger, than the room
 *   left in the sink, the terminator's byte included (size - len; a sink
 *   that flushes: size), nor
 *   than UTAP_FMT_FIELD_MAX (stap clamps them to the room left in its
 *   buffer). So a cut output need not be a prefix of the uncut one:
 *   sprintf("%200d", 55) into MAXSTRINGLEN 128 shows 126 spaces and "5".
 * - %b values and %M hex pairs are written whole or not at all; what
 *   follows them may still fit.
 *
 * Where C defines the result and stap does not differ (everything else),
 * the output is C's, checked against glibc by tests/runtime/format_test.cpp.
 */
#ifndef UTAP_FORMAT_H
#define UTAP_FORMAT_H

#include "utap/base.h"

/* struct utap_conv.flags */
#define UTAP_FLAG_MINUS 0x01 /* '-': left-justify */
#define UTAP_FLAG_PLUS 0x02 /* '+': sign on non-negative d/i */
#define UTAP_FLAG_SPACE 0x04 /* ' ': space on non-negative d/i */
#define UTAP_FLAG_ZERO 0x08 /* '0': zero-pad numbers; NUL after s/m/M */
#define UTAP_FLAG_HASH 0x10 /* '#': 0 / 0x / 0X prefix, %#c escapes, %#m user memory */
/* %p as stap before 1.3 (--compatible=1.2): 16 digits, or the width's */
#define UTAP_FLAG_LEGACY_POINTER 0x20

/* struct utap_conv.width and .precision, besides values >= 0 */
#define UTAP_FMT_NONE (-1) /* not in the format */
#define UTAP_FMT_STAR (-2) /* '*': the explicit argument gives it */

/* The widest field, the largest precision: stap's STP_BUFFER_SIZE. */
#define UTAP_FMT_FIELD_MAX 8192
/* The most bytes one %m/%M may read: stap's PAGE_SIZE check, x86_64. */
#define UTAP_FMT_MEMORY_MAX 4096

/**
 * struct utap_conv - one conversion of a format, as pass 3 parsed it
 * @conversion: 'd' 'i' 'u' 'o' 'x' 'X' 'p' 'c' 'b' 's' 'm' or 'M'
 * @flags: UTAP_FLAG_* bits
 * @width: the width, UTAP_FMT_NONE or UTAP_FMT_STAR
 * @precision: the precision, UTAP_FMT_NONE or UTAP_FMT_STAR
 *
 * Generated code keeps these in static const tables.
 */
struct utap_conv {
	char conversion;
	unsigned char flags;
	int width;
	int precision;
};

/**
 * struct utap_sink - where formatted output goes
 * @buf: the buffer, @size bytes (may be NULL when @size is 0)
 * @size: its size, the terminating NUL included; 0 makes a counting sink
 * @len: bytes written so far; always < @size, and @buf[@len] is NUL
 * @wanted: bytes the calls asked to write: @len plus what did not fit
 * @flush: NULL, or what takes a full sink's @len bytes and empties it
 *
 * A sink with @size 0 writes nothing and only counts, with fields clamped
 * to UTAP_FMT_FIELD_MAX (stap's sizing pass for printf); @wanted then is
 * how many bytes the output needs. Otherwise @wanted > @len exactly when
 * something was cut. Output may contain 0 bytes (%c of 0, %b, %m, %0s), so
 * @len, not strlen(@buf), is its length.
 *
 * A probe's output sink has @flush (set after utap_sink_init()): what does
 * not fit is not cut; the sink is flushed and writing goes on, as stap
 * flushes its print buffer when it fills. Its fields are clamped to @size.
 */
struct utap_sink {
	char *buf;
	size_t size;
	size_t len;
	size_t wanted;
	void (*flush)(struct utap_sink *sink);
};

void utap_sink_init(struct utap_sink *sink, char *buf, size_t size);
void utap_fmt_literal(struct utap_sink *sink, const char *text, size_t len);
void utap_fmt_long(struct utap_sink *sink, const struct utap_conv *conv,
		   int64_t value, int64_t width, int64_t precision);
void utap_fmt_string(struct utap_sink *sink, const struct utap_conv *conv,
		     const char *s, int64_t width, int64_t precision);
int64_t utap_fmt_memory_size(struct utap_context *c,
			     const struct utap_conv *conv, int64_t precision);
void utap_fmt_memory(struct utap_sink *sink, const struct utap_conv *conv,
		     const void *bytes, size_t n, int64_t width);
void utap_print_long(struct utap_sink *sink, int64_t value);
void utap_print_string(struct utap_sink *sink, const char *s);
void utap_println_long(struct utap_sink *sink, int64_t value);
void utap_println_string(struct utap_sink *sink, const char *s);
size_t utap_escape_byte(unsigned char ch, char quote, char *out);

#endif /* UTAP_FORMAT_H */
