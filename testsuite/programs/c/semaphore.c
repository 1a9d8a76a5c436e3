/*
 * A marker guarded by a semaphore, as dtrace -G builds them: the tracer
 * increments utaptest_traced_semaphore (in section .probes) while it
 * watches, and the program fires the marker only then. With
 * _SDT_HAS_SEMAPHORES every marker of this file names its semaphore in
 * the note, so this file holds only that one.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#include "types.h"

__extension__ unsigned short utaptest_traced_semaphore __attribute__((unused))
	__attribute__((section(".probes")));

__attribute__((noinline)) int fire_semaphore_marker(int value)
{
	if (utaptest_traced_semaphore)
		STAP_PROBE1(utaptest, traced, value);
	return value + 1;
}
