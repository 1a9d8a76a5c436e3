/*
 * The shared library: exported functions, a static one, a global and
 * an SDT marker (provider "utaplib").
 */
#include <sys/sdt.h>

#include "utaptest.h"

int lib_calls;

static __attribute__((noinline)) int lib_count(int by)
{
	lib_calls += by;
	return lib_calls;
}

int lib_add(int a, int b)
{
	lib_count(1);
	STAP_PROBE2(utaplib, add, a, b);
	return a + b;
}

long lib_pair_sum(const struct lib_pair *pair)
{
	lib_count(1);
	return (long)pair->left + pair->right;
}

const char *lib_greeting(int polite)
{
	lib_count(1);
	return polite ? "good day" : "hi";
}
