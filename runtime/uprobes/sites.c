// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 2 at load and unload (uprobes.h): the table's rows grouped into one
 * site per address, every site armed in one pass and disarmed in one pass
 * with one wait, and the counts of each probe point.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stdarg.h>

#include "utap/transport.h"
#include "entry_saves.h"
#include "sites.h"

struct utap_uprobes_state utap_uprobes;

#define UTAP_REPORT_ALL_POINTS 1000

/* Points that could not be placed: each of the first few is reported with its location, the rest counted. */
#define UTAP_REPORT_ARM_ERRORS 10

/*
 * Fault injection, for tests only (testsuite/utap.scale; never set by
 * utap itself): -DUTAP_FAULT_UPROBES_INIT makes utap_uprobes_init() fail
 * as when the module's tables cannot be allocated, and
 * -DUTAP_FAULT_UPROBES_ARM=N makes every site after the first N fail to
 * arm with -ENOMEM, as when the kernel cannot allocate its uprobes.
 */
#ifdef UTAP_FAULT_UPROBES_INIT
static const bool fault_init = true;
#else
static const bool fault_init;
#endif

/* The table's point @i. */
static const struct utap_uprobe_point *point(unsigned int i)
{
	return &utap_uprobes.table->points[i];
}

/* The group of point @p. */
static const struct utap_uprobe_group *group(const struct utap_uprobe_point *p)
{
	return &utap_uprobes.table->groups[p->group];
}

/* The file point @p is in (index in the table's files). */
static uint32_t file_of(const struct utap_uprobe_point *p)
{
	return group(p)->file;
}

/**
 * utap_uprobe_point_text() - the text of a point, for pp() and messages
 * @p: a row of the table
 * @buf: where
 * @size: its bytes; the text is cut there, always NUL-terminated
 *
 * Context: any.
 * Return: the whole text's length, as snprintf's.
 */
int utap_uprobe_point_text(const struct utap_uprobe_point *p, char *buf, size_t size)
{
	const struct utap_uprobe_group *g = group(p);

	if (g->decl_file)
		return snprintf(buf, size, "%s%s@%s:%u%s", g->prefix, p->name, g->decl_file, p->line, g->suffix);
	return snprintf(buf, size, "%s%s%s", g->prefix, p->name, g->suffix);
}

static int by_address(const void *a, const void *b)
{
	unsigned int i = *(const unsigned int *)a, j = *(const unsigned int *)b;
	const struct utap_uprobe_point *p = point(i), *q = point(j);

	if (file_of(p) != file_of(q))
		return file_of(p) < file_of(q) ? -1 : 1;
	if (p->offset != q->offset)
		return p->offset < q->offset ? -1 : 1;
	return i < j ? -1 : i > j; /* script order within an address */
}

/* Sites from the sorted order; record layouts of the .return rows. */
static size_t build_sites(void)
{
	const struct utap_uprobe_table *t = utap_uprobes.table;
	size_t largest = 0;
	unsigned int i = 0;

	while (i < t->npoints) {
		struct utap_uprobe_site *site = &utap_uprobes.sites[utap_uprobes.nsites++];
		const struct utap_uprobe_point *first = point(utap_uprobes.order[i]);
		unsigned int j;

		site->rows = &utap_uprobes.order[i];
		while (i < t->npoints && file_of(point(utap_uprobes.order[i])) == file_of(first) &&
		       point(utap_uprobes.order[i])->offset == first->offset) {
			i++;
			site->nrows++;
		}
		for (j = 0; j < site->nrows; j++) {
			unsigned int row = site->rows[j];
			const struct utap_uprobe_group *g = group(point(row));
			const struct utap_uprobe_handler *h = &t->handlers[g->handler];

			if (!g->is_return || !h->save_entry)
				continue;
			utap_uprobes.save_offsets[row] = site->saves_size;
			site->saves_size += sizeof(struct utap_entry_slice) + ALIGN(h->saves_size, 8);
		}
		largest = max(largest, site->saves_size);
		utap_uprobe_site_setup(site);
	}
	return largest;
}

/**
 * utap_uprobes_init() - take the script's table and make room for it
 * @table: the process probes, or NULL when the script has none
 *
 * Context: module load, may sleep.
 * Return: 0 or -ENOMEM.
 */
int utap_uprobes_init(const struct utap_uprobe_table *table)
{
	unsigned int i, n;
	size_t largest;

	atomic64_set(&utap_uprobes.missed, 0);
	if (!table || !table->npoints)
		return 0;
	n = table->npoints;
	utap_uprobes.table = table;
	utap_uprobes.files = kvcalloc(table->nfiles, sizeof(*utap_uprobes.files), GFP_KERNEL);
	utap_uprobes.sites = kvcalloc(n, sizeof(*utap_uprobes.sites), GFP_KERNEL);
	utap_uprobes.order = kvcalloc(n, sizeof(*utap_uprobes.order), GFP_KERNEL);
	utap_uprobes.save_offsets = kvcalloc(n, sizeof(*utap_uprobes.save_offsets), GFP_KERNEL);
	utap_uprobes.counts = kvcalloc(n, sizeof(*utap_uprobes.counts), GFP_KERNEL);
	utap_uprobes.hooks = kvcalloc(table->nhooks ? table->nhooks : 1, sizeof(*utap_uprobes.hooks), GFP_KERNEL);
	if (!utap_uprobes.files || !utap_uprobes.sites || !utap_uprobes.order || !utap_uprobes.save_offsets ||
	    !utap_uprobes.counts || !utap_uprobes.hooks || fault_init)
		goto fail;
	for (i = 0; i < table->nhooks; i++) {
		utap_uprobes.hooks[i].hook = &table->hooks[i];
		utap_uprobe_hook_setup(&utap_uprobes.hooks[i]);
	}
	for (i = 0; i < n; i++)
		utap_uprobes.order[i] = i;
	sort(utap_uprobes.order, n, sizeof(*utap_uprobes.order), by_address, NULL);
	largest = build_sites();
	if (largest && utap_entry_saves_init(largest, utap_limits.max_entry_saves))
		goto fail;
	return 0;

fail:
	pr_err("utap: not enough memory for %u process probe points (MAXUPROBES, runtime/README.md)\n", n);
	utap_uprobes_free();
	return -ENOMEM;
}

static const char *errno_text(int err)
{
	switch (-err) {
	case ENOENT: return "no such file";
	case EACCES: return "permission denied";
	case ENOTDIR: return "a component of the path is not a directory";
	case ELOOP: return "too many symbolic links";
	case EINVAL: return "not a regular file, or no instruction at that offset";
	case ENOMEM: return "out of memory";
	case EBUSY: return "busy";
	case EEXIST: return "another probe with a different semaphore is at that address";
	case ENOTSUPP: return "not supported by this kernel";
	}
	return "error";
}

/* An error of the script, before any probe fired: to stderr with its location. */
static void report_point_error(const struct utap_uprobe_point *p, const char *what, int err)
{
	char text[256], line[512];
	int len;

	utap_uprobe_point_text(p, text, sizeof(text));
	len = snprintf(line, sizeof(line), "ERROR: cannot probe %s at %s: %s: %s (%d)\n", text, group(p)->location,
		       what, errno_text(err), err);

	utap_transport_commit(UTAP_RECORD_ERROR, line, min_t(int, len, sizeof(line) - 1));
}

/* Places @site's breakpoint, the @armed-th: 0 or the error of the file or of the kernel. */
static int arm_site(struct utap_uprobe_site *site, const int *file_errors, unsigned int armed)
{
	const struct utap_uprobe_point *first = point(site->rows[0]);
	int err = file_errors[file_of(first)];

	if (err)
		return err;
#ifdef UTAP_FAULT_UPROBES_ARM
	if (armed >= UTAP_FAULT_UPROBES_ARM)
		return -ENOMEM;
#endif
	site->bp.inode = utap_ubp_file_inode(&utap_uprobes.files[file_of(first)]);
	site->bp.offset = first->offset;
	site->bp.ref_ctr_offset = first->semaphore;
	return utap_ubp_arm(&site->bp);
}

/* A hook that cannot be placed costs C++ exceptions through .return probes, not the session: a warning. */
static void arm_hook(struct utap_uprobe_hook_site *h, const int *file_errors)
{
	const char *path = utap_uprobes.table->files[h->hook->file];
	int err = file_errors[h->hook->file];
	char line[512];
	int len;

	if (!err) {
		h->bp.inode = utap_ubp_file_inode(&utap_uprobes.files[h->hook->file]);
		h->bp.offset = h->hook->offset;
		err = utap_ubp_arm(&h->bp);
	}
	if (!err)
		return;
	len = snprintf(line, sizeof(line),
		       "WARNING: cannot probe %s in %s (%s, %d): a C++ exception thrown through a function with a .return probe may end the program\n",
		       h->hook->function, path, errno_text(err), err);
	utap_transport_commit(UTAP_RECORD_WARNING, line, min_t(int, len, sizeof(line) - 1));
}

/**
 * utap_uprobes_arm() - place every breakpoint
 *
 * Opens each file, then arms the sites in one pass. The first
 * UTAP_REPORT_ARM_ERRORS points that cannot be placed are reported with
 * their script locations, the rest in one line. When the kernel runs out of
 * memory, arming stops there: every later site would fail too, each after
 * trying to allocate. Either way the caller ends the session (a point not
 * placed is the script's error), which disarms what was armed, with one wait.
 *
 * Context: module load, may sleep.
 * Return: how many errors it reported; 0 when every point was placed.
 */
unsigned int utap_uprobes_arm(void)
{
	const struct utap_uprobe_table *t = utap_uprobes.table;
	unsigned int i, j, armed = 0, failed = 0, reported = 0;
	u64 start = ktime_get_ns();
	int *file_errors, err = 0;

	if (!t)
		return 0;
	file_errors = kcalloc(t->nfiles, sizeof(*file_errors), GFP_KERNEL);
	if (!file_errors) {
		utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: out of memory before placing %u process probe points; probe fewer points\n",
			     t->npoints);
		return 1;
	}
	for (i = 0; i < t->nfiles; i++)
		file_errors[i] = utap_ubp_file_open(&utap_uprobes.files[i], t->files[i]);
	for (i = 0; i < utap_uprobes.nsites; i++) {
		struct utap_uprobe_site *site = &utap_uprobes.sites[i];

		err = arm_site(site, file_errors, armed);
		if (!err) {
			armed++;
			continue;
		}
		for (j = 0; j < site->nrows; j++, failed++)
			if (reported < UTAP_REPORT_ARM_ERRORS) {
				report_point_error(point(site->rows[j]), t->files[file_of(point(site->rows[0]))], err);
				reported++;
			}
		if (err == -ENOMEM)
			break;
	}
	if (err == -ENOMEM) {
		for (i++; i < utap_uprobes.nsites; i++)
			failed += utap_uprobes.sites[i].nrows;
		utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: out of memory for breakpoints after placing %u of %u: %u process probe points not placed; the session ends: probe fewer points (runtime/README.md, \"How many points\")\n",
			     armed, utap_uprobes.nsites, failed);
		reported++;
	} else if (failed > reported) {
		utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: %u more process probe points could not be placed\n", failed - reported);
		reported++;
	}
	if (!failed)
		for (i = 0; i < t->nhooks; i++)
			arm_hook(&utap_uprobes.hooks[i], file_errors);
	kfree(file_errors);
	utap_uprobes.arm_ns = ktime_get_ns() - start;
	return reported;
}

/* A probed file that its name no longer names was replaced while probed: say what that means. */
static void warn_replaced_files(void)
{
	const struct utap_uprobe_table *t = utap_uprobes.table;
	unsigned int i;

	for (i = 0; i < t->nfiles; i++) {
		char line[512];
		int len;

		if (!utap_ubp_file_replaced(&utap_uprobes.files[i]))
			continue;
		len = snprintf(line, sizeof(line),
			       "WARNING: %s was replaced while it was probed: processes started from the new file were not probed\n",
			       t->files[i]);
		utap_transport_commit(UTAP_RECORD_WARNING, line, min_t(int, len, sizeof(line) - 1));
	}
}

/**
 * utap_uprobes_disarm() - remove every breakpoint, waiting once
 *
 * After it no handler of ours runs or will run. Safe to call twice.
 * Context: process, may sleep (the session's stop work).
 */
void utap_uprobes_disarm(void)
{
	unsigned int i;
	bool any = false;
	u64 start = ktime_get_ns();

	if (!utap_uprobes.table)
		return;
	for (i = 0; i < utap_uprobes.nsites; i++) {
		any |= utap_uprobes.sites[i].bp.armed;
		utap_ubp_disarm(&utap_uprobes.sites[i].bp);
	}
	for (i = 0; i < utap_uprobes.table->nhooks; i++) {
		any |= utap_uprobes.hooks[i].bp.armed;
		utap_ubp_disarm(&utap_uprobes.hooks[i].bp);
	}
	if (any) {
		u64 waited = ktime_get_ns();

		utap_ubp_disarm_wait();
		utap_uprobes.disarm_wait_ns = ktime_get_ns() - waited;
		utap_uprobes.disarm_ns = ktime_get_ns() - start;
		warn_replaced_files();
	}
}

/**
 * utap_uprobes_free() - give back the files and the memory
 *
 * Context: module unload or a failed load, after utap_uprobes_disarm().
 */
void utap_uprobes_free(void)
{
	unsigned int i;

	utap_uprobes_disarm();
	if (utap_uprobes.files)
		for (i = 0; i < utap_uprobes.table->nfiles; i++)
			utap_ubp_file_close(&utap_uprobes.files[i]);
	utap_entry_saves_free();
	kvfree(utap_uprobes.files);
	kvfree(utap_uprobes.sites);
	kvfree(utap_uprobes.order);
	kvfree(utap_uprobes.save_offsets);
	kvfree(utap_uprobes.counts);
	kvfree(utap_uprobes.hooks);
	memset(&utap_uprobes, 0, sizeof(utap_uprobes));
}

uint64_t utap_uprobes_missed(void)
{
	return atomic64_read(&utap_uprobes.missed);
}

/**
 * utap_uprobes_report() - each probe point's counts, for -v
 *
 * One line per point, in script order, sent for stderr; of a script with
 * more than UTAP_REPORT_ALL_POINTS points, only the first of those that
 * were hit, skipped or filtered.
 */
void utap_uprobes_report(void)
{
	const struct utap_uprobe_table *t = utap_uprobes.table;
	unsigned int i, shown = 0, omitted = 0;

	if (!t)
		return;
	{
		char line[256];
		int len = snprintf(line, sizeof(line),
				   "%u probe points at %u addresses: armed in %llu us, disarmed in %llu us (%llu us of it waiting once)\n",
				   t->npoints, utap_uprobes.nsites, (unsigned long long)utap_uprobes.arm_ns / 1000,
				   (unsigned long long)utap_uprobes.disarm_ns / 1000,
				   (unsigned long long)utap_uprobes.disarm_wait_ns / 1000);

		utap_transport_commit(UTAP_RECORD_INFO, line, min_t(int, len, sizeof(line) - 1));
	}
	for (i = 0; i < t->npoints; i++) {
		const struct utap_uprobe_counts *n = &utap_uprobes.counts[i];
		long long hits = atomic64_read(&n->hits), skipped = atomic64_read(&n->skipped);
		long long filtered = atomic64_read(&n->filtered);
		char text[256], line[512];
		int len;

		/* The output rings hold some hundreds of kilobytes: many points, only those that were hit. */
		if (t->npoints > UTAP_REPORT_ALL_POINTS && !hits && !skipped && !filtered)
			continue;
		if (++shown > UTAP_REPORT_ALL_POINTS) {
			omitted++;
			continue;
		}
		utap_uprobe_point_text(point(i), text, sizeof(text));
		len = snprintf(line, sizeof(line), "%s at %s: %lld hits, %lld skipped, %lld filtered out\n", text,
			       group(point(i))->location, hits, skipped, filtered);
		utap_transport_commit(UTAP_RECORD_INFO, line, min_t(int, len, sizeof(line) - 1));
	}
	if (omitted) {
		char line[128];
		int len = snprintf(line, sizeof(line), "... and %u more points that were hit\n", omitted);

		utap_transport_commit(UTAP_RECORD_INFO, line, min_t(int, len, sizeof(line) - 1));
	}
}
