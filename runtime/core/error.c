// SPDX-License-Identifier: GPL-2.0
/*
 * Script errors: the first error of a hit is kept in its context; the
 * generated handler unwinds and reports it.
 */
#include "utap/base.h"

void utap_error(struct utap_context *c, const char *fmt, ...)
{
	va_list args;

	if (c->error)
		return; /* the first error is the one reported */
	va_start(args, fmt);
	vsnprintf(c->error_buffer, sizeof(c->error_buffer), fmt, args);
	va_end(args);
	c->error = c->error_buffer;
}
