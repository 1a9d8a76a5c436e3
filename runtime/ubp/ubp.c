// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 1: breakpoints on inode uprobes (ubp.h). Exported symbols only:
 * kern_path, igrab/iput and the uprobe_* API.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/uaccess.h>

#include "ubp.h"

/**
 * utap_ubp_file_open() - find and hold the file at @path
 * @f: where to keep it
 * @path: absolute; symbolic links are followed
 *
 * The inode, not the path, is what uprobes key on: a file replaced after
 * this keeps its old inode here, and processes started from the new file
 * are not probed (utap_ubp_file_replaced() tells, for the report).
 *
 * Context: process, may sleep; in the loader's view of the file system.
 * Return: 0, or -errno (-EINVAL for something that is not a regular file).
 */
int utap_ubp_file_open(struct utap_ubp_file *f, const char *path)
{
	int err = kern_path(path, LOOKUP_FOLLOW, &f->path);

	if (err) {
		f->path.dentry = NULL;
		return err;
	}
	if (!d_inode(f->path.dentry) || !S_ISREG(d_inode(f->path.dentry)->i_mode)) {
		path_put(&f->path);
		f->path.dentry = NULL;
		return -EINVAL;
	}
	return 0;
}

void utap_ubp_file_close(struct utap_ubp_file *f)
{
	if (f->path.dentry)
		path_put(&f->path);
	f->path.dentry = NULL;
}

struct inode *utap_ubp_file_inode(const struct utap_ubp_file *f)
{
	return f->path.dentry ? d_inode(f->path.dentry) : NULL;
}

/**
 * utap_ubp_file_runs_in() - whether @mm's executable is the file @f
 * @f: a held file
 * @mm: a process's memory, or NULL (then false)
 *
 * Context: any; @mm must stay alive meanwhile (current's, or under task_lock()).
 */
bool utap_ubp_file_runs_in(const struct utap_ubp_file *f, struct mm_struct *mm)
{
	struct file *file;
	bool runs;

	if (!mm)
		return false;
	rcu_read_lock();
	file = rcu_dereference(mm->exe_file);
	runs = file && file_inode(file) == utap_ubp_file_inode(f);
	rcu_read_unlock();
	return runs;
}

/* Whether the name it was found by no longer names it (renamed over, removed). */
bool utap_ubp_file_replaced(const struct utap_ubp_file *f)
{
	return f->path.dentry && d_unhashed(f->path.dentry);
}

/**
 * utap_ubp_arm() - place the breakpoint
 * @bp: with @consumer, @inode, @offset and @ref_ctr_offset filled in
 *
 * From here on, @bp->consumer's handlers run in every process that maps
 * the file and passes the filter, on every thread.
 *
 * Context: process, may sleep.
 * Return: 0, or the kernel's errno (-EINVAL for an offset past the end of
 * the file or for a semaphore another probe there counts elsewhere).
 */
int utap_ubp_arm(struct utap_ubp *bp)
{
	int ret = utap_uprobe_register(&bp->handle, bp->inode, bp->offset, bp->ref_ctr_offset, &bp->consumer);

	bp->armed = ret == 0;
	return ret;
}

/**
 * utap_ubp_disarm() - remove the breakpoint, without waiting
 * @bp: armed or not
 *
 * Handlers may still be running until utap_ubp_disarm_wait().
 * Context: process, may sleep.
 */
void utap_ubp_disarm(struct utap_ubp *bp)
{
	if (!bp->armed)
		return;
	utap_uprobe_unregister_nosync(&bp->handle, bp->inode, bp->offset, &bp->consumer);
	bp->armed = false;
}

/**
 * utap_ubp_disarm_wait() - wait until no handler of a disarmed breakpoint runs
 *
 * Once for any number of utap_ubp_disarm() calls.
 * Context: process, may sleep.
 */
void utap_ubp_disarm_wait(void)
{
	utap_uprobe_unregister_sync();
}

/* The start of the current process's [uprobes] page: the return trampoline; 0 when it has none. */
static unsigned long trampoline(void)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long start = 0;

	if (!mm)
		return 0;
	mmap_read_lock(mm);
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			const char *name = vma->vm_ops && vma->vm_ops->name ? vma->vm_ops->name(vma) : NULL;

			if (name && !strcmp(name, "[uprobes]")) {
				start = vma->vm_start;
				break;
			}
		}
	}
	mmap_read_unlock(mm);
	return start;
}

/* Writes @value into the return-address slot at @slot if it holds @expected. */
static void swap_return_address(unsigned long slot, unsigned long expected, unsigned long value)
{
	unsigned long __user *p = (unsigned long __user *)slot;
	unsigned long now;

	if (get_user(now, p) || now != expected)
		return;
	(void)put_user(value, p);
}

/**
 * utap_ubp_unhijack_returns() - put back the return addresses of the current thread
 *
 * For the unwinder of an exception about to run: every pending return's
 * slot gets its original address, newest first, so that a slot shared by a
 * chain (a tail call) ends with the caller's. The kernel's own list is left
 * alone: frames the exception unwinds are dropped by the kernel at the next
 * return that passes them, as after longjmp.
 * Context: the thread itself, may fault.
 */
void utap_ubp_unhijack_returns(void)
{
	unsigned long t = trampoline();
	struct return_instance *ri;

	if (!t)
		return;
	for (ri = utap_return_instances(); ri; ri = ri->next)
		if (ri->orig_ret_vaddr != t)
			swap_return_address(ri->stack, t, ri->orig_ret_vaddr);
}

/**
 * utap_ubp_rehijack_returns() - the trampoline back for the frames above @sp
 * @sp: the stack pointer where the exception was caught
 *
 * The frames above @sp survived the exception and must still return
 * through the trampoline for their return probes to fire.
 * Context: the thread itself, may fault.
 */
void utap_ubp_rehijack_returns(unsigned long sp)
{
	unsigned long t = trampoline();
	struct return_instance *ri;

	if (!t)
		return;
	for (ri = utap_return_instances(); ri; ri = ri->next)
		if (ri->stack > sp && ri->orig_ret_vaddr != t)
			swap_return_address(ri->stack, ri->orig_ret_vaddr, t);
}

unsigned long utap_ubp_original_return(unsigned long slot, unsigned long value)
{
	struct return_instance *ri;

	for (ri = utap_return_instances(); ri; ri = ri->next)
		if (ri->stack == slot)
			return ri->orig_ret_vaddr;
	return value;
}
