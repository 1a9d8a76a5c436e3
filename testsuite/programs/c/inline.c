/*
 * Inlined functions: function("inline_square") matches two inlined
 * copies; function("inline_clamp") matches one inlined copy and the
 * out-of-line copy kept because its address is taken.
 */
#include "types.h"

static inline __attribute__((always_inline)) int inline_square(int x)
{
	return x * x;
}

static inline __attribute__((always_inline)) int inline_clamp(int value, int limit)
{
	return value > limit ? limit : value;
}

/* Taking the address forces an out-of-line copy of inline_clamp. */
static int (*volatile clamp_pointer)(int, int) = inline_clamp;

__attribute__((noinline)) int use_inlines(int a, int b)
{
	int first = inline_square(a);
	int second = inline_square(b);
	int clamped = inline_clamp(first + second, 50);

	return clamped + clamp_pointer(a, b);
}
