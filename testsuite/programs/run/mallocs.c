/*
 * `mallocs [N]`: N (default 1000) malloc/free pairs of its own after
 * start-up, through libc.so.6, for exact counts of library probes. Prints
 * nothing.
 */
#include <stdlib.h>

volatile long sink;

__attribute__((noinline)) void begin_mallocs(long n)
{
	sink = n;
}

__attribute__((noinline)) void end_mallocs(long n)
{
	sink = n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;

	begin_mallocs(n);
	for (long i = 0; i < n; i++) {
		char *p = malloc(16 + i % 64);

		sink += p != NULL;
		free(p);
	}
	end_mallocs(n);
	return 0;
}
