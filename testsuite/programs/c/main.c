/*
 * The C test program: calls each function once with known values and
 * exits 0. `cprog N` repeats the calls N times (for run-time tests that
 * attach while it runs). The seed is 1, read from a global so that -O2
 * cannot fold the calls into constants.
 */
#include <stdlib.h>

#include "types.h"

int program_seed = 1;
/* The results go here only so that nothing is dead code. */
volatile long program_total;

static int subtract(int a, int b)
{
	return a - b;
}

static long run_once(int seed)
{
	int pair[2] = { 11, 22 };
	struct point p = { 3, 4 };
	struct rect r = { { 1, 2 }, { 5, 6 } };
	struct triple t = { 7, 8, 9 };
	union number n = { .i = 0x41 };
	long total = 0;

	total += take_int(seed + 41);
	total += take_long(-1234567890123L * seed);
	total += take_char((char)('A' + seed));
	total += take_unsigned(3000000000u + (unsigned int)seed);
	total += take_short((short)(-300 * seed));
	total += take_pointer(pair);
	total += take_record(&global_record);
	total += take_point(p);
	total += take_rect(r);
	total += take_triple(t);
	total += (long)take_double(2.5 * seed);
	total += (long)take_float(0.5f * (float)seed);
	total += take_mixed(seed, 1.25, global_greeting, 3.5f);
	total += take_many(seed, 2, 3, 4, 5, 6, 7, 8);
	total += sum_variadic(3, 10L * seed, 20L, 30L);
	total += take_union(n);
	total += take_enum(global_record.color);
	total += apply(subtract, 10 * seed, 3);
	total += apply(global_record.combine, seed, 2);
	total += run_statics(seed);
	total += count_down(seed + 2);
	total += use_inlines(seed + 2, seed + 3);
	total += fire_markers(seed, &global_record);
	total += fire_semaphore_marker(seed);
	total += bump_static_total(seed);
	global_counter += seed;
	return total;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1;
	long total = 0;

	for (int k = 0; k < rounds; k++)
		total += run_once(program_seed);
	program_total = total;
	return 0;
}
