/*
 * SDT markers (sys/sdt.h, provider "utaptest"): operands in registers,
 * in stack slots, constants and globals (rip-relative at -O2), of every
 * size, for process("X").mark("NAME") and $argN.
 */
#include <sys/sdt.h>

#include "types.h"

/* Writes through a pointer so the caller's slots live in memory. */
static __attribute__((noinline)) void fill_slots(long *slots, int count, long first)
{
	for (int k = 0; k < count; k++)
		slots[k] = first + k;
}

__attribute__((noinline)) long fire_markers(int seed, const struct record *r)
{
	long slots[4];
	char c = (char)('a' + seed);
	short s = (short)(-2 * seed);
	unsigned int u = 4000000000u;
	long l = 1L << 40;

	STAP_PROBE(utaptest, begin);
	STAP_PROBE1(utaptest, one, seed);
	STAP_PROBE2(utaptest, constants, 42, -7);
	STAP_PROBE2(utaptest, globals, global_counter, global_record.id);

	fill_slots(slots, 4, seed * 10L);
	STAP_PROBE2(utaptest, stack, slots[1], slots[3]);

	STAP_PROBE6(utaptest, sizes, c, s, seed, l, r, u);
	STAP_PROBE2(utaptest, strings, r->name, r->label);
	STAP_PROBE8(utaptest, eight, 1, seed, 3L, slots[0], 5, global_counter, r->id, 8);

	return slots[0] + slots[3] + c + s + l + u;
}
