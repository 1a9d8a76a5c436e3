/*
 * A string the program never reads, alone in a file-backed page far from
 * anything the program touches (the kernel maps up to 64 KiB around a
 * faulting address), passed to a function that does not read it either:
 * a probe reading it meets a page that is not mapped yet. And a wild
 * pointer, for the read-fault error. Prints nothing.
 */
#include <stddef.h>

struct named {
	long id;
	const char *name;
};

/* 256 KiB of padding on each side of the cold string, in .rodata. */
__attribute__((aligned(4096))) const char padding_before[256 * 1024] = { 1 };
__attribute__((aligned(4096))) const char cold_string[4096] = "never touched by the program";
__attribute__((aligned(4096))) const char padding_after[256 * 1024] = { 2 };

static const struct named cold_record = { 7, cold_string };

__attribute__((noinline)) long take_name(const char *name, const struct named *record)
{
	return (long)(name != NULL) + (record != NULL);
}

__attribute__((noinline)) long take_wild(const char *p)
{
	return p != NULL;
}

int main(void)
{
	volatile long sink = take_name(cold_string, &cold_record);

	sink += take_wild((const char *)16);
	return sink == 3 ? 0 : 1;
}
