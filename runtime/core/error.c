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
	c->error_message_len = strlen(c->error_buffer);
}

void utap_catch(struct utap_context *c, char *message)
{
	if (message) {
		size_t n = c->error ? c->error_message_len : 0;

		if (c->error && !c->error_located)
			n = strlen(c->error);
		n = min_t(size_t, n, MAXSTRINGLEN - 1);
		memcpy(message, c->error ? c->error : "", n);
		message[n] = '\0';
	}
	c->error = NULL;
	c->error_located = false;
	c->error_message_len = 0;
}

void utap_error_near(struct utap_context *c, const char *construct)
{
	size_t used;

	if (!c->error || c->error_located)
		return;
	c->error_located = true;
	if (c->error != c->error_buffer) {
		/* A constant message: copy it so it can be extended. */
		snprintf(c->error_buffer, sizeof(c->error_buffer), "%s", c->error);
		c->error = c->error_buffer;
		c->error_message_len = strlen(c->error_buffer);
	}
	used = strlen(c->error_buffer);
	snprintf(c->error_buffer + used, sizeof(c->error_buffer) - used, " near %s", construct);
}
