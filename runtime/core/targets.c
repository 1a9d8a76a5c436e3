// SPDX-License-Identifier: GPL-2.0
/*
 * Target variables at process probes (utap/uprobes.h): the recipes of the
 * point that fired, run over the probed thread's registers and memory.
 *
 * Which reads may fault pages in (runtime/README.md): a handler runs in the
 * probed task, so a read may sleep to bring in a page the program has not
 * touched yet (a string in .rodata, a fresh heap page) whenever the handler
 * may sleep: it is preemptible, holds no lock and has interrupts on. That
 * is always so where the generated handler reads its target values, before
 * it takes the global locks. Under the locks (interrupts off) reads are
 * _nofault: a page that is not there is a fault, reported as the script's
 * error, never an oops.
 */
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/ptrace.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "utap/recipe.h"
#include "utap/tapset_support.h"

/* The general registers by DWARF number (x86-64 psABI), as offsets in pt_regs. */
static const unsigned short register_offsets[] = {
	offsetof(struct pt_regs, ax),  offsetof(struct pt_regs, dx),  offsetof(struct pt_regs, cx),
	offsetof(struct pt_regs, bx),  offsetof(struct pt_regs, si),  offsetof(struct pt_regs, di),
	offsetof(struct pt_regs, bp),  offsetof(struct pt_regs, sp),  offsetof(struct pt_regs, r8),
	offsetof(struct pt_regs, r9),  offsetof(struct pt_regs, r10), offsetof(struct pt_regs, r11),
	offsetof(struct pt_regs, r12), offsetof(struct pt_regs, r13), offsetof(struct pt_regs, r14),
	offsetof(struct pt_regs, r15), offsetof(struct pt_regs, ip),
};

#define XMM_FIRST 17
#define XMM_COUNT 16

/*
 * The low 64 bits of the probed thread's %xmmN. They are in the CPU unless
 * the kernel used the FPU since the trap (it then saved them and set
 * TIF_NEED_FPU_LOAD); fpregs_lock() keeps that from changing while we look.
 */
static uint64_t user_xmm(unsigned int n)
{
	uint64_t v = 0;

	fpregs_lock();
	if (test_thread_flag(TIF_NEED_FPU_LOAD)) {
		memcpy(&v, &current->thread.fpu.fpstate->regs.fxsave.xmm_space[n * 4], sizeof(v));
	} else {
		switch (n) {
#define XMM(i) case i: asm volatile("movq %%xmm" #i ", %0" : "=r"(v)); break
		XMM(0); XMM(1); XMM(2); XMM(3); XMM(4); XMM(5); XMM(6); XMM(7);
		XMM(8); XMM(9); XMM(10); XMM(11); XMM(12); XMM(13); XMM(14); XMM(15);
#undef XMM
		}
	}
	fpregs_unlock();
	return v;
}

int utap_recipe_register(struct utap_context *c, unsigned int reg, uint64_t *value)
{
	if (!c->uregs || current->flags & PF_KTHREAD)
		return -ENOENT;
	if (reg < ARRAY_SIZE(register_offsets)) {
		*value = *(const unsigned long *)((const char *)c->uregs + register_offsets[reg]);
		return 0;
	}
	if (reg >= XMM_FIRST && reg < XMM_FIRST + XMM_COUNT) {
		*value = user_xmm(reg - XMM_FIRST);
		return 0;
	}
	if (reg == UTAP_REG_SYSCALL_NUMBER) {
		*value = c->uregs->orig_ax;
		return 0;
	}
	return -ENOENT;
}

int utap_recipe_read(struct utap_context *c, void *dst, uint64_t addr, size_t len)
{
	return utap_user_read(dst, addr, len) ? -EFAULT : 0;
}

/* Raises @r's failure in @c (the caller adds where: "near identifier '$p' ..."). */
static void raise_failure(struct utap_context *c, const struct utap_recipe_result *r)
{
	switch (r->status) {
	case 0:
		return;
	case -EFAULT:
		utap_error(c, "read fault at 0x%llx", (unsigned long long)r->fault);
		return;
	case -ENOENT:
		utap_error(c, "no registers of a user thread here");
		return;
	case -EDOM:
		utap_error(c, "division by 0 in the variable's DWARF location");
		return;
	default:
		utap_error(c, "internal error: a malformed recipe (a utap bug)");
	}
}

static void fetched(struct utap_fetched *f, int64_t value, const struct utap_recipe_result *r)
{
	f->value = r->status ? 0 : value;
	f->status = r->status;
	f->fault = r->fault;
}

void utap_target_fetch(struct utap_context *c, const struct utap_target *t, struct utap_fetched *f)
{
	struct utap_recipe_result r = { 0 };
	int64_t v = 0;

	if (t)
		v = utap_recipe_run(c, t->ops, t->nops, NULL, &r);
	else
		r.status = -ENOENT;
	fetched(f, v, &r);
}

void utap_target_fetch_string(struct utap_context *c, const struct utap_target *t, struct utap_fetched *f,
			      char *buf)
{
	struct utap_recipe_result r = { 0 };

	buf[0] = '\0';
	if (t)
		utap_pretty_format(c, t->parts, t->nparts, NULL, buf, &r);
	else
		r.status = -ENOENT;
	if (r.status)
		buf[0] = '\0';
	fetched(f, 0, &r);
}

bool utap_fetched_check(struct utap_context *c, const struct utap_fetched *f)
{
	struct utap_recipe_result r = { f->status, f->fault };

	raise_failure(c, &r);
	return !f->status;
}

int64_t utap_target_long(struct utap_context *c, const struct utap_target *t, const int64_t *inputs)
{
	struct utap_recipe_result r = { t ? 0 : -ENOENT };
	int64_t v = t ? utap_recipe_run(c, t->ops, t->nops, inputs, &r) : 0;

	raise_failure(c, &r);
	return r.status ? 0 : v;
}

void utap_target_string(struct utap_context *c, const struct utap_target *t, const int64_t *inputs, char *out)
{
	struct utap_recipe_result r = { t ? 0 : -ENOENT };

	out[0] = '\0';
	if (t)
		utap_pretty_format(c, t->parts, t->nparts, inputs, out, &r);
	if (r.status)
		out[0] = '\0';
	raise_failure(c, &r);
}

/* Writes @len bytes to the probed process, faulting only where that is allowed. */
static int user_write(uint64_t addr, const void *src, size_t len)
{
	void __user *to = (void __user *)(uintptr_t)addr;

	if (!current->mm || current->flags & PF_KTHREAD)
		return -EFAULT;
	if (preemptible())
		return copy_to_user(to, src, len) ? -EFAULT : 0;
	return copy_to_user_nofault(to, src, len) ? -EFAULT : 0;
}

void utap_target_assign(struct utap_context *c, const struct utap_target *t, const int64_t *inputs, int64_t value)
{
	struct utap_recipe_result r = { 0 };
	uint64_t addr = 0;
	unsigned int size = 0, reg = 0;
	int place = t && t->ops ? utap_recipe_place(c, t->ops, t->nops, inputs, &addr, &size, &reg, &r) : 0;

	if (place == 1) {
		if (user_write(addr, &value, size)) {
			utap_error(c, "write fault at 0x%llx", (unsigned long long)addr);
			return;
		}
	} else if (place == 2 && c->uregs && reg < ARRAY_SIZE(register_offsets)) {
		*(unsigned long *)((char *)c->uregs + register_offsets[reg]) = (unsigned long)value;
	} else if (r.status) {
		raise_failure(c, &r);
	} else {
		utap_error(c, "this target variable cannot be assigned: it is neither in memory nor in a general register");
	}
}

void utap_user_prefault(struct utap_context *c, const struct utap_fetched *f, bool string, size_t len)
{
	char *scratch = utap_context_scratch(c);
	const void __user *from = (const void __user *)(uintptr_t)f->value;

	if (f->status || !current->mm || current->flags & PF_KTHREAD || !preemptible())
		return;
	/* The bytes are read again by the tapset function that wants them. */
	if (string)
		(void)!strncpy_from_user(scratch, from, MAXSTRINGLEN);
	else if (len)
		(void)!copy_from_user(scratch, from, min_t(size_t, len, MAXSTRINGLEN));
}
