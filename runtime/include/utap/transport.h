/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layer 5, the module's side of the transport: per-CPU rings of records
 * (utap/ring.h) and the control file the loader reads them from,
 * /proc/MODULE_NAME (THIS_MODULE->name: runtime objects are compiled once for every module). Reading returns whole records (utap/control.h);
 * writing "stop" asks the session to end; after the session is done and the
 * rings are empty, one UTAP_RECORD_SUMMARY record and then end-of-file.
 */
#ifndef UTAP_TRANSPORT_H
#define UTAP_TRANSPORT_H

#include "utap/base.h"
#include "utap/control.h"

#ifndef UTAP_RING_SIZE
#define UTAP_RING_SIZE (256 * 1024) /* bytes per CPU; a power of two */
#endif

int utap_transport_init(void);
void utap_transport_free(void);

/* Commits one record from the running CPU; false when it was dropped (counted). */
bool utap_transport_commit(utap_u32 kind, const void *payload, utap_u32 len);
/* One formatted line (at most 511 bytes) as a record of @kind, such as an error of the load. */
__printf(2, 3) void utap_transport_printf(utap_u32 kind, const char *fmt, ...);

/* The session is over: readers get what is left, the summary, then EOF. */
void utap_transport_done(const struct utap_summary *summary);

#endif /* UTAP_TRANSPORT_H */
