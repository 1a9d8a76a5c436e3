// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: per-CPU slots, merged on read; the aggregates, histogram
 * buckets and the ASCII histogram stap prints. Semantics in utap/stat.h.
 */
#include "utap/arith.h"
#include "utap/stat.h"
#include "utap/format.h"

/* Sums and products wrap, as script arithmetic does (utap/arith.h). */

/**
 * stat_div() - stap's division inside statistics
 * @x: the dividend
 * @y: the divisor
 *
 * Return: @x / @y truncated toward zero; 0 when @y is 0 (no error, as
 * stap's runtime); -@x (wrapping) when @y is -1.
 */
static inline int64_t stat_div(int64_t x, int64_t y)
{
	if (y == 0)
		return 0;
	if (y == -1)
		return utap_sub(0, x);
	return div64_s64(x, y);
}

/**
 * imax() - the larger of two ints
 * @a: one
 * @b: another
 *
 * Return: the larger.
 */
static inline int imax(int a, int b)
{
	return a > b ? a : b;
}

/**
 * round_up_size() - round a size up to a multiple
 * @n: the size
 * @to: the multiple
 *
 * Return: the rounded size.
 */
static inline size_t round_up_size(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/**
 * utap_stat_shape_init() - check a statistic's description and lay it out
 * @sh: filled in
 * @desc: what pass 3 knows of the statistic
 *
 * @hist_linear needs interval > 0 and stop >= start, and gives
 * (stop - start) / interval + 3 buckets (one below start, one past the
 * last interval), at most UTAP_HIST_MAX_BUCKETS. The shift is 0..62.
 *
 * Return: 0, or -EINVAL for a description stap would refuse.
 */
int utap_stat_shape_init(struct utap_stat_shape *sh,
			 const struct utap_stat_desc *desc)
{
	uint64_t span;

	memset(sh, 0, sizeof(*sh));
	if (desc->shift > UTAP_STAT_MAX_SHIFT)
		return -EINVAL;
	sh->hist.type = desc->hist;
	switch (desc->hist) {
	case UTAP_HIST_NONE:
		break;
	case UTAP_HIST_LOG:
		sh->hist.buckets = UTAP_HIST_LOG_BUCKETS;
		break;
	case UTAP_HIST_LINEAR:
		if (desc->interval <= 0 || desc->stop < desc->start)
			return -EINVAL;
		span = (uint64_t)desc->stop - (uint64_t)desc->start;
		span = div64_u64(span, (uint64_t)desc->interval);
		if (span > UTAP_HIST_MAX_BUCKETS - 3)
			return -EINVAL;
		sh->hist.start = desc->start;
		sh->hist.interval = desc->interval;
		sh->hist.buckets = (unsigned int)span + 3;
		break;
	default:
		return -EINVAL;
	}
	sh->shift = desc->shift;
	sh->variance = desc->variance;
	sh->size = sizeof(struct utap_stat_data) +
		   sh->hist.buckets * sizeof(int64_t);
	return 0;
}

/**
 * utap_hist_log_bucket() - the @hist_log bucket of a value
 * @value: any value
 *
 * Bucket 64 holds 0; 64 + n holds the positive values of n bits
 * (2^(n-1) .. 2^n - 1); 64 - n the negative values whose magnitude has n
 * bits; INT64_MIN falls in bucket 0.
 *
 * Return: 0..127.
 */
unsigned int utap_hist_log_bucket(int64_t value)
{
	uint64_t magnitude;
	unsigned int bits;

	if (value == 0)
		return UTAP_HIST_LOG_BUCKET0;
	magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
	bits = 64 - (unsigned int)__builtin_clzll(magnitude);
	if (value < 0)
		return UTAP_HIST_LOG_BUCKETS - (UTAP_HIST_LOG_BUCKET0 + bits);
	return UTAP_HIST_LOG_BUCKET0 + bits;
}

/**
 * utap_hist_log_value() - the value a @hist_log bucket is labelled with
 * @bucket: 0..127
 *
 * Return: 0 for bucket 64, 2^(n-1) for 64 + n, -2^(n-1) for 64 - n (the
 * end of the bucket nearest zero's opposite: -1, -2, -4, ...).
 */
int64_t utap_hist_log_value(unsigned int bucket)
{
	if (bucket == UTAP_HIST_LOG_BUCKET0)
		return 0;
	if (bucket < UTAP_HIST_LOG_BUCKET0)
		return (int64_t)(~0ULL << (63 - bucket));
	return (int64_t)(1ULL << (bucket - UTAP_HIST_LOG_BUCKET0 - 1));
}

/**
 * utap_hist_linear_bucket() - the @hist_linear bucket of a value
 * @h: a linear histogram
 * @value: any value
 *
 * Return: 0 below start, 1 + (value - start) / interval within range,
 * @h->buckets - 1 past the last interval.
 */
unsigned int utap_hist_linear_bucket(const struct utap_hist *h, int64_t value)
{
	uint64_t n;

	if (value < h->start)
		return 0;
	n = div64_u64((uint64_t)value - (uint64_t)h->start,
		      (uint64_t)h->interval) + 1;
	if (n >= h->buckets - 1)
		return h->buckets - 1;
	return (unsigned int)n;
}

/**
 * utap_stat_slot_add() - add one value into one CPU's slot
 * @sh: the statistic's layout
 * @sd: the slot of the CPU running the caller, interrupts off
 * @value: the value
 *
 * The first value sets count, sum, min, max and the scaled mean; later ones
 * update them and, when @sh->variance, run Welford's step on
 * value << shift with truncating division, as stap does. stap keeps the
 * step's difference from the mean in a C int, so a difference beyond 32
 * bits wraps to its low 32 bits; so does this one, to give stap's results.
 */
void utap_stat_slot_add(const struct utap_stat_shape *sh,
			struct utap_stat_data *sd, int64_t value)
{
	int64_t scaled = utap_shl(value, sh->shift);
	int64_t delta;
	unsigned int b;

	if (sd->count == 0) {
		sd->count = 1;
		sd->sum = value;
		sd->min = value;
		sd->max = value;
		sd->avg_s = scaled;
		sd->m2 = 0;
	} else {
		sd->count++;
		sd->sum = utap_add(sd->sum, value);
		if (value > sd->max)
			sd->max = value;
		if (value < sd->min)
			sd->min = value;
		if (sh->variance) {
			delta = (int32_t)(uint32_t)utap_sub(scaled, sd->avg_s);
			sd->avg_s = utap_add(sd->avg_s, div64_s64(delta, sd->count));
			sd->m2 = utap_add(sd->m2,
					  utap_mul(delta, utap_sub(scaled, sd->avg_s)));
			sd->variance_s = div64_s64(sd->m2, sd->count - 1);
		}
	}

	switch (sh->hist.type) {
	case UTAP_HIST_LOG:
		b = utap_hist_log_bucket(value);
		break;
	case UTAP_HIST_LINEAR:
		b = utap_hist_linear_bucket(&sh->hist, value);
		break;
	default:
		return;
	}
	sd->histogram[b]++;
}

/**
 * spread() - one group's share of the total variance
 * @count: the group's values
 * @avg_s: its scaled mean
 * @variance_s: its scaled variance
 * @mean_s: the scaled mean of all values
 *
 * Return: count * (avg_s - mean_s)^2 + (count - 1) * variance_s, wrapping.
 */
static int64_t spread(int64_t count, int64_t avg_s, int64_t variance_s,
		      int64_t mean_s)
{
	int64_t d = utap_sub(avg_s, mean_s);

	return utap_add(utap_mul(count, utap_mul(d, d)),
			utap_mul(count - 1, variance_s));
}

/**
 * merge_pair() - fold one more CPU's slot into a statistic array's result
 * @sh: the statistic's layout (with variance)
 * @agg: the result so far, with @sd's count and sum already added
 * @sd: the CPU's slot
 * @count: @agg's count before @sd was added (0 for the first CPU)
 * @avg_s: @agg's scaled mean before @sd was added
 *
 * The first CPU's running mean and variance are taken as they are; each
 * later one is combined with the result so far by the total-variance
 * formula for two groups around their integer mean. This is how stap
 * aggregates an array of statistics, CPU after CPU.
 */
static void merge_pair(const struct utap_stat_shape *sh,
		       struct utap_stat_data *agg,
		       const struct utap_stat_data *sd, int64_t count,
		       int64_t avg_s)
{
	int64_t s;

	if (count == 0) {
		agg->avg_s = sd->avg_s;
		agg->variance_s = sd->variance_s;
		return;
	}
	agg->avg_s = stat_div(utap_shl(agg->sum, sh->shift), agg->count);
	s = utap_add(spread(count, avg_s, agg->variance_s, agg->avg_s),
		     spread(sd->count, sd->avg_s, sd->variance_s, agg->avg_s));
	agg->variance_s = stat_div(s, agg->count - 1);
}

/* CPU @cpu's slot of a statistic at @offset in @planes; NULL when that CPU
 * has no plane or its slot has no values. */
static const struct utap_stat_data *cpu_slot(char *const *planes,
					     unsigned int cpu, size_t offset)
{
	const struct utap_stat_data *sd;

	if (!planes[cpu])
		return NULL;
	sd = (const struct utap_stat_data *)(planes[cpu] + offset);
	return sd->count ? sd : NULL;
}

/**
 * utap_stat_merge() - merge every CPU's slot of one statistic
 * @sh: the statistic's layout
 * @agg: the result (@sh->size bytes), overwritten
 * @planes: nr_cpu_ids pointers; a possible CPU's slot is at
 *	@planes[cpu] + @offset; NULL planes are skipped
 * @offset: the statistic's offset in each plane
 *
 * Counts, sums, extremes and buckets add up. The variance combines the
 * CPUs' scaled means and variances as stap does, which differs between a
 * scalar and an array element (@sh->pairwise, see merge_pair()): a scalar
 * combines all CPUs at once with the total-variance formula, the sum of
 * count_i * (mean_i - mean)^2 + (count_i - 1) * variance_i over count - 1,
 * around the integer mean (sum << shift) / count; so even one CPU's result
 * is recomputed, and differs from its running variance when the running
 * mean has drifted by truncation. Either is scaled back by 2^(2 * shift)
 * with an arithmetic shift whose count is taken modulo 64, as stap's C
 * shift compiles on x86 (a shift above 31 gives a count of 64 or more).
 * Caller holds the write lock.
 */
void utap_stat_merge(const struct utap_stat_shape *sh,
		     struct utap_stat_data *agg, char *const *planes,
		     size_t offset)
{
	const struct utap_stat_data *sd;
	int64_t count, avg_s, s = 0;
	unsigned int cpu, j;

	memset(agg, 0, sh->size);
	for_each_possible_cpu(cpu) {
		sd = cpu_slot(planes, cpu, offset);
		if (!sd)
			continue;
		if (agg->count == 0) {
			agg->min = sd->min;
			agg->max = sd->max;
		}
		count = agg->count;
		avg_s = agg->avg_s;
		agg->count += sd->count;
		agg->sum = utap_add(agg->sum, sd->sum);
		if (sd->min < agg->min)
			agg->min = sd->min;
		if (sd->max > agg->max)
			agg->max = sd->max;
		for (j = 0; j < sh->hist.buckets; j++)
			agg->histogram[j] += sd->histogram[j];
		if (sh->variance && sh->pairwise)
			merge_pair(sh, agg, sd, count, avg_s);
	}
	if (!sh->variance || agg->count == 0)
		return;

	if (!sh->pairwise) {
		agg->avg_s = stat_div(utap_shl(agg->sum, sh->shift), agg->count);
		for_each_possible_cpu(cpu) {
			sd = cpu_slot(planes, cpu, offset);
			if (sd)
				s = utap_add(s, spread(sd->count, sd->avg_s,
						       sd->variance_s, agg->avg_s));
		}
		agg->variance_s = stat_div(s, agg->count - 1);
	}
	agg->variance = utap_shr(agg->variance_s, 2 * sh->shift);
}

/**
 * utap_stat_merged_op() - one aggregate of a statistic, merged on the fly
 * @planes: as for utap_stat_merge()
 * @offset: as for utap_stat_merge()
 * @op: %UTAP_STAT_COUNT, _SUM, _MIN, _MAX or _AVG
 *
 * What a foreach sorted by an aggregate compares: no histogram, no
 * variance, nothing written. Caller holds the write lock.
 *
 * Return: the aggregate; 0 for an empty statistic or another @op.
 */
int64_t utap_stat_merged_op(char *const *planes, size_t offset,
			    enum utap_stat_op op)
{
	const struct utap_stat_data *sd;
	int64_t count = 0, sum = 0, min = 0, max = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		sd = cpu_slot(planes, cpu, offset);
		if (!sd)
			continue;
		if (count == 0 || sd->min < min)
			min = sd->min;
		if (count == 0 || sd->max > max)
			max = sd->max;
		count += sd->count;
		sum = utap_add(sum, sd->sum);
	}
	switch (op) {
	case UTAP_STAT_COUNT:
		return count;
	case UTAP_STAT_SUM:
		return sum;
	case UTAP_STAT_MIN:
		return min;
	case UTAP_STAT_MAX:
		return max;
	case UTAP_STAT_AVG:
		return stat_div(sum, count);
	default:
		return 0;
	}
}

/**
 * utap_stat_init() - set up a scalar statistic at module load
 * @s: the statistic
 * @desc: what pass 3 knows of it
 *
 * Allocates one slot per possible CPU, each on its own cache lines, and the
 * merge buffer. May sleep.
 *
 * Return: 0; -EINVAL for a bad @desc; -ENOMEM. On error nothing is kept.
 */
int utap_stat_init(struct utap_stat *s, const struct utap_stat_desc *desc)
{
	unsigned int cpu;
	size_t bytes;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = utap_stat_shape_init(&s->shape, desc);
	if (ret)
		return ret;
	s->stride = round_up_size(s->shape.size, L1_CACHE_BYTES);
	ret = -ENOMEM;
	if (check_mul_overflow(s->stride, (size_t)nr_cpu_ids, &bytes))
		goto fail;
	s->slots = utap_alloc(bytes);
	if (!s->slots)
		goto fail;
	s->planes = utap_alloc(nr_cpu_ids * sizeof(*s->planes));
	if (!s->planes)
		goto fail_slots;
	s->agg = utap_alloc(s->shape.size);
	if (!s->agg)
		goto fail_planes;
	for_each_possible_cpu(cpu)
		s->planes[cpu] = s->slots + cpu * s->stride;
	return 0;

fail_planes:
	utap_free(s->planes);
fail_slots:
	utap_free(s->slots);
fail:
	memset(s, 0, sizeof(*s));
	return ret;
}

/**
 * utap_stat_free() - release what utap_stat_init() allocated
 * @s: the statistic, initialized or zeroed; no handler may run any more
 */
void utap_stat_free(struct utap_stat *s)
{
	utap_free(s->agg);
	utap_free(s->planes);
	utap_free(s->slots);
	memset(s, 0, sizeof(*s));
}

/**
 * utap_stat_add() - `s <<< value`
 * @s: the statistic
 * @value: the value
 *
 * Adds into the running CPU's slot with interrupts off for the update, so
 * no other handler on this CPU interleaves; other CPUs have their own
 * slots. Caller holds the global's read (or write) lock. Any context but
 * NMI.
 */
void utap_stat_add(struct utap_stat *s, int64_t value)
{
	unsigned long flags;

	local_irq_save(flags);
	utap_stat_slot_add(&s->shape,
			   (struct utap_stat_data *)s->planes[smp_processor_id()],
			   value);
	local_irq_restore(flags);
}

/**
 * utap_stat_get() - merge all CPUs' values of @s
 * @s: the statistic
 *
 * Caller holds the global's write lock: the result is @s's merge buffer.
 *
 * Return: the merged statistic (count 0 when nothing was added), valid
 * until the lock is released or @s is merged again.
 */
const struct utap_stat_data *utap_stat_get(struct utap_stat *s)
{
	utap_stat_merge(&s->shape, s->agg, s->planes, 0);
	return s->agg;
}

/**
 * utap_stat_clear() - `delete s`: back to no values
 * @s: the statistic
 *
 * Caller holds the global's write lock.
 */
void utap_stat_clear(struct utap_stat *s)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		memset(s->planes[cpu], 0, s->shape.size);
	memset(s->agg, 0, s->shape.size);
}

/**
 * utap_stat_extract() - @count, @sum, @min, @max, @avg or @variance of @d
 * @c: the handler's context, for the error
 * @d: a merged statistic
 * @op: the aggregate
 *
 * @count and @sum of no values are 0; the others raise "empty aggregate",
 * as stap does. @avg truncates toward zero.
 *
 * Return: the aggregate, or 0 with an error raised in @c.
 */
int64_t utap_stat_extract(struct utap_context *c,
			  const struct utap_stat_data *d, enum utap_stat_op op)
{
	if (op == UTAP_STAT_COUNT)
		return d->count;
	if (op == UTAP_STAT_SUM)
		return d->sum;
	if (d->count == 0) {
		utap_error(c, "empty aggregate");
		return 0;
	}
	switch (op) {
	case UTAP_STAT_MIN:
		return d->min;
	case UTAP_STAT_MAX:
		return d->max;
	case UTAP_STAT_AVG:
		return stat_div(d->sum, d->count);
	case UTAP_STAT_VARIANCE:
		return d->variance;
	default:
		return 0;
	}
}

/**
 * utap_stat_bucket() - `@hist_log(s)[bucket]`, `@hist_linear(s, ...)[bucket]`
 * @c: the handler's context, for errors
 * @h: the histogram's layout
 * @d: a merged statistic
 * @bucket: 0 .. @h->buckets - 1 (for @hist_log, 64 holds zero)
 *
 * Return: the bucket's count; 0 with "empty aggregate" raised when @d has
 * no values, or "histogram index out of range" for a bad @bucket.
 */
int64_t utap_stat_bucket(struct utap_context *c, const struct utap_hist *h,
			 const struct utap_stat_data *d, int64_t bucket)
{
	if (d->count == 0) {
		utap_error(c, "empty aggregate");
		return 0;
	}
	if (bucket < 0 || bucket >= h->buckets) {
		utap_error(c, "histogram index out of range");
		return 0;
	}
	return d->histogram[bucket];
}

/**
 * struct hist_out - where a printed histogram goes, as snprintf would
 * @buf: the buffer (NULL when @size is 0)
 * @size: its bytes
 * @len: characters produced so far, also those that did not fit
 */
struct hist_out {
	char *buf;
	size_t size;
	size_t len;
};

/**
 * hist_printf() - append formatted text
 * @o: the output
 * @fmt: printf-style format; @...: its arguments
 */
static __printf(2, 3) void hist_printf(struct hist_out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, args);
	va_end(args);
	if (n > 0)
		o->len += n;
}

/**
 * hist_fill() - append one character several times
 * @o: the output
 * @ch: the character ('-' of the header, '@' of a bar)
 * @n: how many
 */
static void hist_fill(struct hist_out *o, char ch, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (o->len + 1 < o->size)
			o->buf[o->len] = ch;
		o->len++;
	}
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

/**
 * digits() - the width of a number as %lld prints it
 * @v: the number
 *
 * Return: its digits, and one more for a minus sign.
 */
static int digits(int64_t v)
{
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int n = v < 0 ? 1 : 0;

	do {
		n++;
		m = div64_u64(m, 10);
	} while (m);
	return n;
}

/**
 * hist_label() - the value a printed row is labelled with
 * @h: the histogram
 * @i: the row's bucket
 * @prefix: set to "<" or ">" for a linear histogram's under- and overflow
 *	rows, else ""
 *
 * Return: the label's number.
 */
static int64_t hist_label(const struct utap_hist *h, unsigned int i,
			  const char **prefix)
{
	*prefix = "";
	if (h->type == UTAP_HIST_LOG)
		return utap_hist_log_value(i);
	if (i == 0) {
		*prefix = "<";
		return h->start;
	}
	if (i == h->buckets - 1) {
		*prefix = ">";
		return utap_add(h->start, utap_mul((int64_t)i - 2, h->interval));
	}
	return utap_add(h->start, utap_mul((int64_t)i - 1, h->interval));
}

/**
 * hist_elided() - whether a printed row is left out
 * @h: the histogram
 * @d: its counts
 * @lo: first row printed
 * @hi: last row printed
 * @i: the row
 *
 * Return: true when row @i and its HIST_ELISION neighbours within
 * [@lo, @hi] are all empty (never for a negative HIST_ELISION).
 */
static bool hist_elided(const struct utap_hist *h,
			const struct utap_stat_data *d, int lo, int hi, int i)
{
	int k, from = lo, to = hi, around = utap_limits.hist_elision;

	if (around < 0)
		return false;
	if (around > (int)h->buckets)
		around = h->buckets;
	if (i - around > from)
		from = i - around;
	if (i + around < to)
		to = i + around;
	for (k = from; k <= to; k++)
		if (d->histogram[k])
			return false;
	return true;
}

/**
 * utap_hist_format() - the ASCII histogram stap prints for @d
 * @buf: where the text goes (may be NULL when @size is 0)
 * @size: bytes at @buf; the text is cut to fit and NUL-terminated
 * @h: the histogram's layout
 * @d: a merged statistic with values (count > 0)
 *
 * The layout is stap's: a "value |---...--- count" header, the rows from
 * two buckets before the first non-empty one to two after the last (a log
 * histogram goes below 0 only for negative data; a linear one shows its
 * under- and overflow rows, labelled "<start" and ">last", only when they
 * hold values), each row a label, '|', a bar of '@' (HIST_WIDTH wide for
 * the largest count, scaled down by ceil(max / HIST_WIDTH) above that) and
 * the count; runs of empty rows more than HIST_ELISION from any data are
 * replaced by one "~" line; a blank line ends it.
 *
 * Return: the length of the whole text (as snprintf: more than @size - 1
 * means it was cut); 0 and nothing printed when @d is empty or @h has no
 * histogram.
 */
size_t utap_hist_format(char *buf, size_t size, const struct utap_hist *h,
			const struct utap_stat_data *d)
{
	struct hist_out o = { .buf = buf, .size = size, .len = 0 };
	int i, low = -1, high = 0, val_space, cnt_space, under = 0, over = 0;
	int last = (int)h->buckets - 1;
	int64_t valmax = 0, scale, bars, label;
	const char *prefix;
	bool eliding = false;

	if (size)
		buf[0] = '\0';
	if (h->type == UTAP_HIST_NONE || h->buckets == 0 || d->count == 0)
		return 0;

	for (i = 0; i <= last; i++) {
		if (d->histogram[i] > 0 && low == -1)
			low = i;
		if (d->histogram[i] > 0)
			high = i;
		if (d->histogram[i] > valmax)
			valmax = d->histogram[i];
	}
	if (low == -1)
		return 0;
	for (i = 0; i < 2; i++) {
		if (h->type == UTAP_HIST_LOG) {
			if (low != UTAP_HIST_LOG_BUCKET0 && low > 0)
				low--;
		} else if (low > 0) {
			low--;
		}
		if (high < last)
			high++;
	}
	if (h->type == UTAP_HIST_LINEAR) {
		if (low == 0 && d->histogram[0] == 0)
			low++;
		if (high == last && d->histogram[high] == 0)
			high--;
		under = low == 0;
		over = high == last;
	}

	scale = valmax <= HIST_WIDTH ? 1 : div64_s64(valmax + HIST_WIDTH - 1, HIST_WIDTH);
	cnt_space = digits(valmax);
	if (h->type == UTAP_HIST_LINEAR)
		val_space = imax(digits(h->start) + under,
				 digits(utap_add(h->start, utap_mul(h->interval, high))) + over);
	else
		val_space = imax(digits(utap_hist_log_value(high)),
				 digits(utap_hist_log_value(low)));
	val_space = imax(val_space, 5 /* "value" */);

	hist_printf(&o, "%*s |", val_space, "value");
	hist_fill(&o, '-', HIST_WIDTH);
	hist_printf(&o, " count\n");
	for (i = low; i <= high; i++) {
		if (hist_elided(h, d, low, high, i)) {
			eliding = true;
			continue;
		}
		if (eliding) {
			hist_printf(&o, "%*s ~\n", val_space, "");
			eliding = false;
		}
		label = hist_label(h, i, &prefix);
		hist_printf(&o, "%*s%lld |", val_space - digits(label), prefix,
			    (long long)label);
		bars = div64_s64(d->histogram[i], scale);
		hist_fill(&o, '@', (size_t)bars);
		hist_printf(&o, "%*lld\n", (int)(HIST_WIDTH - bars + 1 + cnt_space),
			    (long long)d->histogram[i]);
	}
	hist_printf(&o, "\n");
	return o.len;
}

/**
 * utap_print_hist() - print(@hist_log(s)): the ASCII graph into @sink
 * @c: the handler's context (an empty statistic is a script error, as stap)
 * @sink: the output
 * @h: the statistic's histogram
 * @d: its merged data
 */
void utap_print_hist(struct utap_context *c, struct utap_sink *sink, const struct utap_hist *h,
		     const struct utap_stat_data *d)
{
	size_t room = sink->size - sink->len, n;

	if (!d || !d->count) {
		utap_error(c, "empty aggregate");
		return;
	}
	n = utap_hist_format(sink->buf + sink->len, room, h, d);
	sink->wanted += n;
	sink->len += min_t(size_t, n, room ? room - 1 : 0);
}
