/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Script strings: char[MAXSTRINGLEN] buffers, always NUL-terminated,
 * holding at most MAXSTRINGLEN - 1 bytes.
 *
 * Truncation is by bytes, as stap's strlcpy()/strlcat(): a result cut at
 * MAXSTRINGLEN - 1 bytes may end inside a UTF-8 sequence. stap does the
 * same, and scripts rely on strlen() and substr() counting bytes, so utap
 * does not back off to a character boundary.
 *
 * Escaping for display (text_str(), string_quoted(), the _quoted readers)
 * is utap_text_escape(), whose contract is in tapsets/README.md; printf's
 * "%#c" has its own, stap's, escapes (utap/format.h).
 */
#ifndef UTAP_STRINGS_H
#define UTAP_STRINGS_H

#include "utap/base.h"

size_t utap_string_copy(char *dst, const char *src);
size_t utap_string_concat(char *dst, const char *src);
int utap_string_compare(const char *a, const char *b);
size_t utap_string_from_long(char *dst, int64_t value);
size_t utap_text_escape(char *dst, size_t dstlen, const char *src,
			size_t srclen, int quoted, int truncated);

#endif /* UTAP_STRINGS_H */
