/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs's $value, for generated C (runtime/procfs): a read probe sets the
 * text its reader gets, a write probe reads the text written.
 */
#ifndef UTAP_PROCFS_H
#define UTAP_PROCFS_H

#include "utap/base.h"

/* A read probe's text without .maxsize(N), in bytes: stap's default. */
#ifndef STP_PROCFS_BUFSIZE
#define STP_PROCFS_BUFSIZE MAXSTRINGLEN
#endif

/**
 * struct utap_procfs_value - $value during one procfs probe hit
 * @text: NUL-terminated; a read probe's buffer, or the text written
 * @len: bytes in @text
 * @size: bytes @text can hold before its NUL (read probes)
 * @cut: bytes a read probe's '=' and '.=' could not keep
 */
struct utap_procfs_value {
	char *text;
	size_t len;
	size_t size;
	size_t cut;
};

/* $value in a write probe: what was written ("" elsewhere). */
const char *utap_procfs_value(struct utap_context *c);
/* $value = @s and $value .= @s in a read probe: what exceeds MAXSIZE is cut and counted. */
void utap_procfs_set(struct utap_context *c, const char *s);
void utap_procfs_append(struct utap_context *c, const char *s);

#endif /* UTAP_PROCFS_H */
