/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running recipes (utap/uprobes.h): the interpreter is plain C over two
 * hooks, a register and a user-memory read, so user-space tests run the
 * same code the module does (tests/runtime/recipe_test.cpp).
 */
#ifndef UTAP_RECIPE_H
#define UTAP_RECIPE_H

#include "utap/base.h"
#include "utap/uprobes.h"

/* The deepest stack a recipe may use; pass 3 refuses deeper ones. */
#define UTAP_RECIPE_STACK 16

/**
 * struct utap_recipe_result - what went wrong in a recipe, if anything
 * @status: 0; -EFAULT (@fault could not be read or written); -ENOENT (a
 *	register the hit has not); -EDOM (a division by zero); -EINVAL (a
 *	malformed recipe: a pass 3 bug)
 * @fault: the address of an -EFAULT
 */
struct utap_recipe_result {
	int status;
	uint64_t fault;
};

/*
 * The hooks, defined by the environment (core/targets.c in the kernel).
 * utap_recipe_read() reads @len bytes at @addr of the probed process and
 * returns 0 or -EFAULT.
 */
int utap_recipe_register(struct utap_context *c, unsigned int reg, uint64_t *value);
/* Not a DWARF register: the system call number (orig_ax on x86-64). */
#define UTAP_REG_SYSCALL_NUMBER 255
int utap_recipe_read(struct utap_context *c, void *dst, uint64_t addr, size_t len);

/* Runs @ops; the value is the one left on the stack. */
int64_t utap_recipe_run(struct utap_context *c, const struct utap_recipe_op *ops, unsigned int nops,
			const int64_t *inputs, struct utap_recipe_result *r);

/*
 * The place a recipe's value comes from, for assigning to it: the last
 * step is a read (memory at *@addr, @size bytes) or the recipe is a
 * register, maybe narrowed (*@reg). Return: 1 memory, 2 register, 0 none
 * (r->status tells a failure from a recipe with no place).
 */
int utap_recipe_place(struct utap_context *c, const struct utap_recipe_op *ops, unsigned int nops,
		      const int64_t *inputs, uint64_t *addr, unsigned int *size, unsigned int *reg,
		      struct utap_recipe_result *r);

/* The bits of the double equal to the IEEE single in @bits (exact). */
uint64_t utap_fp32_to_fp64(uint32_t bits);

/*
 * Formats a pretty-printed value ($$parms, $x$) into @out (MAXSTRINGLEN).
 * A part that faults prints "?" when it may; otherwise the fault is @r's.
 */
void utap_pretty_format(struct utap_context *c, const struct utap_pretty_part *parts, unsigned int nparts,
			const int64_t *inputs, char *out, struct utap_recipe_result *r);

#endif /* UTAP_RECIPE_H */
