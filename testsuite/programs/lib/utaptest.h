/* libutaptest.so: a shared library for process("libutaptest.so") probes. */
#ifndef UTAPTEST_LIB_H
#define UTAPTEST_LIB_H

struct lib_pair {
	int left;
	int right;
};

extern int lib_calls;

int lib_add(int a, int b);
long lib_pair_sum(const struct lib_pair *pair);
const char *lib_greeting(int polite);

#endif
