// SPDX-License-Identifier: GPL-2.0
/*
 * Maps: preallocated hash tables of fixed-size elements, chained by element
 * number, with an insertion-order list and a free list. Semantics and locks
 * in utap/map.h.
 */
#include "utap/map.h"

#define NIL ((uint32_t)~0U)
/* kvmalloc() refuses (with a warning) anything larger. */
#define MAP_MAX_ALLOC ((size_t)0x7fffffff)

/**
 * struct utap_map_entry - the head of every element
 * @hnext: next element in the hash chain; changed only under the write lock
 *	or, for a new element before it is published, under insert_lock
 * @prev: previous element in insertion order (unused while free)
 * @next: next element in insertion order, or in the free list
 * @hash: the keys' hash
 *
 * Keys and a long or string value follow, at the offsets in struct
 * utap_map. A statistic value lives in the CPUs' planes instead.
 */
struct utap_map_entry {
	uint32_t hnext;
	uint32_t prev;
	uint32_t next;
	uint32_t hash;
};

/**
 * entry_at() - an element by number
 * @m: the map
 * @id: 0 .. @m->max_entries - 1
 *
 * Return: the element.
 */
static inline struct utap_map_entry *entry_at(const struct utap_map *m,
					      uint32_t id)
{
	return (struct utap_map_entry *)(m->entries + (size_t)id * m->entry_size);
}

/**
 * entry_id() - an element's number
 * @m: the map
 * @e: one of its elements
 *
 * Return: the number entry_at() takes.
 */
static inline uint32_t entry_id(const struct utap_map *m,
				const struct utap_map_entry *e)
{
	return (uint32_t)(((const char *)e - m->entries) / m->entry_size);
}

/**
 * entry_field() - a key or value inside an element
 * @m: the map
 * @e: the element
 * @offset: from @m->key_offset or @m->value_offset
 *
 * Return: where the field's bytes are.
 */
static inline char *entry_field(const struct utap_map *m,
				const struct utap_map_entry *e, size_t offset)
{
	return (char *)e + offset;
}

/**
 * entry_slot() - one CPU's statistic slot of an element
 * @m: a statistic map
 * @cpu: a possible CPU
 * @id: the element's number
 *
 * Return: the slot in @cpu's plane.
 */
static inline struct utap_stat_data *entry_slot(const struct utap_map *m,
						unsigned int cpu, uint32_t id)
{
	return (struct utap_stat_data *)(m->planes[cpu] + (size_t)id * m->shape.size);
}

/**
 * round8() - round up to a multiple of 8 (keys and values stay aligned)
 * @n: a size
 *
 * Return: the rounded size.
 */
static inline size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/**
 * kept_len() - the bytes of a string a map keeps
 * @s: a string, or NULL for ""
 *
 * Return: its length, at most MAXSTRINGLEN - 1.
 */
static inline size_t kept_len(const char *s)
{
	return s ? strnlen(s, MAXSTRINGLEN - 1) : 0;
}

/**
 * copy_kept() - store a string as a map keeps it
 * @dst: MAXSTRINGLEN bytes
 * @src: a string, or NULL for ""; cut to MAXSTRINGLEN - 1 bytes
 */
static void copy_kept(char *dst, const char *src)
{
	size_t n = kept_len(src);

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/**
 * hash_mix() - fold 64 bits into a running hash
 * @h: the hash so far
 * @v: the bits
 *
 * Return: the new hash.
 */
static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/**
 * hash_keys() - the hash of a key tuple
 * @m: the map (key types, per-load seed)
 * @keys: @m->desc->nkeys keys; strings hashed as the map keeps them
 *
 * Return: 32 bits of hash; the low bits pick the chain.
 */
static uint32_t hash_keys(const struct utap_map *m, const struct utap_key *keys)
{
	uint64_t h = m->seed, chunk;
	unsigned int i;
	size_t len, at;

	for (i = 0; i < m->desc->nkeys; i++) {
		if (m->desc->key_types[i] == UTAP_TYPE_LONG) {
			h = hash_mix(h, (uint64_t)keys[i].n);
			continue;
		}
		len = kept_len(keys[i].s);
		for (at = 0; at + 8 <= len; at += 8) {
			memcpy(&chunk, keys[i].s + at, 8);
			h = hash_mix(h, chunk);
		}
		chunk = 0;
		memcpy(&chunk, keys[i].s ? keys[i].s + at : "", len - at);
		h = hash_mix(h, chunk ^ ((uint64_t)len << 56));
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h ^ (h >> 32));
}

/**
 * key_equal() - whether key @i of an element is @key
 * @m: the map
 * @e: the element
 * @i: the key's index
 * @key: the key looked for; strings compare on MAXSTRINGLEN - 1 bytes
 *
 * Return: true when equal.
 */
static bool key_equal(const struct utap_map *m, const struct utap_map_entry *e,
		      unsigned int i, const struct utap_key *key)
{
	const char *field = entry_field(m, e, m->key_offset[i]);
	int64_t n;

	if (m->desc->key_types[i] == UTAP_TYPE_LONG) {
		memcpy(&n, field, sizeof(n));
		return n == key->n;
	}
	return strncmp(field, key->s ? key->s : "", MAXSTRINGLEN - 1) == 0;
}

/**
 * keys_match() - whether an element belongs to a slice
 * @m: the map
 * @e: the element
 * @keys: the slice's keys
 * @mask: bit i set: key i must equal @keys[i]; clear: any
 *
 * Return: true when every key in @mask is equal.
 */
static bool keys_match(const struct utap_map *m, const struct utap_map_entry *e,
		       const struct utap_key *keys, unsigned int mask)
{
	unsigned int i;

	for (i = 0; i < m->desc->nkeys; i++)
		if ((mask & (1U << i)) && !key_equal(m, e, i, &keys[i]))
			return false;
	return true;
}

/**
 * map_find() - look an element up
 * @m: the map
 * @keys: @m->desc->nkeys keys
 * @hash: hash_keys() of @keys
 *
 * Lock-free: under the read lock another CPU may be inserting
 * (utap_map_stat_add()); it publishes an element into its chain with a
 * release store after filling it in, and nothing leaves a chain unless the
 * write lock is held.
 *
 * Return: the element's number, or NIL.
 */
static uint32_t map_find(const struct utap_map *m, const struct utap_key *keys,
			 uint32_t hash)
{
	const struct utap_map_entry *e;
	uint32_t id = smp_load_acquire(&m->buckets[hash & m->mask]);
	unsigned int all = (1U << m->desc->nkeys) - 1;

	while (id != NIL) {
		e = entry_at(m, id);
		if (e->hash == hash && keys_match(m, e, keys, all))
			return id;
		id = READ_ONCE(e->hnext);
	}
	return NIL;
}

/**
 * map_unlink() - take an element out of its chain and the insertion list
 * @m: the map
 * @id: an element in use
 *
 * Zeroes its statistic slots (free elements keep them zeroed, so an
 * insertion under the read lock needs not touch other CPUs' planes) and
 * leaves it to the caller: free list or reuse. Caller holds the write lock:
 * no lock-free reader walks the chain.
 */
static void map_unlink(struct utap_map *m, uint32_t id)
{
	struct utap_map_entry *e = entry_at(m, id);
	uint32_t *link = &m->buckets[e->hash & m->mask];
	unsigned int cpu;

	while (*link != id)
		link = &entry_at(m, *link)->hnext;
	WRITE_ONCE(*link, e->hnext);

	if (e->prev != NIL)
		entry_at(m, e->prev)->next = e->next;
	else
		m->oldest = e->next;
	if (e->next != NIL)
		entry_at(m, e->next)->prev = e->prev;
	else
		m->newest = e->prev;

	if (m->planes)
		for_each_possible_cpu(cpu)
			if (m->planes[cpu])
				memset(entry_slot(m, cpu, id), 0, m->shape.size);
	WRITE_ONCE(m->count, m->count - 1);
	WRITE_ONCE(m->gen, m->gen + 1);
}

/**
 * map_release() - delete an element
 * @m: the map
 * @id: an element in use; goes to the free list
 *
 * Caller holds the write lock.
 */
static void map_release(struct utap_map *m, uint32_t id)
{
	map_unlink(m, id);
	entry_at(m, id)->next = m->free;
	m->free = id;
}

/**
 * map_obtain() - find an element, or insert it with a zero value
 * @m: the map
 * @keys: @m->desc->nkeys keys
 * @out: the element's number
 *
 * A new element comes from the free list or, in a full wrapping map,
 * replaces the oldest one. Insertions take @m->insert_lock (interrupts
 * off), look again, fill the element in and publish it last, so that
 * several CPUs holding the read lock may insert at once; replacing needs
 * the write lock.
 *
 * Return: 0, or -ENOSPC when @m is full and does not wrap.
 */
static int map_obtain(struct utap_map *m, const struct utap_key *keys,
		      uint32_t *out)
{
	uint32_t hash = hash_keys(m, keys), id, *head;
	struct utap_map_entry *e;
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	id = map_find(m, keys, hash);
	if (id != NIL)
		goto found;

	raw_spin_lock_irqsave(&m->insert_lock, flags);
	id = map_find(m, keys, hash); /* another CPU may just have made it */
	if (id != NIL)
		goto unlock;
	if (m->free != NIL) {
		id = m->free;
		m->free = entry_at(m, id)->next;
	} else if (m->desc->wrap && m->oldest != NIL) {
		id = m->oldest;
		map_unlink(m, id);
	} else {
		ret = -ENOSPC;
		goto unlock;
	}

	e = entry_at(m, id);
	e->hash = hash;
	for (i = 0; i < m->desc->nkeys; i++) {
		char *field = entry_field(m, e, m->key_offset[i]);

		if (m->desc->key_types[i] == UTAP_TYPE_LONG)
			memcpy(field, &keys[i].n, sizeof(keys[i].n));
		else
			copy_kept(field, keys[i].s);
	}
	if (m->desc->value_type == UTAP_TYPE_LONG)
		memset(entry_field(m, e, m->value_offset), 0, sizeof(int64_t));
	else if (m->desc->value_type == UTAP_TYPE_STRING)
		entry_field(m, e, m->value_offset)[0] = '\0';

	e->next = NIL;
	e->prev = m->newest;
	if (m->newest != NIL)
		entry_at(m, m->newest)->next = id;
	else
		m->oldest = id;
	m->newest = id;
	WRITE_ONCE(m->count, m->count + 1);
	WRITE_ONCE(m->gen, m->gen + 1);

	head = &m->buckets[hash & m->mask];
	e->hnext = *head;
	smp_store_release(head, id);
unlock:
	raw_spin_unlock_irqrestore(&m->insert_lock, flags);
	if (ret)
		return ret;
found:
	*out = id;
	return 0;
}

/**
 * utap_map_init() - allocate an array at module load
 * @m: the map
 * @desc: its description; must outlive @m
 *
 * Allocates every element, the hash table, for statistic values one plane
 * of slots per possible CPU (on its NUMA node) and a merge buffer, and the
 * sort indexes @desc->sort_slots asks for. May sleep.
 *
 * Return: 0; -EINVAL for a bad @desc; -ENOMEM. On error nothing is kept.
 */
int utap_map_init(struct utap_map *m, const struct utap_map_desc *desc)
{
	size_t off, bytes;
	uint32_t max, nbuckets, i;
	unsigned int cpu;
	int ret = -EINVAL;

	memset(m, 0, sizeof(*m));
	m->desc = desc;
	raw_spin_lock_init(&m->insert_lock);
	max = desc->max_entries ? desc->max_entries : utap_limits.max_map_entries;
	if (desc->nkeys < 1 || desc->nkeys > UTAP_MAP_MAX_KEYS || max >= NIL ||
	    max > (1U << 31))
		goto fail;

	off = sizeof(struct utap_map_entry);
	for (i = 0; i < desc->nkeys; i++) {
		off = round8(off);
		m->key_offset[i] = off;
		if (desc->key_types[i] == UTAP_TYPE_LONG)
			off += sizeof(int64_t);
		else if (desc->key_types[i] == UTAP_TYPE_STRING)
			off += MAXSTRINGLEN;
		else
			goto fail;
	}
	off = round8(off);
	m->value_offset = off;
	switch (desc->value_type) {
	case UTAP_TYPE_LONG:
		off += sizeof(int64_t);
		break;
	case UTAP_TYPE_STRING:
		off += MAXSTRINGLEN;
		break;
	case UTAP_TYPE_STAT:
		ret = utap_stat_shape_init(&m->shape, &desc->stat);
		if (ret)
			goto fail;
		/* stap merges an array element's CPUs one by one. */
		m->shape.pairwise = true;
		break;
	default:
		goto fail;
	}
	m->entry_size = round8(off);
	m->max_entries = max;
	for (nbuckets = 1; nbuckets < max; nbuckets <<= 1)
		;
	m->mask = nbuckets - 1;
	m->seed = utap_random_u32();

	ret = -ENOMEM;
	if (check_mul_overflow((size_t)max, m->entry_size, &bytes) ||
	    bytes > MAP_MAX_ALLOC)
		goto fail;
	m->entries = utap_alloc(bytes);
	m->buckets = utap_alloc((size_t)nbuckets * sizeof(*m->buckets));
	if (!m->entries || !m->buckets)
		goto fail;
	memset(m->buckets, 0xff, (size_t)nbuckets * sizeof(*m->buckets));
	for (i = 0; i < max; i++)
		entry_at(m, i)->next = i + 1 < max ? i + 1 : NIL;
	m->free = 0;
	m->oldest = NIL;
	m->newest = NIL;

	if (desc->value_type == UTAP_TYPE_STAT) {
		if (check_mul_overflow((size_t)max, m->shape.size, &bytes) ||
		    bytes > MAP_MAX_ALLOC)
			goto fail;
		m->planes = utap_alloc(nr_cpu_ids * sizeof(*m->planes));
		m->agg = utap_alloc(m->shape.size);
		if (!m->planes || !m->agg)
			goto fail;
		for_each_possible_cpu(cpu) {
			m->planes[cpu] = utap_alloc_cpu(bytes, cpu);
			if (!m->planes[cpu])
				goto fail;
		}
	}

	if (desc->sort_slots) {
		m->sort_index = utap_alloc(desc->sort_slots * sizeof(*m->sort_index));
		m->sort_tmp = utap_alloc((size_t)max * sizeof(*m->sort_tmp));
		m->sort_key = utap_alloc((size_t)max * sizeof(*m->sort_key));
		if (!m->sort_index || !m->sort_tmp || !m->sort_key)
			goto fail;
		for (i = 0; i < desc->sort_slots; i++) {
			m->sort_index[i] = utap_alloc((size_t)max * sizeof(uint32_t));
			if (!m->sort_index[i])
				goto fail;
		}
	}
	return 0;

fail:
	utap_map_free(m);
	return ret;
}

/**
 * utap_map_free() - release an array's memory at module unload
 * @m: a map after utap_map_init() (successful or not) or zeroed; no handler
 *	may run any more
 */
void utap_map_free(struct utap_map *m)
{
	unsigned int cpu, i;

	if (m->sort_index && m->desc)
		for (i = 0; i < m->desc->sort_slots; i++)
			utap_free(m->sort_index[i]);
	utap_free(m->sort_index);
	utap_free(m->sort_tmp);
	utap_free(m->sort_key);
	if (m->planes)
		for_each_possible_cpu(cpu)
			utap_free(m->planes[cpu]);
	utap_free(m->planes);
	utap_free(m->agg);
	utap_free(m->buckets);
	utap_free(m->entries);
	memset(m, 0, sizeof(*m));
}

/**
 * utap_map_get_long() - `a[k]` of a long-valued array
 * @m: the map
 * @keys: @m->desc->nkeys keys
 *
 * Caller holds the read lock.
 *
 * Return: the value, 0 for a missing element (which is not created).
 */
int64_t utap_map_get_long(struct utap_map *m, const struct utap_key *keys)
{
	uint32_t id = map_find(m, keys, hash_keys(m, keys));
	int64_t v;

	if (id == NIL)
		return 0;
	memcpy(&v, entry_field(m, entry_at(m, id), m->value_offset), sizeof(v));
	return v;
}

/**
 * utap_map_get_str() - `a[k]` of a string-valued array
 * @m: the map
 * @keys: @m->desc->nkeys keys
 *
 * Caller holds the read lock.
 *
 * Return: the value, "" for a missing element; valid while the lock is
 * held and the element is not changed.
 */
const char *utap_map_get_str(struct utap_map *m, const struct utap_key *keys)
{
	uint32_t id = map_find(m, keys, hash_keys(m, keys));

	if (id == NIL)
		return "";
	return entry_field(m, entry_at(m, id), m->value_offset);
}

/**
 * utap_map_get_stat() - `a[k]` of a statistic-valued array, merged
 * @m: the map
 * @keys: @m->desc->nkeys keys
 *
 * Caller holds the write lock: the result is @m's merge buffer.
 *
 * Return: the merged statistic (count 0 for a missing element), valid until
 * the lock is released or another statistic of @m is read.
 */
const struct utap_stat_data *utap_map_get_stat(struct utap_map *m,
					       const struct utap_key *keys)
{
	uint32_t id = map_find(m, keys, hash_keys(m, keys));

	if (id == NIL) {
		memset(m->agg, 0, m->shape.size);
		return m->agg;
	}
	utap_stat_merge(&m->shape, m->agg, m->planes, (size_t)id * m->shape.size);
	return m->agg;
}

/**
 * utap_map_hist_count() - one histogram bucket of a statistic element
 * @m: a map of statistics
 * @keys: @m->desc->nkeys keys
 * @bucket: 0 .. utap_map_hist(@m)->buckets - 1
 *
 * What `foreach (v = b in @hist_log(a[k]))` reads at each step: the
 * bucket's count summed over the CPUs, leaving @m's merge buffer alone
 * (the loop's body may be using it for another element). Caller holds the
 * write lock.
 *
 * Return: the count; 0 for a missing element or a bucket out of range.
 */
int64_t utap_map_hist_count(struct utap_map *m, const struct utap_key *keys,
			    int64_t bucket)
{
	uint32_t id;
	unsigned int cpu;
	int64_t n = 0;

	if (bucket < 0 || bucket >= m->shape.hist.buckets)
		return 0;
	id = map_find(m, keys, hash_keys(m, keys));
	if (id == NIL)
		return 0;
	for_each_possible_cpu(cpu)
		if (m->planes[cpu])
			n += entry_slot(m, cpu, id)->histogram[bucket];
	return n;
}

/**
 * utap_map_set_long() - `a[k] = value`
 * @m: a long-valued map
 * @keys: @m->desc->nkeys keys
 * @value: the value (0 too creates the element)
 *
 * Caller holds the write lock.
 *
 * Return: 0, or -ENOSPC when @m is full and does not wrap (nothing changed).
 */
int utap_map_set_long(struct utap_map *m, const struct utap_key *keys,
		      int64_t value)
{
	uint32_t id;
	int ret = map_obtain(m, keys, &id);

	if (ret)
		return ret;
	memcpy(entry_field(m, entry_at(m, id), m->value_offset), &value,
	       sizeof(value));
	return 0;
}

/**
 * utap_map_set_str() - `a[k] = value`
 * @m: a string-valued map
 * @keys: @m->desc->nkeys keys
 * @value: the value, cut to MAXSTRINGLEN - 1 bytes; NULL is ""
 *
 * Caller holds the write lock.
 *
 * Return: 0, or -ENOSPC when @m is full and does not wrap.
 */
int utap_map_set_str(struct utap_map *m, const struct utap_key *keys,
		     const char *value)
{
	uint32_t id;
	int ret = map_obtain(m, keys, &id);

	if (ret)
		return ret;
	copy_kept(entry_field(m, entry_at(m, id), m->value_offset), value);
	return 0;
}

/**
 * utap_map_add_long() - `a[k] += delta`, `a[k]++`, `a[k]--` in one lookup
 * @m: a long-valued map
 * @keys: @m->desc->nkeys keys
 * @delta: added with wrap-around; a missing element starts at 0
 * @result: if not NULL, gets the new value
 *
 * Caller holds the write lock.
 *
 * Return: 0, or -ENOSPC when @m is full and does not wrap (nothing changed,
 * *@result untouched).
 */
int utap_map_add_long(struct utap_map *m, const struct utap_key *keys,
		      int64_t delta, int64_t *result)
{
	uint32_t id;
	int64_t v;
	char *field;
	int ret = map_obtain(m, keys, &id);

	if (ret)
		return ret;
	field = entry_field(m, entry_at(m, id), m->value_offset);
	memcpy(&v, field, sizeof(v));
	v = (int64_t)((uint64_t)v + (uint64_t)delta);
	memcpy(field, &v, sizeof(v));
	if (result)
		*result = v;
	return 0;
}

/**
 * utap_map_stat_add() - `a[k] <<< value`
 * @m: a statistic-valued map
 * @keys: @m->desc->nkeys keys
 * @value: the value
 *
 * Finds or inserts the element, then adds into the running CPU's slot with
 * interrupts off. Caller holds the read lock (several CPUs may add at once),
 * or the write lock if @m wraps.
 *
 * Return: 0, or -ENOSPC when @m is full and does not wrap.
 */
int utap_map_stat_add(struct utap_map *m, const struct utap_key *keys,
		      int64_t value)
{
	unsigned long flags;
	uint32_t id;
	int ret;

	local_irq_save(flags);
	ret = map_obtain(m, keys, &id);
	if (!ret)
		utap_stat_slot_add(&m->shape, entry_slot(m, smp_processor_id(), id),
				   value);
	local_irq_restore(flags);
	return ret;
}

/**
 * utap_map_exists() - `[k] in a`
 * @m: the map
 * @keys: @m->desc->nkeys keys
 *
 * Caller holds the read lock.
 *
 * Return: whether the element exists.
 */
bool utap_map_exists(struct utap_map *m, const struct utap_key *keys)
{
	return map_find(m, keys, hash_keys(m, keys)) != NIL;
}

/**
 * utap_map_delete() - `delete a[k]`
 * @m: the map
 * @keys: @m->desc->nkeys keys
 *
 * Deleting a missing element is no error. Caller holds the write lock.
 *
 * Return: whether an element was deleted.
 */
bool utap_map_delete(struct utap_map *m, const struct utap_key *keys)
{
	uint32_t id = map_find(m, keys, hash_keys(m, keys));

	if (id == NIL)
		return false;
	map_release(m, id);
	return true;
}

/**
 * utap_map_delete_matching() - `delete a[k, *]`: every element of a slice
 * @m: the map
 * @filter: keys to match
 * @filter_mask: bit i set: key i must equal @filter[i]; clear: '*'
 *
 * Caller holds the write lock.
 *
 * Return: how many elements were deleted.
 */
unsigned int utap_map_delete_matching(struct utap_map *m,
				      const struct utap_key *filter,
				      unsigned int filter_mask)
{
	uint32_t id = m->oldest, next;
	unsigned int n = 0;

	while (id != NIL) {
		next = entry_at(m, id)->next;
		if (keys_match(m, entry_at(m, id), filter, filter_mask)) {
			map_release(m, id);
			n++;
		}
		id = next;
	}
	return n;
}

/**
 * utap_map_clear() - `delete a`: every element
 * @m: the map
 *
 * Caller holds the write lock.
 */
void utap_map_clear(struct utap_map *m)
{
	while (m->oldest != NIL)
		map_release(m, m->oldest);
}

/**
 * utap_map_count() - elements in @m
 * @m: the map
 *
 * Caller holds the read lock (under which statistic maps may grow).
 *
 * Return: the number of elements.
 */
unsigned int utap_map_count(const struct utap_map *m)
{
	return READ_ONCE(m->count);
}

/**
 * utap_map_overflow_error() - raise stap's error for a full array
 * @c: the handler's context
 * @m: the map that refused a new key
 */
void utap_map_overflow_error(struct utap_context *c, const struct utap_map *m)
{
	if (m->desc->max_entries)
		utap_error(c, "Array overflow, check size limit (%u)",
			   m->desc->max_entries);
	else
		utap_error(c, "Array overflow, check MAXMAPENTRIES");
}

/**
 * utap_map_iter_start() - begin a foreach in insertion order
 * @it: the iterator (the caller's, e.g. in the handler's locals)
 * @m: the map
 * @filter: a slice's keys, or NULL; read at every step, so they must stay
 *	valid until the loop ends
 * @filter_mask: bit i set: key i must equal @filter[i]; 0 for no slice
 * @limit: most elements visited (`limit EXP`; 0 or less: none), or
 *	UTAP_MAP_NO_LIMIT; as in stap, elements outside the slice count too
 *
 * Caller holds the read lock (the write lock for a statistic map, whose
 * values are read by merging) until the loop ends.
 */
void utap_map_iter_start(struct utap_map_iter *it, struct utap_map *m,
			 const struct utap_key *filter, unsigned int filter_mask,
			 int64_t limit)
{
	memset(it, 0, sizeof(*it));
	it->map = m;
	it->pos = m->oldest;
	it->gen = READ_ONCE(m->gen);
	it->left = limit;
	it->filter = filter_mask ? filter : NULL;
	it->filter_mask = filter ? filter_mask : 0;
}

/**
 * struct sort_how - what a sort compares
 * @strings: compare the strings at @offset (strcmp, as stap), else the
 *	numbers in the map's sort_key
 * @offset: the key or value compared
 * @descending: reverse the order (ties still in insertion order)
 */
struct sort_how {
	bool strings;
	size_t offset;
	bool descending;
};

/**
 * sort_cmp() - compare two elements for a sort
 * @m: the map
 * @how: what to compare
 * @a: an element's number
 * @b: another's
 *
 * Return: <0 when @a goes first, 0 when equal, >0 when @b goes first.
 */
static int sort_cmp(const struct utap_map *m, const struct sort_how *how,
		    uint32_t a, uint32_t b)
{
	int r;

	if (how->strings) {
		r = strcmp(entry_field(m, entry_at(m, a), how->offset),
			   entry_field(m, entry_at(m, b), how->offset));
		r = (r > 0) - (r < 0);
	} else {
		r = (m->sort_key[a] > m->sort_key[b]) -
		    (m->sort_key[a] < m->sort_key[b]);
	}
	return how->descending ? -r : r;
}

/**
 * sort_ids() - stable bottom-up merge sort of element numbers, in place
 * @m: the map; its sort_tmp is the scratch space
 * @how: what to compare
 * @ids: the element numbers, in insertion order
 * @n: how many
 *
 * Equal elements keep their insertion order, as in stap's merge sort.
 */
static void sort_ids(const struct utap_map *m, const struct sort_how *how,
		     uint32_t *ids, uint32_t n)
{
	uint32_t *from = ids, *to = m->sort_tmp, *swap;
	size_t width, lo, mid, hi, i, j, k;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			i = lo;
			j = mid;
			for (k = lo; k < hi; k++) {
				if (i < mid && (j >= hi ||
						sort_cmp(m, how, from[i], from[j]) <= 0))
					to[k] = from[i++];
				else
					to[k] = from[j++];
			}
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != ids)
		memcpy(ids, from, (size_t)n * sizeof(*ids));
}

/**
 * stat_sort_key() - the aggregate a statistic element is sorted by
 * @m: a map of statistics
 * @id: the element
 * @op: the aggregate (@variance needs the whole merge; the others not)
 *
 * Caller holds the write lock (@variance merges into @m->agg).
 *
 * Return: the aggregate of the element's values on all CPUs.
 */
static int64_t stat_sort_key(struct utap_map *m, uint32_t id,
			     enum utap_stat_op op)
{
	size_t offset = (size_t)id * m->shape.size;

	if (op != UTAP_STAT_VARIANCE)
		return utap_stat_merged_op(m->planes, offset, op);
	utap_stat_merge(&m->shape, m->agg, m->planes, offset);
	return m->agg->variance;
}

/**
 * utap_map_iter_start_sorted() - begin a sorted foreach
 * @it: the iterator
 * @m: the map
 * @slot: which of @m's sort indexes (0 .. desc->sort_slots - 1); nested
 *	sorted loops over one array use different slots
 * @order: key or value, aggregate, direction
 * @filter: a slice's keys, or NULL; read at every step, so they must stay
 *	valid until the loop ends
 * @filter_mask: bit i set: key i must equal @filter[i]
 * @limit: most elements visited (0 or less: none), or UTAP_MAP_NO_LIMIT;
 *	as in stap, the limit counts the first elements of the whole sorted
 *	array, and the slice then skips those outside it
 *
 * Collects all elements in insertion order, computes each one's sort key
 * (a statistic's aggregate merged over the CPUs), and merge-sorts them,
 * stably, into the slot's index. Caller holds the write lock until the loop
 * ends.
 *
 * Return: 0, or -EINVAL for a bad @slot or @order (the iterator then yields
 * nothing).
 */
int utap_map_iter_start_sorted(struct utap_map_iter *it, struct utap_map *m,
			       unsigned int slot,
			       const struct utap_map_order *order,
			       const struct utap_key *filter,
			       unsigned int filter_mask, int64_t limit)
{
	const struct utap_map_desc *d = m->desc;
	struct sort_how how = { .descending = order->descending };
	enum utap_type type;
	uint32_t *ids, id, n = 0;

	utap_map_iter_start(it, m, filter, filter_mask, limit);
	it->pos = 0;
	it->order = NULL;
	if (slot >= d->sort_slots || order->by < UTAP_MAP_BY_VALUE ||
	    order->by >= (int)d->nkeys) {
		it->status = -EINVAL;
		return -EINVAL;
	}
	if (order->by == UTAP_MAP_BY_VALUE) {
		type = d->value_type;
		how.offset = m->value_offset;
		if (type == UTAP_TYPE_STAT &&
		    (order->op > UTAP_STAT_VARIANCE ||
		     (order->op == UTAP_STAT_VARIANCE && !m->shape.variance))) {
			it->status = -EINVAL;
			return -EINVAL;
		}
	} else {
		type = d->key_types[order->by];
		how.offset = m->key_offset[order->by];
	}
	how.strings = type == UTAP_TYPE_STRING;

	ids = m->sort_index[slot];
	for (id = m->oldest; id != NIL; id = entry_at(m, id)->next) {
		ids[n++] = id;
		if (type == UTAP_TYPE_LONG)
			memcpy(&m->sort_key[id],
			       entry_field(m, entry_at(m, id), how.offset),
			       sizeof(int64_t));
		else if (type == UTAP_TYPE_STAT)
			m->sort_key[id] = stat_sort_key(m, id, order->op);
	}
	sort_ids(m, &how, ids, n);
	it->order = ids;
	it->norder = n;
	return 0;
}

/**
 * utap_map_iter_next() - the next element of a foreach
 * @it: the iterator
 *
 * Return: the element, or NULL at the end: all elements seen, the limit
 * reached, an error from the start, or the set of keys changed since the
 * start (then @it->status is -EBUSY).
 */
struct utap_map_entry *utap_map_iter_next(struct utap_map_iter *it)
{
	struct utap_map *m = it->map;
	struct utap_map_entry *e;
	uint32_t id;

	if (it->status)
		return NULL;
	if (READ_ONCE(m->gen) != it->gen) {
		it->status = -EBUSY;
		return NULL;
	}
	for (;;) {
		if (it->left <= 0)
			return NULL;
		if (it->order) {
			if (it->pos >= it->norder)
				return NULL;
			id = it->order[it->pos++];
		} else {
			id = it->pos;
			if (id == NIL)
				return NULL;
			it->pos = entry_at(m, id)->next;
		}
		e = entry_at(m, id);
		/* The limit counts elements outside the slice too, as stap's. */
		it->left--;
		if (!it->filter || keys_match(m, e, it->filter, it->filter_mask))
			return e;
	}
}

/**
 * utap_map_entry_key_long() - key @i of an element, a long
 * @m: the map
 * @e: an element from utap_map_iter_next()
 * @i: 0 for the first key
 *
 * Return: the key.
 */
int64_t utap_map_entry_key_long(const struct utap_map *m,
				const struct utap_map_entry *e, unsigned int i)
{
	int64_t v;

	memcpy(&v, entry_field(m, e, m->key_offset[i]), sizeof(v));
	return v;
}

/**
 * utap_map_entry_key_str() - key @i of an element, a string
 * @m: the map
 * @e: an element from utap_map_iter_next()
 * @i: 0 for the first key
 *
 * Return: the key, valid while the lock is held and @e exists.
 */
const char *utap_map_entry_key_str(const struct utap_map *m,
				   const struct utap_map_entry *e,
				   unsigned int i)
{
	return entry_field(m, e, m->key_offset[i]);
}

/**
 * utap_map_entry_long() - the value of an element of a long-valued map
 * @m: the map
 * @e: an element from utap_map_iter_next()
 *
 * Return: the value.
 */
int64_t utap_map_entry_long(const struct utap_map *m,
			    const struct utap_map_entry *e)
{
	int64_t v;

	memcpy(&v, entry_field(m, e, m->value_offset), sizeof(v));
	return v;
}

/**
 * utap_map_entry_str() - the value of an element of a string-valued map
 * @m: the map
 * @e: an element from utap_map_iter_next()
 *
 * Return: the value, valid while the lock is held and @e is unchanged.
 */
const char *utap_map_entry_str(const struct utap_map *m,
			       const struct utap_map_entry *e)
{
	return entry_field(m, e, m->value_offset);
}

/**
 * utap_map_entry_stat() - the value of an element of a statistic map
 * @m: the map
 * @e: an element from utap_map_iter_next()
 *
 * Caller holds the write lock.
 *
 * Return: the merged statistic, in @m's merge buffer (valid until another
 * statistic of @m is read).
 */
const struct utap_stat_data *utap_map_entry_stat(struct utap_map *m,
						 const struct utap_map_entry *e)
{
	utap_stat_merge(&m->shape, m->agg, m->planes,
			(size_t)entry_id(m, e) * m->shape.size);
	return m->agg;
}
