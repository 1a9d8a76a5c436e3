/* A call chain for the stack tests (utap.stacks): main -> level1 ->
 * level2 -> stack_lib_call (libstacklib.so) -> level3 -> qsort (libc) ->
 * compare -> deep, where the tests' probe is. Every call is followed by
 * work, so none is a tail call that a stack would not show. */
#include <stdlib.h>

#include "stacklib.h"

volatile int sink;

__attribute__((noinline)) int deep(int x)
{
	sink = x;
	return x * 2;
}

__attribute__((noinline)) static int compare(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int r = deep(x);

	sink = sink + r;
	return (x > y) - (x < y);
}

__attribute__((noinline)) static int level3(int n)
{
	int v[2] = { n + 1, n };

	qsort(v, 2, sizeof(v[0]), compare);
	return v[0] + sink;
}

__attribute__((noinline)) int level2(int n)
{
	return stack_lib_call(level3, n) + sink;
}

__attribute__((noinline)) int level1(int n)
{
	return level2(n + 1) + 1;
}

int main(int argc, char **argv)
{
	(void)argv;
	return level1(argc) > 0 ? 0 : 1;
}
