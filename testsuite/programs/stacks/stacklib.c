/* libstacklib.so: one frame of the stack tests in a shared library,
 * built -O2 -fomit-frame-pointer so only its CFI can unwind it. */
#include "stacklib.h"

volatile int stack_lib_calls;

int stack_lib_call(int (*f)(int), int n)
{
	int r = f(n);

	stack_lib_calls++;
	return r + 1;
}
