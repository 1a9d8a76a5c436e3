/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layer 1, breakpoint placement: one breakpoint at (inode, offset) through
 * the kernel's inode uprobes, which place it in every process that maps the
 * file, now and later, and run the displaced instruction out of line (or
 * emulate it), so every thread hits it and none is stopped to single-step
 * in place. The kernel-version differences of the API are in
 * utap/compat.h; nothing above this layer sees them.
 *
 * Lifetimes: utap_ubp_file_open() holds a file (its path, so its dentry and
 * inode; looked up once, at load, in the loader's file system view) until
 * utap_ubp_file_close(); a breakpoint uses the inode from utap_ubp_arm() to
 * its disarming, so the file is closed after that.
 * Disarming is two steps so that many breakpoints wait once:
 * utap_ubp_disarm() on each, then one utap_ubp_disarm_wait(); only after
 * it can no handler of theirs be running, and their memory be freed.
 */
#ifndef UTAP_UBP_H
#define UTAP_UBP_H

#define UTAP_COMPAT_UPROBES
#include "utap/compat.h"

/**
 * struct utap_ubp - one breakpoint
 * @consumer: what the kernel calls; the caller fills in handler,
 *	ret_handler and filter before utap_ubp_arm(), and finds its own
 *	structure from it with container_of()
 * @inode: the file, held by the caller
 * @offset: of the instruction in the file
 * @ref_ctr_offset: a USDT semaphore's offset in the file (the kernel counts
 *	the probes on it there, so the program sees it enabled), or 0
 * @handle: what the kernel returned, for disarming
 * @armed: between a successful utap_ubp_arm() and utap_ubp_disarm()
 */
struct utap_ubp {
	struct uprobe_consumer consumer;
	struct inode *inode;
	loff_t offset;
	loff_t ref_ctr_offset;
	struct utap_uprobe_handle handle;
	bool armed;
};

/**
 * struct utap_ubp_file - a probed file, held
 * @path: where it was found; @path.dentry is NULL when it was not
 */
struct utap_ubp_file {
	struct path path;
};

int utap_ubp_file_open(struct utap_ubp_file *f, const char *path);
void utap_ubp_file_close(struct utap_ubp_file *f);
struct inode *utap_ubp_file_inode(const struct utap_ubp_file *f);
bool utap_ubp_file_replaced(const struct utap_ubp_file *f);
struct mm_struct;
bool utap_ubp_file_runs_in(const struct utap_ubp_file *f, struct mm_struct *mm);
int utap_ubp_arm(struct utap_ubp *bp);
void utap_ubp_disarm(struct utap_ubp *bp);
void utap_ubp_disarm_wait(void);

/*
 * Return addresses the kernel replaced. A uretprobe makes the probed
 * function return to the kernel's trampoline, in the process's [uprobes]
 * page, by writing its address over the return address on the stack; an
 * unwinder (a C++ exception) that meets it finds no unwind information and
 * ends the program. utap_ubp_unhijack_returns() puts the original addresses
 * back for the thread's pending returns, utap_ubp_rehijack_returns() puts
 * the trampoline back for those whose frame is still live after the catch.
 */
void utap_ubp_unhijack_returns(void);
void utap_ubp_rehijack_returns(unsigned long sp);
/*
 * For the stack unwinder (runtime/unwind): the original return address of
 * the current thread's pending return whose slot is @slot, or @value when
 * there is none. Call it only for a @value in no file (the trampoline), so
 * that a stale entry (a frame longjmp left) never replaces a live address.
 * Context: the thread itself; takes no lock, never sleeps.
 */
unsigned long utap_ubp_original_return(unsigned long slot, unsigned long value);

#endif /* UTAP_UBP_H */
