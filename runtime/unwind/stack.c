// SPDX-License-Identifier: GPL-2.0
/*
 * The user-stack unwinder: a loop over at most MAXBACKTRACE frames that
 * executes pass 3's rows (CFA = rsp|rbp + offset, maybe dereferenced; the
 * return address and rbp saved at CFA + offset) and falls back on the
 * frame-pointer chain where a file has no row for the address. Each step
 * reads two or three words of the stack; a frame it cannot unwind ends
 * the stack, and the reason is kept for the printed forms.
 */
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "utap/format.h"
#include "utap/tapset_support.h"
#include "../ubp/ubp.h"
#include "place.h"

struct regs {
	uint64_t pc, sp, fp;
	bool fp_known;
};

static bool read_word(uint64_t addr, uint64_t *value)
{
	return utap_user_read(value, addr, sizeof(*value)) == 0;
}

/*
 * The return address kept at @slot: a pending .return probe's function
 * returns to the kernel's trampoline (in no file), whose original the
 * uprobes layer keeps.
 */
static bool read_return_address(uint64_t slot, uint64_t *ra)
{
	struct utap_place place;
	const char *why;

	if (!read_word(slot, ra))
		return false;
	if (utap_place_find(*ra, &place, NULL, 0, &why) && !place.mapped)
		*ra = utap_ubp_original_return(slot, *ra);
	return true;
}

#define STOP(...) do { snprintf(stack->stop, sizeof(stack->stop), __VA_ARGS__); return false; } while (0)

/* The caller's registers from @row; false when the stack ends (stop set or not). */
static bool step_cfi(const struct utap_unwind_row *row, struct regs *r, struct utap_ustack *stack, bool *outermost)
{
	uint64_t cfa, ra, base;

	switch (row->cfa) {
	case UTAP_CFA_SP:
	case UTAP_CFA_SP_DEREF:
		base = r->sp;
		break;
	case UTAP_CFA_FP:
	case UTAP_CFA_FP_DEREF:
		if (!r->fp_known)
			STOP("0x%llx: its frame is found from rbp, which is not known here", r->pc);
		base = r->fp;
		break;
	default:
		STOP("0x%llx: its frame address is a DWARF expression utap does not evaluate", r->pc);
	}
	cfa = base + (int64_t)row->cfa_offset;
	if ((row->cfa == UTAP_CFA_SP_DEREF || row->cfa == UTAP_CFA_FP_DEREF) && !read_word(cfa, &cfa))
		STOP("0x%llx: cannot read its frame address at 0x%llx", r->pc, cfa);
	switch (row->ra) {
	case UTAP_REG_UNDEFINED:
		*outermost = true; /* _start, a thread's start: the end, not a failure */
		return false;
	case UTAP_REG_AT_CFA:
		if (!read_return_address(cfa + row->ra_offset, &ra))
			STOP("0x%llx: cannot read its return address at 0x%llx", r->pc, cfa + row->ra_offset);
		break;
	case UTAP_REG_VAL_CFA:
		ra = cfa + row->ra_offset;
		break;
	default:
		STOP("0x%llx: its return address is kept where utap does not look", r->pc);
	}
	switch (row->fp) {
	case UTAP_REG_SAME:
		break;
	case UTAP_REG_AT_CFA:
		r->fp_known = read_word(cfa + row->fp_offset, &r->fp);
		break;
	case UTAP_REG_VAL_CFA:
		r->fp = cfa + row->fp_offset;
		break;
	default:
		r->fp_known = false;
		break;
	}
	r->sp = cfa;
	r->pc = ra;
	return true;
}

/* How far above the stack pointer a frame pointer may be (a frame's size). */
#define FRAME_POINTER_REACH (1UL << 20)

/*
 * The frame-pointer chain, where no table covers the frame: [rbp] is the
 * caller's rbp, [rbp + 8] the return address. Code built without frame
 * pointers keeps anything in rbp, so the step is taken only when rbp
 * points just above the stack pointer and the return address it gives is
 * in executable code of a file; otherwise the stack ends, saying why.
 */
static bool step_fp(struct regs *r, const struct utap_place *place, struct utap_ustack *stack)
{
	struct utap_place caller;
	const char *why;
	uint64_t frame[2];

	if (!place->mapped)
		STOP("0x%llx: no file is mapped there", r->pc);
	if (!r->fp_known || r->fp < r->sp || r->fp - r->sp > FRAME_POINTER_REACH || (r->fp & 7) ||
	    !read_word(r->fp, &frame[0]) || !read_return_address(r->fp + 8, &frame[1]) ||
	    !utap_place_find(frame[1] - 1, &caller, NULL, 0, &why) || !caller.exec)
		STOP("0x%llx: %s, and no frame pointer", r->pc,
		     place->file ? "no unwind information covers it"
				 : "no unwind table for its file (-d FILE or --ldd adds one)");
	r->sp = r->fp + 16;
	r->fp = frame[0];
	r->pc = frame[1];
	return true;
}

/* The frames from @r on, appended to @stack (empty, its stop unset). */
static void unwind_from(struct regs r, struct utap_ustack *stack)
{
	struct utap_place place;
	const struct utap_unwind_row *row;
	const char *why;
	uint64_t sp;
	bool outermost = false, more;

	while (stack->n < MAXBACKTRACE) {
		stack->pc[stack->n++] = r.pc;
		if (stack->n == MAXBACKTRACE)
			break;
		/* A return address is just after its call: look the call up. */
		if (!utap_place_find(stack->n > 1 ? r.pc - 1 : r.pc, &place, NULL, 0, &why)) {
			snprintf(stack->stop, sizeof(stack->stop), "0x%llx: %s", r.pc, why);
			break;
		}
		sp = r.sp;
		row = place.file ? utap_row_find(place.file, place.offset) : NULL;
		if (row && row->cfa != UTAP_CFA_NONE)
			more = step_cfi(row, &r, stack, &outermost);
		else
			more = step_fp(&r, &place, stack);
		if (!more || r.pc == 0)
			break;
		if (r.sp <= sp) {
			snprintf(stack->stop, sizeof(stack->stop), "0x%llx: the caller's frame is not above it", r.pc);
			break;
		}
	}
}

/*
 * The registers to unwind from: @start's, else the probe's. False in a
 * probe without user registers, even with @start (as stap's overloads).
 */
static bool start_regs(struct utap_context *c, const struct utap_uframe *start, struct regs *r)
{
	struct pt_regs *uregs = utap_context_uregs(c);

	if (!uregs || !current->mm)
		return false;
	r->pc = start ? start->pc : instruction_pointer(uregs);
	r->sp = start ? start->sp : user_stack_pointer(uregs);
	r->fp = start ? start->fp : uregs->bp;
	r->fp_known = true;
	return true;
}

static bool unwind(struct utap_context *c, const struct utap_uframe *start, struct utap_ustack *stack)
{
	struct regs r;

	stack->n = 0;
	stack->stop[0] = '\0';
	if (!start_regs(c, start, &r))
		return false;
	unwind_from(r, stack);
	return true;
}

bool utap_ustack_unwind(struct utap_context *c, struct utap_ustack *stack)
{
	return unwind(c, NULL, stack);
}

static size_t stop_marker(const struct utap_ustack *stack, char *dst, size_t size)
{
	int n = snprintf(dst, size, " <backtrace ends: %s>\n", stack->stop);

	return n < 0 ? 0 : min_t(size_t, n, size - 1);
}

/* A frame's line: the fuller form's two paths and a symbol fit. */
#define FRAME_LINE_SIZE 640

void utap_ustack_print_from(struct utap_context *c, const struct utap_uframe *start, enum utap_sym_form form)
{
	struct utap_ustack stack;
	char line[FRAME_LINE_SIZE];
	unsigned int i;

	if (!unwind(c, start, &stack)) {
		/* a begin, end or timer probe: stap's words */
		if (form != UTAP_SYM_HEX) {
			snprintf(line, sizeof(line), "<no user backtrace at %s>\n", utap_context_pp(c));
			utap_print_string(c->output, line);
		}
		return;
	}
	for (i = 0; i < stack.n; i++) {
		utap_usym_format(line, sizeof(line), stack.pc[i], form);
		utap_print_string(c->output, line);
	}
	if (stack.stop[0] && form != UTAP_SYM_HEX) {
		stop_marker(&stack, line, sizeof(line));
		utap_print_string(c->output, line);
	}
}

void utap_ustack_print(struct utap_context *c, enum utap_sym_form form)
{
	utap_ustack_print_from(c, NULL, form);
}

size_t utap_ustack_sprint(struct utap_context *c, char *dst, size_t size, enum utap_sym_form form)
{
	struct utap_ustack stack;
	char line[320];
	size_t used = 0, n;
	unsigned int i;

	dst[0] = '\0';
	if (!utap_ustack_unwind(c, &stack)) {
		if (form == UTAP_SYM_HEX)
			return 0;
		n = snprintf(dst, size, "<no user backtrace at %s>\n", utap_context_pp(c));
		return min_t(size_t, n, size - 1);
	}
	for (i = 0; i <= stack.n; i++) {
		if (i < stack.n)
			n = utap_usym_format(line, sizeof(line), stack.pc[i], form);
		else if (stack.stop[0] && form != UTAP_SYM_HEX)
			n = stop_marker(&stack, line, sizeof(line));
		else
			break;
		if (used + n + 1 > size) /* whole frames only */
			break;
		memcpy(dst + used, line, n + 1);
		used += n;
	}
	return used;
}
