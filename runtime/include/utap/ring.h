/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One CPU's output ring: a single producer (handlers committing on that CPU,
 * with interrupts off for the copy) and a single consumer (the reader of the
 * module's control file, serialized by the file's mutex). No lock: the
 * producer owns @head, the consumer owns @tail, and each publishes its index
 * with a release store that the other reads with an acquire load.
 */
#ifndef UTAP_RING_H
#define UTAP_RING_H

#include "utap/base.h"
#include "utap/control.h"

/**
 * struct utap_ring - a byte ring of whole records
 * @data: @size bytes; @size is a power of two
 * @head: bytes ever written (producer); a record is visible once @head passes it
 * @tail: bytes ever consumed (consumer)
 * @dropped: payload bytes of records that did not fit (producer; read by anyone)
 * @dropped_records: how many such records
 */
struct utap_ring {
	char *data;
	utap_u64 size;
	utap_u64 head;
	utap_u64 tail;
	utap_u64 dropped;
	utap_u64 dropped_records;
};

int utap_ring_init(struct utap_ring *r, utap_u64 size);
void utap_ring_free(struct utap_ring *r);

bool utap_ring_put(struct utap_ring *r, utap_u64 seq, utap_u32 kind, const void *payload, utap_u32 len);
utap_u64 utap_ring_get(struct utap_ring *r, void *buf, utap_u64 size);

#endif /* UTAP_RING_H */
