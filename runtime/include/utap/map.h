/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps: stap's associative arrays. Up to 9 keys, each a long or a string;
 * the value a long, a string or a statistic (utap/stat.h).
 *
 * All memory is allocated by utap_map_init() at module load: the entries
 * (the array's declared size, or MAXMAPENTRIES), a hash table, and for
 * sorted foreach the sort indexes. No operation allocates afterwards.
 *
 * Generated code describes each array once, in a static const
 * struct utap_map_desc, and passes keys as an array built on its stack:
 *
 *	struct utap_key k[2] = { { .n = pid }, { .s = name } };
 *	if (utap_map_add_long(&g_count, k, 1, NULL))
 *		utap_map_overflow_error(c, &g_count);
 *
 * Semantics, as stap's:
 *  - a missing element reads as 0, "" or an empty statistic and is not
 *    created by reading; storing 0 or "" keeps (or creates) the element;
 *  - string keys and values keep MAXSTRINGLEN - 1 bytes: longer strings
 *    are cut, and keys that agree in those bytes are the same key;
 *  - a full array refuses a new key (-ENOSPC; the script error is
 *    "Array overflow, check MAXMAPENTRIES", or "... check size limit (N)"
 *    for `global a[N]`), unless declared with '%': then the oldest element
 *    (first inserted of those still present) is replaced;
 *  - iteration is in insertion order; a sorted foreach orders by a key or
 *    the value (a statistic by @count, @sum, @min, @max, @avg or
 *    @variance), ties in insertion order, with an optional limit and a
 *    slice filter; the limit counts elements before the slice skips any
 *    (stap's `foreach ([a, b] in m[*, 1] limit 2)` visits the first two
 *    elements of m and runs the body for those whose second key is 1).
 *
 * Locks (utap/lock.h): the global's lock is held by the caller, read for
 * utap_map_get_long/_str, _exists, _count and unsorted iteration of a
 * non-statistic map; read for utap_map_stat_add() into a map without '%';
 * write for everything else (set, add, delete, clear, sorted iteration,
 * reading statistics, `<<<` into a wrapping map). Under the read lock,
 * several CPUs may run utap_map_stat_add() at once: a new key is inserted
 * under @insert_lock and published to lock-free lookups; nothing is ever
 * removed while the read lock can be held.
 *
 * Modifying an array inside a foreach over it is refused by pass 2, as by
 * stap. If it happens anyway, the runtime stays safe: any change to the set
 * of keys (insert, delete, clear, wrap) ends the iteration, which reports
 * -EBUSY in struct utap_map_iter.status; changing the value of an existing
 * key does not disturb it.
 */
#ifndef UTAP_MAP_H
#define UTAP_MAP_H

#include "utap/base.h"
#include "utap/stat.h"

#define UTAP_MAP_MAX_KEYS 9
/* utap_map_order.by for "sort by the value". */
#define UTAP_MAP_BY_VALUE (-1)
/* A limit that never ends a foreach. */
#define UTAP_MAP_NO_LIMIT ((int64_t)(~0ULL >> 1))

/**
 * enum utap_type - the type of a key or a value
 * @UTAP_TYPE_LONG: int64_t
 * @UTAP_TYPE_STRING: a string of up to MAXSTRINGLEN - 1 bytes
 * @UTAP_TYPE_STAT: a statistic (values only)
 */
enum utap_type {
	UTAP_TYPE_LONG,
	UTAP_TYPE_STRING,
	UTAP_TYPE_STAT,
};

/**
 * struct utap_key - one key of an element, as generated code passes it
 * @n: the key, when the map's key is a long
 * @s: the key, when it is a string (NULL reads as ""); only read during
 *	the call
 */
struct utap_key {
	int64_t n;
	const char *s;
};

/**
 * struct utap_map_desc - one array, as pass 3 describes it (static const)
 * @name: the global's name, for messages
 * @nkeys: keys per element, 1..UTAP_MAP_MAX_KEYS
 * @key_types: %UTAP_TYPE_LONG or %UTAP_TYPE_STRING for each key
 * @value_type: the value's type
 * @max_entries: the declared size (`global a[N]`), or 0 for MAXMAPENTRIES
 * @wrap: declared with '%': a full array replaces its oldest element
 * @sort_slots: sorted foreach loops over this array that can be live at
 *	once (nested); each has its own index. 0: never sorted
 * @stat: for a statistic value, its histogram and variance shift
 */
struct utap_map_desc {
	const char *name;
	unsigned int nkeys;
	enum utap_type key_types[UTAP_MAP_MAX_KEYS];
	enum utap_type value_type;
	unsigned int max_entries;
	bool wrap;
	unsigned int sort_slots;
	struct utap_stat_desc stat;
};

/* An element: opaque, reached through a map's iterator. */
struct utap_map_entry;

/**
 * struct utap_map - an array's memory and state
 * @desc: its description
 * @max_entries: elements it can hold
 * @mask: hash table size - 1 (a power of two, at least @max_entries)
 * @seed: hash seed, random per load
 * @entry_size: bytes per element
 * @key_offset: where each key lives in an element
 * @value_offset: where a long or string value lives in an element
 * @entries: @max_entries elements
 * @buckets: hash chains' first elements (element numbers, ~0 for none)
 * @oldest: first element in insertion order
 * @newest: last element in insertion order
 * @free: first unused element
 * @count: elements in use
 * @gen: changes whenever the set of keys changes (iterators check it)
 * @insert_lock: serializes insertions made under the global's read lock
 *	(utap_map_stat_add() on several CPUs); a leaf lock, taken with
 *	interrupts off, inside the global's lock
 * @shape: a statistic value's layout
 * @planes: for statistic values, nr_cpu_ids arrays of @max_entries slots:
 *	CPU n adds into plane n only, interrupts off
 * @agg: where a statistic element is merged for reading (write lock)
 * @sort_index: @desc->sort_slots arrays of @max_entries element numbers
 * @sort_tmp: merge sort's scratch
 * @sort_key: each element's numeric sort key during a sort
 */
struct utap_map {
	const struct utap_map_desc *desc;
	uint32_t max_entries;
	uint32_t mask;
	uint32_t seed;
	size_t entry_size;
	size_t key_offset[UTAP_MAP_MAX_KEYS];
	size_t value_offset;
	char *entries;
	uint32_t *buckets;
	uint32_t oldest;
	uint32_t newest;
	uint32_t free;
	uint32_t count;
	uint64_t gen;
	raw_spinlock_t insert_lock;
	struct utap_stat_shape shape;
	char **planes;
	struct utap_stat_data *agg;
	uint32_t **sort_index;
	uint32_t *sort_tmp;
	int64_t *sort_key;
};

/**
 * struct utap_map_order - how a sorted foreach orders
 * @by: a key's index (0 for the first key) or UTAP_MAP_BY_VALUE
 * @op: for a statistic value, the aggregate compared (@count by default,
 *	or @sum, @min, @max, @avg, @variance)
 * @descending: '-' rather than '+'
 */
struct utap_map_order {
	int by;
	enum utap_stat_op op;
	bool descending;
};

/**
 * struct utap_map_iter - one foreach in progress
 * @map: the array
 * @order: a sorted foreach's element numbers, or NULL for insertion order
 * @norder: elements in @order
 * @pos: next position in @order, or next element in insertion order
 * @gen: the map's @gen when the loop began
 * @left: elements the limit still lets the loop visit (in the slice or not)
 * @filter: a slice's keys (read at each step: they must stay valid until
 *	the loop ends), or NULL
 * @filter_mask: bit i set: key i must equal @filter[i]; clear: '*'
 * @status: 0, or -EBUSY when the set of keys changed during the loop
 */
struct utap_map_iter {
	struct utap_map *map;
	const uint32_t *order;
	uint32_t norder;
	uint32_t pos;
	uint64_t gen;
	int64_t left;
	const struct utap_key *filter;
	unsigned int filter_mask;
	int status;
};

int utap_map_init(struct utap_map *m, const struct utap_map_desc *desc);
void utap_map_free(struct utap_map *m);

int64_t utap_map_get_long(struct utap_map *m, const struct utap_key *keys);
const char *utap_map_get_str(struct utap_map *m, const struct utap_key *keys);
const struct utap_stat_data *utap_map_get_stat(struct utap_map *m,
					       const struct utap_key *keys);
int64_t utap_map_hist_count(struct utap_map *m, const struct utap_key *keys,
			    int64_t bucket);
int utap_map_set_long(struct utap_map *m, const struct utap_key *keys,
		      int64_t value);
int utap_map_set_str(struct utap_map *m, const struct utap_key *keys,
		     const char *value);
int utap_map_add_long(struct utap_map *m, const struct utap_key *keys,
		      int64_t delta, int64_t *result);
int utap_map_stat_add(struct utap_map *m, const struct utap_key *keys,
		      int64_t value);
bool utap_map_exists(struct utap_map *m, const struct utap_key *keys);
bool utap_map_delete(struct utap_map *m, const struct utap_key *keys);
unsigned int utap_map_delete_matching(struct utap_map *m,
				      const struct utap_key *filter,
				      unsigned int filter_mask);
void utap_map_clear(struct utap_map *m);
unsigned int utap_map_count(const struct utap_map *m);
void utap_map_overflow_error(struct utap_context *c, const struct utap_map *m);

void utap_map_iter_start(struct utap_map_iter *it, struct utap_map *m,
			 const struct utap_key *filter, unsigned int filter_mask,
			 int64_t limit);
int utap_map_iter_start_sorted(struct utap_map_iter *it, struct utap_map *m,
			       unsigned int slot,
			       const struct utap_map_order *order,
			       const struct utap_key *filter,
			       unsigned int filter_mask, int64_t limit);
struct utap_map_entry *utap_map_iter_next(struct utap_map_iter *it);

int64_t utap_map_entry_key_long(const struct utap_map *m,
				const struct utap_map_entry *e, unsigned int i);
const char *utap_map_entry_key_str(const struct utap_map *m,
				   const struct utap_map_entry *e,
				   unsigned int i);
int64_t utap_map_entry_long(const struct utap_map *m,
			    const struct utap_map_entry *e);
const char *utap_map_entry_str(const struct utap_map *m,
			       const struct utap_map_entry *e);
const struct utap_stat_data *utap_map_entry_stat(struct utap_map *m,
						 const struct utap_map_entry *e);

/**
 * utap_map_hist() - the histogram layout of a statistic map's values
 * @m: a map of statistics
 *
 * Return: what utap_stat_bucket() and utap_hist_format() need.
 */
static inline const struct utap_hist *utap_map_hist(const struct utap_map *m)
{
	return &m->shape.hist;
}

#endif /* UTAP_MAP_H */
