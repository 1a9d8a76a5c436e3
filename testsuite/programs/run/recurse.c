/*
 * Return probes' hard cases: recursion (fib), frames left by longjmp
 * (escape() jumps out of `depth` nested dive() calls, `rounds` times), and
 * a function that returns a struct and one that returns a double.
 * `recurse [N] [ROUNDS]`: fib(N) (default 10), then the longjmp rounds
 * (default 3). Prints nothing.
 */
#include <setjmp.h>
#include <stdlib.h>

static jmp_buf escape_point;
volatile long sink;

__attribute__((noinline)) long fib(long n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline, noreturn)) void escape(void)
{
	longjmp(escape_point, 1);
}

/* Every path recurses or escapes: the escape is the point. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) long dive(int depth)
{
	if (depth == 0)
		escape();
	return dive(depth - 1) + 1;
}

__attribute__((noinline)) double half(double x)
{
	return x / 2;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;

	sink = fib(n);
	for (volatile int i = 0; i < rounds; i++)
		if (!setjmp(escape_point))
			sink += dive(5);
	sink += (long)half(5.0);
	return 0;
}
