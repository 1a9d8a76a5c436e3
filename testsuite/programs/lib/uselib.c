/*
 * A program linked against libutaptest.so, found through RUNPATH
 * $ORIGIN (the library sits next to it): library search is tested
 * without installing anything. Exits 0.
 */
#include <stdio.h>

#include "utaptest.h"

int main(void)
{
	struct lib_pair pair = { 40, 2 };
	long total = lib_add(1, 2) + lib_pair_sum(&pair);
	const char *greeting = lib_greeting(1);

	/* Prints "good day 45 3". */
	printf("%s %ld %d\n", greeting, total, lib_calls);
	return 0;
}
