/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layer 3, the utrace-style engine: process and thread lifecycle callbacks
 * made of what the kernel exports, as the seeds describe utrace's clone,
 * exec, exit and quiesce events (utrace itself never reached the kernel).
 *
 * Events come from the sched_process_fork, sched_process_exec,
 * sched_process_exit, sys_enter and sys_exit tracepoints (the last two only
 * for a client that wants system calls), found by name (for_each_kernel_tracepoint)
 * and attached with tracepoint_probe_register(); quiesce is task_work_add():
 * a function run by a given task, in its own context, when it next returns
 * to user space (or as it exits). Nothing else in the runtime touches the
 * tracepoints or task_work.
 *
 * Order at load: utap_utrace_attach(); at the end utap_utrace_detach(),
 * after which no callback runs and no quiesce work is queued.
 */
#ifndef UTAP_UTRACE_H
#define UTAP_UTRACE_H

#include <linux/sched.h>
#include <linux/task_work.h>

/**
 * struct utap_utrace_ops - what a client hears; any member may be NULL
 * @clone: @parent made @child, a thread of its process when @thread. Runs
 *	in @parent, before @child first runs; atomic context.
 * @exec: @task has just exec'd (its new program mapped, not yet run); it
 *	was thread @old_pid (a thread other than the leader that execs takes
 *	the leader's pid). Runs in @task; atomic context.
 * @exit: @task is exiting, its memory already released. Runs in @task;
 *	atomic context.
 * @syscall_entry: the current task enters system call @id; @regs are its
 *	user registers. Every task of the system comes here while attached
 *	(the kernel's slow system-call path): keep it short. Atomic context.
 * @syscall_exit: the current task leaves a system call with @ret; as
 *	@syscall_entry.
 */
struct utap_utrace_ops {
	void (*clone)(struct task_struct *parent, struct task_struct *child, bool thread);
	void (*exec)(struct task_struct *task, pid_t old_pid);
	void (*exit)(struct task_struct *task);
	void (*syscall_entry)(struct pt_regs *regs, long id);
	void (*syscall_exit)(struct pt_regs *regs, long ret);
};

int utap_utrace_attach(const struct utap_utrace_ops *ops);
void utap_utrace_detach(void);

/**
 * struct utap_quiesce - a function for a task to run in its own context
 * @work: the kernel's task_work
 * @fn: runs in the task, preemptible, at its next return to user space, or
 *	in its exit when it exits first (then with no user memory); owns @q
 *	from then on
 */
struct utap_quiesce {
	struct callback_head work;
	void (*fn)(struct utap_quiesce *q);
};

int utap_utrace_quiesce(struct task_struct *task, struct utap_quiesce *q, bool interrupt);

#endif /* UTAP_UTRACE_H */
