// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 3: lifecycle events from the scheduler's process tracepoints, and
 * quiesce through task_work. See utrace.h.
 */
#include <linux/atomic.h>
#include <linux/binfmts.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/wait.h>

#include "utrace.h"

/* How often detaching says what it still waits for. */
#define UTAP_QUIESCE_WAIT_REPORT (10 * HZ)

/*
 * @ops is set before the tracepoints are attached and read by their probes
 * only; @pending counts quiesce works queued and not yet finished, and
 * detaching waits on @idle for it to reach 0 (task_work_cancel() is not
 * exported, so a queued work cannot be taken back: it must run).
 */
static struct {
	const struct utap_utrace_ops *ops;
	struct tracepoint *fork, *exec, *exit, *sys_enter, *sys_exit;
	bool fork_on, exec_on, exit_on, sys_enter_on, sys_exit_on;
	atomic_t pending;
	wait_queue_head_t idle;
} utrace = {
	.pending = ATOMIC_INIT(0),
	.idle = __WAIT_QUEUE_HEAD_INITIALIZER(utrace.idle),
};

/* The probes' prototypes are the tracepoints' (include/trace/events/sched.h). */
static void fork_event(void *data, struct task_struct *parent, struct task_struct *child)
{
	utrace.ops->clone(parent, child, child->tgid == parent->tgid);
}

static void exec_event(void *data, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	utrace.ops->exec(task, old_pid);
}

static void exit_event(void *data, struct task_struct *task)
{
	utrace.ops->exit(task);
}

static void sys_enter_event(void *data, struct pt_regs *regs, long id)
{
	utrace.ops->syscall_entry(regs, id);
}

static void sys_exit_event(void *data, struct pt_regs *regs, long ret)
{
	utrace.ops->syscall_exit(regs, ret);
}

static void find_tracepoint(struct tracepoint *tp, void *unused)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		utrace.fork = tp;
	else if (!strcmp(tp->name, "sched_process_exec"))
		utrace.exec = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		utrace.exit = tp;
	else if (!strcmp(tp->name, "sys_enter"))
		utrace.sys_enter = tp;
	else if (!strcmp(tp->name, "sys_exit"))
		utrace.sys_exit = tp;
}

/* Attaches @probe to @tp when @wanted; *@on says whether it was. */
static int attach_one(struct tracepoint *tp, const char *name, void *probe, bool wanted, bool *on)
{
	int ret;

	if (!wanted)
		return 0;
	if (!tp) {
		pr_err("utap: the kernel has no tracepoint %s\n", name);
		return -ENOENT;
	}
	ret = tracepoint_probe_register(tp, probe, NULL);
	if (ret)
		pr_err("utap: cannot attach to the tracepoint %s (%d)\n", name, ret);
	*on = !ret;
	return ret;
}

/**
 * utap_utrace_attach() - start hearing lifecycle events
 * @ops: the client's callbacks, alive until utap_utrace_detach() returns
 *
 * Context: process, may sleep. Return: 0, or a negative errno with nothing
 * attached.
 */
int utap_utrace_attach(const struct utap_utrace_ops *ops)
{
	int ret;

	utrace.ops = ops;
	for_each_kernel_tracepoint(find_tracepoint, NULL);
	ret = attach_one(utrace.fork, "sched_process_fork", fork_event, ops->clone, &utrace.fork_on);
	if (!ret)
		ret = attach_one(utrace.exec, "sched_process_exec", exec_event, ops->exec, &utrace.exec_on);
	if (!ret)
		ret = attach_one(utrace.exit, "sched_process_exit", exit_event, ops->exit, &utrace.exit_on);
	if (!ret)
		ret = attach_one(utrace.sys_enter, "sys_enter", sys_enter_event, ops->syscall_entry,
				 &utrace.sys_enter_on);
	if (!ret)
		ret = attach_one(utrace.sys_exit, "sys_exit", sys_exit_event, ops->syscall_exit, &utrace.sys_exit_on);
	if (ret)
		utap_utrace_detach();
	return ret;
}

/**
 * utap_utrace_detach() - stop hearing events and wait for queued quiesces
 *
 * After it returns no callback of the client runs, now or later. A task
 * that never returns to user space (stopped by SIGSTOP, say) delays it: it
 * says so every ten seconds.
 *
 * Context: process, may sleep.
 */
void utap_utrace_detach(void)
{
	bool any = utrace.fork_on || utrace.exec_on || utrace.exit_on || utrace.sys_enter_on || utrace.sys_exit_on;

	if (utrace.fork_on)
		tracepoint_probe_unregister(utrace.fork, fork_event, NULL);
	if (utrace.exec_on)
		tracepoint_probe_unregister(utrace.exec, exec_event, NULL);
	if (utrace.exit_on)
		tracepoint_probe_unregister(utrace.exit, exit_event, NULL);
	if (utrace.sys_enter_on)
		tracepoint_probe_unregister(utrace.sys_enter, sys_enter_event, NULL);
	if (utrace.sys_exit_on)
		tracepoint_probe_unregister(utrace.sys_exit, sys_exit_event, NULL);
	utrace.fork_on = utrace.exec_on = utrace.exit_on = utrace.sys_enter_on = utrace.sys_exit_on = false;
	if (any)
		tracepoint_synchronize_unregister();
	while (!wait_event_timeout(utrace.idle, !atomic_read(&utrace.pending), UTAP_QUIESCE_WAIT_REPORT))
		pr_warn("utap: waiting for %d task(s) to run queued work (a stopped task holds the unload until it continues)\n",
			atomic_read(&utrace.pending));
}

static void quiesce_run(struct callback_head *work)
{
	struct utap_quiesce *q = container_of(work, struct utap_quiesce, work);

	q->fn(q);
	/* The last thing this module's code does for the work. */
	if (atomic_dec_and_test(&utrace.pending))
		wake_up(&utrace.idle);
}

/**
 * utap_utrace_quiesce() - have @task run @q->fn in its own context
 * @task: a user task (not a kernel thread or an io_uring worker, which never
 *	return to user space)
 * @q: filled by the caller but for @q->work; the caller's until @q->fn runs
 * @interrupt: wake @task from an interruptible sleep to run it (its system
 *	call restarts, as after a signal it ignores); otherwise it runs at the
 *	task's next return to user space, whenever that is
 *
 * Context: any. Return: 0, or -ESRCH when @task is exiting (@q->fn will not
 * run), -EINVAL for a task that cannot run it.
 */
int utap_utrace_quiesce(struct task_struct *task, struct utap_quiesce *q, bool interrupt)
{
	int ret;

	if (task->flags & (PF_KTHREAD | PF_IO_WORKER))
		return -EINVAL;
	init_task_work(&q->work, quiesce_run);
	atomic_inc(&utrace.pending);
	ret = task_work_add(task, &q->work, interrupt ? TWA_SIGNAL : TWA_RESUME);
	if (ret && atomic_dec_and_test(&utrace.pending))
		wake_up(&utrace.idle);
	return ret;
}
