/*
 * `allocs`: one malloc, calloc and realloc and two frees of its own, between
 * begin_allocs() and end_allocs(), for the libc_alloc.stp probe aliases.
 * Built at -O0 so that no call is folded away. Prints nothing.
 */
#include <stdlib.h>

volatile long sink;

__attribute__((noinline)) void begin_allocs(void)
{
	sink = 1;
}

__attribute__((noinline)) void end_allocs(void)
{
	sink = 2;
}

int main(void)
{
	char *a, *b;

	begin_allocs();
	a = malloc(100);
	b = calloc(3, 40);
	a = realloc(a, 200);
	sink += a != NULL && b != NULL;
	free(b);
	free(a);
	end_allocs();
	return 0;
}
