// SPDX-License-Identifier: GPL-2.0
/*
 * The session's symbol and unwind tables, and the lookup of an address:
 * the mapping that holds it (find_vma), the file's table by inode, the
 * row and the symbol by binary search.
 */
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "place.h"

/* Set at load, read-only until unload: no lock. */
static const struct utap_stack_tables *tables;
static struct path *paths; /* tables->nfiles, held: the inodes stay */

int utap_stack_tables_init(const struct utap_stack_tables *t)
{
	unsigned int i;

	if (!t || !t->nfiles)
		return 0;
	paths = kcalloc(t->nfiles, sizeof(*paths), GFP_KERNEL);
	if (!paths)
		return -ENOMEM;
	for (i = 0; i < t->nfiles; i++)
		if (kern_path(t->files[i].path, LOOKUP_FOLLOW, &paths[i]))
			paths[i].dentry = NULL; /* not there: its frames are unknown */
	tables = t;
	return 0;
}

void utap_stack_tables_free(void)
{
	unsigned int i;

	if (!tables)
		return;
	for (i = 0; i < tables->nfiles; i++)
		if (paths[i].dentry)
			path_put(&paths[i]);
	kfree(paths);
	paths = NULL;
	tables = NULL;
}

static const struct utap_file_tables *tables_of(struct inode *inode)
{
	unsigned int i;

	for (i = 0; tables && i < tables->nfiles; i++)
		if (paths[i].dentry && d_inode(paths[i].dentry) == inode)
			return &tables->files[i];
	return NULL;
}

bool utap_place_find(uint64_t addr, struct utap_place *place, char *buf, size_t size, const char **why)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	char *path;

	memset(place, 0, sizeof(*place));
	if (!mm || (current->flags & PF_KTHREAD)) {
		*why = "the current task has no user space";
		return false;
	}
	if (!in_task()) {
		*why = "not available in interrupt context";
		return false;
	}
	if (!mmap_read_trylock(mm)) { /* no sleeping in a handler */
		*why = "the memory map is busy";
		return false;
	}
	vma = find_vma(mm, (unsigned long)addr);
	if (vma && addr >= vma->vm_start && vma->vm_file) {
		place->mapped = true;
		place->exec = vma->vm_flags & VM_EXEC;
		place->vm_start = vma->vm_start;
		place->vm_end = vma->vm_end;
		place->offset = addr - vma->vm_start + ((uint64_t)vma->vm_pgoff << PAGE_SHIFT);
		place->file = tables_of(file_inode(vma->vm_file));
		if (buf) {
			path = d_path(&vma->vm_file->f_path, buf, size);
			place->path = IS_ERR(path) ? NULL : path;
		}
	}
	mmap_read_unlock(mm);
	return true;
}

const struct utap_unwind_row *utap_row_find(const struct utap_file_tables *file, uint64_t offset)
{
	uint32_t lo = 0, hi = file->nrows;

	/* the last row starting at or before @offset */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (file->rows[mid].start <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &file->rows[lo - 1] : NULL;
}

const struct utap_symbol *utap_symbol_find(const struct utap_file_tables *file, uint64_t offset, uint64_t *size)
{
	const struct utap_symbol *s;
	uint32_t lo = 0, hi = file->nsymbols;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (file->symbols[mid].start <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &file->symbols[lo - 1];
	*size = s->size;
	if (!*size) /* an assembler's symbol: up to the next, as stap sizes every symbol */
		*size = lo < file->nsymbols ? file->symbols[lo].start - s->start : 0;
	/* Past its end the address is in no symbol we know: never a neighbour's name. */
	if (*size && offset >= (uint64_t)s->start + *size)
		return NULL;
	return s;
}

const struct utap_line_row *utap_line_find(const struct utap_file_tables *file, uint64_t offset)
{
	uint32_t lo = 0, hi = file->nlines;

	/* the last row starting at or before @offset, as utap_row_find() */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (file->lines[mid].start <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && file->lines[lo - 1].line ? &file->lines[lo - 1] : NULL;
}
