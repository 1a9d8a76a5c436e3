// SPDX-License-Identifier: GPL-2.0
/*
 * The control file, /proc/MODULE_NAME: the loader reads whole records
 * from the per-CPU rings through it, and writes "stop" to end the session.
 * A reader that closes it before the session is done has gone away (killed
 * with SIGKILL, say): the session stops, and the next utaprun removes the
 * module (its stp_pid no longer runs).
 *
 * Locking: each ring has one producer (handlers committing on its CPU, with
 * interrupts off) and one consumer (read(), serialized by read_mutex). The
 * sequence counter is atomic. done/summary are set once, before the reader
 * is woken, and read under read_mutex.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "utap/ring.h"
#include "utap/session.h"
#include "utap/transport.h"

static struct {
	struct utap_ring *rings; /* one per possible CPU */
	unsigned int nrings;
	atomic64_t seq;
	struct proc_dir_entry *file;
	wait_queue_head_t readable;
	struct mutex read_mutex; /* one reader at a time: the rings' consumer */
	bool done;
	bool summary_sent;
	struct utap_summary summary;
	char *bounce; /* read() copies records here, then to user space */
} transport;

#define UTAP_BOUNCE_SIZE (64 * 1024)

bool utap_transport_commit(utap_u32 kind, const void *payload, utap_u32 len)
{
	unsigned long flags;
	bool written;

	/* Interrupts off: this CPU's ring has one producer at a time. */
	local_irq_save(flags);
	written = utap_ring_put(&transport.rings[raw_smp_processor_id()], atomic64_inc_return(&transport.seq),
				kind, payload, len);
	local_irq_restore(flags);
	wake_up_interruptible(&transport.readable);
	return written;
}

void utap_transport_done(const struct utap_summary *summary)
{
	unsigned int i;

	mutex_lock(&transport.read_mutex);
	transport.summary = *summary;
	for (i = 0; i < transport.nrings; i++) {
		transport.summary.dropped_bytes += READ_ONCE(transport.rings[i].dropped);
		transport.summary.dropped_records += READ_ONCE(transport.rings[i].dropped_records);
	}
	transport.done = true;
	mutex_unlock(&transport.read_mutex);
	wake_up_interruptible(&transport.readable);
}

static bool rings_empty(void)
{
	unsigned int i;

	for (i = 0; i < transport.nrings; i++)
		if (smp_load_acquire(&transport.rings[i].head) != READ_ONCE(transport.rings[i].tail))
			return false;
	return true;
}

/* The summary as the last record, once. Caller holds read_mutex. */
static size_t take_summary(char *buf, size_t size)
{
	struct utap_record_header h = { .seq = atomic64_inc_return(&transport.seq),
					.len = sizeof(struct utap_summary),
					.kind = UTAP_RECORD_SUMMARY };
	size_t space = UTAP_RECORD_SPACE(sizeof(struct utap_summary));

	if (transport.summary_sent || size < space)
		return 0;
	memset(buf, 0, space);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &transport.summary, sizeof(transport.summary));
	transport.summary_sent = true;
	return space;
}

static ssize_t control_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	size_t size = min_t(size_t, count, UTAP_BOUNCE_SIZE), copied = 0;
	ssize_t ret;
	unsigned int i;

	for (;;) {
		bool done;

		ret = mutex_lock_interruptible(&transport.read_mutex);
		if (ret)
			return ret;
		for (i = 0; i < transport.nrings && copied < size; i++)
			copied += utap_ring_get(&transport.rings[i], transport.bounce + copied, size - copied);
		/* done is read before the rings: anything committed before it is seen. */
		done = READ_ONCE(transport.done);
		if (!copied && done && rings_empty())
			copied = take_summary(transport.bounce, size);
		if (copied || (done && transport.summary_sent))
			break;
		mutex_unlock(&transport.read_mutex);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(transport.readable, READ_ONCE(transport.done) || !rings_empty());
		if (ret)
			return ret;
	}
	ret = copied;
	if (copied && copy_to_user(ubuf, transport.bounce, copied))
		ret = -EFAULT;
	mutex_unlock(&transport.read_mutex);
	return ret;
}

static ssize_t control_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char command[8] = {};

	if (copy_from_user(command, ubuf, min_t(size_t, count, sizeof(command) - 1)))
		return -EFAULT;
	if (strncmp(command, "stop", 4) != 0)
		return -EINVAL;
	utap_request_exit();
	return count;
}

static int control_release(struct inode *inode, struct file *file)
{
	if ((file->f_mode & FMODE_READ) && !READ_ONCE(transport.done)) {
		pr_warn("%s: the reader of the output went away before the end; the probes stop\n", THIS_MODULE->name);
		utap_request_exit();
	}
	return 0;
}

static __poll_t control_poll(struct file *file, struct poll_table_struct *wait)
{
	poll_wait(file, &transport.readable, wait);
	if (!rings_empty() || READ_ONCE(transport.done))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static const struct proc_ops control_ops = {
	.proc_read = control_read,
	.proc_write = control_write,
	.proc_poll = control_poll,
	.proc_lseek = noop_llseek,
	.proc_release = control_release,
};

/**
 * utap_transport_init() - the rings and the control file
 *
 * Context: module load, may sleep.
 * Return: 0 or a negative errno (everything undone).
 */
int utap_transport_init(void)
{
	unsigned int i;
	int ret = -ENOMEM;

	init_waitqueue_head(&transport.readable);
	mutex_init(&transport.read_mutex);
	atomic64_set(&transport.seq, 0);
	transport.nrings = nr_cpu_ids;
	transport.rings = kcalloc(transport.nrings, sizeof(*transport.rings), GFP_KERNEL);
	transport.bounce = kvmalloc(UTAP_BOUNCE_SIZE, GFP_KERNEL);
	if (!transport.rings || !transport.bounce)
		goto fail;
	for (i = 0; i < transport.nrings; i++) {
		ret = utap_ring_init(&transport.rings[i], UTAP_RING_SIZE);
		if (ret)
			goto fail;
	}
	transport.file = proc_create(THIS_MODULE->name, 0600, NULL, &control_ops);
	if (!transport.file) {
		ret = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	utap_transport_free();
	return ret;
}

/**
 * utap_transport_free() - remove the control file and free the rings
 *
 * Context: module unload; no handler may run any more.
 */
void utap_transport_free(void)
{
	unsigned int i;

	if (transport.file)
		proc_remove(transport.file);
	transport.file = NULL;
	for (i = 0; transport.rings && i < transport.nrings; i++)
		utap_ring_free(&transport.rings[i]);
	kfree(transport.rings);
	transport.rings = NULL;
	kvfree(transport.bounce);
	transport.bounce = NULL;
}

void utap_transport_printf(utap_u32 kind, const char *fmt, ...)
{
	char line[512];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	utap_transport_commit(kind, line, min_t(int, len, sizeof(line) - 1));
}
