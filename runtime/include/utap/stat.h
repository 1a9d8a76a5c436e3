/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics: the values behind `<<<` and @count/@sum/@min/@max/@avg/
 * @variance/@hist_log/@hist_linear, as stap computes them.
 *
 * Each CPU adds into its own slot (interrupts off for the few instructions
 * of one add, no lock); a read merges the slots of all possible CPUs into a
 * buffer of the statistic. Locks (utap/lock.h): `<<<` needs the global's
 * read lock, any read its write lock, because the merge writes that buffer.
 *
 * Arithmetic is two's complement with wrap-around, as stap's on the
 * kernel's -fno-strict-overflow. @avg is @sum / @count truncated toward
 * zero. @variance(s, shift) is stap's, to the bit: Welford's online
 * algorithm per CPU on values scaled by 2^shift (integer division,
 * truncating; the step's difference kept to 32 bits), the per-CPU results
 * combined with the total-variance formula (all CPUs at once for a scalar,
 * CPU after CPU for an array element: stap aggregates the two differently),
 * and the result scaled back by 2^(2 * shift) with an arithmetic right
 * shift. The shift defaults to 0; one statistic has one shift. One value
 * has variance 0.
 */
#ifndef UTAP_STAT_H
#define UTAP_STAT_H

#include "utap/base.h"

/* stap's bucket layout for @hist_log: bucket 64 holds 0. */
#define UTAP_HIST_LOG_BUCKETS 128
#define UTAP_HIST_LOG_BUCKET0 64
/* At most this many buckets in @hist_linear, under- and overflow included. */
#ifndef UTAP_HIST_MAX_BUCKETS
#define UTAP_HIST_MAX_BUCKETS 128
#endif
/* The printed histogram: bar width, and zero rows kept around data. */
#ifndef HIST_WIDTH
#define HIST_WIDTH 50
#endif
/* Largest bit shift @variance accepts. */
#define UTAP_STAT_MAX_SHIFT 62

/**
 * enum utap_hist_type - which histogram a statistic keeps
 * @UTAP_HIST_NONE: none
 * @UTAP_HIST_LOG: @hist_log, 128 power-of-two buckets, negative values too
 * @UTAP_HIST_LINEAR: @hist_linear(start, stop, interval)
 */
enum utap_hist_type {
	UTAP_HIST_NONE,
	UTAP_HIST_LOG,
	UTAP_HIST_LINEAR,
};

/**
 * enum utap_stat_op - an aggregate of a statistic
 * @UTAP_STAT_COUNT: @count
 * @UTAP_STAT_SUM: @sum
 * @UTAP_STAT_MIN: @min
 * @UTAP_STAT_MAX: @max
 * @UTAP_STAT_AVG: @avg
 * @UTAP_STAT_VARIANCE: @variance
 */
enum utap_stat_op {
	UTAP_STAT_COUNT,
	UTAP_STAT_SUM,
	UTAP_STAT_MIN,
	UTAP_STAT_MAX,
	UTAP_STAT_AVG,
	UTAP_STAT_VARIANCE,
};

/**
 * struct utap_stat_desc - what pass 3 knows of a statistic (static const)
 * @hist: the one histogram type used on it
 * @start: @hist_linear's start
 * @stop: @hist_linear's stop (inclusive)
 * @interval: @hist_linear's interval, > 0
 * @shift: @variance's bit shift, 0..62
 * @variance: @variance is used on it, so each add runs Welford's update
 */
struct utap_stat_desc {
	enum utap_hist_type hist;
	int64_t start;
	int64_t stop;
	int64_t interval;
	unsigned int shift;
	bool variance;
};

/**
 * struct utap_hist - a histogram's layout, for bucket access and printing
 * @type: which histogram
 * @start: @hist_linear's start
 * @interval: @hist_linear's interval
 * @buckets: buckets kept (0 for %UTAP_HIST_NONE); for @hist_linear bucket 0
 *	counts values below @start and the last one values past the last
 *	interval
 */
struct utap_hist {
	enum utap_hist_type type;
	int64_t start;
	int64_t interval;
	unsigned int buckets;
};

/**
 * struct utap_stat_data - one CPU's share of a statistic, or all merged
 * @count: values added
 * @sum: their sum
 * @min: the least (valid when @count > 0)
 * @max: the greatest (valid when @count > 0)
 * @avg_s: Welford's running mean, scaled by 2^shift
 * @m2: Welford's sum of squared differences, scaled by 2^(2*shift)
 * @variance_s: @m2 / (@count - 1), scaled by 2^(2*shift)
 * @variance: in a merged result, @variance_s scaled back: @variance
 * @histogram: counts per bucket (struct utap_hist.buckets of them)
 */
struct utap_stat_data {
	int64_t count;
	int64_t sum;
	int64_t min;
	int64_t max;
	int64_t avg_s;
	int64_t m2;
	int64_t variance_s;
	int64_t variance;
	int64_t histogram[];
};

/**
 * struct utap_stat_shape - a statistic's layout, shared by scalars and maps
 * @hist: the histogram
 * @shift: @variance's bit shift
 * @variance: Welford's update runs on each add
 * @pairwise: the variance is merged CPU after CPU, as stap merges an array
 *	element's; false for a scalar (all CPUs at once); set by core/map.c
 * @size: bytes of one struct utap_stat_data with its histogram
 */
struct utap_stat_shape {
	struct utap_hist hist;
	unsigned int shift;
	bool variance;
	bool pairwise;
	size_t size;
};

/**
 * struct utap_stat - a scalar statistic global
 * @shape: its layout
 * @stride: bytes between two CPUs' slots (whole cache lines)
 * @slots: nr_cpu_ids slots of @stride bytes; CPU n adds into slot n only,
 *	with interrupts off (no lock; see the top of this file)
 * @planes: nr_cpu_ids pointers, @planes[cpu] = that CPU's slot
 * @agg: the merged result; written by utap_stat_get() and utap_stat_clear()
 *	under the global's write lock
 */
struct utap_stat {
	struct utap_stat_shape shape;
	size_t stride;
	char *slots;
	char **planes;
	struct utap_stat_data *agg;
};

int utap_stat_init(struct utap_stat *s, const struct utap_stat_desc *desc);
void utap_stat_free(struct utap_stat *s);
void utap_stat_add(struct utap_stat *s, int64_t value);
const struct utap_stat_data *utap_stat_get(struct utap_stat *s);
void utap_stat_clear(struct utap_stat *s);

/**
 * utap_stat_hist() - the histogram layout of @s
 * @s: a scalar statistic
 *
 * Return: what utap_stat_bucket() and utap_hist_format() need.
 */
static inline const struct utap_hist *utap_stat_hist(const struct utap_stat *s)
{
	return &s->shape.hist;
}

int64_t utap_stat_extract(struct utap_context *c,
			  const struct utap_stat_data *d, enum utap_stat_op op);
int64_t utap_stat_bucket(struct utap_context *c, const struct utap_hist *h,
			 const struct utap_stat_data *d, int64_t bucket);
struct utap_sink;
void utap_print_hist(struct utap_context *c, struct utap_sink *sink, const struct utap_hist *h,
		     const struct utap_stat_data *d);
size_t utap_hist_format(char *buf, size_t size, const struct utap_hist *h,
			const struct utap_stat_data *d);
unsigned int utap_hist_log_bucket(int64_t value);
int64_t utap_hist_log_value(unsigned int bucket);
unsigned int utap_hist_linear_bucket(const struct utap_hist *h, int64_t value);

/*
 * For statistic-valued maps (core/map.c): the same slots, one per entry in
 * each CPU's plane.
 */
int utap_stat_shape_init(struct utap_stat_shape *sh,
			 const struct utap_stat_desc *desc);
void utap_stat_slot_add(const struct utap_stat_shape *sh,
			struct utap_stat_data *sd, int64_t value);
void utap_stat_merge(const struct utap_stat_shape *sh,
		     struct utap_stat_data *agg, char *const *planes,
		     size_t offset);
int64_t utap_stat_merged_op(char *const *planes, size_t offset,
			    enum utap_stat_op op);

#endif /* UTAP_STAT_H */
