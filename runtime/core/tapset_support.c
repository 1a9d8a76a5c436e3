// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers the tapsets' embedded C uses (tapsets/README.md has the
 * contracts). Facts about the utap process come as module parameters the
 * loader sets at insertion.
 */
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>

#include "utap/format.h"
#include "utap/session.h"
#include "utap/tapset_support.h"
#include "utap/transport.h"
#include "utap/uprobes.h"

static long target_pid;
module_param(target_pid, long, 0444);
MODULE_PARM_DESC(target_pid, "the -x/-c process (0: none)");
static bool target_execs;
module_param(target_execs, bool, 0444);
MODULE_PARM_DESC(target_execs, "the target is -c's process, which has yet to exec the command");
static long stp_pid;
module_param(stp_pid, long, 0444);
MODULE_PARM_DESC(stp_pid, "the utap process");
static uint stp_uid;
module_param(stp_uid, uint, 0444);
MODULE_PARM_DESC(stp_uid, "the user who ran utap");
static long tz_gmtoff;
module_param(tz_gmtoff, long, 0444);
MODULE_PARM_DESC(tz_gmtoff, "local time zone: seconds west of UTC");
static char *tz_name = "UTC";
module_param(tz_name, charp, 0444);
MODULE_PARM_DESC(tz_name, "local time zone abbreviation");

const char *utap_context_pp(struct utap_context *c)
{
	/* A process probe's text is made from its row when asked: most handlers never ask. */
	if (!c->probe_point && c->uprobe) {
		utap_uprobe_point_text(c->uprobe, c->point_text, sizeof(c->point_text));
		c->probe_point = c->point_text;
	}
	return c->probe_point ? c->probe_point : "";
}

const char *utap_context_pn(struct utap_context *c)
{
	return c->probe_name ? c->probe_name : utap_context_pp(c);
}

const char *utap_context_probe_type(struct utap_context *c)
{
	return c->probe_type ? c->probe_type : "";
}

struct pt_regs *utap_context_uregs(struct utap_context *c)
{
	return c->uregs;
}

char *utap_context_scratch(struct utap_context *c)
{
	return c->scratch;
}

void utap_abort(struct utap_context *c)
{
	utap_request_exit();
	c->aborted = true;
	if (!c->error)
		c->error = "abort";
}

void utap_output_flush(struct utap_context *c)
{
	struct utap_sink *sink = c->output;

	if (!sink || !sink->len)
		return;
	utap_transport_commit(UTAP_RECORD_OUTPUT, sink->buf, sink->len);
	sink->len = 0;
	sink->wanted = 0;
	sink->buf[0] = '\0';
}

/* @msg, with a newline unless it has one, as one record of @kind after @prefix. */
static void commit_line(utap_u32 kind, const char *prefix, const char *msg)
{
	char line[MAXSTRINGLEN + 16];
	/* Room kept for the newline. */
	int n = scnprintf(line, sizeof(line) - 1, "%s%s", prefix, msg);

	if (!n || line[n - 1] != '\n')
		line[n++] = '\n';
	utap_transport_commit(kind, line, n);
}

void utap_output_log(struct utap_context *c, const char *msg)
{
	utap_output_flush(c);
	commit_line(UTAP_RECORD_OUTPUT, "", msg);
}

void utap_output_warn(struct utap_context *c, const char *msg)
{
	utap_output_flush(c);
	commit_line(UTAP_RECORD_WARNING, "WARNING: ", msg);
}

/*
 * The loader closes the -o file and opens the next (FILE.1, FILE.2, ...)
 * between the records before and after this one; without -o it ignores it.
 */
void utap_output_switch_file(struct utap_context *c)
{
	utap_output_flush(c);
	utap_transport_commit(UTAP_RECORD_SWITCH_FILE, "", 0);
}

void utap_output_system(struct utap_context *c, const char *cmd)
{
	/* What the handler printed before goes out first. */
	utap_output_flush(c);
	utap_transport_commit(UTAP_RECORD_SYSTEM, cmd, strlen(cmd));
}

bool utap_probe_point_function(const char *pp, const char *part, char *dst, size_t size)
{
	const char *name = strstr(pp, part), *end;
	size_t len;

	dst[0] = '\0';
	if (!name)
		return false;
	name += strlen(part);
	end = strpbrk(name, "@\"");
	if (!end || (*end == '"' && !strcmp(part, ".statement(\"")) || end == name)
		return false;
	len = min_t(size_t, end - name, size - 1);
	memcpy(dst, name, len);
	dst[len] = '\0';
	return true;
}

/* Only a handler running in a task (a uprobe, begin/end) has user memory. */
static bool has_user_memory(void)
{
	return in_task() && current->mm;
}

/*
 * Whether a read may sleep to fault a page in: in the probed task, with no
 * lock held and interrupts on (targets.c explains the rule).
 */
static bool may_fault(void)
{
	return preemptible() && !(current->flags & PF_KTHREAD);
}

long utap_user_read(void *dst, uint64_t uaddr, size_t len)
{
	const void __user *from = (const void __user *)(uintptr_t)uaddr;

	if (!len)
		return 0;
	if (!has_user_memory())
		return -EFAULT;
	if (may_fault())
		return copy_from_user(dst, from, len) ? -EFAULT : 0;
	return copy_from_user_nofault(dst, from, len) ? -EFAULT : 0;
}

/**
 * utap_user_write() - write to the current task's memory (set_user_*, -g)
 * @uaddr: where
 * @src: what
 * @len: how many bytes (0 writes nothing and succeeds)
 *
 * Faults pages in only where the handler may sleep, as utap_user_read().
 * Return: 0, or -EFAULT when any byte could not be written.
 */
long utap_user_write(uint64_t uaddr, const void *src, size_t len)
{
	void __user *to = (void __user *)(uintptr_t)uaddr;

	if (!len)
		return 0;
	if (!has_user_memory())
		return -EFAULT;
	if (may_fault())
		return copy_to_user(to, src, len) ? -EFAULT : 0;
	return copy_to_user_nofault(to, src, len) ? -EFAULT : 0;
}

long utap_user_string(char *dst, uint64_t uaddr, size_t len)
{
	size_t i;

	if (!len)
		return -EINVAL;
	dst[0] = '\0';
	if (!has_user_memory())
		return -EFAULT;
	if (may_fault()) {
		long n = strncpy_from_user(dst, (const char __user *)(uintptr_t)uaddr, len);

		if (n < 0) {
			dst[0] = '\0';
			return -EFAULT;
		}
		if ((size_t)n == len)
			n = len - 1;
		dst[n] = '\0';
		return n;
	}
	for (i = 0; i + 1 < len; i++) {
		char ch;

		if (copy_from_user_nofault(&ch, (const void __user *)(uintptr_t)(uaddr + i), 1))
			return -EFAULT;
		dst[i] = ch;
		if (!ch)
			return i;
	}
	dst[i] = '\0';
	return i;
}

/**
 * utap_memory_read() - read the bytes of a %m, %M, %#m or %#M conversion
 * @c: the handler's context, for the error
 * @dst: room for @len bytes
 * @addr: the address the script gave
 * @len: how many, as utap_fmt_memory_size() counted them
 * @user: user memory of the current task ('#'), else kernel memory
 *
 * Both reads are the _nofault kind: the handler may hold script locks. An
 * address that cannot be read is the script error "read fault at 0x...",
 * stap's words without its man page reference.
 *
 * Return: 0; on a fault the error is raised in @c.
 */
int64_t utap_memory_read(struct utap_context *c, void *dst, int64_t addr,
			 int64_t len, bool user)
{
	long rc;

	if (user)
		rc = utap_user_read(dst, (uint64_t)addr, (size_t)len);
	else
		rc = copy_from_kernel_nofault(dst, (const void *)(uintptr_t)addr,
					      (size_t)len);
	if (rc)
		utap_error(c, "read fault at 0x%llx", (unsigned long long)addr);
	return 0;
}

int utap_user_long_size(void)
{
#ifdef CONFIG_X86_64
	if (has_user_memory() && !user_64bit_mode(task_pt_regs(current)))
		return 4;
#endif
	return sizeof(long);
}

int64_t utap_target_pid(void)
{
	return target_pid;
}

bool utap_target_awaits_exec(void)
{
	return target_execs;
}

int64_t utap_stp_pid(void)
{
	return stp_pid;
}

kuid_t utap_stp_kuid(void)
{
	return make_kuid(&init_user_ns, stp_uid);
}

int64_t utap_tz_gmtoff(void)
{
	return tz_gmtoff;
}

const char *utap_tz_name(void)
{
	return tz_name ? tz_name : "UTC";
}
