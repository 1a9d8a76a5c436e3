/*
 * The types of the C test program: every kind of DWARF type a target
 * variable can have, so the reader's type walk meets each of them.
 */
#ifndef UTAPTEST_TYPES_H
#define UTAPTEST_TYPES_H

enum color { COLOR_RED, COLOR_GREEN = 5, COLOR_BLUE };

struct point {
	int x;
	int y;
};

/* Nested structs: members of members. */
struct rect {
	struct point origin;
	struct point size;
};

/* 24 bytes: larger than two eightbytes, so it is passed in memory. */
struct triple {
	long a;
	long b;
	long c;
};

union number {
	int i;
	float f;
	unsigned char bytes[4];
};

struct flags {
	unsigned int ready : 1;
	unsigned int mode : 3;
	signed int level : 4;
	unsigned int rest : 24;
};

typedef int (*binary_op)(int, int);

struct record {
	long id;
	char name[16];
	int values[4];
	struct rect box;
	union number num;
	struct flags flags;
	enum color color;
	const char *label;
	struct record *next;
	binary_op combine;
};

/* globals.c */
extern struct record global_record;
extern struct record second_record;
extern long global_counter;
extern const char global_greeting[];
extern int global_matrix[2][3];
long bump_static_total(long by);

/* params.c: one function per parameter type. */
int take_int(int i);
long take_long(long l);
char take_char(char c);
unsigned int take_unsigned(unsigned int u);
short take_short(short s);
int take_pointer(const int *p);
long take_record(const struct record *r);
int take_point(struct point p);
long take_rect(struct rect r);
long take_triple(struct triple t);
double take_double(double d);
float take_float(float f);
long take_mixed(int i, double d, const char *s, float f);
long take_many(int a, long b, short c, char d, unsigned int e, long f, int g, long h);
long sum_variadic(int count, ...);
int take_union(union number n);
int take_enum(enum color c);
int apply(binary_op op, int a, int b);
int run_statics(int seed);

/* labels.c */
int count_down(int n);

/* inline.c */
int use_inlines(int a, int b);

/* markers.c, semaphore.c */
long fire_markers(int seed, const struct record *r);
int fire_semaphore_marker(int value);

#endif
