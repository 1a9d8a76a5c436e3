// SPDX-License-Identifier: GPL-2.0
/*
 * Entry records of .return handlers (entry_saves.h).
 */
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "entry_saves.h"

#define BUCKET_BITS 8

/**
 * struct entry_record - one saved entry
 * @node: in its thread's bucket, or in the free list
 * @task: the thread (compared, never dereferenced)
 * @task_start: @task's start_time: a task_struct reused by a new thread
 *	does not inherit the records
 * @pid: @task's PID, to find out whether it still runs
 * @site: the breakpoint (compared only)
 * @sp: the stack pointer at the entry: the frame
 * @ret: the return address at @sp at the entry
 * @data: what the handlers saved (store.data_size bytes)
 */
struct entry_record {
	struct hlist_node node;
	const struct task_struct *task;
	u64 task_start;
	pid_t pid;
	const void *site;
	unsigned long sp;
	unsigned long ret;
	u64 data[];
};

static struct {
	raw_spinlock_t lock; /* guards buckets, free and every record's @node */
	struct hlist_head buckets[1 << BUCKET_BITS];
	struct hlist_head free;
	void *memory;
	size_t data_size;
	size_t record_size;
	unsigned int count;
} store;

int utap_entry_saves_init(size_t data_size, unsigned int count)
{
	unsigned int i;

	raw_spin_lock_init(&store.lock);
	for (i = 0; i < ARRAY_SIZE(store.buckets); i++)
		INIT_HLIST_HEAD(&store.buckets[i]);
	INIT_HLIST_HEAD(&store.free);
	store.data_size = ALIGN(data_size, 8);
	store.record_size = sizeof(struct entry_record) + store.data_size;
	store.count = count;
	store.memory = kvcalloc(count, store.record_size, GFP_KERNEL);
	if (!store.memory)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		struct entry_record *rec = store.memory + i * store.record_size;

		hlist_add_head(&rec->node, &store.free);
	}
	return 0;
}

/* No handler may run any more. */
void utap_entry_saves_free(void)
{
	kvfree(store.memory);
	store.memory = NULL;
}

static struct hlist_head *bucket_of(const struct task_struct *task)
{
	return &store.buckets[hash_ptr(task, BUCKET_BITS)];
}

static bool record_is_current(const struct entry_record *rec)
{
	return rec->task == current && rec->task_start == current->start_time;
}

static bool task_is_gone(const struct entry_record *rec)
{
	struct task_struct *t;
	bool gone;

	rcu_read_lock();
	t = pid_task(find_vpid(rec->pid), PIDTYPE_PID);
	gone = t != rec->task || t->start_time != rec->task_start;
	rcu_read_unlock();
	return gone;
}

/* The store is full: take back the records of threads that have exited. Caller holds the lock. */
static void reclaim(void)
{
	struct entry_record *rec;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(store.buckets); i++)
		hlist_for_each_entry_safe(rec, tmp, &store.buckets[i], node)
			if (task_is_gone(rec)) {
				hlist_del(&rec->node);
				hlist_add_head(&rec->node, &store.free);
			}
}

/*
 * A new frame at @sp ends every older frame of this thread deeper in the
 * stack (left by longjmp or an exception), and one at the same place
 * entered from the same return address (an exception thrown out of it,
 * then a new call from the same site). A frame at the same place with
 * another return address is a tail call: its caller's frame returns with
 * it (the kernel chains their return instances), so it stays. Caller
 * holds the lock.
 */
static void drop_older_frames(unsigned long sp, unsigned long ret)
{
	struct entry_record *rec;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(rec, tmp, bucket_of(current), node)
		if (record_is_current(rec) && (rec->sp < sp || (rec->sp == sp && rec->ret == ret))) {
			hlist_del(&rec->node);
			hlist_add_head(&rec->node, &store.free);
		}
}

void *utap_entry_save_new(const void *site, unsigned long sp, unsigned long ret)
{
	struct entry_record *rec = NULL;
	unsigned long flags;

	if (!store.memory)
		return NULL;
	raw_spin_lock_irqsave(&store.lock, flags);
	drop_older_frames(sp, ret);
	if (hlist_empty(&store.free))
		reclaim();
	if (!hlist_empty(&store.free)) {
		rec = hlist_entry(store.free.first, struct entry_record, node);
		hlist_del(&rec->node);
		rec->task = current;
		rec->task_start = current->start_time;
		rec->pid = current->pid;
		rec->site = site;
		rec->sp = sp;
		rec->ret = ret;
		/* Newest first: the innermost frame of a thread is found first. */
		hlist_add_head(&rec->node, bucket_of(current));
	}
	raw_spin_unlock_irqrestore(&store.lock, flags);
	if (!rec)
		return NULL;
	memset(rec->data, 0, store.data_size);
	return rec->data;
}

void *utap_entry_save_take(const void *site, unsigned long sp)
{
	struct entry_record *rec, *found = NULL;
	struct hlist_node *tmp;
	unsigned long flags;

	if (!store.memory)
		return NULL;
	raw_spin_lock_irqsave(&store.lock, flags);
	hlist_for_each_entry_safe(rec, tmp, bucket_of(current), node) {
		if (!record_is_current(rec))
			continue;
		if (rec->sp == sp && rec->site == site && !found) {
			found = rec;
			hlist_del(&rec->node);
		} else if (rec->sp < sp) {
			/* A frame deeper than the one returning: left by longjmp or an exception. */
			hlist_del(&rec->node);
			hlist_add_head(&rec->node, &store.free);
		}
	}
	raw_spin_unlock_irqrestore(&store.lock, flags);
	return found ? found->data : NULL;
}

void utap_entry_save_put(void *data)
{
	struct entry_record *rec;
	unsigned long flags;

	if (!data)
		return;
	rec = (struct entry_record *)((char *)data - offsetof(struct entry_record, data));
	raw_spin_lock_irqsave(&store.lock, flags);
	hlist_add_head(&rec->node, &store.free);
	raw_spin_unlock_irqrestore(&store.lock, flags);
}
