/*
 * Globals and file-scope statics, with values the tests know: they are
 * read by @var, $global and rip-relative SDT operands.
 */
#include "types.h"

static int combine_add(int a, int b)
{
	return a + b;
}

struct record second_record = {
	.id = 2,
	.name = "second",
	.values = { 5, 6, 7, 8 },
	.box = { { 10, 20 }, { 30, 40 } },
	.num = { .i = 0x01020304 },
	.flags = { .ready = 0, .mode = 2, .level = 3, .rest = 77 },
	.color = COLOR_RED,
	.label = "second label",
	.next = 0,
	.combine = combine_add,
};

struct record global_record = {
	.id = 1,
	.name = "first",
	.values = { 1, 2, 3, 4 },
	.box = { { 1, 2 }, { 3, 4 } },
	.num = { .f = 1.5f },
	.flags = { .ready = 1, .mode = 5, .level = -3, .rest = 1000 },
	.color = COLOR_BLUE,
	.label = "first label",
	.next = &second_record,
	.combine = combine_add,
};

long global_counter = 100;
const char global_greeting[] = "hello, utap";
int global_matrix[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };

/* File-scope statics: @var("static_total@globals.c") finds them. */
static long static_total = 7;
static const char static_name[8] = "statics";

long bump_static_total(long by)
{
	static_total += by + static_name[0];
	return static_total;
}
