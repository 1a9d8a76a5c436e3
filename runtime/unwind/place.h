/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside runtime/unwind: where an address of the current task is — the
 * file mapped there, the offset in it, and that file's tables.
 */
#ifndef UTAP_UNWIND_PLACE_H
#define UTAP_UNWIND_PLACE_H

#include "utap/unwind.h"

struct utap_place {
	bool mapped;                        /* a file is mapped at the address */
	bool exec;                          /* ... executable there */
	const struct utap_file_tables *file; /* its tables, or NULL */
	uint64_t offset;                    /* the address's offset in the file */
	uint64_t vm_start, vm_end;          /* the mapping */
	const char *path;                   /* in the caller's buffer, or NULL */
};

/*
 * Finds @addr in the current task's mappings. With @buf, also the mapped
 * file's path (d_path, at the end of @buf). False with @why set when
 * nothing can be said (no user space, interrupt context, the map busy).
 * Context: task; takes the mmap lock with a trylock, never sleeps.
 */
bool utap_place_find(uint64_t addr, struct utap_place *place, char *buf, size_t size, const char **why);

/* The row of @file covering @offset, or NULL. */
const struct utap_unwind_row *utap_row_find(const struct utap_file_tables *file, uint64_t offset);

/* The symbol of @file at @offset (its size in *@size), or NULL. */
const struct utap_symbol *utap_symbol_find(const struct utap_file_tables *file, uint64_t offset, uint64_t *size);

/* The line row of @file covering @offset with a line, or NULL. */
const struct utap_line_row *utap_line_find(const struct utap_file_tables *file, uint64_t offset);

#endif /* UTAP_UNWIND_PLACE_H */
