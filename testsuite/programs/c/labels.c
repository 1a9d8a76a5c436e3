/* A function with labels, for .label("NAME"). */
#include "types.h"

__attribute__((noinline)) int count_down(int n)
{
	int steps = 0;

again:
	if (n <= 0)
		goto done;
	n--;
	steps++;
	goto again;
done:
	return steps;
}
