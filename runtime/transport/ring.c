// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU output rings (see utap/ring.h for the producer/consumer rules).
 *
 * A record never waits for space: when it does not fit whole it is dropped
 * and its bytes are counted, and the loader reports the count at exit. Output
 * is never lost silently.
 */
#include "utap/ring.h"

#ifdef UTAP_USERSPACE_TEST
#define utap_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define utap_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define utap_read_once(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define utap_write_once(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
#include <asm/barrier.h>
#define utap_load_acquire(p) smp_load_acquire(p)
#define utap_store_release(p, v) smp_store_release((p), (v))
#define utap_read_once(x) READ_ONCE(x)
#define utap_write_once(x, v) WRITE_ONCE((x), (v))
#endif

/**
 * utap_ring_init() - allocate a ring
 * @r: the ring
 * @size: bytes; a power of two, at least 64
 *
 * Return: 0, -EINVAL for a bad size, or -ENOMEM.
 */
int utap_ring_init(struct utap_ring *r, utap_u64 size)
{
	memset(r, 0, sizeof(*r));
	if (size < 64 || (size & (size - 1)))
		return -EINVAL;
	r->data = utap_alloc(size);
	if (!r->data)
		return -ENOMEM;
	r->size = size;
	return 0;
}

/**
 * utap_ring_free() - free a ring's memory (no producer or consumer may be active)
 * @r: the ring
 */
void utap_ring_free(struct utap_ring *r)
{
	utap_free(r->data);
	r->data = NULL;
}

/* Copies @len bytes to ring offset @pos, wrapping at the end. */
static void copy_in(struct utap_ring *r, utap_u64 pos, const void *from, utap_u64 len)
{
	utap_u64 at = pos & (r->size - 1);
	utap_u64 first = min_t(utap_u64, len, r->size - at);

	memcpy(r->data + at, from, first);
	memcpy(r->data, (const char *)from + first, len - first);
}

static void copy_out(const struct utap_ring *r, utap_u64 pos, void *to, utap_u64 len)
{
	utap_u64 at = pos & (r->size - 1);
	utap_u64 first = min_t(utap_u64, len, r->size - at);

	memcpy(to, r->data + at, first);
	memcpy((char *)to + first, r->data, len - first);
}

/**
 * utap_ring_put() - commit one record, whole or not at all
 * @r: this CPU's ring
 * @seq: the record's global sequence number
 * @kind: an enum utap_record_kind
 * @payload: @len bytes
 * @len: payload length
 *
 * Context: the ring's only producer: the caller keeps interrupts off on
 * this CPU for the duration (utap_output_commit does).
 * Return: true when the record was written; false when it did not fit, in
 * which case @r->dropped and @r->dropped_records count it.
 */
bool utap_ring_put(struct utap_ring *r, utap_u64 seq, utap_u32 kind, const void *payload, utap_u32 len)
{
	struct utap_record_header h = { .seq = seq, .len = len, .kind = kind };
	utap_u64 need = UTAP_RECORD_SPACE(len);
	utap_u64 head = r->head;
	utap_u64 tail = utap_load_acquire(&r->tail);

	if (need > r->size - (head - tail)) {
		utap_write_once(r->dropped, r->dropped + len);
		utap_write_once(r->dropped_records, r->dropped_records + 1);
		return false;
	}
	copy_in(r, head, &h, sizeof(h));
	copy_in(r, head + sizeof(h), payload, len);
	/* Publish: the consumer sees the bytes before it sees the new head. */
	utap_store_release(&r->head, head + need);
	return true;
}

/**
 * utap_ring_get() - take whole records out of a ring
 * @r: the ring
 * @buf: where to copy them, headers included (the loader parses them)
 * @size: room in @buf
 *
 * Copies as many whole records as fit, each as header + payload padded to
 * UTAP_RECORD_ALIGN, and frees their space.
 *
 * Context: the ring's only consumer.
 * Return: bytes copied (0 when the ring is empty or the next record does
 * not fit in @size).
 */
utap_u64 utap_ring_get(struct utap_ring *r, void *buf, utap_u64 size)
{
	utap_u64 tail = r->tail;
	utap_u64 head = utap_load_acquire(&r->head);
	utap_u64 copied = 0;

	while (tail != head) {
		struct utap_record_header h;
		utap_u64 space;

		copy_out(r, tail, &h, sizeof(h));
		space = UTAP_RECORD_SPACE(h.len);
		if (copied + space > size)
			break;
		copy_out(r, tail, (char *)buf + copied, space);
		copied += space;
		tail += space;
	}
	/* Release: the producer may reuse the space only after our copies. */
	utap_store_release(&r->tail, tail);
	return copied;
}
