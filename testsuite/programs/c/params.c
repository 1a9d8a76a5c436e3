/*
 * One function per kind of parameter, so each calling-convention case
 * (integer registers, xmm registers, the stack, structs in registers and
 * in memory) has a function whose entry and post-prologue values tests
 * compare with gdb. noinline keeps them out of line at -O2; the values
 * flow into the result so -O2 keeps the parameters alive.
 */
#include <stdarg.h>

#include "types.h"

#define OUT_OF_LINE __attribute__((noinline))

OUT_OF_LINE int take_int(int i)
{
	return i * 3 + 1;
}

OUT_OF_LINE long take_long(long l)
{
	return l - 1;
}

OUT_OF_LINE char take_char(char c)
{
	return (char)(c + 1);
}

OUT_OF_LINE unsigned int take_unsigned(unsigned int u)
{
	return u / 2;
}

OUT_OF_LINE short take_short(short s)
{
	return (short)(s * 2);
}

OUT_OF_LINE int take_pointer(const int *p)
{
	return p[0] + p[1];
}

OUT_OF_LINE long take_record(const struct record *r)
{
	return r->id + r->values[2] + r->box.size.y + r->flags.level;
}

/* 8 bytes: one integer register. */
OUT_OF_LINE int take_point(struct point p)
{
	return p.x * p.y;
}

/* 16 bytes: two integer registers. */
OUT_OF_LINE long take_rect(struct rect r)
{
	return (long)r.size.x * r.size.y + r.origin.x;
}

/* 24 bytes: in memory, above the return address. */
OUT_OF_LINE long take_triple(struct triple t)
{
	return t.a + t.b * t.c;
}

OUT_OF_LINE double take_double(double d)
{
	return d * 2.0;
}

OUT_OF_LINE float take_float(float f)
{
	return f + 0.25f;
}

/* Integer and floating-point arguments interleaved: rdi, xmm0, rsi, xmm1. */
OUT_OF_LINE long take_mixed(int i, double d, const char *s, float f)
{
	return i + (long)d + s[0] + (long)f;
}

/* Eight integer arguments: g and h are on the stack. */
OUT_OF_LINE long take_many(int a, long b, short c, char d, unsigned int e, long f, int g, long h)
{
	return a + b + c + d + e + f + g * h;
}

OUT_OF_LINE long sum_variadic(int count, ...)
{
	va_list ap;
	long sum = 0;

	va_start(ap, count);
	for (int k = 0; k < count; k++)
		sum += va_arg(ap, long);
	va_end(ap);
	return sum;
}

OUT_OF_LINE int take_union(union number n)
{
	return n.bytes[0] + n.i;
}

OUT_OF_LINE int take_enum(enum color c)
{
	return c == COLOR_BLUE ? 1 : 0;
}

OUT_OF_LINE int apply(binary_op op, int a, int b)
{
	return op(a, b);
}

/* Static functions: local symbols, DW_AT_external absent. */
static OUT_OF_LINE int static_square(int v)
{
	return v * v;
}

static OUT_OF_LINE long static_scale(long v, int factor)
{
	return v * factor;
}

OUT_OF_LINE int run_statics(int seed)
{
	return static_square(seed + 1) + (int)static_scale(seed, seed + 2);
}
