// SPDX-License-Identifier: GPL-2.0
/*
 * The recipe interpreter (utap/recipe.h): target variables as pass 2
 * compiled them from DWARF, run over a small stack of 64-bit values. A
 * recipe never loops, so its cost is its length.
 */
#include "utap/format.h"
#include "utap/recipe.h"
#include "utap/strings.h"

static uint64_t extend(uint64_t value, unsigned int size, bool is_signed)
{
	unsigned int bits = size * 8;
	uint64_t mask;

	if (size == 0 || size >= 8)
		return value;
	mask = ((uint64_t)1 << bits) - 1;
	value &= mask;
	if (is_signed && (value >> (bits - 1)))
		value |= ~mask;
	return value;
}

/**
 * utap_fp32_to_fp64() - widen an IEEE single to a double, in integers
 * @bits: the single's bits
 *
 * Kernel code does not touch the FPU, and every single is exactly a double.
 * Return: the double's bits.
 */
uint64_t utap_fp32_to_fp64(uint32_t bits)
{
	uint64_t sign = (uint64_t)(bits >> 31) << 63;
	uint32_t exponent = (bits >> 23) & 0xff;
	uint64_t mantissa = bits & 0x7fffff;

	if (exponent == 0xff) /* infinities and NaNs keep their payload */
		return sign | ((uint64_t)0x7ff << 52) | (mantissa << 29);
	if (exponent == 0) {
		int shift = 0;

		if (!mantissa)
			return sign;
		/* A subnormal single is a normal double: normalize it. */
		while (!(mantissa & 0x800000)) {
			mantissa <<= 1;
			shift++;
		}
		mantissa &= 0x7fffff;
		return sign | ((uint64_t)(1023 - 126 - shift) << 52) | (mantissa << 29);
	}
	return sign | ((uint64_t)(exponent - 127 + 1023) << 52) | (mantissa << 29);
}

static bool binary(uint8_t op, uint64_t a, uint64_t b, uint64_t *out)
{
	int64_t sa = (int64_t)a, sb = (int64_t)b;

	switch (op) {
	case UTAP_OP_ADD: *out = a + b; return true;
	case UTAP_OP_SUB: *out = a - b; return true;
	case UTAP_OP_MUL: *out = a * b; return true;
	case UTAP_OP_DIV:
		if (!b)
			return false;
		*out = (sa == S64_MIN && sb == -1) ? a : (uint64_t)div64_s64(sa, sb);
		return true;
	case UTAP_OP_MOD:
		if (!b)
			return false;
		*out = a - div64_u64(a, b) * b;
		return true;
	case UTAP_OP_AND: *out = a & b; return true;
	case UTAP_OP_OR: *out = a | b; return true;
	case UTAP_OP_XOR: *out = a ^ b; return true;
	case UTAP_OP_SHL: *out = b >= 64 ? 0 : a << b; return true;
	case UTAP_OP_SHR: *out = b >= 64 ? 0 : a >> b; return true;
	case UTAP_OP_SHRA: *out = (uint64_t)(sa >> (b >= 64 ? 63 : b)); return true;
	}
	return false;
}

/* Runs @ops over @stack (with *@depth values on it); false with @r set on failure. */
static bool run_ops(struct utap_context *c, const struct utap_recipe_op *ops, unsigned int nops,
		    const int64_t *inputs, uint64_t *stack, unsigned int *depth, struct utap_recipe_result *r)
{
	unsigned int i, n = *depth;

	for (i = 0; i < nops; i++) {
		const struct utap_recipe_op *op = &ops[i];
		uint64_t v;

		if (n == UTAP_RECIPE_STACK && (op->op <= UTAP_OP_INPUT || op->op == UTAP_OP_SYSCALL_NUMBER))
			goto malformed;
		switch (op->op) {
		case UTAP_OP_REGISTER:
			r->status = utap_recipe_register(c, op->reg, &v);
			if (r->status)
				return false;
			stack[n++] = v;
			break;
		case UTAP_OP_SYSCALL_NUMBER:
			r->status = utap_recipe_register(c, UTAP_REG_SYSCALL_NUMBER, &v);
			if (r->status)
				return false;
			stack[n++] = v;
			break;
		case UTAP_OP_CONSTANT:
			stack[n++] = (uint64_t)op->value;
			break;
		case UTAP_OP_MODULE_ADDRESS:
			stack[n++] = c->load_bias + (uint64_t)op->value;
			break;
		case UTAP_OP_INPUT:
			if (!inputs || op->value < 0)
				goto malformed;
			stack[n++] = (uint64_t)inputs[op->value];
			break;
		case UTAP_OP_READ:
			if (!n || !op->size || op->size > 8)
				goto malformed;
			v = 0;
			if (utap_recipe_read(c, &v, stack[n - 1], op->size)) {
				r->status = -EFAULT;
				r->fault = stack[n - 1];
				return false;
			}
			stack[n - 1] = extend(v, op->size, op->is_signed);
			break;
		case UTAP_OP_EXTEND:
			if (!n)
				goto malformed;
			stack[n - 1] = extend(stack[n - 1], op->size, op->is_signed);
			break;
		case UTAP_OP_NEG:
		case UTAP_OP_NOT:
		case UTAP_OP_PLUS_CONSTANT:
		case UTAP_OP_FP32_TO_FP64:
			if (!n)
				goto malformed;
			if (op->op == UTAP_OP_NEG)
				stack[n - 1] = 0 - stack[n - 1];
			else if (op->op == UTAP_OP_NOT)
				stack[n - 1] = ~stack[n - 1];
			else if (op->op == UTAP_OP_PLUS_CONSTANT)
				stack[n - 1] += (uint64_t)op->value;
			else
				stack[n - 1] = utap_fp32_to_fp64((uint32_t)stack[n - 1]);
			break;
		default:
			if (n < 2)
				goto malformed;
			if (!binary(op->op, stack[n - 2], stack[n - 1], &stack[n - 2])) {
				if (op->op != UTAP_OP_DIV && op->op != UTAP_OP_MOD)
					goto malformed;
				r->status = -EDOM;
				return false;
			}
			n--;
		}
	}
	*depth = n;
	return true;

malformed:
	r->status = -EINVAL;
	return false;
}

/**
 * utap_recipe_run() - the value of a recipe
 * @c: the hit's context (registers, load bias)
 * @ops: the steps (@nops)
 * @inputs: the script values the recipe reads, or NULL
 * @r: zeroed by the caller; set on failure
 *
 * Return: the value, or 0 with @r->status set.
 */
int64_t utap_recipe_run(struct utap_context *c, const struct utap_recipe_op *ops, unsigned int nops,
			const int64_t *inputs, struct utap_recipe_result *r)
{
	uint64_t stack[UTAP_RECIPE_STACK];
	unsigned int depth = 0;

	if (!run_ops(c, ops, nops, inputs, stack, &depth, r))
		return 0;
	if (depth != 1) {
		r->status = -EINVAL;
		return 0;
	}
	return (int64_t)stack[0];
}

int utap_recipe_place(struct utap_context *c, const struct utap_recipe_op *ops, unsigned int nops,
		      const int64_t *inputs, uint64_t *addr, unsigned int *size, unsigned int *reg,
		      struct utap_recipe_result *r)
{
	if (nops >= 1 && ops[nops - 1].op == UTAP_OP_READ) {
		uint64_t stack[UTAP_RECIPE_STACK];
		unsigned int depth = 0;

		if (!run_ops(c, ops, nops - 1, inputs, stack, &depth, r))
			return 0;
		if (depth != 1) {
			r->status = -EINVAL;
			return 0;
		}
		*addr = stack[0];
		*size = ops[nops - 1].size;
		return 1;
	}
	if ((nops == 1 || (nops == 2 && ops[1].op == UTAP_OP_EXTEND)) && ops[0].op == UTAP_OP_REGISTER) {
		*reg = ops[0].reg;
		return 2;
	}
	return 0;
}

/* Appends a user string, quoted and escaped as stap's $$parms show it. */
static bool pretty_string(struct utap_context *c, struct utap_sink *sink, uint64_t addr, uint32_t max_length)
{
	char *raw = c->pretty_raw;
	char *quoted = c->pretty_quoted;
	size_t len = 0, limit = min_t(size_t, max_length, MAXSTRINGLEN);

	while (len < limit) {
		char ch;

		if (utap_recipe_read(c, &ch, addr + len, 1)) {
			if (!len)
				return false;
			break;
		}
		if (!ch)
			break;
		raw[len++] = ch;
	}
	/* A string cut at the buffer, not at its end, gets stap's "...". */
	utap_text_escape(quoted, MAXSTRINGLEN, raw, len, 1, len == MAXSTRINGLEN && max_length > len);
	utap_fmt_literal(sink, quoted, strlen(quoted));
	return true;
}

void utap_pretty_format(struct utap_context *c, const struct utap_pretty_part *parts, unsigned int nparts,
			const int64_t *inputs, char *out, struct utap_recipe_result *r)
{
	static const struct utap_conv decimal = { 'd', 0, UTAP_FMT_NONE, UTAP_FMT_NONE };
	static const struct utap_conv unsigned_decimal = { 'u', 0, UTAP_FMT_NONE, UTAP_FMT_NONE };
	static const struct utap_conv hex = { 'x', UTAP_FLAG_HASH, UTAP_FMT_NONE, UTAP_FMT_NONE };
	static const struct utap_conv escaped_char = { 'c', UTAP_FLAG_HASH, UTAP_FMT_NONE, UTAP_FMT_NONE };
	struct utap_sink sink;
	unsigned int i;

	utap_sink_init(&sink, out, MAXSTRINGLEN);
	for (i = 0; i < nparts; i++) {
		const struct utap_pretty_part *p = &parts[i];
		struct utap_recipe_result part = { 0 };
		int64_t v;

		if (p->format == UTAP_PRETTY_TEXT) {
			utap_fmt_literal(&sink, p->text, strlen(p->text));
			continue;
		}
		v = utap_recipe_run(c, p->ops, p->nops, inputs, &part);
		if (!part.status && p->format == UTAP_PRETTY_USER_STRING &&
		    !pretty_string(c, &sink, (uint64_t)v, p->max_length)) {
			part.status = -EFAULT;
			part.fault = (uint64_t)v;
		}
		if (part.status) {
			if (!p->may_fault) {
				*r = part;
				return;
			}
			utap_fmt_literal(&sink, "?", 1);
			continue;
		}
		switch (p->format) {
		case UTAP_PRETTY_SIGNED:
			utap_fmt_long(&sink, &decimal, v, 0, 0);
			break;
		case UTAP_PRETTY_UNSIGNED:
			utap_fmt_long(&sink, &unsigned_decimal, v, 0, 0);
			break;
		case UTAP_PRETTY_HEX:
			utap_fmt_long(&sink, &hex, v, 0, 0);
			break;
		case UTAP_PRETTY_CHAR:
			utap_fmt_literal(&sink, "'", 1);
			utap_fmt_long(&sink, &escaped_char, v, 0, 0);
			utap_fmt_literal(&sink, "'", 1);
			break;
		}
	}
}
