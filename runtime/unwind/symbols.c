// SPDX-License-Identifier: GPL-2.0
/*
 * An address as stap writes it (runtime/sym.c's _STP_SYM_* forms): the
 * symbol, its offset and size, and the file; the file and the offset in
 * its mapping when no symbol of ours covers it; the bare address when no
 * file is mapped there.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "place.h"

size_t utap_usym_format(char *dst, size_t size, uint64_t addr, enum utap_sym_form form)
{
	char buf[256];
	struct utap_place place;
	const struct utap_symbol *sym = NULL;
	const char *name = NULL, *path = NULL, *base, *why;
	unsigned long long a = addr, off = 0, len = 0;
	uint64_t symsize = 0;
	int n;

	if (!size)
		return 0;
	if (form != UTAP_SYM_HEX && utap_place_find(addr, &place, buf, sizeof(buf), &why)) {
		path = place.path;
		if (place.file)
			sym = utap_symbol_find(place.file, place.offset, &symsize);
		if (sym) {
			name = place.file->names + sym->name;
			off = place.offset - sym->start;
			len = symsize;
		} else if (path) {
			off = addr - place.vm_start;
			len = place.vm_end - place.vm_start;
		}
	}
	base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path;
	switch (form) {
	case UTAP_SYM_NAME:
		n = name ? snprintf(dst, size, "%s", name) : snprintf(dst, size, "0x%016llx", a);
		break;
	case UTAP_SYM_DATA:
		if (name && path)
			n = snprintf(dst, size, "%s+%#llx/%#llx [%s]", name, off, len, path);
		else if (path)
			n = snprintf(dst, size, "0x%016llx [%s+%#llx/%#llx]", a, path, off, len);
		else
			n = snprintf(dst, size, "0x%016llx", a);
		break;
	case UTAP_SYM_FULL:
		if (name && path)
			n = snprintf(dst, size, " 0x%016llx : %s+%#llx/%#llx [%s]\n", a, name, off, len, path);
		else if (path)
			n = snprintf(dst, size, " 0x%016llx [%s+%#llx/%#llx]\n", a, path, off, len);
		else
			n = snprintf(dst, size, " 0x%016llx\n", a);
		break;
	case UTAP_SYM_SIMPLE:
		if (name && path)
			n = snprintf(dst, size, "%s+%#llx [%s]\n", name, off, base);
		else if (path)
			n = snprintf(dst, size, "0x%016llx [%s+%#llx]\n", a, base, off);
		else
			n = snprintf(dst, size, "0x%016llx\n", a);
		break;
	case UTAP_SYM_BRIEF:
		n = name ? snprintf(dst, size, "%s+%#llx\n", name, off) : snprintf(dst, size, "0x%016llx\n", a);
		break;
	case UTAP_SYM_HEX:
	default:
		n = snprintf(dst, size, "0x%016llx ", a);
		break;
	}
	return n < 0 ? 0 : min_t(size_t, n, size - 1);
}

size_t utap_usym_line(char *dst, size_t size, uint64_t addr, enum utap_line_form form)
{
	struct utap_place place;
	const struct utap_line_row *row = NULL;
	const char *why, *file;
	int n;

	if (!size)
		return 0;
	if (utap_place_find(addr, &place, NULL, 0, &why) && place.file && place.file->nlines)
		row = utap_line_find(place.file, place.offset);
	if (!row) {
		n = snprintf(dst, size, "0x%016llx", (unsigned long long)addr);
		return n < 0 ? 0 : min_t(size_t, n, size - 1);
	}
	file = place.file->line_files + row->file;
	switch (form) {
	case UTAP_LINE_FILE:
		n = snprintf(dst, size, "%s", file);
		break;
	case UTAP_LINE_LINE:
		n = snprintf(dst, size, "%u", row->line);
		break;
	case UTAP_LINE_FILELINE:
	default:
		n = snprintf(dst, size, "%s:%u", file, row->line);
		break;
	}
	return n < 0 ? 0 : min_t(size_t, n, size - 1);
}
